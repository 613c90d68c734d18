import freeMailDomains from 'email-providers/all.json' with { type: 'json' };

/**
 * Dutch and Belgian consumer ISPs missing from the email-providers list (checked 2026-11). Addresses
 * at these domains are people at home, not companies.
 */
const extraFreeMailDomains = [
  'ziggo.nl',
  'xs4all.nl',
  'upcmail.nl',
  'casema.nl',
  'quicknet.nl',
  'zeelandnet.nl',
  'tele2.nl',
  'online.nl',
  'telfort.nl',
  'solcon.nl',
  'kpnplanet.nl',
  'wanadoo.nl',
  'caiway.nl',
  'versatel.nl',
  'hccnet.nl',
  'tiscali.nl',
  'orange.nl',
  'onsbrabantnet.nl',
  'kabelfoon.nl',
  'delta.nl',
  'scarlet.be',
  'proximus.be',
];

const freeMail = new Set<string>([...freeMailDomains, ...extraFreeMailDomains]);

/**
 * Whether a domain belongs to a free-mail provider or consumer ISP, whose users are not a company.
 * Subdomains count too (`mail.ziggo.nl`).
 *
 * @example isFreeMailDomain('gmail.com') // true
 */
export function isFreeMailDomain(domain: string): boolean {
  const parts = domain.toLowerCase().split('.');
  for (let i = 0; i < parts.length - 1; i++) {
    if (freeMail.has(parts.slice(i).join('.'))) return true;
  }
  return false;
}

/** @example emailDomain('Jan@Acme.NL') // 'acme.nl' */
export function emailDomain(email: string): string {
  return email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();
}

/** Legal forms and their spellings, removed from the end of a company name before comparing. */
const legalForms = [
  'b v',
  'bv',
  'n v',
  'nv',
  'v o f',
  'vof',
  'c v',
  'cv',
  'b v b a',
  'bvba',
  'sprl',
  'srl',
  'bv io',
  'gmbh',
  'gmbh co kg',
  'gmbh and co kg',
  'and co',
  'ag',
  'kg',
  'ug',
  'ltd',
  'limited',
  'llc',
  'llp',
  'plc',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'sa',
  'sas',
  'sarl',
  'ab',
  'as',
  'aps',
  'oy',
  'spa',
  'holding',
  'holdings',
  'group',
  'groep',
].sort((a, b) => b.length - a.length);

/**
 * A company name reduced to what identifies it: lower case, accents and punctuation removed, legal
 * forms (B.V., N.V., GmbH, Ltd, Inc. …) and a leading "the" dropped, "&" read as "and".
 *
 * @example normalizeCompanyName('Acme Nederland B.V.') // 'acme nederland'
 * @example normalizeCompanyName('ACME nederland bv') // 'acme nederland'
 */
export function normalizeCompanyName(name: string): string {
  let text = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  // A name that is nothing but a legal form names no company.
  if (legalForms.includes(text)) return '';
  let changed = true;
  while (changed) {
    changed = false;
    for (const form of legalForms) {
      if (text.endsWith(` ${form}`)) {
        text = text.slice(0, -form.length - 1).trim();
        changed = true;
      }
    }
  }
  // Only the English article: Dutch names such as "De Vries" keep theirs, it is part of the name.
  return text.replace(/^the (?=\S)/, '').trim();
}

export type AccountMatch =
  | { kind: 'domain'; domain: string }
  | { kind: 'company'; normalizedName: string; name: string }
  | { kind: 'none'; reason: 'free_mail_without_company' | 'no_company' };

/**
 * How a person is matched to an account: by the domain of a business email, or else by the
 * normalised company name they gave. Free-mail domains never make or match an account.
 *
 * @example decideAccountMatch('jan@acme.nl', null) // { kind: 'domain', domain: 'acme.nl' }
 * @example decideAccountMatch('jan@gmail.com', 'Acme B.V.') // { kind: 'company', normalizedName: 'acme', name: 'Acme B.V.' }
 */
export function decideAccountMatch(email: string | null, company: string | null): AccountMatch {
  if (email) {
    const domain = emailDomain(email);
    if (!isFreeMailDomain(domain)) return { kind: 'domain', domain: domain.replace(/^www\./, '') };
  }
  const name = company?.trim();
  const normalizedName = name ? normalizeCompanyName(name) : '';
  if (name && normalizedName) return { kind: 'company', normalizedName, name };
  return { kind: 'none', reason: email ? 'free_mail_without_company' : 'no_company' };
}
