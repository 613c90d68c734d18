import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { SavedViewsTable } from '../../db/tables.ts';

/** A list's views the reader may use: their own and the shared ones, by name. */
export async function findViews(db: Db, list: string, readerId: string | null) {
  return db
    .selectFrom('saved_views')
    .selectAll()
    .where('list', '=', list)
    .where((eb) =>
      readerId === null
        ? eb('is_shared', '=', true)
        : eb.or([eb('owner_id', '=', readerId), eb('is_shared', '=', true)]),
    )
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export async function findViewById(db: Db, id: string) {
  return db.selectFrom('saved_views').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertView(db: Db, row: Insertable<SavedViewsTable>): Promise<void> {
  await db.insertInto('saved_views').values(row).execute();
}

export async function updateView(db: Db, id: string, patch: Updateable<SavedViewsTable>): Promise<void> {
  await db.updateTable('saved_views').set(patch).where('id', '=', id).execute();
}

export async function deleteView(db: Db, id: string): Promise<void> {
  await db.deleteFrom('saved_views').where('id', '=', id).execute();
}
