import { parse } from 'csv-parse/sync';
import { beforeEach, expect, it } from 'vitest';
import type { ContactPage } from '../../../contract/contacts.ts';
import type { BulkContactsResponse, SavedView } from '../../../contract/lists.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestApp, createTestContext, seedCompany, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('lists: saved views, bulk actions and the export', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let company: Awaited<ReturnType<typeof seedCompany>>;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    app = await createTestApp(context);
    company = await seedCompany(context, app);
    return () => app.close();
  });

  const call = async <T>(
    cookie: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => {
    const response = await app.inject({ method, url, headers: { cookie }, ...(payload && { payload }) });
    return { status: response.statusCode, body: response.body, json: () => response.json<T>() };
  };

  /** Team leads of the rep: some at Acme, one with a name that is a formula. */
  const teamLeads = async () => {
    const made = [];
    for (const [email, firstName] of [
      ['anna@acme.nl', 'Anna'],
      ['bob@acme.nl', 'Bob'],
      ['cees@acme.nl', '=HYPERLINK("http://evil.example","Cees")'],
    ] as const)
      made.push(
        await context.services.contacts.createContact(cli, { email, firstName, ownerId: company.rep.id }),
      );
    return made;
  };

  it('keeps views per person, offers the shared ones to all, and lets only their owner change them', async () => {
    const state = { q: 'acme', stage: 'lead', columns: ['name', 'email', 'owner'] };
    const created = await call<SavedView>(company.cookies.manager, 'POST', '/api/v1/views', {
      list: 'contacts',
      name: 'Acme leads',
      state,
    });
    expect(created.status).toBe(201);
    const view = created.json();
    expect(view).toMatchObject({ name: 'Acme leads', state, shared: false, mine: true });

    const names = async (cookie: string) =>
      (await call<{ data: SavedView[] }>(cookie, 'GET', '/api/v1/views?list=contacts'))
        .json()
        .data.map((v) => v.name);
    expect(await names(company.cookies.manager)).toEqual(['Acme leads']);
    expect(await names(company.cookies.rep)).toEqual([]);

    // The same name twice is refused, naming the field; shared, the rep sees it but may not change it.
    const again = await call(company.cookies.manager, 'POST', '/api/v1/views', {
      list: 'contacts',
      name: 'Acme leads',
      state: {},
    });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ code: 'views.name_taken', errors: [{ field: 'body.name' }] });
    const shared = await call<SavedView>(company.cookies.manager, 'PATCH', `/api/v1/views/${view.id}`, {
      shared: true,
    });
    expect(shared.json()).toMatchObject({ shared: true, state });
    expect(await names(company.cookies.rep)).toEqual(['Acme leads']);
    const asRep = await call(company.cookies.rep, 'DELETE', `/api/v1/views/${view.id}`);
    expect(asRep.status).toBe(403);
    expect(asRep.json()).toMatchObject({ code: 'views.not_yours' });

    // An unknown column and an unknown field are refused with the field's name.
    const bad = await call(company.cookies.rep, 'POST', '/api/v1/views', {
      list: 'contacts',
      name: 'Mine',
      state: { columns: ['name', 'salary'] },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('body.state.columns');

    expect((await call(company.cookies.manager, 'DELETE', `/api/v1/views/${view.id}`)).status).toBe(204);
    expect(await names(company.cookies.rep)).toEqual([]);
    const gone = await call(company.cookies.manager, 'DELETE', `/api/v1/views/${view.id}`);
    expect(gone.json()).toMatchObject({ code: 'views.not_found' });
  });

  it('assigns many leads, each as on its own, and refuses the ones the manager may not touch without sinking the rest', async () => {
    const leads = await teamLeads();
    const ids = [...leads.map((l) => l.id), company.outsiderContact.id];
    const response = await call<BulkContactsResponse>(
      company.cookies.manager,
      'POST',
      '/api/v1/contacts/bulk',
      {
        action: 'assign',
        contactIds: ids,
        userId: company.teammate.id,
        reason: 'Rep is on leave',
      },
    );
    expect(response.status).toBe(200);
    const result = response.json();
    expect(result).toMatchObject({ done: 3, failed: 1 });
    expect(result.results.at(-1)).toMatchObject({
      contactId: company.outsiderContact.id,
      status: 'failed',
      code: 'contacts.not_found',
    });
    for (const lead of leads)
      expect((await context.services.contacts.getContact(cli, lead.id)).ownerId).toBe(company.teammate.id);
    expect((await context.services.contacts.getContact(cli, company.outsiderContact.id)).ownerId).toBe(
      company.outsider.id,
    );
    // Each is on record as a reassignment by the manager, with the reason.
    const decisions = await context.services.routing.listAssignments(cli, leads[0]!.id);
    expect(decisions.at(-1)).toMatchObject({
      kind: 'manual',
      reason: 'Rep is on leave',
      actor: { kind: 'user', id: company.manager.id },
    });

    // A rep may not assign; a recycle without a reason code is refused as a whole, naming the field.
    const asRep = await call(company.cookies.rep, 'POST', '/api/v1/contacts/bulk', {
      action: 'assign',
      contactIds: ids,
      userId: company.rep.id,
      reason: 'Mine',
    });
    expect(asRep.status).toBe(403);
    const noReason = await call(company.cookies.manager, 'POST', '/api/v1/contacts/bulk', {
      action: 'recycle',
      contactIds: ids,
    });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.json())).toContain('reasonCode');
  });

  it('recycles many leads with a reason, each with its stage change on record', async () => {
    const leads = await teamLeads();
    const response = await call<BulkContactsResponse>(company.cookies.rep, 'POST', '/api/v1/contacts/bulk', {
      action: 'recycle',
      contactIds: [leads[0]!.id, leads[1]!.id, company.outsiderContact.id],
      reasonCode: 'not_now',
      note: 'Budget next year',
    });
    expect(response.json()).toMatchObject({ done: 2, failed: 1 });
    const lifecycle = await context.services.contacts.getLifecycle(cli, leads[0]!.id);
    expect(lifecycle.history.at(-1)).toMatchObject({
      to: 'recycled',
      reasonCode: 'not_now',
      actor: { kind: 'user', id: company.rep.id },
    });
    expect((await context.services.contacts.getContact(cli, leads[2]!.id)).stage).toBe('lead');
  });

  it('adds many contacts to a campaign, each once, finds them by it, and gives the campaign no credit', async () => {
    const leads = await teamLeads();
    const add = (cookie: string, contactIds: string[], campaign = 'Nurture Q1') =>
      call<BulkContactsResponse>(cookie, 'POST', '/api/v1/contacts/bulk', {
        action: 'add_to_campaign',
        contactIds,
        campaign,
      });
    const first = await add(company.cookies.marketer, [leads[0]!.id, leads[1]!.id]);
    expect(first.json()).toMatchObject({ done: 2, failed: 0 });
    // Again, with one more and one the rep may not see: a member once, the other refused alone.
    const again = await add(
      company.cookies.rep,
      [leads[0]!.id, leads[2]!.id, company.outsiderContact.id],
      ' Nurture Q1 ',
    );
    expect(again.json()).toMatchObject({ done: 2, failed: 1 });
    expect(again.json().results.at(-1)).toMatchObject({ status: 'failed', code: 'contacts.not_found' });
    const members = await context.database.db
      .selectFrom('campaign_members')
      .select(['contact_id', 'campaign'])
      .orderBy('contact_id')
      .execute();
    expect(members).toEqual(
      leads
        .map((l) => ({ contact_id: l.id, campaign: 'Nurture Q1' }))
        .sort((a, b) => (a.contact_id < b.contact_id ? -1 : 1)),
    );
    // The list filtered on the campaign shows its members, and its export is the campaign's list.
    const listed = await call<ContactPage>(
      company.cookies.manager,
      'GET',
      '/api/v1/contacts?campaign=Nurture%20Q1',
    );
    expect(
      listed
        .json()
        .data.map((c) => c.id)
        .sort(),
    ).toEqual(leads.map((l) => l.id).sort());
    // No touch, so no credit and no new latest source.
    for (const lead of leads) {
      const contact = await context.services.contacts.getContact(cli, lead.id);
      expect(contact.latestSource).toBeNull();
    }
    // A director reads; a campaign needs a name.
    expect((await add(company.cookies.director, [leads[0]!.id])).status).toBe(403);
    const unnamed = await add(company.cookies.marketer, [leads[0]!.id], '   ');
    expect(unnamed.status).toBe(400);
    expect(JSON.stringify(unnamed.json())).toContain('campaign');
  });

  it('exports the rows the list shows, in its order, with the chosen columns, formulas neutralised and the export on record', async () => {
    await teamLeads();
    const query = 'q=acme.nl';
    const screen: string[] = [];
    for (let cursor = ''; ;) {
      const page = (
        await call<ContactPage>(
          company.cookies.manager,
          'GET',
          `/api/v1/contacts?${query}&limit=2${cursor && `&cursor=${encodeURIComponent(cursor)}`}`,
        )
      ).json();
      screen.push(...page.data.map((c) => c.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(screen).toHaveLength(4);

    const exported = await call(
      company.cookies.manager,
      'GET',
      `/api/v1/contacts.csv?${query}&columns=name,owner`,
    );
    expect(exported.status).toBe(200);
    const rows = parse<Record<string, string>>(exported.body, { columns: true });
    expect(rows.map((r) => r.id)).toEqual(screen);
    expect(Object.keys(rows[0]!)).toEqual(['id', 'first_name', 'last_name', 'owner_name', 'owner_email']);
    expect(rows.find((r) => r.first_name!.includes('HYPERLINK'))!.first_name).toMatch(/^'=/);
    expect(rows.every((r) => r.owner_email === company.rep.email)).toBe(true);

    // Only what the reader may see: the outsider's contact is not in the manager's export.
    const all = await call(company.cookies.manager, 'GET', '/api/v1/contacts.csv');
    expect(all.body).not.toContain('piet@globex.nl');
    // Reps do not take lists out; an unknown column is refused with the field's name.
    expect((await call(company.cookies.rep, 'GET', '/api/v1/contacts.csv')).status).toBe(403);
    const bad = await call(company.cookies.manager, 'GET', '/api/v1/contacts.csv?columns=name,salary');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('columns');

    const log = await context.services.auditLog.list(cli, { action: 'contacts.list_exported' });
    // Newest first: the whole list, then the search.
    expect(log.data).toHaveLength(2);
    expect(log.data[1]).toMatchObject({
      actor: { kind: 'user', id: company.manager.id },
      details: { rows: 4, columns: ['name', 'owner'], filters: { q: 'acme.nl' } },
    });
  });

  it('filters the list by team, grade, source, campaign and dates, and the export follows the filters', async () => {
    // Within the sessions' two weeks, which began at the test clock's start.
    const when = ['2026-01-05T10:00:00.000Z', '2026-01-06T10:00:00.000Z', '2026-01-07T10:00:00.000Z'];
    const people = [
      {
        email: 'ann@ads.nl',
        channel: 'paid_search',
        campaign: 'Cloud Q4',
        owner: company.rep.id,
        at: when[0]!,
      },
      {
        email: 'ben@ads.nl',
        channel: 'paid_search',
        campaign: 'Security',
        owner: company.teammate.id,
        at: when[1]!,
      },
      {
        email: 'cas@seo.nl',
        channel: 'organic_search',
        campaign: 'Cloud Q4',
        owner: company.outsider.id,
        at: when[2]!,
      },
    ];
    const ids: Record<string, string> = {};
    for (const p of people) {
      context.clock.set(p.at);
      const outcome = await context.services.capture.ingest(
        cli,
        {
          type: 'demo_requested',
          occurredAt: p.at,
          email: p.email,
          channel: p.channel,
          campaign: p.campaign,
        },
        undefined,
      );
      ids[p.email] = outcome.body.results[0]!.contactId!;
      await context.services.contacts.updateContact(cli, ids[p.email]!, { ownerId: p.owner });
    }
    await context.services.scoring.ensureDefaultModel();
    await context.services.scoring.scoreDue();
    await context.events.settled();

    const emails = async (query: string, cookie = company.cookies.admin) =>
      (await call<ContactPage>(cookie, 'GET', `/api/v1/contacts?limit=200&${query}`))
        .json()
        .data.map((c) => c.email)
        .filter((e): e is string => e !== null && ids[e] !== undefined)
        .sort();
    expect(await emails(`teamId=${company.team.id}`)).toEqual(['ann@ads.nl', 'ben@ads.nl']);
    expect(await emails('source=paid_search')).toEqual(['ann@ads.nl', 'ben@ads.nl']);
    expect(await emails(`campaign=${encodeURIComponent('Cloud Q4')}`)).toEqual(['ann@ads.nl', 'cas@seo.nl']);
    expect(await emails(`createdFrom=${when[1]}`)).toEqual(['ben@ads.nl', 'cas@seo.nl']);
    expect(await emails(`createdFrom=${when[0]}&createdBefore=${when[2]}`)).toEqual([
      'ann@ads.nl',
      'ben@ads.nl',
    ]);
    // The grade under the active model: the contacts the scorer gave that grade, nothing else.
    const grades = new Map<string, string>();
    for (const p of people)
      grades.set(p.email, (await context.services.scoring.getContactScore(cli, ids[p.email]!)).grade);
    for (const grade of new Set(grades.values())) {
      const graded = people
        .filter((p) => grades.get(p.email) === grade)
        .map((p) => p.email)
        .sort();
      expect(await emails(`grade=${grade}`), grade).toEqual(graded);
      const letter = people
        .filter((p) => grades.get(p.email)!.startsWith(grade[0]!))
        .map((p) => p.email)
        .sort();
      expect(await emails(`grade=${grade[0]}`), grade[0]).toEqual(letter);
    }
    // Filters narrow what the reader may see, never widen it: the manager's team only.
    expect(await emails('source=paid_search&campaign=Security', company.cookies.manager)).toEqual([
      'ben@ads.nl',
    ]);
    expect(await emails('campaign=Cloud%20Q4', company.cookies.manager)).toEqual(['ann@ads.nl']);
    // A bad value is refused, naming the field; the export takes the same filters.
    const bad = await call(company.cookies.admin, 'GET', '/api/v1/contacts?grade=Z9');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('grade');
    const csv = await call(
      company.cookies.admin,
      'GET',
      `/api/v1/contacts.csv?teamId=${company.team.id}&columns=email`,
    );
    expect(
      parse<Record<string, string>>(csv.body, { columns: true })
        .map((r) => r.email)
        .sort(),
    ).toEqual(['ann@ads.nl', 'ben@ads.nl', 'jan@acme.nl']);
  });
});
