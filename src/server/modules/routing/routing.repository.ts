import { sql, type Insertable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { AssignmentsTable, RoutingPoolMembersTable, RoutingPoolsTable } from '../../db/tables.ts';
import { readJson } from '../../db/json-column.ts';
import { WorkingHours } from '../../../contract/users.ts';

export async function findRoutingSettings(db: Db) {
  const row = await db
    .selectFrom('routing_settings')
    .selectAll()
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return {
    ownershipFirst: fromDbBool(row.is_ownership_first),
    fallbackPoolId: row.fallback_pool_id,
    skipRejectingRep: fromDbBool(row.is_rejecter_skipped),
  };
}

/**
 * The rep who sent this lead back, when the last decision on it as an MQL was a rejection by a
 * person; null when it was accepted since, or never rejected.
 */
export async function findLatestRejecter(db: Db, contactId: string): Promise<string | null> {
  const row = await db
    .selectFrom('stage_changes')
    .select(['to_stage', 'actor_kind', 'actor_id'])
    .where('contact_id', '=', contactId)
    .where('from_stage', '=', 'mql')
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row || row.actor_kind !== 'user') return null;
  return row.to_stage === 'recycled' || row.to_stage === 'disqualified' ? row.actor_id : null;
}

export async function updateRoutingSettings(
  db: Db,
  patch: { is_ownership_first?: boolean; fallback_pool_id?: string | null; is_rejecter_skipped?: boolean },
  at: Date,
): Promise<void> {
  await db
    .updateTable('routing_settings')
    .set({ ...patch, updated_at: toDbTime(at) })
    .where('id', '=', 1)
    .execute();
}

export async function findPools(db: Db) {
  return db.selectFrom('routing_pools').selectAll().orderBy('name').execute();
}

