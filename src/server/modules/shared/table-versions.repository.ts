import type { Db } from '../../db/database.ts';

/** A table whose committed changes raise its version (migration 0054). */
export type VersionedTable = 'opportunities';

/** The table's version now: a number every committed change of it raises. */
export async function readTableVersion(db: Db, table: VersionedTable): Promise<number> {
  const row = await db
    .selectFrom('table_versions')
    .select('version')
    .where('name', '=', table)
    .executeTakeFirstOrThrow();
  return Number(row.version);
}
