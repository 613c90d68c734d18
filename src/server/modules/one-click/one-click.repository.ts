import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import type { ActionLinksTable } from '../../db/tables.ts';

export type ActionLinkRow = Selectable<ActionLinksTable>;

export async function insertActionLinks(
  db: Db,
  rows: readonly Insertable<ActionLinksTable>[],
): Promise<void> {
  if (rows.length > 0)
    await db
      .insertInto('action_links')
      .values([...rows])
      .execute();
}

export async function findActionLinkByHash(db: Db, tokenHash: string): Promise<ActionLinkRow | undefined> {
  return db.selectFrom('action_links').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Takes the link for one use: true for the one request that got it. */
export async function claimActionLink(db: Db, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('action_links')
    .set({ used_at: toDbTime(at) })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a link back when the action it was claimed for did not happen. */
export async function releaseActionLink(db: Db, id: string): Promise<void> {
  await db.updateTable('action_links').set({ used_at: null }).where('id', '=', id).execute();
}

/** Links past their expiry are of no use to anyone: removed by the daily retention run. */
export async function deleteExpiredActionLinks(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('action_links')
    .where('expires_at', '<', toDbTime(before))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
