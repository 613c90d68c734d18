import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { systemClock } from '../platform/clock.ts';
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
  /** A PostgreSQL database's URL, for a server process to use it too. */
  url?: string;
}

const migrationsDir = new URL('../db/migrations/', import.meta.url);

/**
 * A name for the migrated schema of this checkout: it changes whenever a migration does, so a
 * template left by an older run is never taken for the current one.
 */
export function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsDir).sort()) {
    hash.update(file).update(readFileSync(new URL(file, migrationsDir)));
  }
  return hash.digest('hex').slice(0, 12);
}

/** The PostgreSQL template every test database is copied from (created by `ensurePostgresTemplate`). */
export const postgresTemplateName = `baton_test_tpl_${migrationsFingerprint()}`;

function urlOfDatabase(name: string): string {
  const url = new URL(settings.postgresUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: settings.postgresUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates the migrated template database once for every worker of a run (and for later runs, until
 * a migration changes). An advisory lock makes the first worker build it while the others wait.
 */
export async function ensurePostgresTemplate(): Promise<string> {
  await withAdmin(async (client) => {
    await client.query('select pg_advisory_lock(hashtext($1))', [postgresTemplateName]);
    try {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [
        postgresTemplateName,
      ]);
      if (rowCount) {
        await touchTemplate(client);
        return;
      }
      const building = `${postgresTemplateName}_building`;
      await client.query(`drop database if exists ${building}`);
      await client.query(`create database ${building}`);
      const database = openDatabase({ dialect: 'postgres', url: urlOfDatabase(building), poolMax: 1 });
      try {
        await migrateToLatest(database.db);
      } finally {
        await database.close();
      }
      // Renamed only when complete, so a run killed half-way never leaves a half-migrated template.
      await client.query(`alter database ${building} rename to ${postgresTemplateName}`);
      await touchTemplate(client);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [postgresTemplateName]);
    }
  });
  return postgresTemplateName;
}

/** Notes on the template when a run last used it: another checkout's run leaves it alone for a day. */
async function touchTemplate(client: pg.Client): Promise<void> {
  await client.query(`comment on database ${postgresTemplateName} is '${systemClock.now().toISOString()}'`);
}

/** How long a template of another migration set may be in use by another checkout on the same server. */
const staleAfterMs = 86_400_000;

/**
 * Drops templates of other migration sets (run once per test run, by the global setup) that no run
 * has used for a day: another checkout (a branch, a second clone, CI on the same server) may be
 * using one now, with migrations this one does not have.
 */
export async function dropStalePostgresTemplates(): Promise<void> {
  if (!settings.postgresUrl) return;
  await withAdmin(async (client) => {
    const { rows: all } = await client.query<{ datname: string; used: string | null }>(
      `select datname, shobj_description(oid, 'pg_database') as used from pg_database
        where datname like 'baton_test_tpl_%' and datname <> $1`,
      [postgresTemplateName],
    );
    const cutoff = systemClock.now().getTime() - staleAfterMs;
    const rows = all.filter(({ used }) => !(used && Date.parse(used) > cutoff));
    for (const { datname } of rows) {
      await client.query(`drop database if exists ${datname}`).catch(() => undefined);
    }
  });
}

let postgresTemplate: Promise<string> | undefined;
let sqliteImage: Promise<Buffer> | undefined;

/** The migrated SQLite database as bytes, made once per worker. */
function migratedSqliteImage(): Promise<Buffer> {
  sqliteImage ??= (async () => {
    const database = openDatabase({ dialect: 'sqlite', path: ':memory:' });
    await migrateToLatest(database.db);
    const image = database.serialize!();
    await database.close();
    return image;
  })();
  return sqliteImage;
}

/**
 * A fresh, migrated, empty database: SQLite in memory, or a PostgreSQL database of its own that is
 * dropped afterwards. The migrations run once per worker (SQLite) or once per run (a PostgreSQL
 * template); each test gets a copy. `migrate: false` gives an empty database to migrate by hand.
 */
export async function createTestDatabase(
  dialect: DialectName,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const migrate = options.migrate !== false;
  if (dialect === 'sqlite') {
    const database = openDatabase({
      dialect: 'sqlite',
      path: ':memory:',
      ...(migrate && { image: await migratedSqliteImage() }),
    });
    return { ...database, dispose: () => database.close() };
  }
  if (migrate) postgresTemplate ??= ensurePostgresTemplate();
  const template = migrate ? await postgresTemplate : undefined;
  const name = `baton_test_${randomBytes(6).toString('hex')}`;
  await createPostgresDatabase(name, template);
  const database = openDatabase({ dialect: 'postgres', url: urlOfDatabase(name), poolMax: 4 });
  return {
    ...database,
    url: urlOfDatabase(name),
    dispose: async () => {
      await database.close().catch(() => undefined); // a test may have closed it already
      await dropTestDatabase(name);
    },
  };
}

/**
 * Makes an empty database for a test (a copy of `template` when given), in the tablespace the
 * tests are configured to use (BATON_TEST_DATABASE_TABLESPACE), else the server's default.
 */
export async function createPostgresDatabase(name: string, template?: string): Promise<void> {
  const { postgresTablespace } = settings;
  await withAdmin((client) =>
    client.query(
      `create database ${name}${template ? ` template ${template}` : ''}${postgresTablespace ? ` tablespace ${postgresTablespace}` : ''}`,
    ),
  );
}

/**
 * Drops a test's database. A pool that was just closed may still be saying goodbye (pg's pool
 * resolves `end()` before its sockets have closed), so the drop is first retried while such
 * connections go away by themselves; ending them from here would hit a client mid-goodbye with an
 * error nobody listens to. Only connections that outstay that (a killed server's) are ended. Not
 * `with (force)`: for a role that is not a superuser that fails while autovacuum is busy there.
 */
export async function dropTestDatabase(name: string): Promise<void> {
  await withAdmin(async (client) => {
    for (let attempt = 1; ; attempt++) {
      if (attempt > 20)
        await client.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
            where datname = $1 and pid <> pg_backend_pid() and usename = current_user`,
          [name],
        );
      try {
        await client.query(`drop database if exists ${name}`);
        return;
      } catch (error) {
        // 55006: still being accessed by other users.
        if ((error as { code?: string }).code !== '55006' || attempt >= 40) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
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
