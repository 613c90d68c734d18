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
