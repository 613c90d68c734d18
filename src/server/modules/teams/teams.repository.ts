import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import type { NewTeamRow, TeamRow } from '../../db/tables.ts';

export async function findTeamById(db: Db, id: string): Promise<TeamRow | undefined> {
  return db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findTeams(db: Db): Promise<TeamRow[]> {
  return db.selectFrom('teams').selectAll().orderBy('name').execute();
}

export async function insertTeam(db: Db, row: NewTeamRow): Promise<void> {
  await db.insertInto('teams').values(row).execute();
}

export async function updateTeamRow(
  db: Db,
  id: string,
  patch: { name?: string; manager_id?: string | null; updated_at: string },
): Promise<void> {
  await db.updateTable('teams').set(patch).where('id', '=', id).execute();
}

export async function deleteTeamRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('teams').where('id', '=', id).execute();
}

export async function findMemberIdsByTeams(
  db: Db,
  teamIds: readonly string[],
): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(teamIds.map((id) => [id, []]));
  if (teamIds.length === 0) return result;
  const rows = await db
    .selectFrom('team_members')
    .select(['team_id', 'user_id'])
    .where('team_id', 'in', teamIds)
    .orderBy('user_id')
    .execute();
  for (const row of rows) result.get(row.team_id)?.push(row.user_id);
  return result;
}

export async function replaceTeamMembers(
  db: Db,
  teamId: string,
  userIds: readonly string[],
  at: Date,
): Promise<void> {
  await db.deleteFrom('team_members').where('team_id', '=', teamId).execute();
  if (userIds.length === 0) return;
  await db
    .insertInto('team_members')
    .values(userIds.map((userId) => ({ team_id: teamId, user_id: userId, created_at: toDbTime(at) })))
    .execute();
}

export async function countExistingUsers(db: Db, userIds: readonly string[]): Promise<number> {
  if (userIds.length === 0) return 0;
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('id', 'in', userIds)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
