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
});
