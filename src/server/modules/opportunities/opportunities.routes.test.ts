import { beforeEach, expect, it } from 'vitest';
import type { OpportunityStage } from '../../../contract/opportunities.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('the opportunity pipeline', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let admin: string;
  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    admin = await signIn(app, (await addUser(context, 'admin')).email);
    return () => app.close();
  });
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, cookie = admin) =>
    app.inject({ method, url: `/api/v1${url}`, headers: { cookie }, ...(payload && { payload }) });

  it('lets an admin add, reorder and retire stages, keeping an open, a won and a lost stage', async () => {
    const added = await call('POST', '/opportunities/stages', {
      key: 'pilot',
      name: { en: 'Pilot', nl: 'Proefproject' },
      // Between demo (20) and proposal (30).
      position: 25,
      probability: 0.4,
      outcome: 'open',
    });
    expect(added.statusCode).toBe(201);
    expect(
      (
        await call('POST', '/opportunities/stages', {
          key: 'pilot',
          name: { en: 'P', nl: 'P' },
          position: 1,
          probability: 0,
          outcome: 'open',
        })
      ).json(),
    ).toMatchObject({
      code: 'opportunities.stage_exists',
      errors: [{ field: 'body.key' }],
    });
    const stages = (await call('GET', '/opportunities/stages')).json<{ data: OpportunityStage[] }>().data;
    expect(stages.map((s) => [s.key, s.probability, s.outcome])).toEqual([
      ['discovery', 0.1, 'open'],
      ['demo', 0.25, 'open'],
      ['pilot', 0.4, 'open'],
      ['proposal', 0.5, 'open'],
      ['negotiation', 0.75, 'open'],
      ['won', 1, 'won'],
      ['lost', 0, 'lost'],
    ]);
    expect((await call('PATCH', '/opportunities/stages/lost', { active: false })).json()).toMatchObject({
      code: 'opportunities.stage_required',
    });
    expect((await call('PATCH', '/opportunities/stages/demo', { active: false })).json()).toMatchObject({
      active: false,
    });

    // A retired stage takes no more opportunities; the new one does.
    const rep = await addUser(context, 'sales_rep');
    const lead = await context.services.contacts.createContact(cli, {
      email: 'jan@acme.nl',
      ownerId: rep.id,
      stage: 'sql',
    });
    const deal = await context.services.opportunities.create(cli, { name: 'Pilot deal', contactId: lead.id });
    const ruud = await signIn(app, rep.email);
    expect(
      (await call('POST', `/opportunities/${deal.id}/stage`, { stage: 'demo' }, ruud)).json(),
    ).toMatchObject({
      code: 'opportunities.unknown_stage',
      errors: [{ field: 'body.stage' }],
    });
    expect(
      (await call('POST', `/opportunities/${deal.id}/stage`, { stage: 'pilot' }, ruud)).json(),
    ).toMatchObject({
      stage: 'pilot',
      status: 'open',
    });
    expect((await call('PATCH', '/opportunities/stages/pilot', { probability: 0.5 }, ruud)).statusCode).toBe(
      403,
    );
  });

  it('closes a deal as won with why it was won, and as lost only with why it was lost', async () => {
    const create = async (name: string) =>
      (await call('POST', '/opportunities', { name, amountMinor: 1_000_000, currency: 'EUR' })).json<{
        id: string;
      }>().id;
    const won = await create('Won');
    const moved = await call('POST', `/opportunities/${won}/stage`, {
      stage: 'won',
      reason: 'Best fit with their Exact set-up',
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({
      status: 'won',
      wonReason: 'Best fit with their Exact set-up',
      lostReason: null,
      closedOn: '2026-12-01',
      history: expect.arrayContaining([
        expect.objectContaining({ to: 'won', reason: 'Best fit with their Exact set-up' }),
      ]),
    });
    const lost = await create('Lost');
    const refused = await call('POST', `/opportunities/${lost}/stage`, { stage: 'lost' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ errors: [{ field: 'body.reason' }] });
    const closed = await call('POST', `/opportunities/${lost}/stage`, { stage: 'lost', reason: 'Price' });
    expect(closed.json()).toMatchObject({ status: 'lost', lostReason: 'Price', wonReason: null });
  });
});

describeEachDialect('the records an opportunity names', (getDatabase) => {
  it("refuses a rep another team's account and contacts, by field, and stores nothing", async () => {
    const context = createTestContext(getDatabase());
    const app = await createTestApp(context);
    try {
      const rep = await addUser(context, 'sales_rep');
      const outsider = await addUser(context, 'sales_rep');
      const own = await context.services.accounts.createAccount(cli, { name: 'Acme', ownerId: rep.id });
      const theirs = await context.services.accounts.createAccount(cli, {
        name: 'Globex',
        ownerId: outsider.id,
      });
      const lead = await context.services.contacts.createContact(cli, {
        email: 'jan@acme.nl',
        accountId: own.id,
        ownerId: rep.id,
        stage: 'sql',
      });
      const theirLead = await context.services.contacts.createContact(cli, {
        email: 'piet@globex.nl',
        accountId: theirs.id,
        ownerId: outsider.id,
      });
      const cookie = await signIn(app, rep.email);
      const create = (payload: object) =>
        app.inject({ method: 'POST', url: '/api/v1/opportunities', headers: { cookie }, payload });

      const account = await create({ name: 'Deal', contactId: lead.id, accountId: theirs.id });
      expect(account.statusCode).toBe(400);
      expect(account.json()).toMatchObject({
        errors: [{ field: 'body.accountId', reason: 'no such account' }],
      });
      const contacts = await create({
        name: 'Deal',
        contactId: lead.id,
        contacts: [
          { contactId: lead.id, role: 'decision_maker' },
          { contactId: theirLead.id, role: 'influencer' },
        ],
      });
      expect(contacts.statusCode).toBe(400);
      expect(contacts.json()).toMatchObject({
        errors: [{ field: 'body.contacts.1.contactId', reason: 'no such contact' }],
      });
      expect((await context.services.opportunities.list(cli, {})).data).toEqual([]);

      // Their own account and lead are fine; and a change cannot add the other team's lead later.
      const made = await create({ name: 'Deal', contactId: lead.id, accountId: own.id });
      expect(made.statusCode).toBe(201);
      const changed = await app.inject({
        method: 'PATCH',
        url: `/api/v1/opportunities/${made.json().id}`,
        headers: { cookie },
        payload: { contacts: [{ contactId: theirLead.id, role: 'influencer' }] },
      });
      expect(changed.statusCode).toBe(400);
      expect(changed.json()).toMatchObject({ errors: [{ field: 'body.contacts.0.contactId' }] });
    } finally {
      await app.close();
    }
  });
});
