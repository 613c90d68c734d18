import { sql } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import type { Contact, ContactExport } from '../../../contract/contacts.ts';
import type { Lifecycle, StageChange } from '../../../contract/stages.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestApp, createTestContext, seedCompany, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

describeEachDialect('contacts and their lifecycle over HTTP', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let company: Awaited<ReturnType<typeof seedCompany>>;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    app = await createTestApp(context);
    company = await seedCompany(context, app);
    return () => app.close();
  });

  const as = (cookie: string) => ({ cookie });

  it('suggests the contacts that look like the same person, and why, among those the reader may see', async () => {
    const cli = { kind: 'cli' } as const;
    const make = (email: string, more: object = {}) =>
      context.services.contacts.createContact(cli, { email, ownerId: company.rep.id, ...more });
    // Jan Jansen of Acme (seeded) beside: his private address, a colleague's namesake at another
    // company, someone with his phone number, and another team's copy of him.
    const privateMail = await make('jan.jansen@gmail.com', { firstName: 'Jan', lastName: 'Jansen' });
    await make('jan@globex.example', { firstName: 'Jan', lastName: 'Jansen' });
    await context.services.contacts.updateContact(cli, company.repContact.id, { phone: '+31 6 1234 5678' });
    // Phones are compared among his namesakes and his company's people (an index on phones is not kept).
    const samePhone = await make('secretariaat@acme.nl', {
      phone: '06-12345678',
      accountId: company.account.id,
    });
    await context.services.contacts.createContact(cli, {
      email: 'jjansen@hotmail.com',
      firstName: 'Jan',
      lastName: 'Jansen',
      ownerId: company.outsider.id,
    });
    const answer = await app.inject({
      url: `/api/v1/contacts/${company.repContact.id}/duplicates`,
      headers: as(company.cookies.rep),
    });
    expect(answer.statusCode).toBe(200);
    const found = answer
      .json<{ data: { contact: Contact; because: string }[] }>()
      .data.map((d) => [d.contact.email, d.because])
      .sort();
    expect(found).toEqual([
      [privateMail.email, 'same_name_free_mail'],
      [samePhone.email, 'same_phone'],
    ]);
    // Another team's lead has no suggestions for this rep: it is not there.
    const hidden = await app.inject({
      url: `/api/v1/contacts/${company.outsiderContact.id}/duplicates`,
      headers: as(company.cookies.rep),
    });
    expect(hidden.statusCode).toBe(404);
  });

  it('creates a contact owned by the rep who creates it, with its first stage on record', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: as(company.cookies.rep),
      payload: { email: 'Marie@Example.NL', firstName: 'Marie', country: 'NL' },
    });
    expect(created.statusCode).toBe(201);
    const contact = created.json<Contact>();
    expect(contact).toMatchObject({ email: 'marie@example.nl', ownerId: company.rep.id, stage: 'lead' });

    const lifecycle = (
      await app.inject({ url: `/api/v1/contacts/${contact.id}/lifecycle`, headers: as(company.cookies.rep) })
    ).json<Lifecycle>();
    expect(lifecycle.history).toHaveLength(1);
    expect(lifecycle.history[0]).toMatchObject({
      from: null,
      to: 'lead',
      actor: { kind: 'user', id: company.rep.id },
    });
  });

  it('announces a stage change after it is stored, whoever made it', async () => {
    const announced: string[] = [];
    context.events.subscribe('contact.stage_changed', (e) => void announced.push(`${e.from}→${e.to}`));
    const moved = await app.inject({
      method: 'POST',
      url: `/api/v1/contacts/${company.repContact.id}/stage-changes`,
      headers: as(company.cookies.rep),
      payload: { to: 'mql' },
    });
    expect(moved.statusCode).toBe(201);
    expect(announced).toEqual(['lead→mql']);
    const refused = await app.inject({
      method: 'POST',
      url: `/api/v1/contacts/${company.repContact.id}/stage-changes`,
      headers: as(company.cookies.rep),
      payload: { to: 'recycled' },
    });
    expect(refused.statusCode).toBe(400);
    expect(announced).toEqual(['lead→mql']);
  });

  it('refuses a second contact with the same email in another case, naming the field', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: as(company.cookies.marketer),
      payload: { email: 'JAN@acme.nl' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      code: 'contacts.email_taken',
      errors: [{ field: 'body.email' }],
    });
  });

  it('answers invalid fields with 400 problem details naming each field', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: as(company.cookies.marketer),
      payload: { email: 'not-an-email', country: 'Netherlands', favouriteColour: 'blue' },
    });
    expect(response.statusCode).toBe(400);
    const problem = response.json<{ code: string; errors: { field: string; reason: string }[] }>();
    expect(problem.code).toBe('http.validation_failed');
    expect(problem.errors.map((e) => e.field).sort()).toEqual([
      'body.country',
      'body.email',
      'body.favouriteColour',
    ]);
    expect(problem.errors.find((e) => e.field === 'body.favouriteColour')?.reason).toBe(
      'is not a known field',
    );
  });

  it("tells a rep asking for another rep's contact exactly what it tells them about a contact that does not exist", async () => {
    const other = await app.inject({
      url: `/api/v1/contacts/${company.outsiderContact.id}`,
      headers: as(company.cookies.rep),
    });
    const missing = await app.inject({
      url: '/api/v1/contacts/0190a5e8-0000-7000-8000-000000000000',
      headers: as(company.cookies.rep),
    });
    expect(other.statusCode).toBe(404);
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined, requestId: undefined });
    expect(strip(other.json())).toEqual(strip(missing.json()));
    expect(other.body).not.toContain('piet');

    const list = await app.inject({ url: '/api/v1/contacts?q=piet', headers: as(company.cookies.rep) });
    expect(list.json<{ data: Contact[] }>().data).toEqual([]);
    const lifecycle = await app.inject({
      url: `/api/v1/contacts/${company.outsiderContact.id}/lifecycle`,
      headers: as(company.cookies.rep),
    });
    expect(lifecycle.statusCode).toBe(404);
  });

  it("shows a manager their team's contacts and not another team's", async () => {
    const own = await app.inject({
      url: `/api/v1/contacts/${company.repContact.id}`,
      headers: as(company.cookies.manager),
    });
    const foreign = await app.inject({
      url: `/api/v1/contacts/${company.outsiderContact.id}`,
      headers: as(company.cookies.manager),
    });
    expect(own.statusCode).toBe(200);
    expect(foreign.statusCode).toBe(404);
  });

  it('searches for an underscore as a letter, not as LIKE’s “any letter”', async () => {
    const headers = as(company.cookies.marketer);
    await context.services.contacts.createContact({ kind: 'cli' }, { email: 'leadx1@initech.nl' });
    await context.services.contacts.createContact({ kind: 'cli' }, { email: 'piet_de_vries@initech.nl' });
    const underscore = await app.inject({ url: '/api/v1/contacts?q=piet_de', headers });
    expect(underscore.json<{ data: Contact[] }>().data.map((c) => c.email)).toEqual([
      'piet_de_vries@initech.nl',
    ]);
    // No contact contains "lead_"; the typo-tolerant fallback compares words, so it offers leadx1.
    const lead1 = await app.inject({ url: '/api/v1/contacts?q=lead_', headers });
    expect(lead1.json()).toMatchObject({ match: 'similar', data: [{ email: 'leadx1@initech.nl' }] });
  });

  it('finds a contact by name, email, domain or company despite a typo, keeping the index in step with every change', async () => {
    const headers = as(company.cookies.marketer);
    const search = async (q: string) =>
      (await app.inject({ url: `/api/v1/contacts?q=${encodeURIComponent(q)}`, headers })).json<{
        data: Contact[];
        match: string;
      }>();
    const emails = async (q: string) => (await search(q)).data.map((c) => c.email);
    const bakery = await context.services.accounts.createAccount(
      { kind: 'cli' },
      { name: 'Bakkerij Jansen B.V.', domains: ['bakkerij-jansen.nl'] },
    );
    const emma = await context.services.contacts.createContact(
      { kind: 'cli' },
      { email: 'emma@bakkerij-jansen.nl', firstName: 'Emma', lastName: 'de Vries', accountId: bakery.id },
    );
    await context.services.contacts.createContact(
      { kind: 'cli' },
      { email: 'sophie@gmail.com', firstName: 'Sophie', lastName: 'Hendriks' },
    );

    // Exact parts of any field, in any case, newest first.
    expect(await search('JANSEN')).toMatchObject({ match: 'exact' });
    expect(await emails('JANSEN')).toEqual(['emma@bakkerij-jansen.nl', 'jan@acme.nl']);
    expect(await emails('gmail.com')).toEqual(['sophie@gmail.com']);
    expect(await emails('de vr')).toEqual(['emma@bakkerij-jansen.nl']);
    expect(await emails('em')).toEqual(['emma@bakkerij-jansen.nl']);
    // A typo in each word: nothing contains it, so the contacts it resembles, best first.
    expect(await search('Bakkery Jansn')).toMatchObject({
      match: 'similar',
      data: [{ email: 'emma@bakkerij-jansen.nl' }],
    });
    expect(await emails('Hendrix')).toEqual(['sophie@gmail.com']);
    expect(await search('Zwanenburg')).toEqual({ data: [], nextCursor: null, match: 'similar' });

    // The index follows a rename of the company, a contact's own change and a deletion.
    await context.services.accounts.updateAccount({ kind: 'cli' }, bakery.id, { name: 'Broodfabriek Noord' });
    expect(await emails('broodfabriek')).toEqual(['emma@bakkerij-jansen.nl']);
    await context.services.contacts.updateContact({ kind: 'cli' }, emma.id, { lastName: 'Visser' });
    expect(await emails('visser')).toEqual(['emma@bakkerij-jansen.nl']);
    expect(await emails('de vries')).toEqual([]);
    await context.services.contacts.eraseContact({ kind: 'cli' }, emma.id);
    expect(await emails('broodfabriek')).toEqual([]);

    // A rep finds neither exactly nor by resemblance what they may not see.
    const rep = as(company.cookies.rep);
    for (const q of ['piet', 'pieter', 'globex'])
      expect(
        (await app.inject({ url: `/api/v1/contacts?q=${q}`, headers: rep })).json<{ data: Contact[] }>().data,
      ).toEqual([]);
    expect(
      (await app.inject({ url: '/api/v1/contacts?q=jansn', headers: rep }))
        .json<{ data: Contact[] }>()
        .data.map((c) => c.email),
    ).toEqual(['jan@acme.nl']);
  });

  it('finds a contact the moment it is stored, though SQLite indexes new contacts after the fact', async () => {
    const headers = as(company.cookies.marketer);
    const emails = async (q: string) =>
      (await app.inject({ url: `/api/v1/contacts?q=${encodeURIComponent(q)}`, headers }))
        .json<{ data: Contact[] }>()
        .data.map((c) => c.email);
    const db = context.database.db;
    const sqlite = context.database.dialect === 'sqlite';
    /** The contacts SQLite has yet to index (migration 0052); PostgreSQL indexes as it writes. */
    const pending = async () =>
      sqlite
        ? (await sql<{ contact_id: string }>`select contact_id from contact_search_pending`.execute(db)).rows
            .map((r) => r.contact_id)
            .sort()
        : [];
    // The background indexes what is pending: here the company's own contacts.
    const seeded = await context.services.contacts.indexPendingSearch();
    expect(seeded > 0).toBe(sqlite);
    expect(await context.services.contacts.indexPendingSearch()).toBe(0);
    expect(await pending()).toEqual([]);

    // Two people arrive through the events API; one is renamed and the other erased before
    // anything is indexed.
    const cli = { kind: 'cli' } as const;
    const at = context.clock.now().toISOString();
    const stored = await context.services.capture.ingest(
      cli,
      {
        events: [
          {
            type: 'form_submitted',
            occurredAt: at,
            email: 'noor@initech.nl',
            firstName: 'Noor',
            lastName: 'Bakker',
          },
          {
            type: 'form_submitted',
            occurredAt: at,
            email: 'daan@hooli.nl',
            firstName: 'Daan',
            lastName: 'Mulder',
          },
        ],
      },
      undefined,
    );
    const [noor, daan] = stored.body.results.map((r) => r.contactId!);
    expect(await pending()).toEqual(sqlite ? [noor, daan].sort() : []);
    await context.services.contacts.updateContact(cli, noor!, { lastName: 'Smit' });
    await context.services.contacts.eraseContact(cli, daan!);
    expect(await pending()).toEqual(sqlite ? [noor] : []);

    // The first search indexes what is pending, as it is now, and then reads.
    expect(await emails('noor smit')).toEqual(['noor@initech.nl']);
    expect(await pending()).toEqual([]);
    expect(await emails('bakker')).not.toContain('noor@initech.nl');
    expect(await emails('mulder')).not.toContain('daan@hooli.nl');
    expect(await emails('initech')).toContain('noor@initech.nl');

    // The background takes a new one as well, and the search finds it without more work.
    await context.services.capture.ingest(
      cli,
      {
        type: 'form_submitted',
        occurredAt: at,
        email: 'lotte@umbrella.nl',
        firstName: 'Lotte',
        lastName: 'Dekker',
      },
      undefined,
    );
    expect(await context.services.contacts.indexPendingSearch()).toBe(sqlite ? 1 : 0);
    expect(await pending()).toEqual([]);
    expect(await emails('dekker')).toEqual(['lotte@umbrella.nl']);
  });

  it('filters by email in any case, searches by name and company, and pages with a cursor', async () => {
    for (let i = 0; i < 5; i++) {
      await context.services.contacts.createContact(
        { kind: 'cli' },
        { email: `lead${i}@initech.nl`, lastName: `Lead${i}` },
      );
    }
    const headers = as(company.cookies.marketer);
    const byEmail = await app.inject({ url: '/api/v1/contacts?email=JAN@ACME.NL', headers });
    expect(byEmail.json<{ data: Contact[] }>().data.map((c) => c.email)).toEqual(['jan@acme.nl']);
    const byCompany = await app.inject({ url: '/api/v1/contacts?q=acme%20b', headers });
    expect(byCompany.json<{ data: Contact[] }>().data.map((c) => c.email)).toEqual(['jan@acme.nl']);
    const byName = await app.inject({ url: '/api/v1/contacts?q=jan%20jans', headers });
    expect(byName.json<{ data: Contact[] }>().data.map((c) => c.email)).toEqual(['jan@acme.nl']);
    const wildcard = await app.inject({ url: '/api/v1/contacts?q=%25', headers });
    expect(wildcard.json<{ data: Contact[] }>().data).toEqual([]);

    const seen: string[] = [];
    let url = '/api/v1/contacts?limit=3';
    for (;;) {
      const page = (await app.inject({ url, headers })).json<{
        data: Contact[];
        nextCursor: string | null;
      }>();
      seen.push(...page.data.map((c) => c.email ?? ''));
      if (!page.nextCursor) break;
      url = `/api/v1/contacts?limit=3&cursor=${page.nextCursor}`;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen[0]).toBe('lead4@initech.nl');

    // A search pages the same way: full pages come from the newest texts, the last from the index.
    const found: string[] = [];
    let searchUrl = '/api/v1/contacts?q=initech&limit=2';
    for (;;) {
      const page = (await app.inject({ url: searchUrl, headers })).json<{
        data: Contact[];
        nextCursor: string | null;
      }>();
      found.push(...page.data.map((c) => c.email ?? ''));
      if (!page.nextCursor) break;
      searchUrl = `/api/v1/contacts?q=initech&limit=2&cursor=${page.nextCursor}`;
    }
    expect(found).toEqual([4, 3, 2, 1, 0].map((i) => `lead${i}@initech.nl`));

    const badCursor = await app.inject({ url: '/api/v1/contacts?cursor=nonsense', headers });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json()).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });

  it('keeps the stage history: forward freely, backward and sideways only with a reason', async () => {
    const headers = as(company.cookies.rep);
    const url = `/api/v1/contacts/${company.repContact.id}/stage-changes`;
    const move = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url, headers, payload });

    context.clock.advance(60_000);
    expect((await move({ to: 'mql' })).statusCode).toBe(201);
    context.clock.advance(60_000);
    expect((await move({ to: 'sql' })).statusCode).toBe(201);

    const backward = await move({ to: 'sal' });
    expect(backward.statusCode).toBe(400);
    expect(backward.json()).toMatchObject({
      code: 'lifecycle.reason_required',
      errors: [{ field: 'body.reasonCode' }],
    });

    context.clock.advance(60_000);
    const withReason = await move({
      to: 'sal',
      reasonCode: 'need_not_confirmed',
      note: 'Budget holder left',
    });
    expect(withReason.statusCode).toBe(201);
    expect(withReason.json<StageChange>()).toMatchObject({
      from: 'sql',
      to: 'sal',
      reasonCode: 'need_not_confirmed',
    });

    const sideways = await move({ to: 'recycled' });
    expect(sideways.json()).toMatchObject({ code: 'lifecycle.reason_required' });
    expect((await move({ to: 'sal' })).json()).toMatchObject({ code: 'lifecycle.same_stage' });
    expect((await move({ to: 'won' })).json()).toMatchObject({ code: 'lifecycle.unknown_stage' });
    const future = await move({ to: 'sql', occurredAt: '2099-01-01T00:00:00Z' });
    expect(future.json()).toMatchObject({
      code: 'lifecycle.occurred_at_invalid',
      errors: [{ field: 'body.occurredAt' }],
    });

    const lifecycle = (
      await app.inject({ url: `/api/v1/contacts/${company.repContact.id}/lifecycle`, headers })
    ).json<Lifecycle>();
    expect(lifecycle.stage).toBe('sal');
    expect(lifecycle.history.map((h) => `${h.from ?? '∅'}→${h.to}`)).toEqual([
      '∅→lead',
      'lead→mql',
      'mql→sql',
      'sql→sal',
    ]);
    expect(lifecycle.history[3]).toMatchObject({
      note: 'Budget holder left',
      actor: { kind: 'user', id: company.rep.id },
    });
    expect(lifecycle.enteredAt.sal).toBe(lifecycle.stageEnteredAt);
    expect(Object.keys(lifecycle.enteredAt).sort()).toEqual(['lead', 'mql', 'sal', 'sql']);
  });

  it('keeps the history one unbroken chain when stage changes race', async () => {
    const cli = { kind: 'cli' } as const;
    const targets = ['mql', 'sal', 'sql', 'opportunity', 'customer'];
    const results = await Promise.allSettled(
      targets.map((to) => context.services.contacts.changeStage(cli, company.repContact.id, { to })),
    );
    // A change decided on a stage that another change replaced meanwhile is refused (or, seen after
    // the other committed, judged again: it may now be a backward move that needs a reason), never half-applied.
    for (const result of results) {
      if (result.status === 'rejected') {
        expect(result.reason).toMatchObject({ code: expect.stringMatching(/^lifecycle\./) });
      }
    }
    const lifecycle = await context.services.contacts.getLifecycle(cli, company.repContact.id);
    const accepted = results.filter((r) => r.status === 'fulfilled').length;
    expect(lifecycle.history).toHaveLength(1 + accepted);
    for (let i = 1; i < lifecycle.history.length; i++) {
      expect(lifecycle.history[i]!.from).toBe(lifecycle.history[i - 1]!.to);
    }
    expect(lifecycle.history.at(-1)!.to).toBe(lifecycle.stage);
  });

  it('refuses a transition the stage configuration does not allow', async () => {
    await context.services.stages.updateStage({ kind: 'cli' }, 'lead', {
      allowedNext: ['mql', 'disqualified'],
    });
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/contacts/${company.repContact.id}/stage-changes`,
      headers: as(company.cookies.rep),
      payload: { to: 'customer' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'lifecycle.transition_not_allowed' });
  });

  it('lets the database itself refuse to rewrite stage history', async () => {
    const db = getDatabase().db;
    await expect(sql`update stage_changes set to_stage = 'customer'`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    const lifecycle = await context.services.contacts.getLifecycle({ kind: 'cli' }, company.repContact.id);
    expect(lifecycle.history.map((h) => h.to)).toEqual(['lead']);
  });

  it('keeps consent and opt-out with their source and time', async () => {
    context.clock.set('2026-01-06T10:00:00.000Z');
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/contacts/${company.repContact.id}`,
      headers: as(company.cookies.rep),
      payload: {
        consent: { status: 'granted', source: 'form:webinar-ai' },
        optOut: { isOptedOut: true, source: 'email:unsubscribe', at: '2026-01-06T08:00:00.000Z' },
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<Contact>()).toMatchObject({
      consent: { status: 'granted', source: 'form:webinar-ai', at: '2026-01-06T10:00:00.000Z' },
      optOut: { isOptedOut: true, source: 'email:unsubscribe', at: '2026-01-06T08:00:00.000Z' },
    });
  });

  it('does not let a director change a contact', async () => {
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/contacts/${company.repContact.id}`,
      headers: as(company.cookies.director),
      payload: { title: 'CEO' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'auth.forbidden' });
  });
});

describeEachDialect('exporting what is held about a person (GDPR art. 15/20)', (getDatabase) => {
  it('gives marketing everything about the person in one JSON file, and logs that it did', async () => {
    const context = createTestContext(getDatabase());
    context.clock.set('2026-03-10T12:00:00.000Z');
    const app = await createTestApp(context);
    const company = await seedCompany(context, app);
    const cli = { kind: 'cli' } as const;
    await context.services.capture.ingest(
      cli,
      {
        events: [
          {
            type: 'page_viewed',
            occurredAt: '2026-03-10T10:00:00Z',
            email: 'jan@acme.nl',
            url: 'https://acme.nl/pricing',
          },
          { type: 'demo_requested', occurredAt: '2026-03-10T11:00:00Z', email: 'jan@acme.nl' },
        ],
      },
      undefined,
    );
    await context.services.scoring.ensureDefaultModel();
    await context.services.scoring.scoreDue();
    const id = company.repContact.id;
    const duplicate = await context.services.contacts.createContact(cli, { email: 'jan.jansen@gmail.com' });
    await context.services.contacts.mergeContacts(cli, id, { duplicateId: duplicate.id });

    const response = await app.inject({
      url: `/api/v1/contacts/${id}/export`,
      headers: { cookie: company.cookies.marketer },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="contact-${id}.json"`);
    const exported = response.json<ContactExport>();
    expect(exported).toMatchObject({
      exportedAt: '2026-03-10T12:00:00.000Z',
      contact: { id, email: 'jan@acme.nl', stage: 'mql' },
      account: { name: 'Acme B.V.', domains: ['acme.nl'] },
      otherEmails: ['jan.jansen@gmail.com'],
      score: { modelVersion: 1, qualifies: true },
    });
    expect(exported.touchpoints.map((t) => t.type)).toEqual(['page_viewed', 'demo_requested']);
    expect(exported.stageChanges.map((c) => c.to)).toEqual(['lead', 'mql']);
    expect(exported.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['contact.created', 'contact.merged', 'contact.stage_changed']),
    );

    const log = await context.services.contacts.exportContact(cli, id);
    expect(log.events.map((e) => e.type)).toContain('contact.exported');
    const rep = await app.inject({
      url: `/api/v1/contacts/${id}/export`,
      headers: { cookie: company.cookies.rep },
    });
    expect(rep.statusCode).toBe(403);
    await app.close();
  });
});
