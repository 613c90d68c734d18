import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { startCheckpointer } from './checkpoints.ts';
import { dialectOf, withBooleansBound, type DialectName } from './dialect.ts';
import { migrations } from './migrations/index.ts';
import type { DB } from './tables.ts';

export type Db = Kysely<DB>;

/** Prepared statements on the SQLite connection, for hot paths that bypass the query builder. */
export interface SqliteStatements {
  prepare(source: string): SQLite.Statement;
  /**
   * A file store only: runs `work` in a transaction whose commit does not wait in fsync on this
   * thread, and resolves once it is committed, with `durable`: resolved once the write-ahead log
   * is synced, on a thread of libuv's pool. So a writer can go on to its next transaction while
   * the disk catches up, and answer this one's callers when `durable` resolves — as durable by
   * then as a commit under `synchronous = FULL`. The commit alone runs under `synchronous =
   * NORMAL`, with the connection held, so no other transaction commits that way.
   */
  transactionSyncedLater?<T>(work: (trx: Db) => Promise<T>): Promise<{ value: T; durable: Promise<void> }>;
}

export interface Database {
  db: Db;
  dialect: DialectName;
  /** SQLite only: the same (single) connection Kysely uses, so statements run inside its transactions. */
  sqlite?: SqliteStatements;
  /** SQLite only: the whole database as bytes, to open copies of it (tests). */
  serialize?: () => Buffer;
  /**
   * SQLite only: refreshes the query planner's statistics of the tables that changed much since
   * they were last gathered (`pragma optimize`, sampling at most ~1,000 rows per index). Without
   * statistics SQLite guesses, and picks e.g. a rep's whole history over the index of their open
   * clocks. Cheap when nothing changed; run at start and every hour (SQLite's advice for
   * long-lived connections).
   */
  optimize?: () => void;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | {
      dialect: 'sqlite';
      path: string;
      /** With path ':memory:': start from this serialized database (`serialize()`) instead of empty. */
      image?: Buffer;
      /**
       * A file store is checkpointed from a worker thread of its own (checkpoints.ts). Off for the
       * connections of Baton's other threads: the process's main connection has one already.
       */
      backgroundCheckpoints?: boolean;
      /** How `transactionSyncedLater` syncs the log's file descriptor (tests hold it back). */
      syncLog?: (fd: number) => Promise<void>;
    }
  | { dialect: 'postgres'; url: string; poolMax?: number; searchPath?: string };

/**
 * Opens the store. SQLite runs in WAL mode with `synchronous = FULL`, so a committed transaction
 * survives a power cut, and with foreign keys on. `path` ':memory:' gives a private in-memory
 * database (tests).
 */
export function openDatabase(options: DatabaseOptions): Database {
  if (options.dialect === 'sqlite') {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const sqlite =
      options.image && options.path === ':memory:' ? new SQLite(options.image) : new SQLite(options.path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // A write to a table with triggers runs in a statement sub-transaction whose journal SQLite
    // spills to a temporary file past 64 KiB: a file created, written and deleted per statement,
    // ~30 µs of each capture insert and contact update (issue 27). Kept in memory instead.
    sqlite.pragma('temp_store = memory');
    const checkpointer =
      options.path !== ':memory:' && options.backgroundCheckpoints !== false
        ? startCheckpointer(sqlite, options.path)
        : undefined;
    const statements = withStatementCache(sqlite);
    const db = new Kysely<DB>({
      dialect: new SqliteDialect({ database: withBooleansBound(statements) }),
    });
    let log: number | undefined;
    // The latest commit's sync, which settles only after every earlier one: what close waits for.
    let lastDurable: Promise<unknown> = Promise.resolve();
    const path = options.path;
    if (path !== ':memory:') {
      const syncLog =
        options.syncLog ??
        ((fd: number) =>
          new Promise<void>((resolve, reject) =>
            fdatasync(fd, (error) => (error ? reject(error) : resolve())),
          ));
      statements.transactionSyncedLater = async <T>(work: (trx: Db) => Promise<T>) => {
        let synced = true;
        const value = await db.connection().execute(async (connection) => {
          // A connection set to sync less than FULL (`baton demo`'s fill) keeps its own setting.
          const level = Number(sqlite.pragma('synchronous', { simple: true }));
          if (level < 2) {
            synced = false;
            return connection.transaction().execute(work);
          }
          sqlite.pragma('synchronous = NORMAL');
          try {
            return await connection.transaction().execute(work);
          } finally {
            sqlite.pragma(`synchronous = ${level}`);
          }
        });
        if (!synced) return { value, durable: Promise.resolve() };
        // The log exists once anything was committed, and stays while the connection is open (a
        // checkpoint empties it, never removes it). Whatever fails from here on fails `durable`,
        // never the call: the transaction is committed, and must not be done again.
        const sync = async () => syncLog((log ??= openSync(`${path}-wal`, 'r')));
        // Resolved in the order of the commits, even when a later sync returns first.
        const durable = Promise.all([lastDurable, sync()]).then(() => undefined);
        lastDurable = durable.catch(() => undefined);
        return { value, durable };
      };
    }
    return {
      db,
      dialect: 'sqlite',
      sqlite: statements,
      close: async () => {
        await checkpointer?.stop();
        await lastDurable;
        await db.destroy();
        if (log !== undefined) closeSync(log);
      },
      serialize: () => sqlite.serialize(),
      optimize: () => {
        sqlite.pragma('analysis_limit = 1000');
        sqlite.pragma('optimize = 0x10002');
      },
    };
  }

  // No just-in-time compilation: Baton's statements run for milliseconds to a second, and
  // compiling a report's plan took 210 ms of a 630 ms count (issue 27), more than it saved.
  const settings = ['-c jit=off', ...(options.searchPath ? [`-c search_path=${options.searchPath}`] : [])];
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    options: settings.join(' '),
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

/**
 * Kysely prepares every query afresh; preparing costs more than running a small statement. Baton's
 * queries come from a fixed set of shapes, so prepared statements are kept (least recently used out
 * first) and reused. Safe because one connection runs one statement at a time.
 */
function withStatementCache(sqlite: SQLite.Database, size = 500): SqliteStatements & { close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (raw: string) => {
      // Every transaction takes the write lock when it begins. With a deferred `begin`, a
      // transaction that reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT, not retried by
      // the busy timeout) when another connection — the scoring thread — committed in between.
      const source = raw === 'begin' ? 'begin immediate' : raw;
      let statement = cache.get(source);
      if (statement) {
        cache.delete(source);
      } else {
        statement = sqlite.prepare(source);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      }
      cache.set(source, statement);
      return statement;
    },
  };
}

/**
 * The migrator. On PostgreSQL its bookkeeping tables live in the current schema (the first on the
 * search path): without naming it, Kysely would take another schema's tables for its own.
 */
export async function createMigrator(db: Db): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (dialectOf(db) === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema;
  }
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    ...(migrationTableSchema && { migrationTableSchema }),
  });
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/**
 * Applies every pending migration. Safe to run from several instances at once: Kysely takes a
 * lock (an advisory lock on PostgreSQL) around the run.
 */
export async function migrateToLatest(db: Db): Promise<{ applied: string[] }> {
  // A migration may build an index over millions of rows: its sort spills to temporary files, not
  // to memory as the statement journals of everyday writes do (openDatabase).
  const sqlite = dialectOf(db) === 'sqlite';
  if (sqlite) await sql`pragma temp_store = default`.execute(db);
  const { error, results } = await (await createMigrator(db)).migrateToLatest().finally(async () => {
    if (sqlite) await sql`pragma temp_store = memory`.execute(db);
  });
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`Migration ${failed} failed: ${(error as Error).message}`, results);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
