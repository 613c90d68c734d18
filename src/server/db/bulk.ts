import type { Db, SqliteStatements } from './database.ts';
import type { InsertObject } from 'kysely';
import type { DB } from './tables.ts';

/** Both dialects take well over 30,000 bound values per statement; stay under that. */
const maxValuesPerStatement = 30_000;
const identifier = /^[a-z_]+$/;

type Row = Record<string, string | number | boolean | null>;

/**
 * Inserts many rows of one table. On PostgreSQL: multi-row INSERTs through Kysely. On SQLite: one
 * prepared statement run per row on the connection of the current transaction, which is several
 * times faster than building a large statement (no query-builder work per row, nothing to parse).
 * Table and column names come from Baton's own code and are checked to be plain identifiers.
 */
export async function bulkInsert<T extends keyof DB>(
  db: Db,
  sqlite: SqliteStatements | undefined,
  table: T,
  rows: readonly Row[],
  options: { ignoreConflicts?: boolean } = {},
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  if (!identifier.test(table) || !columns.every((c) => identifier.test(c))) {
    throw new Error(`bulkInsert: not a plain identifier in ${table}(${columns.join(', ')})`);
  }
  if (sqlite) {
    const statement = sqlite.prepare(
      `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})` +
        (options.ignoreConflicts ? ' on conflict do nothing' : ''),
    );
    for (const row of rows) {
      statement.run(
        columns.map((c) => {
          const value = row[c] ?? null;
          return typeof value === 'boolean' ? Number(value) : value;
        }),
      );
    }
    return;
  }
  const size = Math.max(1, Math.floor(maxValuesPerStatement / columns.length));
  for (let i = 0; i < rows.length; i += size) {
    // The rows are built by repositories from the table's own types; Kysely cannot see that through Row.
    const insert = db.insertInto(table).values(rows.slice(i, i + size) as unknown as InsertObject<DB, T>[]);
    await (options.ignoreConflicts ? insert.onConflict((oc) => oc.doNothing()) : insert).execute();
  }
}
