import type { EventCategory } from './event-types.ts';

export interface SourceState {
  originalAt: Date | null;
  latestAt: Date | null;
}

/**
 * Whether a touch becomes a contact's original source (its earliest marketing touch) and/or its
 * latest source (its most recent one). Touches may arrive out of order (imports, replays), so the
 * decision is by when they happened, not when they arrived. Sales activities are not sources.
 *
 * @example decideSourceUpdate({ originalAt: null, latestAt: null }, { at: t, category: 'marketing' })
 * // { original: true, latest: true }
 */
export function decideSourceUpdate(
  state: SourceState,
  touch: { at: Date; category: EventCategory },
): { original: boolean; latest: boolean } {
  if (touch.category !== 'marketing') return { original: false, latest: false };
  return {
    original: state.originalAt === null || touch.at < state.originalAt,
    latest: state.latestAt === null || touch.at >= state.latestAt,
  };
}
