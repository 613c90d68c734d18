import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
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

/** A log sync the test lets finish when it says: each call waits for its own release. */
function heldSyncs() {
  const waiting: { fd: number; release: () => void; fail: (error: Error) => void }[] = [];
  return {
    waiting,
    syncLog: (fd: number) =>
      new Promise<void>((resolve, reject) => waiting.push({ fd, release: resolve, fail: reject })),
  };
}

it('answers a transaction synced later once its log is synced, in the order of the commits, and keeps every other commit synced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-synced-later-'));
  const syncs = heldSyncs();
  const database = openDatabase({ dialect: 'sqlite', path: join(dir, 'baton.db'), syncLog: syncs.syncLog });
  const synchronous = async () =>
    (await sql<{ synchronous: number }>`pragma synchronous`.execute(database.db)).rows[0]!.synchronous;
  try {
    await sql`create table t (x integer)`.execute(database.db);
    const later = database.sqlite!.transactionSyncedLater!;
    const first = await later(async (trx) => {
      await sql`insert into t values (1)`.execute(trx);
      return 'one';
    });
    const second = await later(async (trx) => {
      await sql`insert into t values (2)`.execute(trx);
      return 'two';
    });
    expect([first.value, second.value]).toEqual(['one', 'two']);
    // Committed (another reader sees both rows), and every other commit is synced by SQLite again.
    expect((await sql<{ n: number }>`select count(*) as n from t`.execute(database.db)).rows[0]!.n).toBe(2);
    expect(await synchronous()).toBe(2); // FULL
    // Each commit asked for a sync of the write-ahead log; none is durable before its sync ends.
    expect(syncs.waiting).toHaveLength(2);
    const settled: string[] = [];
    void first.durable.then(() => settled.push('one'));
    void second.durable.then(() => settled.push('two'));
    syncs.waiting[1]!.release(); // the later sync returns first
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toEqual([]);
    syncs.waiting[0]!.release();
    await Promise.all([first.durable, second.durable]);
    expect(settled).toEqual(['one', 'two']);
    // A failed sync fails that transaction's durability, and not the next one.
    const third = await later((trx) => sql`insert into t values (3)`.execute(trx));
    syncs.waiting[2]!.fail(new Error('EIO'));
    await expect(third.durable).rejects.toThrow('EIO');
    const fourth = await later((trx) => sql`insert into t values (4)`.execute(trx));
    syncs.waiting[3]!.release();
    await expect(fourth.durable).resolves.toBeUndefined();
    // A transaction that fails is rolled back and leaves the connection synced as before.
    await expect(
      later(async (trx) => {
        await sql`insert into t values (5)`.execute(trx);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect((await sql<{ n: number }>`select count(*) as n from t`.execute(database.db)).rows[0]!.n).toBe(4);
    expect(await synchronous()).toBe(2);
    // A connection told to sync less (`baton demo`'s fill) keeps that setting, and is not synced here.
    await sql`pragma synchronous = NORMAL`.execute(database.db);
    const unsynced = await later((trx) => sql`insert into t values (6)`.execute(trx));
    await expect(unsynced.durable).resolves.toBeUndefined();
    expect(syncs.waiting).toHaveLength(4);
    expect(await synchronous()).toBe(1);
  } finally {
    for (const sync of syncs.waiting) sync.release();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('fails only the durability of a transaction synced later whose log cannot be opened, never the committed call', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-synced-later-'));
  const path = join(dir, 'baton.db');
  const database = openDatabase({ dialect: 'sqlite', path, backgroundCheckpoints: false });
  try {
    await sql`create table t (x integer)`.execute(database.db);
    // The log's name gone from the directory (SQLite keeps writing to the file it has open).
    unlinkSync(`${path}-wal`);
    const { value, durable } = await database.sqlite!.transactionSyncedLater!(async (trx) => {
      await sql`insert into t values (1)`.execute(trx);
      return 'committed';
    });
    expect(value).toBe('committed');
    await expect(durable).rejects.toThrow(/ENOENT/);
    expect((await sql<{ n: number }>`select count(*) as n from t`.execute(database.db)).rows[0]!.n).toBe(1);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('syncs a transaction synced later through the real log file by default: durable, with its rows in the log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-synced-later-'));
  const database = openDatabase({
    dialect: 'sqlite',
    path: join(dir, 'baton.db'),
    backgroundCheckpoints: false,
  });
  try {
    await sql`create table t (x text)`.execute(database.db);
    const { durable } = await database.sqlite!.transactionSyncedLater!((trx) =>
      sql`insert into t values ('a row to find')`.execute(trx),
    );
    await durable;
    expect(readFileSync(join(dir, 'baton.db-wal')).includes('a row to find')).toBe(true);
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
