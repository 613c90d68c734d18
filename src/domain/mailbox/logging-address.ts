import { normalizeEmail } from '../people/normalize.ts';

/*
 * The logging address ("smart BCC"): each person has one, `log+TOKEN@domain`, that they BCC or
 * forward their email with leads to. The token is the person's secret; the sender must also be the
 * person. Baton reads who the message was to, logs it for each of them who is a lead, and never
 * replies.
 */

/** Where the logging addresses live: `localPart+TOKEN@domain`. */
export interface LoggingDomain {
  localPart: string;
  domain: string;
}

const tokenPattern = /^[a-z0-9]{16,64}$/;

/**
 * A person's logging address.
 *
 * @example loggingAddressOf('k3x9q2m7v8w4p5r6', { localPart: 'log', domain: 'baton.example.nl' })
 * // 'log+k3x9q2m7v8w4p5r6@baton.example.nl'
 */
export function loggingAddressOf(token: string, where: LoggingDomain): string {
  return `${where.localPart}+${token}@${where.domain}`;
}

/**
 * The token of a recipient that is a logging address, or null for any other address. Addresses
 * compare without case, as mail servers do.
 *
 * @example tokenOfRecipient('LOG+k3x9q2m7v8w4p5r6@Baton.example.nl', { localPart: 'log', domain: 'baton.example.nl' })
 * // 'k3x9q2m7v8w4p5r6'
 * @example tokenOfRecipient('sales@baton.example.nl', { localPart: 'log', domain: 'baton.example.nl' }) // null
 */
export function tokenOfRecipient(address: string, where: LoggingDomain): string | null {
  const email = normalizeEmail(address);
  const at = email.lastIndexOf('@');
  if (at < 0 || email.slice(at + 1) !== where.domain.toLowerCase()) return null;
  const local = email.slice(0, at);
  const prefix = `${where.localPart.toLowerCase()}+`;
  if (!local.startsWith(prefix)) return null;
  const token = local.slice(prefix.length);
  return tokenPattern.test(token) ? token : null;
}

/**
 * The people a message was with that may be leads: its To and Cc (a BCC'd lead is in neither),
 * once each, without the sender, the logging domain, colleagues (the company's own domains) and
 * the domains never logged (private mail providers, say).
 *
 * @example partiesToLog({ from: 'rep@acme.nl', to: ['Jan@Klant.nl', 'log+t@baton.nl'], cc: ['boss@acme.nl'] }, { ownDomains: ['acme.nl'], loggingDomain: 'baton.nl', neverLogged: [] })
 * // ['jan@klant.nl']
 */
export function partiesToLog(
  message: { from: string; to: readonly string[]; cc: readonly string[] },
  rules: { ownDomains: readonly string[]; loggingDomain: string; neverLogged: readonly string[] },
): string[] {
  const skipped = new Set(
    [...rules.ownDomains, rules.loggingDomain, ...rules.neverLogged].map((d) => d.toLowerCase()),
  );
  const sender = normalizeEmail(message.from);
  const parties = new Set<string>();
  for (const address of [...message.to, ...message.cc]) {
    const email = normalizeEmail(address);
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (!email.includes('@') || email === sender || skipped.has(domain)) continue;
    parties.add(email);
  }
  return [...parties];
}
