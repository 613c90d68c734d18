import { beforeEach, expect, it } from 'vitest';
import type { Actor, Role } from '../../../domain/access/roles.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect("Marketing's commitment", (getDatabase) => {
  let context: TestContext;

  beforeEach(() => {
    context = createTestContext(getDatabase());
    // Monday 30 November 2026, the day before the period.
    context.clock.set('2026-11-30T09:00:00.000Z');
  });

  let counter = 0;
  const person = (role: Role, extra: { managerId?: string; name?: string; language?: 'en' | 'nl' } = {}) =>
    context.services.users.createUser(cli, {
      email: `${role}.${++counter}@acme-ict.nl`,
      name: extra.name ?? `${role} ${counter}`,
      role,
      ...(extra.managerId && { managerId: extra.managerId }),
      ...(extra.language && { language: extra.language }),
    });
  const as = (user: { id: string; role: Role }): Actor => ({
    kind: 'user',
    userId: user.id,
    role: user.role,
  });

  const leads: string[] = [];
  const lead = async () => {
    const email = `lead${++counter}@initech.nl`;
    const outcome = await context.services.capture.ingest(
      cli,
      { type: 'page_viewed', occurredAt: '2026-11-01T08:00:00Z', email },
      undefined,
    );
    const id = outcome.body.results[0]!.contactId!;
    leads.push(id);
    return id;
  };
  /** `count` leads become MQLs at 11:00 Amsterdam time on a date. */
  const mqls = async (date: string, count: number) => {
    const ids = [];
    for (let i = 0; i < count; i++) {
      const id = await lead();
      await context.services.contacts.changeStage(cli, id, {
        to: 'mql',
        occurredAt: `${date}T10:00:00.000Z`,
      });
      ids.push(id);
    }
    return ids;
  };
  /** The alerts queued so far: who got one, and its subject. */
  const alerts = async () =>
    (await context.services.notifications.listOutbox(cli, { limit: 100 })).data
      .filter((m) => m.kind === 'commitment.pace')
      .map((m) => [m.recipientUserId, m.subject]);

  it('tracks delivery day by day, alerts the head of marketing and the director once when it falls behind, and again when the period ends missed', async () => {
    const director = await person('director', { name: 'Dirk Directeur', language: 'nl' });
    const head = await person('marketing', { name: 'Maud Marketing' });
    await person('marketing', { name: 'Mark Marketeer', managerId: head.id });
    const commitment = await context.services.commitments.create(as(head), {
      period: 'month',
      startsOn: '2026-12-01',
      mqlTarget: 44,
      minAcceptanceRate: 0.6,
    });
    // The marketer who made it answers for it; December has 22 working days (Christmas closed).
    expect(commitment).toMatchObject({
      endsOn: '2026-12-31',
      ownerId: head.id,
      ownerName: 'Maud Marketing',
      tolerance: 0.1,
      pace: { status: 'upcoming', delivered: 0, openDays: { total: 22, completed: 0 } },
    });

    context.clock.set('2026-12-02T16:00:00.000Z');
    await mqls('2026-12-01', 2);
    await mqls('2026-12-02', 2);
    // Thursday brings none. Friday morning: 4 delivered against 6 on an even pace.
    context.clock.set('2026-12-04T07:00:00.000Z');
    expect(await context.services.commitments.checkPace()).toBe(2);
    expect(await alerts()).toEqual(
      expect.arrayContaining([
        [head.id, 'Marketing is behind on its MQL commitment for December 2026'],
        [director.id, 'Marketing loopt achter op de MQL-afspraak voor december 2026'],
      ]),
    );
    // Once a day, and not again while it stays behind.
    expect(await context.services.commitments.checkPace()).toBe(0);
    context.clock.set('2026-12-05T07:00:00.000Z');
    expect(await context.services.commitments.checkPace()).toBe(0);
    expect(await alerts()).toHaveLength(2);

    const detail = await context.services.commitments.get(as(director), commitment.id);
    expect(detail.pace).toMatchObject({
      asOf: '2026-12-05',
      status: 'behind',
      reasons: ['volume'],
      delivered: 4,
      expectedToDate: 8,
      projected: 22,
      openDays: { total: 22, completed: 4 },
    });
    expect(detail.days.map((d) => [d.date, d.delivered, d.cumulative, d.expected])).toEqual([
      ['2026-12-01', 2, 2, 2],
      ['2026-12-02', 2, 4, 4],
      ['2026-12-03', 0, 4, 6],
      ['2026-12-04', 0, 4, 8],
    ]);

    // Marketing catches up on Monday and is on track by Tuesday; Sales decides on ten of them.
    context.clock.set('2026-12-07T12:00:00.000Z');
    const monday = await mqls('2026-12-07', 6);
    const admin = await person('admin');
    for (const [i, id] of [...monday, ...leads.slice(0, 4)].entries())
      await context.services.contacts.changeStage(
        as(admin),
        id,
        i < 7 ? { to: 'sal' } : { to: 'recycled', reasonCode: 'not_now', note: 'next quarter' },
      );
    context.clock.set('2026-12-08T07:00:00.000Z');
    expect(await context.services.commitments.checkPace()).toBe(0);
    const tuesday = await context.services.commitments.get(as(head), commitment.id);
    expect(tuesday.pace).toMatchObject({
      status: 'on_track',
      delivered: 10,
      expectedToDate: 10,
      accepted: 7,
      rejected: 3,
      acceptanceRate: 0.7,
    });

    // The month ends with 10 of 44: missed, and said so once, the day after.
    context.clock.set('2027-01-01T07:00:00.000Z');
    expect(await context.services.commitments.checkPace()).toBe(2);
    expect(await alerts()).toContainEqual([head.id, 'Marketing missed its MQL commitment for December 2026']);
    context.clock.set('2027-01-04T07:00:00.000Z');
    expect(await context.services.commitments.checkPace()).toBe(0);
    expect((await context.services.commitments.get(cli, commitment.id)).pace).toMatchObject({
      status: 'missed',
      reasons: ['volume'],
    });
  });

  it('records a period that ended before its first check as missed, without an alert: a first start sends no storm', async () => {
    await person('director');
    const head = await person('marketing', { name: 'Maud Marketing' });
    // As after an import or the demo: months that ended before Baton ever judged them.
    const past = [];
    for (const startsOn of ['2026-09-01', '2026-10-01', '2026-11-01'])
      past.push(
        await context.services.commitments.create(as(head), {
          period: 'month',
          startsOn,
          mqlTarget: 44,
          minAcceptanceRate: 0.6,
        }),
      );
    const running = await context.services.commitments.create(as(head), {
      period: 'month',
      startsOn: '2026-12-01',
      mqlTarget: 44,
      minAcceptanceRate: 0.6,
    });
    context.clock.set('2026-12-04T07:00:00.000Z');
    // Only the running month, which is behind, is announced.
    expect(await context.services.commitments.checkPace()).toBe(2);
    expect((await alerts()).map(([, subject]) => subject)).toEqual(
      Array(2).fill('Marketing is behind on its MQL commitment for December 2026'),
    );
    for (const commitment of past)
      expect((await context.services.commitments.get(cli, commitment.id)).pace.status).toBe('missed');
    // Judged once, as any other: the next days add nothing.
    context.clock.set('2026-12-05T07:00:00.000Z');
    expect(await context.services.commitments.checkPace()).toBe(0);
    expect((await context.services.commitments.get(cli, running.id)).pace.status).toBe('behind');
  });

  it('alerts once when several processes check the same day', async () => {
    const head = await person('marketing', { name: 'Maud Marketing' });
    await person('director');
    await context.services.commitments.create(cli, {
      period: 'month',
      startsOn: '2026-12-01',
      mqlTarget: 440,
      minAcceptanceRate: 0.5,
      ownerId: head.id,
    });
    context.clock.set('2026-12-07T07:00:00.000Z');
    await mqls('2026-12-01', 1);
    const counts = await Promise.all([1, 2, 3].map(() => context.services.commitments.checkPace()));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(await alerts()).toHaveLength(2);
  });

  it("puts Marketing's delivery beside Sales' follow-up in the SLA report, with a row per team", async () => {
    const director = await person('director');
    const manager = await person('sales_manager', { managerId: director.id });
    const rep = await person('sales_rep', { managerId: manager.id, name: 'Ruud Rep' });
    const team = await context.services.teams.createTeam(cli, {
      name: 'Inside Sales',
      managerId: manager.id,
      memberIds: [rep.id],
    });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    await context.services.commitments.create(cli, {
      period: 'quarter',
      startsOn: '2026-10-01',
      mqlTarget: 300,
      minAcceptanceRate: 0.6,
    });
    context.clock.set('2026-12-01T09:00:00.000Z');
    const id = await lead();
    await context.services.contacts.changeStage(cli, id, { to: 'mql' });
    await expect.poll(async () => (await context.services.routing.listAssignments(cli, id)).length).toBe(1);
    context.clock.set('2026-12-01T09:30:00.000Z');
    await context.services.capture.ingest(
      cli,
      {
        type: 'call_logged',
        occurredAt: '2026-12-01T09:30:00.000Z',
        email: `lead${counter}@initech.nl`,
        userId: rep.id,
      },
      undefined,
    );
    await expect
      .poll(
        async () =>
          (await context.services.sla.listClocks(cli, id)).find((c) => c.target === 'first_response')?.status,
      )
      .toBe('met');

    const report = await context.services.sla.report(as(director), {
      from: '2026-12-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
    });
    expect(report.teams).toEqual([
      expect.objectContaining({ teamId: team.id, name: 'Inside Sales', measured: 1, met: 1, compliance: 1 }),
    ]);
    expect(report.marketing).toEqual([
      expect.objectContaining({
        period: 'quarter',
        startsOn: '2026-10-01',
        endsOn: '2026-12-31',
        mqlTarget: 300,
        pace: expect.objectContaining({ asOf: '2026-12-01', delivered: 0 }),
      }),
    ]);
  });
});
