import type { Db } from '../../db/database.ts';
import { containsPattern, fromDbTime, inListSql, likeSql, toDbTime } from '../../db/dialect.ts';
import type { Insertable } from 'kysely';
import type { NewUserRow, UserAbsencesTable, UserRow, UserUpdate } from '../../db/tables.ts';

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export interface UserFilter {
  role?: string;
  isActive?: boolean;
  teamId?: string;
  q?: string;
}

/** Newest first; `beforeId` is the cursor. Fetches `limit` rows. */
export async function findUsers(
  db: Db,
  filter: UserFilter,
  limit: number,
  beforeId?: string,
): Promise<UserRow[]> {
  let query = db.selectFrom('users').selectAll();
  if (filter.role) query = query.where('role', '=', filter.role);
  if (filter.isActive !== undefined) query = query.where('is_active', '=', filter.isActive);
  if (filter.teamId) {
    const teamId = filter.teamId;
    query = query.where('id', 'in', (sub) =>
      sub.selectFrom('team_members').select('user_id').where('team_id', '=', teamId),
    );
  }
  if (filter.q) {
    const pattern = containsPattern(filter.q);
    query = query.where((eb) =>
      eb.or([likeSql(eb.fn('lower', ['name']), pattern), likeSql(eb.fn('lower', ['email']), pattern)]),
    );
  }
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** The company's language and time zone: what a new user starts with. */
export async function findCompanyDefaults(db: Db) {
  return db
    .selectFrom('company_settings')
    .select(['language', 'time_zone'])
    .where('id', '=', 1)
    .executeTakeFirst();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(db: Db, row: NewUserRow): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function updateUserRow(db: Db, id: string, patch: UserUpdate): Promise<void> {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
}

/** Team ids per user, for presenting users. */
export async function findTeamIdsByUsers(db: Db, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return result;
  const rows = await db
    .selectFrom('team_members')
    .select(['user_id', 'team_id'])
    .where('user_id', 'in', userIds)
    .orderBy('team_id')
    .execute();
  for (const row of rows) result.get(row.user_id)?.push(row.team_id);
  return result;
}

/** The chain of managers above a user, nearest first. Stops at a loop or after 50 levels. */
export async function findManagerChain(db: Db, userId: string): Promise<string[]> {
  const chain: string[] = [];
  let current: string | null = userId;
  while (current && chain.length < 50) {
    const row: { manager_id: string | null } | undefined = await db
      .selectFrom('users')
      .select('manager_id')
      .where('id', '=', current)
      .executeTakeFirst();
    const next: string | null = row?.manager_id ?? null;
    if (!next || chain.includes(next) || next === userId) break;
    chain.push(next);
    current = next;
  }
  return chain;
}

/** Users a manager is responsible for: direct reports and members of the teams they manage. */
export async function findManagedUserIds(db: Db, managerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('manager_id', '=', managerId),
        eb(
          'id',
          'in',
          eb
            .selectFrom('team_members')
            .innerJoin('teams', 'teams.id', 'team_members.team_id')
            .select('team_members.user_id')
            .where('teams.manager_id', '=', managerId),
        ),
      ]),
    )
    .execute();
  return rows.map((r) => r.id).filter((id) => id !== managerId);
}

export async function insertAbsence(db: Db, row: Insertable<UserAbsencesTable>): Promise<void> {
  await db.insertInto('user_absences').values(row).execute();
}

/** For each of these people absent now, the end of their absence (the latest, when several overlap). */
export async function findAbsentUntil(
  db: Db,
  userIds: readonly string[],
  now: Date,
): Promise<Map<string, Date>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('user_absences')
    .select(['user_id', 'ends_at'])
    .where('user_id', 'in', [...userIds])
    .where('starts_at', '<=', toDbTime(now))
    .where('ends_at', '>', toDbTime(now))
    .execute();
  const until = new Map<string, Date>();
  for (const row of rows) {
    const end = fromDbTime(row.ends_at);
    const known = until.get(row.user_id);
    if (!known || end > known) until.set(row.user_id, end);
  }
  return until;
}

export async function findAbsences(db: Db, userId: string) {
  return db
    .selectFrom('user_absences')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('starts_at')
    .execute();
}

/** The active people who manage any of these users: their own managers and their teams' managers. */
export async function findActiveManagersOf(db: Db, userIds: readonly string[]): Promise<UserRow[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('users')
    .selectAll()
    .where('is_active', '=', true)
    .where((eb) =>
      eb.or([
        eb(
          'id',
          'in',
          eb
            .selectFrom('users as u')
            .select('u.manager_id')
            .where('u.id', 'in', userIds)
            .where('u.manager_id', 'is not', null),
        ),
        eb(
          'id',
          'in',
          eb
            .selectFrom('team_members')
            .innerJoin('teams', 'teams.id', 'team_members.team_id')
            .select('teams.manager_id')
            .where('team_members.user_id', 'in', userIds)
            .where('teams.manager_id', 'is not', null),
        ),
      ]),
    )
    .orderBy('id')
    .execute();
}

/** Active users with one of these roles, oldest first. */
export async function findActiveUsersByRole(db: Db, roles: readonly string[]): Promise<UserRow[]> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('is_active', '=', true)
    .where('role', 'in', roles)
    .orderBy('id')
    .execute();
}

/**
 * The heads of Marketing: the active marketing users no other active marketing user manages (Baton
 * keeps no separate "head of" role; the top of the marketing chain is it).
 */
export async function findHeadsOfMarketing(db: Db): Promise<UserRow[]> {
  const marketers = await findActiveUsersByRole(db, ['marketing']);
  const ids = new Set(marketers.map((u) => u.id));
  return marketers.filter((u) => !u.manager_id || !ids.has(u.manager_id));
}

export async function findUsersByIds(db: Db, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('users')
    .selectAll()
    .where(inListSql(db, 'id', ids))
    .execute();
}
