/**
 * The channel of a website touch, as Google Analytics 4's default channel grouping decides it when
 * the campaign tags say nothing: the tagged medium first (as given, so a company's own media keep
 * their names), then an ad click id in the address, then where the visitor came from.
 */

/** Search engines, by a label of their host (www.google.nl, duckduckgo.com, …). */
const searchEngines = [
  'google',
  'bing',
  'duckduckgo',
  'yahoo',
  'ecosia',
  'baidu',
  'yandex',
  'startpage',
  'qwant',
  'ask',
];
/** Social networks, by their hosts. */
const socialHosts = [
  'facebook.com',
  'fb.com',
  'instagram.com',
  'linkedin.com',
  'lnkd.in',
  'twitter.com',
  'x.com',
  't.co',
  'youtube.com',
  'reddit.com',
  'pinterest.com',
  'tiktok.com',
  'xing.com',
  'threads.net',
  'bsky.app',
  'mastodon.social',
];
/** Webmail: a click in an email read in the browser. */
const webmailHosts = [
  'mail.google.com',
  'outlook.live.com',
  'outlook.office.com',
  'outlook.office365.com',
  'mail.yahoo.com',
];
/** Click ids that ad platforms add to the address of a paid click. */
const paidSearchIds = ['gclid', 'gbraid', 'wbraid', 'msclkid'];
const paidSocialIds = ['li_fat_id', 'ttclid'];

const hostOf = (address: string | null | undefined): string | null => {
  if (!address) return null;
  try {
    return new URL(address).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return null;
  }
};
const isHostOf = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/**
 * @example channelOf({ utmMedium: null, url: 'https://acme.nl/prijzen', referrer: 'https://www.google.nl/' })
 * // 'organic_search'
 * @example channelOf({ utmMedium: null, url: 'https://acme.nl/', referrer: 'https://www.linkedin.com/feed/' })
 * // 'organic_social'
 */
export function channelOf(touch: {
  utmMedium: string | null | undefined;
  url: string | null | undefined;
  referrer: string | null | undefined;
}): string | null {
  if (touch.utmMedium) return touch.utmMedium;
  const params = (() => {
    try {
      return touch.url ? new URL(touch.url).searchParams : null;
    } catch {
      return null;
    }
  })();
  if (params && paidSearchIds.some((id) => params.has(id))) return 'paid_search';
  if (params && paidSocialIds.some((id) => params.has(id))) return 'paid_social';
  const from = hostOf(touch.referrer);
  // No referrer, or a page of the same site: the visit's channel is not in this touch.
  if (!from || from === hostOf(touch.url)) return null;
  if (webmailHosts.some((d) => isHostOf(from, d))) return 'email';
  if (socialHosts.some((d) => isHostOf(from, d))) return 'organic_social';
  const labels = from.split('.');
  if (searchEngines.some((engine) => labels.slice(0, -1).includes(engine))) return 'organic_search';
  return 'referral';
}
