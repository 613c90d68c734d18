import { describe, expect, it } from 'vitest';
import { decideAccountMatch, emailDomain, isFreeMailDomain, normalizeCompanyName } from './match-account.ts';

describe('isFreeMailDomain', () => {
  it.each([
    ['gmail.com', true],
    ['hotmail.nl', true],
    ['kpnmail.nl', true],
    ['ziggo.nl', true],
    ['mail.ziggo.nl', true],
    ['xs4all.nl', true],
    ['telenet.be', true],
    ['acme.nl', false],
    ['gmail.com.acme.nl', false],
    ['microsoft.com', false],
  ])('%s → %s', (domain, expected) => {
    expect(isFreeMailDomain(domain)).toBe(expected);
  });
});

describe('normalizeCompanyName', () => {
  it.each([
    ['Acme B.V.', 'acme'],
    ['ACME bv', 'acme'],
    ['Acme Nederland B.V.', 'acme nederland'],
    ['Philips N.V.', 'philips'],
    ['Siemens GmbH & Co. KG', 'siemens'],
    ['Globex Ltd.', 'globex'],
    ['Initech, Inc.', 'initech'],
    ['De Vries Holding B.V.', 'de vries'],
    ['Café Ütopia', 'cafe utopia'],
    ['Smith & Sons', 'smith and sons'],
    ['The Acme Company', 'acme'],
    ['B.V.', ''],
  ])('%s → %s', (name, expected) => {
    expect(normalizeCompanyName(name)).toBe(expected);
  });

  it('matches spellings of the same company to one key', () => {
    const spellings = ['Acme B.V.', 'acme bv', 'ACME B V', 'Acme BV.', ' acme  b.v '];
    expect(new Set(spellings.map(normalizeCompanyName))).toEqual(new Set(['acme']));
  });
});

describe('decideAccountMatch', () => {
  it.each([
    { email: 'jan@acme.nl', company: null, expected: { kind: 'domain', domain: 'acme.nl' } },
    { email: 'jan@Acme.NL', company: 'Other B.V.', expected: { kind: 'domain', domain: 'acme.nl' } },
    {
      email: 'jan@gmail.com',
      company: 'Acme B.V.',
      expected: { kind: 'company', normalizedName: 'acme', name: 'Acme B.V.' },
    },
    {
      email: 'jan@gmail.com',
      company: null,
      expected: { kind: 'none', reason: 'free_mail_without_company' },
    },
    {
      email: 'jan@gmail.com',
      company: ' B.V. ',
      expected: { kind: 'none', reason: 'free_mail_without_company' },
    },
    { email: null, company: null, expected: { kind: 'none', reason: 'no_company' } },
  ])('$email / $company', ({ email, company, expected }) => {
    expect(decideAccountMatch(email, company)).toEqual(expected);
  });

  it('reads the domain from the last @', () => {
    expect(emailDomain('"a@b"@Example.org')).toBe('example.org');
  });
});
