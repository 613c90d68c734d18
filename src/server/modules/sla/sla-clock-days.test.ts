// The SLA report's daily aggregate (migration 0044), each handover's kept speed to lead
// (lead_speeds, 0053) and each rep's (rep_speeds, 0059, counted per day in 0060) stay exactly in
// step with the clocks: after random inserts, changes and deletions of clocks — and a rep's
// deletion (user_id set null) or a lead's erasure (cascade) — they equal a full recount of the
// clocks, and a period's counts read from the aggregate (whole days from it, the edges from the
// clocks) equal grouping the period's clocks directly, on both dialects.
import fc from 'fast-check';
import { beforeEach, expect, it } from 'vitest';
import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';
import { leadWaits, speedToLead, SPEED_BUCKETS_MS } from '../../../domain/metrics/compute.ts';
import {
  countClocksStartedBetween,
  KEPT_SPEED_BOUNDS_MS,
  summariseSpeedToLead,
  type ClockCount,
} from './sla.repository.ts';

const cli = { kind: 'cli' } as const;
const start = Date.parse('2026-11-28T00:00:00.000Z');
const spanMinutes = 4 * 24 * 60;
const targets = ['first_response', 'accept_or_reject'] as const;
const statuses = ['running', 'met', 'breached', 'waived', 'cancelled'] as const;
const reasons = [null, 'reassigned', 'stage_changed'] as const;

type Op =
  | {
      kind: 'insert';
      contact: number;
      user: number | null;
      target: number;
      status: number;
      level: number;
      reason: number;
      minute: number;
      stay: number;
      answered: number | null;
    }
  | {
      kind: 'update';
      pick: number;
      status?: number;
      level?: number;
      reason?: number;
      user?: number | null;
      minute?: number;
      touch?: boolean;
      stay?: number;
      answered?: number | null;
      target?: number;
    }
  | { kind: 'delete'; pick: number }
  | { kind: 'erase_contact'; contact: number }
  | { kind: 'delete_user'; user: number }
  | { kind: 'team'; user: number; join: boolean };

/**
 * Minutes from a clock's start to its response: a few before it (no wait), any time in three
 * days, or on and just past the catalogue's bounds of speed to lead (5, 15, 60, 240, 1,440).
 */
const answeredAfter = fc.oneof(
  fc.integer({ min: -30, max: 3 * 24 * 60 }),
  fc.constantFrom(...[5, 15, 60, 240, 1440].flatMap((m) => [m, m + 1])),
);

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      contact: fc.nat(3),
      user: fc.option(fc.nat(2)),
      target: fc.nat(1),
      status: fc.nat(4),
      level: fc.nat(3),
      reason: fc.nat(2),
      minute: fc.nat(spanMinutes - 1),
      stay: fc.nat(2),
      answered: fc.option(answeredAfter),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        kind: fc.constant('update' as const),
        pick: fc.nat(),
        status: fc.nat(4),
        level: fc.nat(3),
        reason: fc.nat(2),
        user: fc.option(fc.nat(2)),
        minute: fc.nat(spanMinutes - 1),
        touch: fc.boolean(),
        stay: fc.nat(2),
        answered: fc.option(answeredAfter),
        target: fc.nat(1),
      },
      { requiredKeys: ['kind', 'pick'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase_contact' as const), contact: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete_user' as const), user: fc.nat(2) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('team' as const), user: fc.nat(2), join: fc.boolean() }),
  },
);

/** A lead's stays (handovers) start on the span's first, second or third day. */
const stayMinute = (stay: number) => stay * 24 * 60;

const keyOf = (c: Omit<ClockCount, 'clocks'>) =>
  `${c.userId ?? ''}|${c.target}|${c.status}|${c.level}|${c.closedReason ?? ''}`;
const sorted = (counts: Iterable<[string, number]>) => [...counts].sort(([a], [b]) => a.localeCompare(b));