export async function findPoolById(db: Db, id: string) {
  return db.selectFrom('routing_pools').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPoolMembers(db: Db, poolIds: readonly string[]) {
  if (poolIds.length === 0) return [];
  return db
    .selectFrom('routing_pool_members')
    .selectAll()
    .where('pool_id', 'in', poolIds)
    .orderBy('pool_id')
    .orderBy('position')
    .execute();
}

export async function insertPool(db: Db, row: Insertable<RoutingPoolsTable>): Promise<void> {
  await db.insertInto('routing_pools').values(row).execute();
}

export async function updatePoolRow(
  db: Db,
  id: string,
  patch: Partial<
    Pick<Insertable<RoutingPoolsTable>, 'name' | 'strategy' | 'is_performance_aware' | 'updated_at'>
  >,
): Promise<void> {
  await db.updateTable('routing_pools').set(patch).where('id', '=', id).execute();
}

/** Members change as a whole; a rep who stays keeps when they joined (new reps are not flooded). */
export async function replacePoolMembers(
  db: Db,
  poolId: string,
  members: readonly Omit<Insertable<RoutingPoolMembersTable>, 'pool_id' | 'joined_at'>[],
  at: Date,
): Promise<void> {
  const existing = new Map(
    (
      await db
        .selectFrom('routing_pool_members')
        .select(['user_id', 'joined_at'])
        .where('pool_id', '=', poolId)
        .execute()
    ).map((m) => [m.user_id, m.joined_at]),
  );
  await db.deleteFrom('routing_pool_members').where('pool_id', '=', poolId).execute();
  if (members.length === 0) return;
  await db
    .insertInto('routing_pool_members')
    .values(
      members.map((m) => ({
        ...m,
        pool_id: poolId,
        joined_at: existing.has(m.user_id) ? toDbTime(fromDbTime(existing.get(m.user_id)!)) : toDbTime(at),
      })),
    )
    .execute();
}

/** Saves a pool's turn, only if no other decision moved it since it was read. */
export async function advancePoolTurn(
  db: Db,
  poolId: string,
  from: { lastUserId: string | null; turnState: string },
  to: { lastUserId: string | null; turnState: string },
): Promise<boolean> {
  const result = await db
    .updateTable('routing_pools')
    .set({ last_user_id: to.lastUserId, turn_state: to.turnState })
    .where('id', '=', poolId)
    .where((eb) =>
      from.lastUserId === null ? eb('last_user_id', 'is', null) : eb('last_user_id', '=', from.lastUserId),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The latest leads to become an MQL or go further: what the rule builder's preview tries. */
export async function findRecentLeads(db: Db, limit: number) {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('stage', 'in', ['mql', 'sal', 'sql', 'opportunity', 'customer'])
    .where('anonymised_at', 'is', null)
    .orderBy('stage_entered_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** What sends leads to a pool: rules, and the fallback setting. */
export async function countPoolUses(db: Db, poolId: string) {
  const rules = await db
    .selectFrom('routing_rules')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('target_pool_id', '=', poolId)
    .executeTakeFirst();
  const settings = await db.selectFrom('routing_settings').select('fallback_pool_id').executeTakeFirst();
  return { rules: Number(rules?.n ?? 0), fallback: settings?.fallback_pool_id === poolId };
}

export async function deletePoolRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('routing_pool_members').where('pool_id', '=', id).execute();
  await db.deleteFrom('routing_pools').where('id', '=', id).execute();
}

export async function findRules(db: Db) {
  return db.selectFrom('routing_rules').selectAll().orderBy('position').execute();
}

export async function replaceRules(
  db: Db,
  rules: readonly {
    id: string;
    name: string;
    conditions: string;
    target_pool_id: string | null;
    target_user_id: string | null;
  }[],
  at: Date,
): Promise<void> {
  await db.deleteFrom('routing_rules').execute();
  if (rules.length === 0) return;
  await db
    .insertInto('routing_rules')
    .values(
      rules.map((r, position) => ({ ...r, position, created_at: toDbTime(at), updated_at: toDbTime(at) })),
    )
    .execute();
}

/** The people routing may choose from: active flag, time zone, working hours, and absences now. */
export async function findRoutingPeople(db: Db, userIds: readonly string[], at: Date) {
  if (userIds.length === 0)
    return new Map<
      string,
      { isActive: boolean; timeZone: string; workingHours: unknown; isAbsent: boolean }
    >();
  const [users, absent] = await Promise.all([
    db
      .selectFrom('users')
      .select(['id', 'is_active', 'time_zone', 'working_hours'])
      .where('id', 'in', userIds)
      .execute(),
    db
      .selectFrom('user_absences')
      .select('user_id')
      .where('user_id', 'in', userIds)
      .where('starts_at', '<=', toDbTime(at))
      .where('ends_at', '>', toDbTime(at))
      .execute(),
  ]);
  const away = new Set(absent.map((a) => a.user_id));
  return new Map(
    users.map((u) => [
      u.id,
      {
        isActive: fromDbBool(u.is_active),
        timeZone: u.time_zone,
        workingHours: readJson(WorkingHours, u.working_hours, 'users.working_hours'),
        isAbsent: away.has(u.id),
      },
    ]),
  );
}

/** Leads each rep got since three instants (their day, their week, the balancing period). */
export async function countAssignments(
  db: Db,
  userIds: readonly string[],
  since: { day: Date; week: Date; period: Date },
): Promise<Map<string, { today: number; thisWeek: number; inPeriod: number }>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('assignments')
    .select((eb) => [
      'user_id',
      eb.fn.countAll().as('in_period'),
      eb.fn.sum(eb.case().when('assigned_at', '>=', toDbTime(since.day)).then(1).else(0).end()).as('today'),
      eb.fn
        .sum(eb.case().when('assigned_at', '>=', toDbTime(since.week)).then(1).else(0).end())
        .as('this_week'),
    ])
    .where('user_id', 'in', userIds)
    .where('assigned_at', '>=', toDbTime(since.period))
    .groupBy('user_id')
    .execute();
  return new Map(
    rows.map((r) => [
      r.user_id!,
      { today: Number(r.today), thisWeek: Number(r.this_week), inPeriod: Number(r.in_period) },
    ]),
  );
}

export async function insertAssignment(db: Db, row: Insertable<AssignmentsTable>): Promise<void> {
  await db.insertInto('assignments').values(row).execute();
}

export async function findAssignmentsOfContact(db: Db, contactId: string) {
  return db
    .selectFrom('assignments')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('assigned_at')
    .orderBy('id')
    .execute();
}

/**
 * The unassigned queue: leads whose latest decision found no one, and who have not moved on since.
 * `forRetry` is the automatic retry's view: without the leads held for a person (they wait for a
 * manager), tried longest ago first, so that a long queue is worked through in turns.
 */
export async function findUnassigned(db: Db, limit: number, options: { forRetry?: boolean } = {}) {
  return (
    db
      .selectFrom('assignments as a')
      .innerJoin('contacts as c', 'c.id', 'a.contact_id')
      .leftJoin('accounts as acc', 'acc.id', 'c.account_id')
      .selectAll('a')
      .select(['c.first_name', 'c.last_name', 'c.email', 'c.stage as contact_stage', 'acc.name as company'])
      .where('a.kind', '=', 'unassigned')
      // Only the decisions no later one replaced (migration 0066): the queue's index holds just these.
      .where('a.queue_closed_at', 'is', null)
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
      .$if(options.forRetry === true, (q) =>
        q
          .where('c.needs_review', '=', false)
          .orderBy(sql`coalesce(a.retried_at, a.assigned_at)`)
          .orderBy('a.id'),
      )
      .$if(options.forRetry !== true, (q) => q.orderBy('a.assigned_at'))
      .limit(limit)
      .execute()
  );
}

/** The queue tried a lead again and still found no one: it goes to the back of the turn. */
export async function markQueueRetried(db: Db, assignmentId: string, at: Date): Promise<void> {
  await db
    .updateTable('assignments')
    .set({ retried_at: toDbTime(at) })
    .where('id', '=', assignmentId)
    .execute();
}

/** MQLs with no routing decision since they entered `mql` (a crash between the two, for one). */
export async function findWaitingMqls(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('contacts as c')
    .select('c.id')
    .where('c.stage', '=', 'mql')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('assignments as a')
            .select('a.id')
            .whereRef('a.contact_id', '=', 'c.id')
            .whereRef('a.assigned_at', '>=', 'c.stage_entered_at'),
        ),
      ),
    )
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
