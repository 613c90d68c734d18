import type { ThemeConfig } from 'antd';

// Ant Design's default greys and blue are a little light for small text (WCAG AA asks 4.5:1):
// darker secondary text and a deeper primary keep every label readable.
export const theme: ThemeConfig = {
  token: {
    colorPrimary: '#0b5cd5',
    // Antd derives a lighter hover colour, under AA contrast with white text; darker instead.
    colorPrimaryHover: '#0a4fb8',
    colorPrimaryActive: '#083f93',
    colorLink: '#0b5cd5',
    colorLinkHover: '#0a4fb8',
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.58)',
    colorError: '#c4161c',
    colorSuccess: '#237804',
    colorWarning: '#ad4e00',
    borderRadius: 6,
    fontFamily:
      "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif",
  },
  // An empty table's text uses the disabled grey; it is content, so it must be readable.
  components: { Table: { colorTextDisabled: 'rgba(0, 0, 0, 0.68)' } },
};

/**
 * The same theme without motion, for people whose system asks for less of it (WCAG 2.3.3):
 * dropdowns, dialogs, messages and tabs appear at once instead of sliding or fading in. The
 * ConfigProvider also turns off the click wave, which the motion token leaves on.
 */
export const stillTheme: ThemeConfig = { ...theme, token: { ...theme.token, motion: false } };

const reducedMotionQuery = '(prefers-reduced-motion: reduce)';

/** Follows the system's "reduce motion" setting, also when it changes while the page is open. */
export function subscribeToReducedMotion(onChange: () => void): () => void {
  const query = window.matchMedia(reducedMotionQuery);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}
export function prefersReducedMotion(): boolean {
  return window.matchMedia(reducedMotionQuery).matches;
}

/** Status colours with enough contrast for text on their own background. */
export const tones = {
  red: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' },
  orange: { color: '#7c3500', background: '#fff7e6', borderColor: '#ffd591' },
  green: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' },
  blue: { color: '#003eb3', background: '#e6f4ff', borderColor: '#91caff' },
  grey: { color: '#3a3a3a', background: '#f5f5f5', borderColor: '#d9d9d9' },
} as const;
export type Tone = keyof typeof tones;
