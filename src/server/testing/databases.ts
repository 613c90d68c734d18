import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe } from 'vitest';
import { loadTestSettings } from '../config.ts';
import { migrateToLatest, openDatabase, type Database } from '../db/database.ts';
import type { DialectName } from '../db/dialect.ts';

const settings = loadTestSettings();

if (settings.requirePostgres && !settings.postgresUrl) {
  throw new Error(
    'BATON_TEST_REQUIRE_POSTGRES is set but BATON_TEST_DATABASE_URL is not: PostgreSQL tests cannot run.',
  );
}

/** The dialects this run covers: SQLite always, PostgreSQL when BATON_TEST_DATABASE_URL is set. */
export const testDialects: DialectName[] = settings.postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

if (!settings.postgresUrl) {
  console.warn('[baton tests] BATON_TEST_DATABASE_URL is not set: PostgreSQL runs are skipped.');
}

export interface TestDatabase extends Database {
  /** Drops everything this test created. */
  dispose(): Promise<void>;
}

/**
 * A fresh, migrated, empty database: SQLite in memory, or a PostgreSQL schema of its own that is
 * dropped afterwards. Migrated (not copied), so every test also runs the migrations.
 */
export async function createTestDatabase(
  dialect: DialectName,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const database = openDatabase({ dialect: 'sqlite', path: ':memory:' });
    if (options.migrate !== false) await migrateToLatest(database.db);
    return { ...database, dispose: () => database.close() };
  }
  const url = settings.postgresUrl!;
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = openDatabase({ dialect: 'postgres', url, poolMax: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  const database = openDatabase({ dialect: 'postgres', url, poolMax: 4, searchPath: schema });
  if (options.migrate !== false) await migrateToLatest(database.db);
  return {
    ...database,
    dispose: async () => {
      await database.close().catch(() => undefined); // a test may have closed it already
      await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
      await admin.close();
    },
  };
}

/**
 * Runs a suite once per dialect, each test on a fresh database. The suite names carry the
 * dialect, so a run shows which tests ran on PostgreSQL.
 */
export function describeEachDialect(
  name: string,
  suite: (getDatabase: () => TestDatabase, dialect: DialectName) => void,
) {
  for (const dialect of testDialects) {
    describe(`${name} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      beforeEach(async () => {
        database = await createTestDatabase(dialect);
      });
      afterEach(async () => {
        await database?.dispose();
        database = undefined;
      });
      suite(() => {
        if (!database) throw new Error('no test database: use it inside a test');
        return database;
      }, dialect);
    });
  }
}
