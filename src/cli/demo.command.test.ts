import { beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../server/testing/databases.ts';
import { createTestContext, type TestContext } from '../server/testing/world.ts';
import { demoAdminEmail, topUpDemoQueues } from './demo.command.ts';

const cli = { kind: 'cli' } as const;
const office = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['08:30', '17:30']] as [string, string][]]),
);

describeEachDialect('the demo’s live queues', (getDatabase) => {
  let context: TestContext;
  beforeEach(() => {
    context = createTestContext(getDatabase());
  });

  /** The demo's people in small: its admin, a manager and two reps in a pool, office hours only. */
  const company = async () => {
    const person = (name: string, role: 'admin' | 'sales_manager' | 'sales_rep', managerId?: string) =>
      context.services.users.createUser(cli, {
        email: `${name.toLowerCase()}@nordwind-ict.example`,
        name,
        role,
        timeZone: 'Europe/Amsterdam',
        workingHours: office,
        ...(managerId && { managerId }),
      });
    const admin = await person('Ada', 'admin');
    expect(admin.email).toBe(demoAdminEmail);
    const manager = await person('Fleur', 'sales_manager');
    const reps = [
      await person('Daan', 'sales_rep', manager.id),
      await person('Emma', 'sales_rep', manager.id),
    ];
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: reps.map((r) => ({ userId: r.id })),
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    await context.services.scoring.ensureDefaultModel();
    return reps;
  };
  const waiting = async (repId: string) =>
    (await context.services.sla.queue(cli, { userId: repId, limit: 500 })).data.filter(
      (i) => i.clock.target === 'first_response' && i.clock.status !== 'breached',
    ).length;

  for (const [when, at] of [
    ['at three on a Sunday night, when no rep works', '2026-12-06T02:00:00.000Z'],
    ['on a Monday morning', '2026-12-07T09:30:00.000Z'],
  ] as const)
    it(`gives every rep at least two waiting leads ${when}, and tops up only what is missing`, async () => {
      context.clock.set(at);
      const reps = await company();
      expect(await topUpDemoQueues(context.services, () => context.clock.now())).toBe(4);
      // The reactions to the new MQLs (routing once, settling clocks) run beside the top-up. When
      // the reaction routed first, the top-up gave the lead again to the rep who had it, and that rep
      // had two clocks for it (3 waiting in CI); a rep given their own lead now keeps the one clock.
      await context.events.settled();
      for (const rep of reps) expect(await waiting(rep.id)).toBe(2);
      // A second start adds nothing while the leads still wait.
      expect(await topUpDemoQueues(context.services, () => context.clock.now())).toBe(0);
    });

  it('does nothing in a store that is not the demo’s', async () => {
    expect(await topUpDemoQueues(context.services, () => context.clock.now())).toBe(0);
    expect((await context.services.contacts.listContacts(cli, { limit: 1 })).data).toEqual([]);
  });
});
