import type { Db, SqliteStatements } from '../../db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { PasswordHasher } from '../../platform/secrets.ts';
import type { SecretBox } from '../../platform/secret-box.ts';
import type { Role } from '../../../domain/access/roles.ts';

/** Single sign-on through an OpenID Provider (BATON_OIDC_*). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  name: string;
  signupRole: Role | undefined;
  groupsClaim: string;
  groupRoles: [string, Role][];
}

/** What services are built from. Assembled once, in main.ts (or a test harness). */
export interface ServiceDeps {
  db: Db;
  /** SQLite only: prepared statements on the same connection, for hot paths (capture). */
  sqlite?: SqliteStatements;
  clock: Clock;
  /** Where services announce what they committed. */
  events: EventBus;
  passwords: PasswordHasher;
  /** Seals secrets Baton reads back (TOTP secrets) under the server's key. */
  secrets: SecretBox;
  /** Where Baton is reached from outside: links in emails start with it. */
  publicUrl: string;
  auth: {
    sessionTtlHours: number;
    loginMaxFailures: number;
    loginWindowMinutes: number;
    /** Null when no OpenID Provider is configured. */
    oidc: OidcSettings | null;
  };
}
