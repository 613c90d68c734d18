import type { Db, SqliteStatements } from '../../db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { PasswordHasher } from '../../platform/secrets.ts';

/** What services are built from. Assembled once, in main.ts (or a test harness). */
export interface ServiceDeps {
  db: Db;
  /** SQLite only: prepared statements on the same connection, for hot paths (capture). */
  sqlite?: SqliteStatements;
  clock: Clock;
  /** Where services announce what they committed. */
  events: EventBus;
  passwords: PasswordHasher;
  /** Where Baton is reached from outside: links in emails start with it. */
  publicUrl: string;
  auth: {
    sessionTtlHours: number;
    loginMaxFailures: number;
    loginWindowMinutes: number;
  };
}
