import type { Db } from '../../db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { PasswordHasher } from '../../platform/secrets.ts';

/** What services are built from. Assembled once, in main.ts (or a test harness). */
export interface ServiceDeps {
  db: Db;
  clock: Clock;
  passwords: PasswordHasher;
  auth: {
    sessionTtlHours: number;
    loginMaxFailures: number;
    loginWindowMinutes: number;
  };
}
