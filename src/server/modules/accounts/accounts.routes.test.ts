import { beforeEach, expect, it } from 'vitest';
import type { Account } from '../../../contract/accounts.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestApp, createTestContext, seedCompany, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

describeEachDialect('accounts over HTTP', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let company: Awaited<ReturnType<typeof seedCompany>>;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    app = await createTestApp(context);
    company = await seedCompany(context, app);
    return () => app.close();
  });

  const call = (cookie: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    app.inject({ method, url, headers: { cookie }, ...(payload && { payload }) });

  it('stores domains normalised and refuses a domain another account has', async () => {
    const created = await call(company.cookies.marketer, 'POST', '/api/v1/accounts', {
      name: 'Initech N.V.',
      domains: ['WWW.Initech.NL', 'initech.com'],
      employeeCount: 250,
      industry: 'ICT',
      country: 'NL',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json<Account>()).toMatchObject({
      domains: ['initech.com', 'initech.nl'],
      employeeCount: 250,
      ownerId: null,
    });

    const clash = await call(company.cookies.marketer, 'POST', '/api/v1/accounts', {
      name: 'Initech Duplicate',
      domains: ['initech.nl'],
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json()).toMatchObject({
      code: 'accounts.domain_taken',
      errors: [{ field: 'body.domains' }],
    });

    const badDomain = await call(company.cookies.marketer, 'POST', '/api/v1/accounts', {
      name: 'X',
      domains: ['not a domain'],
    });
    expect(badDomain.statusCode).toBe(400);
    expect(badDomain.json().errors[0].field).toBe('body.domains.0');
  });

  it('finds accounts by domain and by name or domain fragment', async () => {
    const headers = company.cookies.director;
    const byDomain = await call(headers, 'GET', '/api/v1/accounts?domain=www.ACME.nl');
    expect(byDomain.json<{ data: Account[] }>().data.map((a) => a.name)).toEqual(['Acme B.V.']);
    const bySearch = await call(headers, 'GET', '/api/v1/accounts?q=acme.n');
    expect(bySearch.json<{ data: Account[] }>().data.map((a) => a.name)).toEqual(['Acme B.V.']);
  });

  it('shows a rep the account of a contact they own, even when someone else owns the account', async () => {
    const account = await context.services.accounts.createAccount(
      { kind: 'cli' },
      { name: 'Globex', domains: ['globex.nl'], ownerId: company.outsider.id },
    );
    expect((await call(company.cookies.rep, 'GET', `/api/v1/accounts/${account.id}`)).statusCode).toBe(404);
    await context.services.contacts.updateContact({ kind: 'cli' }, company.repContact.id, {
      accountId: account.id,
    });
    expect((await call(company.cookies.rep, 'GET', `/api/v1/accounts/${account.id}`)).statusCode).toBe(200);
    const list = await call(company.cookies.rep, 'GET', '/api/v1/accounts');
    expect(
      list
        .json<{ data: Account[] }>()
        .data.map((a) => a.name)
        .sort(),
    ).toEqual(['Acme B.V.', 'Globex']);
    // Seeing is not owning: the rep cannot take the account from its owner.
    const grab = await call(company.cookies.rep, 'PATCH', `/api/v1/accounts/${account.id}`, {
      ownerId: company.rep.id,
    });
    expect(grab.statusCode).toBe(400);
    expect(grab.json()).toMatchObject({
      code: 'accounts.invalid_owner',
      errors: [{ field: 'body.ownerId' }],
    });
  });

  it('replaces the domains on update, and keeps a rep from giving an account to another team', async () => {
    const replaced = await call(company.cookies.rep, 'PATCH', `/api/v1/accounts/${company.account.id}`, {
      domains: ['acme.com'],
    });
    expect(replaced.json<Account>().domains).toEqual(['acme.com']);
    const away = await call(company.cookies.rep, 'PATCH', `/api/v1/accounts/${company.account.id}`, {
      ownerId: company.outsider.id,
    });
    expect(away.statusCode).toBe(400);
    expect(away.json()).toMatchObject({
      code: 'accounts.invalid_owner',
      errors: [{ field: 'body.ownerId' }],
    });
  });
});
