/**
 * Emails compare case-insensitively; Baton stores them trimmed and lower-cased.
 *
 * @example normalizeEmail('  Jan.Jansen@Example.NL ') // 'jan.jansen@example.nl'
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Whether the runtime knows this IANA time zone.
 *
 * @example isValidTimeZone('Europe/Amsterdam') // true
 */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Domains compare case-insensitively and without a leading "www.".
 *
 * @example normalizeDomain('WWW.Example.nl') // 'example.nl'
 */
export function normalizeDomain(domain: string): string {
  return domain
    .trim()
    .toLowerCase()
    .replace(/^www\./, '');
}

let countryNames: Map<string, string> | undefined;

/**
 * The ISO 3166 code of a country written as a code or as its English or Dutch name, as spreadsheets
 * and CRM exports do; undefined when it is neither.
 *
 * @example countryCode('Nederland') // 'NL'
 */
export function countryCode(value: string): string | undefined {
  const text = value.trim();
  if (/^[A-Za-z]{2}$/.test(text)) return text.toUpperCase();
  if (!countryNames) {
    countryNames = new Map();
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (const language of ['en', 'nl']) {
      const names = new Intl.DisplayNames([language], { type: 'region', fallback: 'none' });
      for (const a of letters)
        for (const b of letters) {
          const name = names.of(a + b);
          if (!name) continue;
          countryNames.set(name.toLowerCase(), a + b);
          // "Hong Kong SAR China" is written "Hong Kong".
          const short = name.replace(/ SAR .*$/, '');
          if (!countryNames.has(short.toLowerCase())) countryNames.set(short.toLowerCase(), a + b);
        }
    }
  }
  return countryNames.get(text.toLowerCase());
}
