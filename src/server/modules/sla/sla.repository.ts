import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db, SqliteStatements } from '../../db/database.ts';
import {
  dialectOf,
  fromDbTime,
  indexedBySql,
  inListSql,
  toDbTime,
  withSortMemory,
} from '../../db/dialect.ts';
import type { SlaCalendarsTable, SlaInstancesTable, SlaPoliciesTable } from '../../db/tables.ts';
import { followUpEventTypes } from '../../../domain/capture/event-types.ts';

export type SlaInstanceRow = Selectable<SlaInstancesTable>;

export async function findActivePolicies(db: Db) {
  return db.selectFrom('sla_policies').selectAll().where('is_active', '=', true).orderBy('key').execute();
}

export async function findPolicies(db: Db) {
  return db.selectFrom('sla_policies').selectAll().orderBy('stage').orderBy('key').execute();
}

export async function findPolicyById(db: Db, id: string) {
  return db.selectFrom('sla_policies').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findCalendars(db: Db) {
  return db.selectFrom('sla_calendars').selectAll().orderBy('name').execute();
}

export async function insertSlaInstances(
  db: Db,
  rows: readonly Insertable<SlaInstancesTable>[],
): Promise<void> {
  if (rows.length > 0)
    await db
      .insertInto('sla_instances')
      .values([...rows])
      .execute();
}

/** Clocks of a lead still waiting for a response: running, or breached and not yet answered. */
export async function findOpenInstancesOfContact(db: Db, contactId: string): Promise<SlaInstanceRow[]> {
  return db
    .selectFrom('sla_instances')
    .selectAll()
    .where('contact_id', '=', contactId)
    .where('status', 'in', ['running', 'breached'])
    .where('responded_at', 'is', null)
    .where('closed_reason', 'is', null)
    .orderBy('started_at')
    .execute();
}

export async function findInstancesOfContact(db: Db, contactId: string): Promise<SlaInstanceRow[]> {
  return db
    .selectFrom('sla_instances')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('started_at')
    .orderBy('id')
    .execute();
}

export async function findInstanceById(db: Db, id: string): Promise<SlaInstanceRow | undefined> {
  return db.selectFrom('sla_instances').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Changes an instance only if it is still where the caller saw it (same next step, still open):
 * of two sweepers taking the same step, one wins and the other changes nothing.
 */
export async function updateInstanceIf(
  db: Db,
  id: string,
  expected: { nextStep: number },
  patch: Partial<Insertable<SlaInstancesTable>>,
): Promise<boolean> {
  const result = await db
    .updateTable('sla_instances')
    .set(patch)
    .where('id', '=', id)
    .where('next_step', '=', expected.nextStep)
    .where('responded_at', 'is', null)
    .where('closed_reason', 'is', null)
    .where('status', 'in', ['running', 'breached'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Each rep's closed clocks started since an instant: how many were measured and how many met. */
export async function countFollowUpRecords(
  db: Db,
  userIds: readonly string[],
  since: Date,
): Promise<Map<string, { measured: number; met: number }>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('sla_instances')
    .select((eb) => [
      'user_id',
      eb.fn.countAll().as('measured'),
      eb.fn.sum(eb.case().when('status', '=', 'met').then(1).else(0).end()).as('met'),
    ])
    .where('user_id', 'in', userIds)
    .where('started_at', '>=', toDbTime(since))
    .where('status', 'in', ['met', 'breached'])
    .groupBy('user_id')
    .execute();
  return new Map(rows.map((r) => [r.user_id!, { measured: Number(r.measured), met: Number(r.met) }]));
}

export async function updatePolicyRow(
  db: Db,
  id: string,
  patch: Partial<Insertable<SlaPoliciesTable>>,
): Promise<void> {
  await db.updateTable('sla_policies').set(patch).where('id', '=', id).execute();
}

export async function findCalendarById(db: Db, id: string) {
  return db.selectFrom('sla_calendars').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertCalendar(db: Db, row: Insertable<SlaCalendarsTable>): Promise<void> {
  await db.insertInto('sla_calendars').values(row).execute();
}

/** What counts in a calendar: policies and Marketing's commitments. */
export async function countCalendarUses(db: Db, id: string) {
  const [policies, commitments] = await Promise.all([
    db
      .selectFrom('sla_policies')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('calendar_id', '=', id)
      .executeTakeFirst(),
    db
      .selectFrom('marketing_commitments')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('calendar_id', '=', id)
      .executeTakeFirst(),
  ]);
  return { policies: Number(policies?.n ?? 0), commitments: Number(commitments?.n ?? 0) };
}

export async function deleteCalendarRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sla_calendars').where('id', '=', id).execute();
}

export async function updateCalendarRow(
  db: Db,
  id: string,
  patch: Partial<Insertable<SlaCalendarsTable>>,
): Promise<void> {
  await db.updateTable('sla_calendars').set(patch).where('id', '=', id).execute();
}

/** Waives a breached clock: the miss no longer counts, and its ladder stops. */
export async function waiveInstance(
  db: Db,
  id: string,
  input: { by: string | null; reason: string; at: string },
): Promise<boolean> {
  const result = await db
    .updateTable('sla_instances')
    .set({
      status: 'waived',
      waived_by: input.by,
      waived_reason: input.reason,
      waived_at: input.at,
      next_check_at: null,
      updated_at: input.at,
    })
    .where('id', '=', id)
    .where('status', '=', 'breached')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The due instances of one sweep batch, earliest first. On PostgreSQL they are locked for the
 * transaction and rows another sweeper holds are skipped, so two processes split the work.
 */
/** The columns the sweep reads of a due clock (not the waiver's or the audit's). */
const dueColumns = [
  'id',
  'contact_id',
  'policy_id',
  'user_id',
  'stage',
  'target',
  'status',
  'level',
  'ladder',
  'next_step',
  'started_at',
  'deadline_at',
  'breached_at',
] as const;
export type DueInstance = Pick<SlaInstanceRow, (typeof dueColumns)[number]> & {
  /** The lead's stage now (null if the lead is gone): a clock whose stage the lead left is closed. */
  contact_stage: string | null;
  /** SQLite: the row's rowid, so that the sweep's update in the same transaction goes straight to it. */
  row?: number;
};

/**
 * A due clock as the SQLite statement below returns it: its rowid, then `dueColumns` in order,
 * then the lead's stage.
 */
type DueRow = [number, ...ValuesOf<typeof dueColumns>, string | null];
type ValuesOf<T extends readonly (keyof DueInstance)[]> = { -readonly [K in keyof T]: DueInstance[T[K]] };

export async function lockDueInstances(
  db: Db,
  sqlite: SqliteStatements | undefined,
  now: Date,
  limit: number,
): Promise<DueInstance[]> {
  if (sqlite) {
    // The sweeper's hot path on SQLite: one prepared statement (the transaction holds the lock),
    // its rows read as arrays: better-sqlite3 builds an object key by key, at twice the cost.
    // The lead's stage by its key in the same statement: no second query over ten thousand ids.
    const rows = sqlite
      .prepare(
        `select rowid, ${dueColumns.join(', ')},
            (select contacts.stage from contacts where contacts.id = sla_instances.contact_id) as contact_stage
          from sla_instances
          where next_check_at is not null and next_check_at <= ?
          order by next_check_at limit ?`,
      )
      .raw(true)
      .all(toDbTime(now), limit) as DueRow[];
    return rows.map((r): DueInstance => ({
      row: r[0],
      id: r[1],
      contact_id: r[2],
      policy_id: r[3],
      user_id: r[4],
      stage: r[5],
      target: r[6],
      status: r[7],
      level: r[8],
      ladder: r[9],
      next_step: r[10],
      started_at: r[11],
      deadline_at: r[12],
      breached_at: r[13],
      contact_stage: r[14],
    }));
  }
  return db
    .selectFrom('sla_instances')
    .select(dueColumns)
    .select((eb) =>
      eb
        .selectFrom('contacts')
        .select('contacts.stage')
        .whereRef('contacts.id', '=', 'sla_instances.contact_id')
        .as('contact_stage'),
    )
    .where('next_check_at', 'is not', null)
    .where('next_check_at', '<=', toDbTime(now))
    .orderBy('next_check_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** What could answer clocks of these leads since an instant: sales activities and people's stage changes. */
export async function findResponsesSince(db: Db, contactIds: readonly string[], since: Date) {
  if (contactIds.length === 0) return { activities: [], decisions: [] };
  const at = toDbTime(since);
  const [activities, decisions] = await Promise.all([
    db
      .selectFrom('touchpoints')
      .select(['contact_id', 'user_id', 'occurred_at'])
      .where(inListSql(db, 'contact_id', contactIds))
      .where('category', '=', 'sales')
      .where('type', 'in', followUpEventTypes)
      .where('user_id', 'is not', null)
      .where('occurred_at', '>=', at)
      .execute(),
    db
      .selectFrom('stage_changes')
      .select(['contact_id', 'from_stage', 'occurred_at'])
      .where(inListSql(db, 'contact_id', contactIds))
      .where('actor_kind', '=', 'user')
      .where('occurred_at', '>=', at)
      .execute(),
  ]);
  return { activities, decisions };
}

export interface InstanceAdvance {
  id: string;
  /** The next step the sweeper saw; the row changes only if it is still that. */
  expectedStep: number;
  nextStep: number;
  nextCheckAt: string | null;
  level: number;
  /** Set on the first breach: the status becomes breached and this is when. */
  breachedAt: string | null;
  updatedAt: string;
  /** SQLite: the rowid the sweep read it under (DueInstance.row). */
  row?: number | undefined;
}

/** Clocks moved per statement on PostgreSQL. */
const advanceChunk = 1_000;

/**
 * Moves many clocks along their ladders by compare-and-set, returning the ids that moved. On
 * SQLite through one prepared statement run per row (the sweeper's hot path); on PostgreSQL a
 * statement per thousand, on rows the sweeper has locked.
 */
export async function advanceInstances(
  db: Db,
  sqlite: SqliteStatements | undefined,
  advances: readonly InstanceAdvance[],
): Promise<Set<string>> {
  const moved = new Set<string>();
  if (sqlite) {
    const set = `update sla_instances set
        next_step = ?, next_check_at = ?, level = ?,
        status = case when ? is not null then 'breached' else status end,
        breached_at = coalesce(breached_at, ?),
        updated_at = ?`;
    const moves = `and next_step = ? and responded_at is null and closed_reason is null
        and status in ('running', 'breached')`;
    // By rowid when the sweep read it (one B-tree lookup instead of two), still only that clock.
    const byRow = sqlite.prepare(`${set} where rowid = ? and id = ? ${moves}`);
    const byId = sqlite.prepare(`${set} where id = ? ${moves}`);
    for (const a of advances) {
      const values = [a.nextStep, a.nextCheckAt, a.level, a.breachedAt, a.breachedAt, a.updatedAt];
      const result =
        a.row === undefined
          ? byId.run(...values, a.id, a.expectedStep)
          : byRow.run(...values, a.row, a.id, a.expectedStep);
      if (result.changes === 1) moved.add(a.id);
    }
    return moved;
  }
  // PostgreSQL: one statement per thousand clocks, the rows the sweeper locked, each moved only
  // under the same conditions as above (and as updateInstanceIf).
  for (let i = 0; i < advances.length; i += advanceChunk) {
    const values = JSON.stringify(
      advances.slice(i, i + advanceChunk).map((a) => ({
        id: a.id,
        expected_step: a.expectedStep,
        next_step: a.nextStep,
        next_check_at: a.nextCheckAt,
        level: a.level,
        breached_at: a.breachedAt,
        updated_at: a.updatedAt,
      })),
    );
    const result = await sql<{ id: string }>`
      update sla_instances i set
        next_step = v.next_step, next_check_at = v.next_check_at, level = v.level,
        status = case when v.breached_at is not null then 'breached' else i.status end,
        breached_at = coalesce(i.breached_at, v.breached_at),
        updated_at = v.updated_at
      from jsonb_to_recordset(cast(${values} as jsonb)) as v(id uuid, expected_step integer, next_step integer,
        next_check_at timestamptz, level integer, breached_at timestamptz, updated_at timestamptz)
      where i.id = v.id and i.next_step = v.expected_step and i.responded_at is null
        and i.closed_reason is null and i.status in ('running', 'breached')
      returning i.id`.execute(db);
    for (const row of result.rows) moved.add(row.id);
  }
  return moved;
}

/** How many clocks of one kind (rep, target, status, level, closing reason) started in a period. */
export interface ClockCount {
  userId: string | null;
  target: string;
  status: string;
  level: number;
  closedReason: string | null;
  clocks: number;
}

const dayMs = 86_400_000;

/**
 * The clocks started in [from, to) (of some reps only), counted per rep, target, status, level and
 * closing reason: whole days (UTC) from the daily aggregate kept by triggers (migration 0044), the
 * hours before the first and after the last whole day from the clocks themselves. The same counts
 * as grouping the period's clocks, in time that follows the days of the period, not its clocks.
 */
export async function countClocksStartedBetween(
  db: Db,
  input: { from: Date; to: Date; userIds: readonly string[] | null },
): Promise<ClockCount[]> {
  if (input.userIds && input.userIds.length === 0) return [];
  const from = input.from.getTime();
  const to = input.to.getTime();
  const firstDay = Math.ceil(from / dayMs) * dayMs;
  const endDay = Math.floor(to / dayMs) * dayMs;
  const whole = firstDay < endDay;
  const edges = whole
    ? [
        [from, firstDay],
        [endDay, to],
      ].filter(([a, b]) => a! < b!)
    : [[from, to]];
  const counted = new Map<string, ClockCount>();
  const add = (row: Omit<ClockCount, 'clocks'> & { clocks: number | string | bigint }) => {
    const clocks = Number(row.clocks);
    if (clocks === 0) return;
    const key = `${row.userId ?? ''}|${row.target}|${row.status}|${Number(row.level)}|${row.closedReason ?? ''}`;
    const seen = counted.get(key);
    if (seen) seen.clocks += clocks;
    else counted.set(key, { ...row, level: Number(row.level), clocks });
  };
  const reads: Promise<void>[] = [];
  if (whole) {
    let days = db
      .selectFrom('sla_clock_days')
      .select((eb) => [
        'user_key',
        'target',
        'status',
        'level',
        'closed_reason',
        eb.fn.sum<number | string>('clocks').as('clocks'),
      ])
      .where('day', '>=', new Date(firstDay).toISOString().slice(0, 10))
      .where('day', '<', new Date(endDay).toISOString().slice(0, 10))
      .groupBy(['user_key', 'target', 'status', 'level', 'closed_reason']);
    if (input.userIds) days = days.where('user_key', 'in', input.userIds);
    reads.push(
      days.execute().then((rows) => {
        for (const r of rows)
          add({
            userId: r.user_key === '' ? null : r.user_key,
            target: r.target,
            status: r.status,
            level: r.level,
            closedReason: r.closed_reason === '' ? null : r.closed_reason,
            clocks: r.clocks,
          });
      }),
    );
  }
  for (const [a, b] of edges) {
    let clocks = db
      .selectFrom('sla_instances')
      .select((eb) => [
        'user_id',
        'target',
        'status',
        'level',
        'closed_reason',
        eb.fn.countAll<number | string>().as('clocks'),
      ])
      .where('started_at', '>=', toDbTime(new Date(a!)))
      .where('started_at', '<', toDbTime(new Date(b!)))
      .groupBy(['user_id', 'target', 'status', 'level', 'closed_reason']);
    if (input.userIds) clocks = clocks.where('user_id', 'in', input.userIds);
    reads.push(
      clocks.execute().then((rows) => {
        for (const r of rows)
          add({
            userId: r.user_id,
            target: r.target,
            status: r.status,
            level: r.level,
            closedReason: r.closed_reason,
            clocks: r.clocks,
          });
      }),
    );
  }
  await Promise.all(reads);
  return [...counted.values()];
}

/** Speed to lead of one group of clocks, summed by the database (see {@link summariseSpeedToLead}). */
export interface SpeedSummary {
  leads: number;
  touched: number;
  medianMs: number | null;
  p90Ms: number | null;
  /** Answered leads that waited at most each bucket's bound (cumulative), in the order of `bounds`. */
  atMost: number[];
}

/**
 * Speed to lead of the handovers in [from, to) (of some reps only), summed by the database for the
 * whole set and for each group (a rep, a team: the clocks of its reps), as the metric catalogue
 * defines it: per lead and stay (its handover), from the start of its first first-response clock
 * to the earliest response that stopped one of them (leadWaits), then how many handovers, how many
 * answered, the nearest-rank median and P90 and how many waited at most each bound (speedToLead).
 * No clock is read, and none crosses into JavaScript: a year's report has a million.
 * - Everyone's (no filter of reps): the period's kept rows of lead_speeds (0053), one per handover.
 * - A rep's (a group of one): their kept rows of rep_speeds (0059), one per handover they had a
 *   first-response clock in.
 * - A larger group's (a team), or everyone's among some reps: per handover, the earliest start and
 *   response over the members' rows of rep_speeds, ranked in one statement.
 * The counts come from kept days and rows ({@link countKeptSpeeds}); a median is then the k-th wait
 * of the period, one ordered read ({@link nthWait}).
 */
export async function summariseSpeedToLead(
  db: Db,
  input: {
    from: Date;
    to: Date;
    userIds: readonly string[] | null;
    groups: ReadonlyMap<string, readonly string[]>;
    /**
     * Groups that are whole teams (key → team id), read from the team's kept rows: all of its
     * members' handovers. Only for everyone in view (userIds null); otherwise each group is its
     * members in view.
     */
    teams?: ReadonlyMap<string, string>;
    bounds: readonly number[];
  },
): Promise<Map<string, SpeedSummary>> {
  const result = new Map<string, SpeedSummary>();
  if (input.userIds && input.userIds.length === 0) return result;
  const teams = new Map<string, string[]>();
  for (const [key, teamId] of input.userIds === null ? (input.teams ?? []) : [])
    if (input.groups.has(key)) teams.set(teamId, [...(teams.get(teamId) ?? []), key]);
  const inView = (ids: readonly string[]) =>
    input.userIds === null ? [...ids] : ids.filter((id) => input.userIds!.includes(id));
  const period = { from: toDbTime(input.from), to: toDbTime(input.to), bounds: input.bounds };
  // A group of one rep (each rep's own figures) reads that rep's rows, once for all its keys.
  const singles = new Map<string, string[]>();
  const larger = new Map<string, string[]>();
  for (const [key, ids] of input.groups) {
    if (input.userIds === null && input.teams?.has(key)) continue;
    const members = inView(ids);
    if (ids.length === 1 && members.length === 1)
      singles.set(members[0]!, [...(singles.get(members[0]!) ?? []), key]);
    else if (ids.length > 1 && members.length > 0) larger.set(key, members);
  }
  if (input.userIds !== null) larger.set('', [...input.userIds]);
  // Teams are read only with everyone's figures (userIds null).
  const byWait = input.userIds === null || singles.size > 0 ? await readsWaitsInOrder(db, period) : false;
  /** Each kept summary under the keys that asked for it. */
  const under = (keys: ReadonlyMap<string, readonly string[]>) => (s: Map<string, SpeedSummary>) => {
    for (const [id, summary] of s) for (const key of keys.get(id) ?? []) result.set(key, summary);
  };
  await Promise.all([
    input.userIds === null
      ? keptSpeeds(db, { ...period, kind: 'everyone', ids: [''], byWait }).then(under(new Map([['', ['']]])))
      : null,
    singles.size > 0
      ? keptSpeeds(db, { ...period, kind: 'rep', ids: [...singles.keys()], byWait }).then(under(singles))
      : null,
    teams.size > 0
      ? keptSpeeds(db, { ...period, kind: 'team', ids: [...teams.keys()], byWait }).then(under(teams))
      : null,
    larger.size > 0
      ? groupSpeeds(db, { ...period, groups: larger }).then((s) => {
          for (const [key, summary] of s) result.set(key, summary);
        })
      : null,
  ]);
  return result;
}

interface SpeedPeriod {
  /** As stored (toDbTime). */
  from: string | Date;
  to: string | Date;
  bounds: readonly number[];
}

/**
 * Whether a period's k-th wait is best found by reading the waits in order (0059's indexes by
 * wait) and skipping those of other periods, rather than by sorting the period's own. Reading in
 * order costs about the rows of all time, sorting about five times the period's: so a period that
 * holds a tenth or more of the handovers' span (from the first to the last) reads in order. At
 * full size, for each rep's median and P90 on SQLite: a week 5 ms sorted against 129 ms in order, a
 * year 65 ms in order against 217 ms sorted.
 */
async function readsWaitsInOrder(db: Db, period: SpeedPeriod): Promise<boolean> {
  const span = await sql<{ first: Date | string | null; last: Date | string | null }>`
    select (select min(stay_started_at) from lead_speeds) as first,
      (select max(stay_started_at) from lead_speeds) as last`.execute(db);
  const { first, last } = span.rows[0] ?? { first: null, last: null };
  if (first === null || last === null) return false;
  const [a, b] = [fromDbTime(first).getTime(), fromDbTime(last).getTime()];
  const [from, to] = [fromDbTime(period.from).getTime(), fromDbTime(period.to).getTime()];
  const overlap = Math.min(to, b + 1) - Math.max(from, a);
  return overlap > 0 && overlap * 10 >= b + 1 - a;
}

/** Where each kind of kept speed to lead is: its rows, its days and the column of its ids. */
const keptTables = {
  everyone: { rows: 'lead_speeds', days: null, id: null },
  rep: { rows: 'rep_speeds', days: 'rep_speed_days', id: 'user_id' },
  team: { rows: 'team_speeds', days: 'team_speed_days', id: 'team_id' },
} as const;
type KeptKind = keyof typeof keptTables;

/**
 * Speed to lead from kept rows: everyone's from lead_speeds (under ''), each rep's from rep_speeds
 * or each team's from team_speeds (under their id). The counts first, then each median and P90 is
 * one ordered read (see {@link nthWait}).
 */
async function keptSpeeds(
  db: Db,
  input: SpeedPeriod & { kind: KeptKind; ids: readonly string[]; byWait: boolean },
): Promise<Map<string, SpeedSummary>> {
  const counts = await countKeptSpeeds(db, input);
  const result = new Map<string, SpeedSummary>();
  await Promise.all(
    [...counts].map(async ([id, count]) => {
      const at = (rank: number) => nthWait(db, { ...input, id, rank, of: count.touched });
      const [median, p90] =
        count.touched === 0
          ? [null, null]
          : await Promise.all([at(medianRank(count.touched)), at(p90Rank(count.touched))]);
      result.set(id, { ...count, medianMs: median, p90Ms: p90 });
    }),
  );
  return result;
}

/**
 * The bounds of rep_speed_days' bands (migration 0060): the metric catalogue's at that migration.
 * Each rep's counts are read by day only for these bounds.
 */
export const KEPT_SPEED_BOUNDS_MS: readonly number[] = [5, 15, 60, 240, 1440].map(
  (minutes) => minutes * 60_000,
);

type SpeedCount = Pick<SpeedSummary, 'leads' | 'touched' | 'atMost'>;

/**
 * The period's handovers, answered ones and those within each bound: everyone's from lead_speeds
 * (under ''), each rep's or team's (under its id) from rep_speeds or team_speeds. A rep's or team's
 * whole days (UTC) come from its kept days (0060, 0062) and only the hours at the period's edges
 * from the rows themselves, as the clocks' counts do ({@link countClocksStartedBetween}).
 */
async function countKeptSpeeds(
  db: Db,
  input: SpeedPeriod & { kind: KeptKind; ids: readonly string[] },
): Promise<Map<string, SpeedCount>> {
  const kept = keptTables[input.kind];
  const from = fromDbTime(input.from).getTime();
  const to = fromDbTime(input.to).getTime();
  const firstDay = Math.ceil(from / dayMs) * dayMs;
  const endDay = Math.floor(to / dayMs) * dayMs;
  const byDay =
    kept.days !== null &&
    firstDay < endDay &&
    input.bounds.length === KEPT_SPEED_BOUNDS_MS.length &&
    input.bounds.every((b, i) => b === KEPT_SPEED_BOUNDS_MS[i]);
  const counted = new Map<string, SpeedCount>();
  const add = (k: string, leads: number, touched: number, atMost: number[]) => {
    if (leads === 0) return;
    const seen = counted.get(k);
    if (!seen) counted.set(k, { leads, touched, atMost });
    else {
      seen.leads += leads;
      seen.touched += touched;
      atMost.forEach((n, i) => (seen.atMost[i]! += n));
    }
  };
  const ranges = byDay
    ? [
        [from, firstDay],
        [endDay, to],
      ].filter(([a, b]) => a! < b!)
    : [[from, to]];
  const reads: Promise<void>[] = ranges.map(async ([a, b]) => {
    const rows = await sql<{
      k: string;
      leads: number | string;
      touched: number | string;
      [bound: `b${number}`]: number | string;
    }>`
      select ${kept.id ? sql`cast(${sql.ref(kept.id)} as text)` : sql`''`} as k, count(*) as leads, count(wait_ms) as touched
        ${sql.join(
          input.bounds.map(
            (bound, i) =>
              sql`, sum(case when wait_ms <= ${sql.lit(bound)} then 1 else 0 end) as ${sql.ref(`b${i}`)}`,
          ),
          sql``,
        )}
      from ${sql.table(kept.rows)}
      where stay_started_at >= ${toDbTime(new Date(a!))} and stay_started_at < ${toDbTime(new Date(b!))}
        ${kept.id ? sql`and ${inListSql(db, kept.id, input.ids)}` : sql``}
      ${kept.id ? sql`group by ${sql.ref(kept.id)}` : sql``}`.execute(db);
    for (const r of rows.rows)
      add(
        r.k,
        Number(r.leads),
        Number(r.touched),
        input.bounds.map((_, i) => Number(r[`b${i}`] ?? 0)),
      );
  });
  if (byDay && kept.days && kept.id)
    reads.push(
      (async () => {
        const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
        const rows = await sql<{ k: string; band: number | string; handovers: number | string }>`
          select cast(${sql.ref(kept.id)} as text) as k, band, sum(handovers) as handovers
          from ${sql.table(kept.days)}
          where day >= ${day(firstDay)} and day < ${day(endDay)} and ${inListSql(db, kept.id, input.ids)}
          group by ${sql.ref(kept.id)}, band`.execute(db);
        for (const r of rows.rows) {
          const n = Number(r.handovers);
          const band = Number(r.band);
          add(
            r.k,
            n,
            band >= 0 ? n : 0,
            input.bounds.map((_, i) => (band >= 0 && band <= i ? n : 0)),
          );
        }
      })(),
    );
  await Promise.all(reads);
  return counted;
}

/** The nearest ranks of the catalogue: the ⌈t/2⌉th and the ⌈9t/10⌉th shortest of t answered waits. */
const medianRank = (touched: number) => Math.floor((touched + 1) / 2);
const p90Rank = (touched: number) => Math.floor((9 * touched + 9) / 10);

/**
 * The rank-th shortest of the `of` answered waits of a period, everyone's (lead_speeds) or a rep's
 * (rep_speeds): from the shortest for a rank in the lower half, else from the longest (a P90 is
 * near that end). Either in wait order from the index by wait, skipping the waits of other stays,
 * or from the period's rows by stay through a bounded sort (`limit 1 offset` keeps that many).
 * SQLite is told which (its planner cannot weigh a period against all time); PostgreSQL weighs it
 * itself.
 */
async function nthWait(
  db: Db,
  input: SpeedPeriod & { kind: KeptKind; id: string; rank: number; of: number; byWait: boolean },
): Promise<number | null> {
  const { rows: table, id: column } = keptTables[input.kind];
  const fromLongest = input.rank > input.of / 2;
  const hint =
    dialectOf(db) === 'postgres'
      ? sql``
      : input.byWait
        ? indexedBySql(db, `${table}_wait_idx`)
        : sql`not indexed`;
  const row = await sql<{ wait_ms: number | string }>`
    select wait_ms from ${sql.table(table)} ${hint}
    where ${column === null ? sql`` : sql`${sql.ref(column)} = ${input.id} and `}wait_ms is not null
      and stay_started_at >= ${input.from} and stay_started_at < ${input.to}
    order by wait_ms ${fromLongest ? sql`desc` : sql``}
    limit 1 offset ${fromLongest ? input.of - input.rank : input.rank - 1}`.execute(db);
  const wait = row.rows[0]?.wait_ms;
  return wait === undefined ? null : Number(wait);
}

/**
 * Speed to lead of larger groups (a team; everyone among some reps): per group and handover, the
 * earliest start and response over its members' kept rows (rep_speeds), each group in one
 * statement of its own.
 */
async function groupSpeeds(
  db: Db,
  input: SpeedPeriod & { groups: ReadonlyMap<string, readonly string[]> },
): Promise<Map<string, SpeedSummary>> {
  const result = new Map<string, SpeedSummary>();
  await Promise.all(
    [...input.groups].map(async ([key, members]) => {
      const summary = await groupSpeed(db, { ...input, members });
      if (summary) result.set(key, summary);
    }),
  );
  return result;
}

/**
 * One group's speed to lead: its members' rows of the period in handover order (0061's index), so
 * the earliest start and response of each handover stream without a sort; then the counts and
 * one sort of the answered waits for the nearest ranks.
 */
async function groupSpeed(
  db: Db,
  input: SpeedPeriod & { members: readonly string[] },
): Promise<SpeedSummary | null> {
  const rows = await withSortMemory(db, (conn) =>
    sql<{
      leads: number | string;
      touched: number | string;
      median: number | string | null;
      p90: number | string | null;
      [bound: `b${number}`]: number | string;
    }>`
    with w as (
      select ${waitOf('min(started_ms)', 'min(responded_ms)')} as wait
      from rep_speeds ${indexedBySql(db, 'rep_speeds_handover_idx')}
      where stay_started_at >= ${input.from} and stay_started_at < ${input.to}
        and ${inListSql(db, 'user_id', input.members)}
      group by stay_started_at, contact_id
    ),
    counts as (
      select count(*) as leads, count(wait) as touched
        ${sql.join(
          input.bounds.map(
            (b, i) => sql`, sum(case when wait <= ${sql.lit(b)} then 1 else 0 end) as ${sql.ref(`b${i}`)}`,
          ),
          sql``,
        )}
      from w
    ),
    ranked as (select wait, row_number() over (order by wait) as n from w where wait is not null),
    -- The ⌈t/2⌉th and the ⌈9t/10⌉th shortest of the t answered waits: the nearest ranks, in one pass.
    picked as (
      select max(case when n = (t.touched + 1) / 2 then wait end) as median,
        max(case when n = (9 * t.touched + 9) / 10 then wait end) as p90
      from ranked cross join counts t
      where n = (t.touched + 1) / 2 or n = (9 * t.touched + 9) / 10
    )
    select counts.*, picked.median, picked.p90 from counts cross join picked`.execute(conn),
  );
  const r = rows.rows[0];
  if (!r || Number(r.leads) === 0) return null;
  return {
    leads: Number(r.leads),
    touched: Number(r.touched),
    medianMs: r.median === null ? null : Number(r.median),
    p90Ms: r.p90 === null ? null : Number(r.p90),
    atMost: input.bounds.map((_, i) => Number(r[`b${i}`] ?? 0)),
  };
}

/** A handover's wait from its first start and earliest response (epoch ms): none before the start. */
const waitOf = (start: string, response: string) =>
  sql.raw(
    `case when ${response} is null then null when ${response} < ${start} then 0 else ${response} - ${start} end`,
  );

/**
 * The clocks still waiting for a response (of some reps only), soonest deadline first, with the
 * lead, its company and its rep: the rep's queue and the manager's board (through the open index).
 * The rep's name and the policy's calendar are looked up per clock rather than joined: with five
 * relations PostgreSQL spent longer planning the rep's queue (0.6 ms) than running it (0.26 ms),
 * and the queue was the largest share of its CPU in the scale-out benchmark; planned this way, 0.25 ms.
 */
export async function findOpenInstances(
  db: Db,
  input: { userIds: readonly string[] | null; breachedOnly: boolean; limit: number },
) {
  if (input.userIds && input.userIds.length === 0) return [];
  let query = db
    .selectFrom('sla_instances as i')
    .innerJoin('contacts as c', 'c.id', 'i.contact_id')
    .leftJoin('accounts as a', 'a.id', 'c.account_id')
    .selectAll('i')
    .select((eb) => [
      'c.first_name',
      'c.last_name',
      'c.email',
      'c.stage as contact_stage',
      'a.name as company',
      eb.selectFrom('users as u').select('u.name').whereRef('u.id', '=', 'i.user_id').as('rep_name'),
      // A clock's policy always exists (its key restricts deleting one).
      eb
        .selectFrom('sla_policies as p')
        .select('p.calendar_id')
        .whereRef('p.id', '=', 'i.policy_id')
        .as('calendar_id'),
    ])
    // Literal, term for term as the open indexes' WHERE (0010, 0043): SQLite uses a partial index
    // only when the query repeats its terms, and `status in (?, ?)` with bound values does not.
    // Without it a director's board sorted every open clock: 1.4 s over 2M clocks.
    .where(
      sql<boolean>`i.status in ('running', 'breached') and i.responded_at is null and i.closed_reason is null`,
    );
  if (input.breachedOnly) query = query.where('i.status', '=', 'breached');
  if (input.userIds) query = query.where('i.user_id', 'in', input.userIds);
  return query.orderBy('i.deadline_at').orderBy('i.id').limit(input.limit).execute();
}
