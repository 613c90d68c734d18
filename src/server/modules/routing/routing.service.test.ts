import { randomBytes } from 'node:crypto';
import { createSecretBox } from '../../platform/secret-box.ts';
import { beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../testing/databases.ts';
import {
  addUser,
  createTestContext,
  routedLead,
  testPasswords,
  type TestContext,
} from '../../testing/world.ts';
import { createRoutingService } from './routing.service.ts';
import type { RecordsOf } from './routing.usecases.ts';
import { createCalendarCache } from '../sla/sla.usecases.ts';
import { linksOf } from '../notifications/notifications.usecases.ts';
import { updateContactRow, updateContactStage } from '../contacts/contacts.repository.ts';
import * as queueClosedMigration from '../../db/migrations/0066_unassigned_queue_closed.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('routing', (getDatabase) => {
  let context: TestContext;

  beforeEach(() => {
    context = createTestContext(getDatabase());
    // A Tuesday, 10:00 in Amsterdam: inside everyone's default working hours.
    context.clock.set('2026-12-01T09:00:00.000Z');
  });

  const team = async () => {
    const director = await addUser(context, 'director');
    const manager = await addUser(context, 'sales_manager', { managerId: director.id });
    const reps = [];
    for (let i = 0; i < 3; i++) reps.push(await addUser(context, 'sales_rep', { managerId: manager.id }));
    return { manager, reps };
  };
  const lead = async (email: string, extra: object = {}) => {
    const outcome = await context.services.capture.ingest(
      cli,
      { type: 'page_viewed', occurredAt: '2026-12-01T08:00:00Z', email, ...extra },
      undefined,
    );
    return outcome.body.results[0]!.contactId!;
  };

  it('gives an available account owner the lead, and the rules decide when the owner is away', async () => {
    const { reps } = await team();
    const [owner, a, b] = reps as [(typeof reps)[number], (typeof reps)[number], (typeof reps)[number]];
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside sales',
      members: [{ userId: a.id }, { userId: b.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const first = await lead('jan@acme.nl');
    const contact = await context.services.contacts.getContact(cli, first);
    await context.services.accounts.updateAccount(cli, contact.accountId!, { ownerId: owner.id });

    const toOwner = await context.services.routing.routeContact(cli, first);
    expect(toOwner).toMatchObject({
      kind: 'owner',
      userId: owner.id,
      explanation: { route: "the account's owner keeps the account" },
    });
    expect((await context.services.contacts.getContact(cli, first)).ownerId).toBe(owner.id);

    // The owner is away: the lead goes through the pool instead, and the decision says so.
    await context.services.users.addAbsence(cli, owner.id, {
      startsAt: '2026-11-30T00:00:00Z',
      endsAt: '2026-12-05T00:00:00Z',
    });
    const second = await lead('piet@acme.nl');
    const viaPool = await context.services.routing.routeContact(cli, second);
    expect(viaPool).toMatchObject({
      kind: 'fallback',
      userId: a.id,
      poolId: pool.id,
      explanation: { strategy: 'round_robin' },
    });
    expect(viaPool.explanation.candidates.map((c) => [c.userId, c.eligible])).toEqual([
      [a.id, true],
      [b.id, true],
    ]);
    // A preview says where the next lead would go, and changes nothing: the route then agrees.
    const kees = await lead('kees@acme.nl');
    const preview = await context.services.routing.previewRoute(cli, kees);
    expect(preview).toMatchObject({ kind: 'fallback', userId: b.id });
    expect(await context.services.routing.listAssignments(cli, kees)).toEqual([]);
    const third = await context.services.routing.routeContact(cli, kees);
    expect(third.userId).toBe(b.id);
    expect(third.explanation).toEqual(preview.explanation);
    expect([third.because, preview.because]).toEqual([
      { code: 'fallback', params: {} },
      { code: 'fallback', params: {} },
    ]);
    expect(third.reasonMessage).toBeNull();

    // With ownership first switched off the owner's presence does not matter.
    await context.services.routing.updateSettings(cli, { ownershipFirst: false });
    expect((await context.services.routing.listAssignments(cli, first)).map((x) => x.kind)).toEqual([
      'owner',
    ]);
  });

  it('sends the first matching rule’s leads to its pool or person, in order', async () => {
    const { reps } = await team();
    const benelux = await context.services.routing.createPool(cli, {
      name: 'Benelux',
      members: [{ userId: reps[0]!.id }],
    });
    await context.services.routing.replaceRules(cli, {
      rules: [
        {
          name: 'Belgium to one rep',
          conditions: [{ op: 'equals', field: 'country', value: 'BE' }],
          target: { userId: reps[2]!.id },
        },
        {
          name: 'Benelux',
          conditions: [{ op: 'in', field: 'country', values: ['NL', 'BE'] }],
          target: { poolId: benelux.id },
        },
      ],
    });
    const be = await context.services.routing.routeContact(cli, await lead('a@x.be', { country: 'BE' }));
    expect(be).toMatchObject({
      kind: 'rule',
      userId: reps[2]!.id,
      explanation: { route: 'rule "Belgium to one rep"' },
      because: { code: 'rule', params: { rule: 'Belgium to one rep' } },
    });
    const nl = await context.services.routing.routeContact(cli, await lead('b@x.nl', { country: 'NL' }));
    expect(nl).toMatchObject({ kind: 'rule', userId: reps[0]!.id, poolId: benelux.id });
  });

  it('puts a lead no one can take in the unassigned queue, with each rep’s reason', async () => {
    const { manager, reps } = await team();
    const pool = await context.services.routing.createPool(cli, {
      name: 'Night shift',
      members: [{ userId: reps[0]!.id }, { userId: reps[1]!.id, capPerDay: 0 }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    await context.services.users.updateUser(cli, reps[0]!.id, { isActive: false });
    const id = await lead('late@acme.nl');
    const unassigned = await context.services.routing.routeContact(cli, id);
    expect(unassigned).toMatchObject({ kind: 'unassigned', userId: null, poolId: pool.id });
    expect(unassigned.explanation.candidates.map((c) => c.skipped)).toEqual(['inactive', 'daily_cap']);
    const queue = await context.services.routing.listUnassigned({
      kind: 'user',
      userId: manager.id,
      role: 'sales_manager',
    });
    expect(queue.map((q) => q.contactId)).toEqual([id]);
    // The manager sees who waits before the lead is anyone's (the contact itself is not theirs yet).
    expect(queue[0]!.contact).toEqual({
      name: null,
      email: 'late@acme.nl',
      company: 'acme.nl',
      stage: 'lead',
    });

    // Once someone can take it, routing again takes it out of the queue.
    await context.services.routing.updatePool(cli, pool.id, { members: [{ userId: reps[2]!.id }] });
    expect((await context.services.routing.routeContact(cli, id)).userId).toBe(reps[2]!.id);
    expect(await context.services.routing.listUnassigned(cli)).toEqual([]);
  });

  it('retries the unassigned queue in turns, and leaves the leads held for a person to the manager', async () => {
    const { reps } = await team();
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside sales',
      members: [{ userId: reps[0]!.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    await context.services.users.addAbsence(cli, reps[0]!.id, {
      startsAt: '2026-11-30T00:00:00Z',
      endsAt: '2026-12-01T12:00:00Z',
    });
    // Four leads wait, oldest first; the oldest is held for a person (Sales rejected it too often).
    const queued: string[] = [];
    for (const [i, email] of ['held@acme.nl', 'one@acme.nl', 'two@acme.nl', 'three@acme.nl'].entries()) {
      context.clock.set(`2026-12-01T09:0${i}:00.000Z`);
      const id = await lead(email);
      expect(await context.services.routing.routeContact(cli, id)).toMatchObject({ kind: 'unassigned' });
      queued.push(id);
    }
    await updateContactRow(context.database.db, queued[0]!, { needs_review: true });
    const [held, one, two, three] = queued as [string, string, string, string];

    // A sweep of two tries the two oldest that routing may take (not the held one): still no one.
    context.clock.set('2026-12-01T10:00:00.000Z');
    expect(await context.services.routing.routeQueued(cli, 2)).toBe(0);
    // The rep is back. A sweep of one now takes the lead not tried yet, not the oldest again.
    context.clock.set('2026-12-01T12:30:00.000Z');
    expect(await context.services.routing.routeQueued(cli, 1)).toBe(1);
    const waiting = async () => (await context.services.routing.listUnassigned(cli)).map((q) => q.contactId);
    expect(await waiting()).toEqual([held, one, two]);
    expect(await context.services.routing.routeQueued(cli, 5)).toBe(2);
    // The held lead stays for the manager, however often the queue is tried.
    expect(await waiting()).toEqual([held]);
    expect((await context.services.contacts.getContact(cli, three)).ownerId).toBe(reps[0]!.id);
  });

  it('keeps the queue exactly the leads whose latest decision found no one, after random routing, moves and retries', async () => {
    const { manager, reps } = await team();
    const rep = reps[0]!;
    const pool = await context.services.routing.createPool(cli, { name: 'Inside sales', members: [] });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const db = context.database.db;
    const leads: string[] = [];
    for (let i = 0; i < 6; i++) leads.push(await lead(`lead${i}@acme.nl`));
    // The queue as it was read before decisions recorded their replacement: every unassigned
    // decision that is its lead's latest and older than the lead's stay in its stage.
    const reference = async () =>
      (
        await db
          .selectFrom('assignments as a')
          .innerJoin('contacts as c', 'c.id', 'a.contact_id')
          .select('a.id')
          .where('a.kind', '=', 'unassigned')
          .whereRef('c.stage_entered_at', '<=', 'a.assigned_at')
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('assignments as later')
                  .select('later.id')
                  .whereRef('later.contact_id', '=', 'a.contact_id')
                  .whereRef('later.id', '>', 'a.id'),
              ),
            ),
          )
          .execute()
      )
        .map((r) => r.id)
        .sort();
    // A seeded sequence (the same every run): route with or without a rep, move a lead, retry.
    let seed = 27;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let minute = 0;
    for (let step = 0; step < 60; step++) {
      context.clock.set(new Date(Date.parse('2026-12-01T09:00:00.000Z') + ++minute * 60_000));
      const id = leads[next(leads.length)]!;
      const action = next(5);
      if (action === 0)
        await context.services.routing.updatePool(cli, pool.id, {
          members: next(2) ? [{ userId: rep.id }] : [],
        });
      else if (action === 1) await context.services.routing.routeContact(cli, id);
      else if (action === 2)
        await context.services.routing.reassign(cli, id, { userId: rep.id, reason: 'The manager decides' });
      else if (action === 3) {
        // The lead moves on (or back) without routing hearing of it.
        const { stage } = await db
          .selectFrom('contacts')
          .select('stage')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        const at = context.clock.now().toISOString();
        await updateContactStage(db, id, stage, {
          stage: stage === 'mql' ? 'lead' : 'mql',
          stage_entered_at: at,
          updated_at: at,
        });
      } else await context.services.routing.routeQueued(cli, 3);
      const queue = (
        await db.selectFrom('assignments').select('id').where('kind', '=', 'unassigned').execute()
      ).length;
      const listed = (
        await context.services.routing.listUnassigned({
          kind: 'user',
          userId: manager.id,
          role: 'sales_manager',
        })
      )
        .map((q) => q.id)
        .sort();
      expect(listed, `after step ${step} (${queue} unassigned decisions)`).toEqual(await reference());
    }
    // Every unassigned decision a later one replaced is marked so (and only those): the queue's
    // index holds the rest. The migration's backfill of a store's history marks the same ones.
    const marked = async () => {
      const rows = await db
        .selectFrom('assignments')
        .select(['id', 'contact_id', 'kind', 'queue_closed_at'])
        .execute();
      const unassigned = rows.filter((r) => r.kind === 'unassigned');
      for (const row of unassigned) {
        const replaced = rows.some((r) => r.contact_id === row.contact_id && r.id > row.id);
        expect(row.queue_closed_at !== null, row.id).toBe(replaced);
      }
      return unassigned
        .filter((r) => r.queue_closed_at !== null)
        .map((r) => r.id)
        .sort();
    };
    const closed = await marked();
    expect(closed.length).toBeGreaterThan(0);
    await queueClosedMigration.down(db);
    await queueClosedMigration.up(db);
    expect(await marked()).toEqual(closed);
  });

  it('routes a lead the moment it becomes an MQL', async () => {
    const { reps } = await team();
    const pool = await context.services.routing.createPool(cli, {
      name: 'All',
      members: [{ userId: reps[1]!.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const id = await lead('hot@acme.nl');
    const assigned = new Promise<string>((resolve) =>
      context.events.subscribe('lead.assigned', (e) => resolve(`${e.contactId}:${e.userId}`)),
    );
    await context.services.contacts.changeStage(cli, id, { to: 'mql' });
    expect(await assigned).toBe(`${id}:${reps[1]!.id}`);
    expect((await context.services.contacts.getContact(cli, id)).ownerId).toBe(reps[1]!.id);
  });

  it('does not route a lead back to the rep who just sent it back, unless they own its account or the setting is off', async () => {
    const { reps } = await team();
    const rep = reps[0]!;
    const asRep = { kind: 'user', userId: rep.id, role: 'sales_rep' } as const;
    const pool = await context.services.routing.createPool(cli, {
      name: 'Solo',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    expect(await context.services.routing.getSettings(cli)).toMatchObject({ skipRejectingRep: true });
    const id = await lead('bounce@acme.nl');
    const latest = async () => (await context.services.routing.listAssignments(cli, id)).at(-1)!;
    const becomesMql = async (count: number) => {
      context.clock.advance(60_000);
      await context.services.contacts.changeStage(cli, id, { to: 'mql' });
      await expect
        .poll(async () => (await context.services.routing.listAssignments(cli, id)).length)
        .toBe(count);
    };
    await becomesMql(1);
    expect(await latest()).toMatchObject({ userId: rep.id });

    // Sent back, and qualified again: the only rep of the pool is the one who sent it back.
    context.clock.advance(60_000);
    await context.services.handoff.reject(asRep, id, { reasonCode: 'not_now' });
    await becomesMql(2);
    const skipped = await latest();
    expect(skipped).toMatchObject({ kind: 'unassigned', userId: null });
    expect(skipped.explanation.candidates).toEqual([
      expect.objectContaining({ userId: rep.id, eligible: false, skipped: 'rejected_this_lead' }),
    ]);

    // With the setting off, the same rep may have it again.
    await context.services.routing.updateSettings(cli, { skipRejectingRep: false });
    expect(await context.services.routing.routeContact(cli, id)).toMatchObject({ userId: rep.id });

    // An owner of the account keeps it, rejection or not.
    await context.services.routing.updateSettings(cli, { skipRejectingRep: true });
    context.clock.advance(60_000);
    await context.services.handoff.reject(asRep, id, { reasonCode: 'not_now' });
    const contact = await context.services.contacts.getContact(cli, id);
    await context.services.accounts.updateAccount(cli, contact.accountId!, { ownerId: rep.id });
    await becomesMql(4);
    expect(await latest()).toMatchObject({ kind: 'owner', userId: rep.id });
  });

  it('routes, after a crash, the MQLs that were never routed, once', async () => {
    const { reps } = await team();
    const pool = await context.services.routing.createPool(cli, {
      name: 'All',
      members: [{ userId: reps[0]!.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const id = await lead('lost@acme.nl');
    // As if the process died right after the MQL was stored: the stage moved, nobody heard.
    await updateContactStage(getDatabase().db, id, 'lead', {
      stage: 'mql',
      stage_entered_at: '2026-12-01T08:30:00.000Z',
      updated_at: '2026-12-01T08:30:00.000Z',
    });
    expect(await context.services.routing.routeWaiting(cli)).toBe(1);
    expect(await context.services.routing.routeWaiting(cli)).toBe(0);
    expect((await context.services.routing.listAssignments(cli, id)).map((a) => a.userId)).toEqual([
      reps[0]!.id,
    ]);
  });

  it('lets a manager reassign a team lead with a reason, and keeps both decisions', async () => {
    const { manager, reps } = await team();
    await context.services.teams.createTeam(cli, {
      name: 'Team',
      managerId: manager.id,
      memberIds: reps.map((r) => r.id),
    });
    const outsider = await addUser(context, 'sales_rep');
    const pool = await context.services.routing.createPool(cli, {
      name: 'All',
      members: [{ userId: reps[0]!.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const id = await lead('move@acme.nl');
    await context.services.routing.routeContact(cli, id);
    const asManager = { kind: 'user', userId: manager.id, role: 'sales_manager' } as const;

    await expect(
      context.services.routing.reassign(asManager, id, { userId: outsider.id, reason: 'Knows them' }),
    ).rejects.toMatchObject({ code: 'routing.invalid_assignee' });
    const moved = await context.services.routing.reassign(asManager, id, {
      userId: reps[1]!.id,
      reason: 'Speaks Dutch',
    });
    expect(moved).toMatchObject({
      kind: 'manual',
      userId: reps[1]!.id,
      reason: 'Speaks Dutch',
      actor: { kind: 'user', id: manager.id },
    });
    expect((await context.services.contacts.getContact(cli, id)).ownerId).toBe(reps[1]!.id);
    expect((await context.services.routing.listAssignments(cli, id)).map((a) => [a.kind, a.userId])).toEqual([
      ['fallback', reps[0]!.id],
      ['manual', reps[1]!.id],
    ]);
  });

  it('keeps one running clock when a lead is given to the rep who has it, however often or at once', async () => {
    // The demo's start once gave a lead to the rep routing had just given it to: the rep had two
    // first-response clocks for one lead, and a rep given their own lead again got a fresh window.
    const { manager, reps } = await team();
    await context.services.teams.createTeam(cli, {
      name: 'Team',
      managerId: manager.id,
      memberIds: reps.map((r) => r.id),
    });
    const pool = await context.services.routing.createPool(cli, {
      name: 'All',
      members: [{ userId: reps[0]!.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    await context.services.scoring.ensureDefaultModel();
    const id = await routedLead(context, { email: 'twice@acme.nl', firstName: 'Twan', ownerId: reps[0]!.id });
    const clocks = async () =>
      (await context.services.sla.queue(cli, { limit: 500 })).data
        .filter((i) => i.contact.id === id)
        .map((i) => [i.clock.target, i.rep?.id, i.clock.startedAt]);
    const before = await clocks();
    expect(before.map(([target, rep]) => [target, rep])).toEqual([
      ['first_response', reps[0]!.id],
      ['accept_or_reject', reps[0]!.id],
    ]);

    context.clock.advance(60 * 60_000);
    const asManager = { kind: 'user', userId: manager.id, role: 'sales_manager' } as const;
    const again = { userId: reps[0]!.id, reason: 'Stays with Twan' };
    const decisions = await context.services.routing.listAssignments(cli, id);
    expect(await context.services.routing.reassign(asManager, id, again)).toEqual(decisions.at(-1));
    expect(await context.services.routing.listAssignments(cli, id)).toEqual(decisions);
    expect(await clocks()).toEqual(before);
    // Routed again by hand, to the pool's only member, who has it: a decision on record, the same clocks.
    expect(await context.services.routing.routeContact(cli, id)).toMatchObject({ userId: reps[0]!.id });
    expect(await context.services.routing.listAssignments(cli, id)).toHaveLength(decisions.length + 1);
    expect(await clocks()).toEqual(before);
    // Two managers at the same moment, and a move to another rep beside them: one clock, one owner.
    await Promise.all([
      context.services.routing.reassign(asManager, id, again),
      context.services.routing.reassign(asManager, id, { userId: reps[1]!.id, reason: 'Speaks Dutch' }),
      context.services.routing.reassign(asManager, id, again),
    ]);
    const { ownerId } = await context.services.contacts.getContact(cli, id);
    const after = await clocks();
    expect(after.map(([target, rep]) => [target, rep])).toEqual([
      ['first_response', ownerId],
      ['accept_or_reject', ownerId],
    ]);
  });

  it('routes through a performance-aware pool with the SLA’s real records, reading them in its own transaction', async () => {
    // On SQLite a read outside the routing transaction would wait for it forever (one connection).
    context.clock.set('2026-12-01T09:00:00.000Z');
    const { reps } = await team();
    const pool = await context.services.routing.createPool(cli, {
      name: 'Performance',
      performanceAware: true,
      members: reps.map((r) => ({ userId: r.id })),
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const id = await lead('perf@acme.nl');
    const routed = await context.services.routing.routeContact(cli, id);
    expect(routed).toMatchObject({ kind: 'fallback', userId: reps[0]!.id });
    expect(routed.explanation.candidates[0]).toMatchObject({ record: null, factor: 1 });
  });

  it('shifts shares by the follow-up record the SLA supplies, and shows the formula and the record with each decision', async () => {
    const { reps } = await team();
    const [good, poor] = reps as [(typeof reps)[number], (typeof reps)[number]];
    // A fake SLA record: one rep met every deadline of 20, the other 5 of 20.
    const recordsOf: RecordsOf = async ({ userIds }) =>
      new Map(
        userIds.map((id) => [
          id,
          id === good.id ? { measured: 20, met: 20 } : id === poor.id ? { measured: 20, met: 5 } : null,
        ]),
      );
    const routing = createRoutingService(
      {
        db: context.database.db,
        clock: context.clock,
        events: context.events,
        passwords: testPasswords,
        auth: { sessionTtlHours: 1, loginMaxFailures: 5, loginWindowMinutes: 15, oidc: null },
        secrets: createSecretBox(randomBytes(32)),
        publicUrl: 'https://baton.example.nl',
      },
      { links: linksOf('https://baton.example.nl'), calendars: createCalendarCache(), recordsOf },
    );
    const pool = await routing.createPool(cli, {
      name: 'Aware',
      strategy: 'weighted',
      performanceAware: true,
      members: [{ userId: good.id }, { userId: poor.id }],
    });
    await routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const counts = new Map<string, number>();
    let last: Awaited<ReturnType<typeof routing.routeContact>> | undefined;
    for (let i = 0; i < 30; i++) {
      last = await routing.routeContact(cli, await lead(`l${i}@acme.nl`));
      counts.set(last.userId!, (counts.get(last.userId!) ?? 0) + 1);
    }
    // Factors 1.5 and 0.75: two leads to one.
    expect([counts.get(good.id), counts.get(poor.id)]).toEqual([20, 10]);
    expect(last!.explanation.performance).toMatchObject({
      formula: expect.stringContaining('factor = 0.5 + SLA compliance'),
      windowDays: 30,
      min: 0.5,
      max: 1.5,
      minimumMeasured: 5,
    });
    expect(last!.explanation.candidates).toEqual([
      expect.objectContaining({
        userId: good.id,
        factor: 1.5,
        effectiveWeight: 1.5,
        record: { measured: 20, met: 20 },
      }),
      expect.objectContaining({
        userId: poor.id,
        factor: 0.75,
        effectiveWeight: 0.75,
        record: { measured: 20, met: 5 },
      }),
    ]);

    // The same pool without the switch: equal shares, and no record or formula shown.
    await routing.updatePool(cli, pool.id, { performanceAware: false });
    const blind = await routing.routeContact(cli, await lead('blind@acme.nl'));
    expect(blind.explanation.performance).toBeNull();
    expect(blind.explanation.candidates.map((c) => [c.factor, c.record])).toEqual([
      [1, null],
      [1, null],
    ]);
  });
});
