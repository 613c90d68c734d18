import { beforeEach, expect, it } from 'vitest';
import type { Inbox } from '../../../contract/inbox.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import {
  addUser,
  createTestApp,
  createTestContext,
  routedLead,
  signIn,
  type TestContext,
} from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('the bell: in-app notifications', (getDatabase) => {
  let context: TestContext;
  let app: App;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    await context.services.scoring.ensureDefaultModel();
    return () => app.close();
  });

  it('shows a rep the alerts Baton sent them, with the lead of each, unread until they read them', async () => {
    const manager = await addUser(context, 'sales_manager');
    const rep = await addUser(context, 'sales_rep', { managerId: manager.id });
    const other = await addUser(context, 'sales_rep', { managerId: manager.id });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const lead = (email: string, firstName: string) =>
      routedLead(context, { email, firstName, ownerId: rep.id });
    const ruud = await signIn(app, rep.email);
    const bell = async (cookie: string) =>
      (
        await app.inject({ method: 'GET', url: '/api/v1/me/notifications', headers: { cookie } })
      ).json<Inbox>();

    const anna = await lead('anna@initech.nl', 'Anna');
    context.clock.advance(60_000);
    const bram = await lead('bram@initech.nl', 'Bram');
    const first = await bell(ruud);
    expect(first.unread).toBe(2);
    expect(first.data.map((n) => [n.kind, n.lead?.id, n.lead?.name, n.unread])).toEqual([
      ['lead.assigned', bram, 'Bram', true],
      ['lead.assigned', anna, 'Anna', true],
    ]);
    // Someone else's alerts are not in this bell.
    expect((await bell(await signIn(app, other.email))).data).toEqual([]);

    context.clock.advance(60_000);
    const read = await app.inject({
      method: 'POST',
      url: '/api/v1/me/notifications/read',
      headers: { cookie: ruud },
    });
    expect(read.json<Inbox>()).toMatchObject({ unread: 0, data: [{ unread: false }, { unread: false }] });
    context.clock.advance(60_000);
    const cor = await lead('cor@initech.nl', 'Cor');
    const after = await bell(ruud);
    expect(after.unread).toBe(1);
    expect(after.data[0]).toMatchObject({ kind: 'lead.assigned', lead: { id: cor }, unread: true });
  });
});
