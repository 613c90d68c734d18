import type { Selectable } from 'kysely';
import { AlertRoutes as AlertRoutesSchema, type AlertRoutes } from '../../../contract/alerts.ts';
import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import { readJson } from '../../db/json-column.ts';
import type { AlertChannelsTable } from '../../db/tables.ts';

export type AlertChannelRow = Selectable<AlertChannelsTable>;

/** The stored routes of a channel row, checked against the contract. */
export const routesOf = (row: AlertChannelRow): AlertRoutes =>
  readJson(AlertRoutesSchema, row.routes, 'alert_channels.routes');

export async function findAlertChannelOf(
  db: Db,
  owner: { userId: string } | { teamId: string },
): Promise<AlertChannelRow | undefined> {
  const query = db.selectFrom('alert_channels').selectAll();
  return (
    'userId' in owner ? query.where('user_id', '=', owner.userId) : query.where('team_id', '=', owner.teamId)
  ).executeTakeFirst();
}

export async function findAlertChannelById(db: Db, id: string): Promise<AlertChannelRow | undefined> {
  return db.selectFrom('alert_channels').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The alert channels that concern these people: each one's own, and those of every team they
 * belong to (with the member each team row was found for).
 */
export async function findAlertChannelsFor(
  db: Db,
  userIds: readonly string[],
): Promise<{
  own: AlertChannelRow[];
  teams: (AlertChannelRow & { member_id: string; team_name: string })[];
}> {
  if (userIds.length === 0) return { own: [], teams: [] };
  const ids = [...new Set(userIds)];
  const [own, teams] = await Promise.all([
    db.selectFrom('alert_channels').selectAll().where('user_id', 'in', ids).execute(),
    db
      .selectFrom('team_members as tm')
      .innerJoin('alert_channels as ac', 'ac.team_id', 'tm.team_id')
      .innerJoin('teams as t', 't.id', 'tm.team_id')
      .selectAll('ac')
      .select(['tm.user_id as member_id', 't.name as team_name'])
      .where('tm.user_id', 'in', ids)
      .execute(),
  ]);
  return { own, teams };
}

/** Stores a person's or a team's channels: one row per owner, replaced whole. */
export async function saveAlertChannel(
  db: Db,
  row: {
    id: string;
    user_id: string | null;
    team_id: string | null;
    slack_url: string | null;
    teams_url: string | null;
    routes: AlertRoutes;
    updated_by: string | null;
    at: Date;
  },
): Promise<void> {
  const values = {
    slack_url: row.slack_url,
    teams_url: row.teams_url,
    routes: JSON.stringify(row.routes),
    updated_by: row.updated_by,
    updated_at: toDbTime(row.at),
  };
  await db
    .insertInto('alert_channels')
    .values({ id: row.id, user_id: row.user_id, team_id: row.team_id, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

/** A person's alert channels for their data export: which chats are set (never the addresses). */
export async function findAlertChannelForExport(db: Db, userId: string) {
  const row = await findAlertChannelOf(db, { userId });
  return row
    ? {
        slack: row.slack_url !== null,
        teams: row.teams_url !== null,
        routes: routesOf(row),
        updatedAt: row.updated_at,
      }
    : null;
}
