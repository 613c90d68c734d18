import type { Db } from '../../db/database.ts';
import { readTableVersion, type VersionedTable } from './table-versions.repository.ts';

/**
 * Reads of one table kept between requests for as long as the table's version (migration 0054)
 * stays the same: exact, since every committed change of the table raises it, whoever wrote it
 * (this process, another instance on the same PostgreSQL, a migration or a raw import).
 *
 * Each read asks for the version first (one row by its key) and loads only when it moved or the
 * read was not kept. A load starts after its version was read, so what it keeps is never older
 * than the version it is kept under. At most `limit` reads are kept; a failed load is not.
 * For reads of the committed store only: never inside a transaction that wrote the table.
 */
export function createKeptReads(db: Db, table: VersionedTable, limit = 32) {
  let keptAt: number | null = null;
  const kept = new Map<string, Promise<unknown>>();
  return {
    async read<T>(key: string, load: () => Promise<T>): Promise<T> {
      const version = await readTableVersion(db, table);
      if (version !== keptAt) {
        kept.clear();
        keptAt = version;
      }
      const hit = kept.get(key) as Promise<T> | undefined;
      if (hit) return hit;
      if (kept.size >= limit) kept.clear();
      const loading = load();
      kept.set(key, loading);
      loading.catch(() => {
        if (kept.get(key) === loading) kept.delete(key);
      });
      return loading;
    },
  };
}

export type KeptReads = ReturnType<typeof createKeptReads>;
