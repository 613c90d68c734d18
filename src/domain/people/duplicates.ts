import { emailDomain, isFreeMailDomain, normalizeCompanyName } from '../capture/match-account.ts';
import { similarMatch } from '../search/similarity.ts';

/** Why two accounts look like one company. */
export type AccountLikeness = 'same_name' | 'name_is_domain' | 'similar_name';

export interface AccountLike {
  name: string;
  domains: readonly string[];
}

/** A domain's own name, without its top level or hyphens: "bakkerij-jansen.nl" → "bakkerijjansen". */
function domainName(domain: string): string {
  const labels = domain
    .toLowerCase()
    .replace(/^www\./, '')
    .split('.');
  return (labels.length > 1 ? labels.slice(0, -1).join('') : labels[0]!).replace(/-/g, '');
}

/**
 * Whether two accounts look like one company, and why: the same name once legal forms and
 * punctuation are gone ("Bakkerij Jansen" and "Bakkerij Jansen B.V."), the one's name spelt as the
 * other's domain ("Bakkerij Jansen" and bakkerijjansen.nl), or names alike but for a typo in each
 * word ("Nordwind ICT" and "Noordwind ICT"). Null when they do not.
 *
 * @example accountLikeness({ name: 'Bakkerij Jansen', domains: [] }, { name: 'Bakkerij Jansen B.V.', domains: ['bakkerijjansen.nl'] }) // 'same_name'
 * @example accountLikeness({ name: 'Acme', domains: [] }, { name: 'Acme Nederland', domains: [] }) // null
 */
export function accountLikeness(a: AccountLike, b: AccountLike): AccountLikeness | null {
  const left = normalizeCompanyName(a.name);
  const right = normalizeCompanyName(b.name);
  if (left !== '' && left === right) return 'same_name';
  const joined = (key: string) => key.replace(/ /g, '');
  const spelt = (key: string, domains: readonly string[]) =>
    joined(key).length >= 4 && domains.some((d) => domainName(d) === joined(key));
  if (spelt(left, b.domains) || spelt(right, a.domains)) return 'name_is_domain';
  // Alike both ways, so a longer name ("Acme Nederland") is not taken for a shorter one ("Acme").
  if (left.length >= 4 && right.length >= 4) {
    const there = similarMatch(left, right);
    const back = similarMatch(right, left);
    if (there !== null && back !== null && Math.min(there, back) >= 0.5) return 'similar_name';
  }
  return null;
}

/** Why two contacts look like one person. */
export type ContactLikeness = 'same_name_same_company' | 'same_name_free_mail' | 'same_phone';

export interface ContactLike {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  accountId: string | null;
}

const plain = (text: string | null) =>
  (text ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** The digits of a phone number that identify it: the last nine, so +31 6 … and 06 … are one. */
function phoneKey(phone: string | null): string | null {
  const digits = (phone ?? '').replace(/\D/g, '');
  return digits.length >= 9 ? digits.slice(-9) : null;
}

/**
 * Whether two contacts look like one person, and why: the same first and last name at the same
 * company (one account, or one email domain), the same name where one of them wrote from a
 * free-mail address (someone's private mail beside their work mail), or the same phone number.
 * Null when they do not: two people called Jan Jansen at different companies are two people.
 *
 * @example contactLikeness({ firstName: 'Jan', lastName: 'Jansen', email: 'jan@acme.nl', phone: null, accountId: 'a' }, { firstName: 'jan', lastName: 'Jansen', email: 'jan.jansen@gmail.com', phone: null, accountId: null }) // 'same_name_free_mail'
 */
export function contactLikeness(a: ContactLike, b: ContactLike): ContactLikeness | null {
  const phone = phoneKey(a.phone);
  if (phone !== null && phone === phoneKey(b.phone)) return 'same_phone';
  const name = (c: ContactLike) => `${plain(c.firstName)}|${plain(c.lastName)}`;
  if (!plain(a.firstName) || !plain(a.lastName) || name(a) !== name(b)) return null;
  if (a.accountId !== null && a.accountId === b.accountId) return 'same_name_same_company';
  const domainOf = (c: ContactLike) => (c.email ? emailDomain(c.email) : null);
  const [left, right] = [domainOf(a), domainOf(b)];
  if (left !== null && left === right && !isFreeMailDomain(left)) return 'same_name_same_company';
  if ((left !== null && isFreeMailDomain(left)) || (right !== null && isFreeMailDomain(right)))
    return 'same_name_free_mail';
  return null;
}
