import { describe, expect, it } from 'vitest';
import { accountLikeness, contactLikeness, type ContactLike } from './duplicates.ts';

describe('accountLikeness', () => {
  const account = (name: string, domains: string[] = []) => ({ name, domains });
  it('takes the same name without its legal form for one company', () => {
    expect(
      accountLikeness(account('Bakkerij Jansen'), account('Bakkerij Jansen B.V.', ['bakkerijjansen.nl'])),
    ).toBe('same_name');
    expect(accountLikeness(account('ACME nederland bv'), account('Acme Nederland B.V.'))).toBe('same_name');
  });
  it("takes a name spelt as the other's domain for one company", () => {
    expect(accountLikeness(account('Bakker Jansen'), account('BJ Holding', ['bakker-jansen.nl']))).toBe(
      'name_is_domain',
    );
    expect(accountLikeness(account('BJ Holding', ['www.bakkerjansen.nl']), account('Bakker Jansen'))).toBe(
      'name_is_domain',
    );
  });
  it('takes a typo for the same name, both ways', () => {
    expect(accountLikeness(account('Noordwind ICT'), account('Nordwind ICT'))).toBe('similar_name');
  });
  it('keeps different companies apart', () => {
    expect(accountLikeness(account('Acme'), account('Acme Nederland'))).toBeNull();
    expect(accountLikeness(account('Globex'), account('Initech'))).toBeNull();
    // A bare legal form names no company.
    expect(accountLikeness(account('B.V.'), account('BV'))).toBeNull();
    // Short names are not spelt out in a domain by chance.
    expect(accountLikeness(account('ab'), account('Other', ['ab.nl']))).toBeNull();
  });
});

describe('contactLikeness', () => {
  const person = (over: Partial<ContactLike>): ContactLike => ({
    firstName: 'Jan',
    lastName: 'Jansen',
    email: 'jan@acme.nl',
    phone: null,
    accountId: null,
    ...over,
  });
  it('takes the same name at the same company for one person', () => {
    expect(
      contactLikeness(person({ accountId: 'a' }), person({ email: 'j.jansen@x.nl', accountId: 'a' })),
    ).toBe('same_name_same_company');
    expect(contactLikeness(person({}), person({ email: 'j.jansen@acme.nl', firstName: 'JAN' }))).toBe(
      'same_name_same_company',
    );
  });
  it('takes the same name from a free-mail address for one person', () => {
    expect(contactLikeness(person({}), person({ email: 'jan.jansen@gmail.com' }))).toBe(
      'same_name_free_mail',
    );
  });
  it('takes the same phone number, written either way, for one person', () => {
    expect(
      contactLikeness(
        person({ phone: '+31 6 1234 5678' }),
        person({ firstName: 'J.', phone: '06-12345678' }),
      ),
    ).toBe('same_phone');
  });
  it('keeps namesakes at different companies apart, and people without a full name', () => {
    expect(contactLikeness(person({}), person({ email: 'jan@globex.nl' }))).toBeNull();
    expect(
      contactLikeness(person({ lastName: null }), person({ lastName: null, email: 'jan@gmail.com' })),
    ).toBeNull();
    expect(
      contactLikeness(person({ phone: '123' }), person({ phone: '123', email: 'x@globex.nl' })),
    ).toBeNull();
  });
});