describeEachDialect('the SLA report’s daily aggregate', (getDatabase) => {
  let context: TestContext;
  let contacts: string[];
  let users: string[];
  /** A team of the first two reps (a rep's deletion takes them out). */
  let teamId: string;
  let policyId: string;
  let made = 0;

  const newContact = async () => {
    const outcome = await context.services.capture.ingest(
      cli,
      { type: 'page_viewed', occurredAt: '2026-11-27T08:00:00Z', email: `lead${++made}@acme.nl` },
      undefined,
    );
    return outcome.body.results[0]!.contactId!;
  };
  const newUser = async () =>
    (
      await context.services.users.createUser(cli, {
        email: `rep${++made}@acme-ict.nl`,
        name: `Rep ${made}`,
        role: 'sales_rep',
      })
    ).id;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-03T09:00:00.000Z');
    contacts = [];
    for (let i = 0; i < 4; i++) contacts.push(await newContact());
    users = [];
    for (let i = 0; i < 3; i++) users.push(await newUser());
    policyId = (await context.services.sla.listPolicies(cli))[0]!.id;
    teamId = (
      await context.services.teams.createTeam(cli, {
        name: `Team ${++made}`,
        memberIds: [users[0]!, users[1]!],
      })
    ).id;
  });

  const db = () => context.database.db;
  const clocks = () =>
    db()
      .selectFrom('sla_instances')
      .select([
        'id',
        'contact_id',
        'user_id',
        'target',
        'status',
        'level',
        'closed_reason',
        'started_at',
        'responded_at',
        'stay_started_at',
      ])
      .orderBy('id')
      .execute();

  /** A clock written directly, started `minute` minutes after the start (answered `answered` after that). */
  async function insertClock(c: {
    contactId: string;
    userId: string | null;
    target: string;
    status: (typeof statuses)[number];
    level: number;
    reason: string | null;
    minute: number;
    answered?: number | null;
    /** The minute the lead's stay began (its handover); the clock's own start by default. */
    stay?: number;
  }): Promise<void> {
    const at = (minute: number) => toDbTime(new Date(start + minute * 60_000));
    await db()
      .insertInto('sla_instances')
      .values({
        id: newId(),
        contact_id: c.contactId,
        policy_id: policyId,
        user_id: c.userId,
        assignment_id: null,
        stage: 'mql',
        target: c.target,
        status: c.status,
        level: c.level,
        ladder: '[]',
        next_step: 0,
        next_check_at: null,
        started_at: at(c.minute),
        deadline_at: at(c.minute + 240),
        responded_at: c.answered === undefined || c.answered === null ? null : at(c.minute + c.answered),
        closed_reason: c.reason,
        created_at: at(c.minute),
        updated_at: at(c.minute),
        stay_started_at: at(c.stay ?? c.minute),
      })
      .execute();
  }

  async function apply(o: Op): Promise<void> {
    const at = (minute: number) => toDbTime(new Date(start + minute * 60_000));
    if (o.kind === 'insert') {
      await insertClock({
        contactId: contacts[o.contact]!,
        userId: o.user === null ? null : users[o.user]!,
        target: targets[o.target]!,
        status: statuses[o.status]!,
        level: o.level,
        reason: reasons[o.reason]!,
        minute: o.minute,
        stay: stayMinute(o.stay),
        answered: o.answered,
      });
      return;
    }
    if (o.kind === 'erase_contact') {
      await db().deleteFrom('contacts').where('id', '=', contacts[o.contact]!).execute();
      contacts[o.contact] = await newContact();
      return;
    }
    if (o.kind === 'team') {
      await db()
        .deleteFrom('team_members')
        .where('team_id', '=', teamId)
        .where('user_id', '=', users[o.user]!)
        .execute();
      if (o.join)
        await db()
          .insertInto('team_members')
          .values({ team_id: teamId, user_id: users[o.user]!, created_at: toDbTime(new Date(start)) })
          .execute();
      return;
    }
    if (o.kind === 'delete_user') {
      await db().deleteFrom('users').where('id', '=', users[o.user]!).execute();
      users[o.user] = await newUser();
      return;
    }
    const rows = await clocks();
    if (rows.length === 0) return;
    const row = rows[o.pick % rows.length]!;
    if (o.kind === 'delete') {
      await db().deleteFrom('sla_instances').where('id', '=', row.id).execute();
      return;
    }
    await db()
      .updateTable('sla_instances')
      .set({
        ...(o.status !== undefined && { status: statuses[o.status]! }),
        ...(o.level !== undefined && { level: o.level }),
        ...(o.reason !== undefined && { closed_reason: reasons[o.reason]! }),
        ...(o.user !== undefined && { user_id: o.user === null ? null : users[o.user]! }),
        ...(o.minute !== undefined && { started_at: at(o.minute) }),
        ...(o.stay !== undefined && { stay_started_at: at(stayMinute(o.stay)) }),
        ...(o.target !== undefined && { target: targets[o.target]! }),
        ...(o.answered !== undefined && {
          responded_at:
            o.answered === null
              ? null
              : at((o.minute ?? (fromDbTime(row.started_at).getTime() - start) / 60_000) + o.answered),
        }),
        // A write that changes nothing counted (as the sweep's next check).
        ...(o.touch && { next_check_at: at(0) }),
        updated_at: at(1),
      })
      .where('id', '=', row.id)
      .execute();
  }

  /** The clocks counted by day and kind, from the clocks themselves. */
  async function recount(
    filter: (startedMs: number, userId: string | null) => boolean = () => true,
    byDay = true,
  ) {
    const counts = new Map<string, number>();
    for (const c of await clocks()) {
      const ms = fromDbTime(c.started_at).getTime();
      if (!filter(ms, c.user_id)) continue;
      const key =
        (byDay ? `${new Date(ms).toISOString().slice(0, 10)}|` : '') +
        keyOf({
          userId: c.user_id,
          target: c.target,
          status: c.status,
          level: Number(c.level),
          closedReason: c.closed_reason,
        });
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return sorted(counts);
  }

  it('equals a full recount after random operations, and so do the counts of any period', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 25 }),
        fc.array(fc.tuple(fc.nat(spanMinutes + 120), fc.nat(spanMinutes + 120), fc.boolean()), {
          minLength: 1,
          maxLength: 4,
        }),
        async (ops, periods) => {
          for (const o of ops) await apply(o);
          const days = await db().selectFrom('sla_clock_days').selectAll().execute();
          expect(days.every((d) => Number(d.clocks) >= 0)).toBe(true);
          const stored = sorted(
            days
              .filter((d) => Number(d.clocks) !== 0)
              .map((d) => [
                `${d.day}|${keyOf({ userId: d.user_key || null, target: d.target, status: d.status, level: Number(d.level), closedReason: d.closed_reason || null })}`,
                Number(d.clocks),
              ]),
          );
          expect(stored).toEqual(await recount());
          // Each handover's kept wait equals the catalogue's definition over all the clocks.
          const all = (await clocks()).map((c) => ({
            contactId: c.contact_id,
            userId: c.user_id,
            target: c.target,
            status: c.status,
            startedAt: fromDbTime(c.started_at),
            respondedAt: c.responded_at === null ? null : fromDbTime(c.responded_at),
            stayStartedAt: fromDbTime(c.stay_started_at),
          }));
          const speeds = await db().selectFrom('lead_speeds').selectAll().execute();
          const handover = (at: string, contactId: string, waitMs: number | null) =>
            `${at} ${contactId} ${waitMs ?? 'waiting'}`;
          expect(
            speeds
              .map((r) =>
                handover(
                  fromDbTime(r.stay_started_at).toISOString(),
                  r.contact_id,
                  r.wait_ms === null ? null : Number(r.wait_ms),
                ),
              )
              .sort(),
          ).toEqual(
            leadWaits(all)
              .map((w) => handover(w.handedOverAt.toISOString(), w.contactId, w.waitMs))
              .sort(),
          );
          // Each rep's kept row per handover equals the definition over that rep's clocks alone.
          const repRows = await db().selectFrom('rep_speeds').selectAll().execute();
          expect(
            repRows
              .map(
                (r) =>
                  `${r.user_id} ${handover(fromDbTime(r.stay_started_at).toISOString(), r.contact_id, r.wait_ms === null ? null : Number(r.wait_ms))}`,
              )
              .sort(),
          ).toEqual(
            [...new Set(all.flatMap((c) => (c.userId === null ? [] : [c.userId])))]
              .flatMap((userId) =>
                leadWaits(all.filter((c) => c.userId === userId)).map(
                  (w) => `${userId} ${handover(w.handedOverAt.toISOString(), w.contactId, w.waitMs)}`,
                ),
              )
              .sort(),
          );

          // Each rep's rows counted per day and band equal a count of the rows themselves.
          const band = (wait: number | null) => {
            if (wait === null) return -1;
            const within = KEPT_SPEED_BOUNDS_MS.findIndex((b) => wait <= b);
            return within === -1 ? KEPT_SPEED_BOUNDS_MS.length : within;
          };
          /** Kept rows (id, stay, wait) counted per id, day and band, and the stored days so. */
          const perDay = (rows: { id: string; stay: Date | string; wait: number | string | null }[]) => {
            const counts = new Map<string, number>();
            for (const r of rows) {
              const key = `${r.id} ${fromDbTime(r.stay).toISOString().slice(0, 10)} ${band(r.wait === null ? null : Number(r.wait))}`;
              counts.set(key, (counts.get(key) ?? 0) + 1);
            }
            return sorted(counts);
          };
          const storedDays = (
            days: { id: string; day: string; band: number; handovers: number | string }[],
          ) => {
            expect(days.every((d) => Number(d.handovers) >= 0)).toBe(true);
            return sorted(
              days
                .filter((d) => Number(d.handovers) > 0)
                .map((d) => [`${d.id} ${d.day} ${d.band}`, Number(d.handovers)]),
            );
          };
          const repDays = await db().selectFrom('rep_speed_days').selectAll().execute();
          expect(storedDays(repDays.map((d) => ({ ...d, id: d.user_id })))).toEqual(
            perDay(repRows.map((r) => ({ id: r.user_id, stay: r.stay_started_at, wait: r.wait_ms }))),
          );

          // The team's kept row per handover equals the definition over its members' clocks, and
          // its days a count of those rows.
          const members = (
            await db().selectFrom('team_members').select('user_id').where('team_id', '=', teamId).execute()
          ).map((m) => m.user_id);
          const teamRows = await db().selectFrom('team_speeds').selectAll().execute();
          expect(
            teamRows
              .map(
                (r) =>
                  `${r.team_id} ${handover(fromDbTime(r.stay_started_at).toISOString(), r.contact_id, r.wait_ms === null ? null : Number(r.wait_ms))}`,
              )
              .sort(),
          ).toEqual(
            leadWaits(all.filter((c) => c.userId !== null && members.includes(c.userId)))
              .map((w) => `${teamId} ${handover(w.handedOverAt.toISOString(), w.contactId, w.waitMs)}`)
              .sort(),
          );
          const teamDays = await db().selectFrom('team_speed_days').selectAll().execute();
          expect(storedDays(teamDays.map((d) => ({ ...d, id: d.team_id })))).toEqual(
            perDay(teamRows.map((r) => ({ id: r.team_id, stay: r.stay_started_at, wait: r.wait_ms }))),
          );

          for (const [a, b, oneRep] of periods) {
            const from = start - 60 * 60_000 + Math.min(a, b) * 60_000;
            const to = start - 60 * 60_000 + (Math.max(a, b) + 1) * 60_000;
            const userIds = oneRep ? [users[0]!] : null;
            const counts = await countClocksStartedBetween(db(), {
              from: new Date(from),
              to: new Date(to),
              userIds,
            });
            expect(sorted(counts.map((c) => [keyOf(c), c.clocks]))).toEqual(
              await recount(
                (ms, user) => ms >= from && ms < to && (userIds === null || userIds.includes(user!)),
                false,
              ),
            );
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('sums the same speed to lead as the clocks themselves, per handover in the period, for everyone, each team and each rep', async () => {
    // Enough leads that the median and the P90 fall on different ranks.
    for (let i = 0; i < 12; i++) contacts.push(await newContact());
    const clock = fc.record({
      contact: fc.nat(15),
      user: fc.option(fc.nat(2)),
      target: fc.nat(1),
      minute: fc.nat(spanMinutes - 1),
      // Handed over on one of three days: a lead's clocks of one stay are one handover.
      stay: fc.nat(2),
      // Answered some minutes later (a few even before the start: counted as no wait), or not yet.
      answered: fc.option(answeredAfter),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(clock, { maxLength: 40 }),
        fc.tuple(fc.nat(spanMinutes), fc.nat(spanMinutes)),
        async (clocks, [a, b]) => {
          await db().deleteFrom('sla_instances').execute();
          for (const c of clocks)
            await insertClock({
              contactId: contacts[c.contact]!,
              userId: c.user === null ? null : users[c.user]!,
              target: targets[c.target]!,
              status: c.answered === null ? 'running' : 'met',
              level: 0,
              reason: null,
              minute: c.minute,
              answered: c.answered,
              stay: stayMinute(c.stay),
            });
          const from = new Date(start + Math.min(a, b) * 60_000);
          const to = new Date(start + (Math.max(a, b) + 1) * 60_000);
          const groups = new Map<string, string[]>([
            ['team:one', [users[0]!, users[1]!]],
            ...users.map((id): [string, string[]] => [`rep:${id}`, [id]]),
          ]);
          for (const userIds of [null, [users[0]!, users[2]!]]) {
            // Seeing everyone, the team (its members are the group's) is read from its kept rows.
            const summary = await summariseSpeedToLead(db(), {
              from,
              to,
              userIds,
              groups,
              teams: new Map([['team:one', teamId]]),
              bounds: SPEED_BUCKETS_MS,
            });
            const facts = clocks
              .map((c) => ({
                contactId: contacts[c.contact]!,
                userId: c.user === null ? null : users[c.user]!,
                target: targets[c.target]!,
                status: 'met',
                startedAt: new Date(start + c.minute * 60_000),
                respondedAt: c.answered === null ? null : new Date(start + (c.minute + c.answered) * 60_000),
                stayStartedAt: new Date(start + stayMinute(c.stay) * 60_000),
              }))
              .filter(
                (f) =>
                  f.stayStartedAt >= from &&
                  f.stayStartedAt < to &&
                  (userIds === null || (f.userId !== null && userIds.includes(f.userId))),
              );
            const expected = (ids: readonly string[] | null) => {
              const figure = speedToLead(
                leadWaits(facts.filter((f) => ids === null || ids.includes(f.userId!))),
              );
              let within = 0;
              return {
                leads: figure.leads,
                touched: figure.touched,
                medianMs: figure.medianMs,
                p90Ms: figure.p90Ms,
                atMost: figure.distribution.slice(0, -1).map((d) => (within += d.leads)),
              };
            };
            const none = {
              leads: 0,
              touched: 0,
              medianMs: null,
              p90Ms: null,
              atMost: SPEED_BUCKETS_MS.map(() => 0),
            };
            expect(summary.get('') ?? none).toEqual(expected(null));
            for (const [key, ids] of groups) expect(summary.get(key) ?? none).toEqual(expected(ids));
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('keeps each rep’s handovers per day in the bands of the catalogue’s bounds of speed to lead', () => {
    // 0060's bands are frozen; a change of the catalogue's bounds needs a migration that fills
    // rep_speed_days again (until then the report counts the rows, slower but right).
    expect(KEPT_SPEED_BOUNDS_MS).toEqual(SPEED_BUCKETS_MS);
  });

  it('takes the nearest rank for the median and the P90, as speedToLead does', async () => {
    for (let i = 0; i < 5; i++) contacts.push(await newContact());
    // Nine leads of one rep answered after 1 … 9 minutes.
    for (const [i, contactId] of contacts.entries())
      await insertClock({
        contactId,
        userId: users[0]!,
        target: 'first_response',
        status: 'met',
        level: 0,
        reason: null,
        minute: 0,
        answered: i + 1,
      });
    const summary = await summariseSpeedToLead(db(), {
      from: new Date(start),
      to: new Date(start + 60_000),
      userIds: null,
      groups: new Map(),
      bounds: SPEED_BUCKETS_MS,
    });
    // ⌈0.5 × 9⌉ = 5th and ⌈0.9 × 9⌉ = 9th shortest.
    expect(summary.get('')).toEqual({
      leads: 9,
      touched: 9,
      medianMs: 5 * 60_000,
      p90Ms: 9 * 60_000,
      atMost: [5, 9, 9, 9, 9],
    });
  });
});
