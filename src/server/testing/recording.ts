import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery, type LogEvent } from 'kysely';
import pg from 'pg';
import type { Db } from '../db/database.ts';
import { withBooleansBound } from '../db/dialect.ts';
import type { DB } from '../db/tables.ts';
import type { TestDatabase } from './databases.ts';

/**
 * A second query builder on a test database that records every statement it sends, for tests that
 * read the plans of the statements the repositories build. On SQLite it shares the test's own
 * connection (`close` leaves that open); on PostgreSQL it opens one connection of its own.
 */
export function recordingBuilder(database: TestDatabase): {
  db: Db;
  sent: CompiledQuery[];
  close(): Promise<void>;
} {
  const sent: CompiledQuery[] = [];
  const log = (event: LogEvent) => {
    if (event.level === 'query') sent.push(event.query);
  };
  if (database.dialect === 'postgres') {
    const db = new Kysely<DB>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }),
      log,
    });
    return { db, sent, close: () => db.destroy() };
  }
  const statements = database.sqlite!;
  const db = new Kysely<DB>({
    dialect: new SqliteDialect({
      database: withBooleansBound({
        prepare: (text: string) => statements.prepare(text),
        close: () => undefined,
      }),
    }),
    log,
  });
  // Not destroyed: the connection is the test database's.
  return { db, sent, close: async () => undefined };
}
