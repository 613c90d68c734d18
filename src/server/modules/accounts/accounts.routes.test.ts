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
    await context.services.scoring.ensureDefaultModel();
    expect((await call(company.cookies.rep, 'GET', `/api/v1/accounts/${account.id}/score`)).statusCode).toBe(
      404,
    );
    await context.services.contacts.updateContact({ kind: 'cli' }, company.repContact.id, {
      accountId: account.id,
    });
    expect((await call(company.cookies.rep, 'GET', `/api/v1/accounts/${account.id}`)).statusCode).toBe(200);
    // Its score too, as the account page shows it (it answered 404 to whoever saw it through a lead).
    expect((await call(company.cookies.rep, 'GET', `/api/v1/accounts/${account.id}/score`)).statusCode).toBe(
      200,
    );
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

describeEachDialect('account duplicates and merging', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let company: Awaited<ReturnType<typeof seedCompany>>;
  const cli = { kind: 'cli' } as const;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    app = await createTestApp(context);
    company = await seedCompany(context, app);
    return () => app.close();
  });

  const call = (cookie: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, headers: { cookie }, ...(payload && { payload }) });

  /** Two sign-ups of one bakery: from a private address, and from the bakery's own domain. */
  const bakery = async () => {
    for (const [email, name] of [
      ['jan.jansen@gmail.com', 'Bakkerij Jansen'],
      ['els@bakkerijjansen.nl', 'Bakkerij Jansen B.V.'],
    ] as const)
      await context.services.capture.ingest(
        cli,
        { type: 'form_submitted', occurredAt: context.clock.now().toISOString(), email, company: name },
        undefined,
      );
    const accounts = (await context.services.accounts.listAccounts(cli, { q: 'bakkerij' })).data;
    const free = accounts.find((a) => a.domains.length === 0)!;
    const own = accounts.find((a) => a.domains.includes('bakkerijjansen.nl'))!;
    return { free, own };
  };

  it('suggests the account a free-mail sign-up made as a duplicate of the one on its own domain, and merges them', async () => {
    const { free, own } = await bakery();
    expect(free).toBeDefined();
    expect(own).toBeDefined();
    expect(free.id).not.toBe(own.id);
    const marketer = company.cookies.marketer;
    const suggested = await call(marketer, 'GET', `/api/v1/accounts/${own.id}/duplicates`);
    expect(suggested.json()).toEqual({
      data: [{ account: expect.objectContaining({ id: free.id }), because: 'same_name' }],
    });
    // Acme is not a bakery.
    expect((await call(marketer, 'GET', `/api/v1/accounts/${company.account.id}/duplicates`)).json()).toEqual(
      {
        data: [],
      },
    );

    const jan = (await context.services.contacts.listContacts(cli, { email: 'jan.jansen@gmail.com' }))
      .data[0]!;
    await context.services.contacts.changeStage(cli, jan.id, { to: 'sql' });
    const deal = await context.services.opportunities.create(cli, {
      name: 'Kassasysteem',
      contactId: jan.id,
    });
    expect(deal.accountId).toBe(free.id);
    await context.services.accounts.updateAccount(cli, free.id, {
      industry: 'Food',
      ownerId: company.rep.id,
    });

    const merged = await call(marketer, 'POST', `/api/v1/accounts/${own.id}/merge`, { duplicateId: free.id });
    expect(merged.statusCode).toBe(200);
    // Blank fields are filled from the duplicate; the survivor's own stay.
    expect(merged.json<Account>()).toMatchObject({
      id: own.id,
      name: 'Bakkerij Jansen B.V.',
      domains: ['bakkerijjansen.nl'],
      industry: 'Food',
      ownerId: company.rep.id,
    });
    expect((await context.services.contacts.getContact(cli, jan.id)).accountId).toBe(own.id);
    expect((await context.services.opportunities.get(cli, deal.id)).accountId).toBe(own.id);
    expect((await call(marketer, 'GET', `/api/v1/accounts/${free.id}`)).statusCode).toBe(404);
    const people = (await context.services.contacts.listContacts(cli, { accountId: own.id })).data;
    expect(people.map((p) => p.email).sort()).toEqual(['els@bakkerijjansen.nl', 'jan.jansen@gmail.com']);
    // The audit log keeps the duplicate as it was.
    const [entry] = (await context.services.auditLog.list(cli, { action: 'account.merged' })).data;
    expect(entry).toMatchObject({
      subject: { type: 'account', id: own.id },
      details: { merged: expect.objectContaining({ id: free.id, name: 'Bakkerij Jansen' }) },
    });
  });

  it("refuses a merge into itself, and a rep's merge of another team's account they see through a lead", async () => {
    const self = await call(company.cookies.rep, 'POST', `/api/v1/accounts/${company.account.id}/merge`, {
      duplicateId: company.account.id,
    });
    expect(self.statusCode).toBe(400);
    expect(self.json()).toMatchObject({ code: 'accounts.merge_same' });
    // The outsider's account holds one of the rep's leads: the rep sees it, but may not remove it.
    const theirs = await context.services.accounts.createAccount(cli, {
      name: 'Acme',
      ownerId: company.outsider.id,
    });
    await context.services.contacts.createContact(cli, {
      email: 'kees@acme.example',
      accountId: theirs.id,
      ownerId: company.rep.id,
    });
    expect(
      (await call(company.cookies.rep, 'GET', `/api/v1/accounts/${company.account.id}/duplicates`)).json(),
    ).toEqual({
      data: [{ account: expect.objectContaining({ id: theirs.id }), because: 'same_name' }],
    });
    const refused = await call(company.cookies.rep, 'POST', `/api/v1/accounts/${company.account.id}/merge`, {
      duplicateId: theirs.id,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'accounts.merge_forbidden' });
    expect((await context.services.accounts.getAccount(cli, theirs.id)).id).toBe(theirs.id);
    // The outsider's own manager would not even see the rep's account.
    expect(
      (
        await call(company.cookies.outsider, 'POST', `/api/v1/accounts/${theirs.id}/merge`, {
          duplicateId: company.account.id,
        })
      ).statusCode,
    ).toBe(404);
  });
});
