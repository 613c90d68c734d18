import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type QueryExecutorProvider } from 'kysely';
import { expect, it } from 'vitest';
import { loadTestSettings } from '../config.ts';
import { describeEachDialect } from '../testing/databases.ts';
import { migrateToLatest, openDatabase } from './database.ts';
import { withSortMemory } from './dialect.ts';
import { migrations } from './migrations/index.ts';
import type { DB } from './tables.ts';

describeEachDialect('the store’s connections', (getDatabase, dialect) => {
  it.runIf(dialect === 'postgres')(
    'turn off PostgreSQL’s just-in-time compilation, which cost a report more than it saved',
    async () => {
      const { rows } = await sql<{ jit: string }>`select current_setting('jit') as jit`.execute(
        getDatabase().db,
      );
      expect(rows).toEqual([{ jit: 'off' }]);
    },
  );

  it.runIf(dialect === 'postgres')(
    'give a statement that sorts a period’s values 64 MB to sort in on PostgreSQL, for that statement only',
    async () => {
      const db = getDatabase().db;
      const workMem = async (conn: QueryExecutorProvider) =>
        (await sql<{ w: string }>`select current_setting('work_mem') as w`.execute(conn)).rows[0]!.w;
      const before = await workMem(db);
      expect(before).not.toBe('64MB');
      expect(await withSortMemory(db, (conn) => workMem(conn))).toBe('64MB');
      // Set for its own transaction only: the pool's connections keep the server's setting.
      const after = await Promise.all([1, 2, 3, 4].map(() => workMem(db)));
      expect(after).toEqual([before, before, before, before]);
      // Inside a transaction already, the statement runs in it as it is.
      const nested = await db
        .transaction()
        .execute((trx) => withSortMemory<DB, string>(trx, (conn) => workMem(conn)));
      expect(nested).toBe(before);
    },
  );

  it.runIf(dialect === 'sqlite')('run a statement that sorts on SQLite as it is', async () => {
    const db = getDatabase().db;
    expect(await withSortMemory(db, async (conn) => conn)).toBe(db);
  });
});

it('keeps SQLite’s statement journals in memory, also after migrating, and builds a migration’s indexes on disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-temp-store-'));
  const database = openDatabase({ dialect: 'sqlite', path: join(dir, 'baton.db') });
  try {
    const tempStore = async () =>
      (await sql<{ temp_store: number }>`pragma temp_store`.execute(database.db)).rows[0]!.temp_store;
    expect(await tempStore()).toBe(2); // memory
    let during: number | undefined;
    const first = migrations['0001_initial']!;
    migrations['0001_initial'] = {
      ...first,
      up: async (db) => {
        during = (await sql<{ temp_store: number }>`pragma temp_store`.execute(db)).rows[0]!.temp_store;
        await first.up(db);
      },
    };
    try {
      await migrateToLatest(database.db);
    } finally {
      migrations['0001_initial'] = first;
    }
    expect(during).toBe(0); // the default: temporary files
    expect(await tempStore()).toBe(2);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

describeEachDialect('a test’s own database', (getDatabase, dialect) => {
  it.runIf(dialect === 'postgres')(
    'lies in the tablespace the tests are told to use (BATON_TEST_DATABASE_TABLESPACE), else the default',
    async () => {
      const { rows } = await sql<{ spcname: string }>`
        select t.spcname from pg_database d join pg_tablespace t on t.oid = d.dattablespace
         where d.datname = current_database()`.execute(getDatabase().db);
      expect(rows[0]?.spcname).toBe(loadTestSettings().postgresTablespace ?? 'pg_default');
    },
  );
});
