import type { Session } from '../../../contract/auth.ts';
import type { Actor, Role } from '../../../domain/access/roles.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, lockKeysInTransaction } from '../../db/dialect.ts';
import { hashToken, newToken } from '../../platform/secrets.ts';
import { findApiKeyByHash, markApiKeyUsed } from '../api-keys/api-keys.repository.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { insertAuditEntry } from '../shared/audit.repository.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { toUser } from '../users/users.presenter.ts';
import { findTeamIdsByUsers, findUserByEmail } from '../users/users.repository.ts';
import { invalidApiKey, invalidCredentials, tooManyAttempts } from './auth.errors.ts';
import {
  clearFailedLogins,
  countFailedLogins,
  deleteExpiredSessions,
  deleteOtherSessionsOfUser,
  deleteLoginAttemptsBefore,
  deleteSession,
  findActiveSession,
  insertLoginAttempt,
  insertSession,
  touchSession,
} from './auth.repository.ts';

/** Sign-in attempts are kept a day, for the rate limits and for anyone looking into an incident. */
const attemptRetentionMs = 24 * 3_600_000;
/** Several accounts behind one office NAT sign in from one address, so the IP limit is wider. */
const ipLimitFactor = 6;
/** Writes of last-seen and last-used times are throttled to one per minute per session or key. */
const touchIntervalMs = 60_000;

export function createAuthService(deps: ServiceDeps) {
  const { db, clock, passwords, auth } = deps;
  /** Verified against when the email is unknown, so a wrong email costs as much time as a wrong password. */
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= passwords.hash('not-a-real-password'));

  /**
   * Reserves one attempt at a password for this email from this address, before any hash is
   * checked: counted as failed until it succeeds. Counting and reserving happen in one transaction
   * serialised per email and address, so a burst of parallel guesses (from one process or from
   * several instances on one PostgreSQL) gets at most the limit's worth of checks; the rest are
   * refused without touching the hash.
   */
  async function reserveAttempt(email: string, ip: string, now: Date): Promise<void> {
    const windowMs = auth.loginWindowMinutes * 60_000;
    const refusedForMs = await db.transaction().execute(async (trx) => {
      await lockKeysInTransaction(trx, [`login:email:${email}`, `login:ip:${ip}`]);
      const failures = await countFailedLogins(trx, email, ip, new Date(now.getTime() - windowMs));
      if (
        failures.byEmail >= auth.loginMaxFailures ||
        failures.byIp >= auth.loginMaxFailures * ipLimitFactor
      ) {
        const oldest =
          failures.byEmail >= auth.loginMaxFailures ? failures.oldestByEmail : failures.oldestByIp;
        return oldest ? oldest.getTime() + windowMs - now.getTime() : windowMs;
      }
      await insertLoginAttempt(trx, { email, ip, isSuccess: false, at: now });
      return null;
    });
    if (refusedForMs !== null) throw tooManyAttempts(refusedForMs / 1000);
  }

  return {
    /** Signs in with email and password. Returns the session token (for the cookie) and the session. */
    async login(email: string, password: string, ip: string): Promise<{ token: string; session: Session }> {
      const normalized = normalizeEmail(email);
      const now = clock.now();
      const windowMs = auth.loginWindowMinutes * 60_000;
      await reserveAttempt(normalized, ip, now);

      const user = await findUserByEmail(db, normalized);
      const valid =
        user?.password_hash && fromDbBool(user.is_active)
          ? await passwords.verify(password, user.password_hash)
          : (await passwords.verify(password, await dummyHash())) && false;
      // A wrong password leaves the reserved attempt standing as a failure, and is in the audit log.
      if (!user || !valid) {
        await insertAuditEntry(db, {
          action: 'user.sign_in_failed',
          occurredAt: now,
          actor: { kind: 'anonymous', id: null, label: normalized },
          subject: user ? { type: 'user', id: user.id } : null,
          details: { email: normalized },
        });
        throw invalidCredentials();
      }

      const token = newToken();
      const expiresAt = new Date(now.getTime() + auth.sessionTtlHours * 3_600_000);
      await db.transaction().execute(async (trx) => {
        await insertSession(trx, { id: hashToken(token), userId: user.id, createdAt: now, expiresAt });
        await clearFailedLogins(trx, normalized);
        // Housekeeping rides along with sign-ins, so no separate job is needed to keep these tables small.
        await deleteExpiredSessions(trx, now);
        await deleteLoginAttemptsBefore(
          trx,
          new Date(now.getTime() - Math.max(windowMs, attemptRetentionMs)),
        );
        await insertLoginAttempt(trx, { email: normalized, ip, isSuccess: true, at: now });
        await insertEvent(trx, {
          type: 'user.signed_in',
          occurredAt: now,
          actor: { kind: 'user', id: user.id },
          subject: { type: 'user', id: user.id },
          payload: { ip },
        });
      });
      const teams = await findTeamIdsByUsers(db, [user.id]);
      return {
        token,
        session: { user: toUser(user, teams.get(user.id) ?? []), expiresAt: expiresAt.toISOString() },
      };
    },

    /**
     * Checks a signed-in person's current password (before they change it), under the same limit
     * as signing in: the attempt is reserved first and a wrong one counts as a failed sign-in.
     */
    async checkPassword(email: string, password: string, ip: string): Promise<boolean> {
      const normalized = normalizeEmail(email);
      const now = clock.now();
      await reserveAttempt(normalized, ip, now);
      const user = await findUserByEmail(db, normalized);
      const valid = Boolean(user?.password_hash && (await passwords.verify(password, user.password_hash)));
      if (valid) await clearFailedLogins(db, normalized);
      return valid;
    },

    /** Ends a user's other sessions in the caller's transaction; `keepToken` is the session that stays. */
    async endOtherSessions(trx: Db, userId: string, keepToken: string | null): Promise<void> {
      await deleteOtherSessionsOfUser(trx, userId, keepToken === null ? null : hashToken(keepToken));
    },

    async logout(token: string): Promise<void> {
      await deleteSession(db, hashToken(token));
    },

    /** The actor behind a session cookie and when the session ends; null when it is unknown, expired or its user inactive. */
    async authenticateSession(
      token: string,
    ): Promise<{ actor: Actor & { kind: 'user' }; expiresAt: Date } | null> {
      const now = clock.now();
      const session = await findActiveSession(db, hashToken(token), now);
      if (!session) return null;
      if (now.getTime() - fromDbTime(session.last_seen_at).getTime() > touchIntervalMs) {
        await touchSession(db, session.id, now);
      }
      return {
        actor: { kind: 'user', userId: session.user_id, role: session.role as Role },
        expiresAt: fromDbTime(session.expires_at),
      };
    },

    /** The actor behind an API key. An unknown or revoked key is an error, not anonymity. */
    async authenticateApiKey(key: string): Promise<Actor & { kind: 'api_key' }> {
      const row = await findApiKeyByHash(db, hashToken(key));
      if (!row || row.revoked_at !== null) throw invalidApiKey();
      const now = clock.now();
      if (!row.last_used_at || now.getTime() - fromDbTime(row.last_used_at).getTime() > touchIntervalMs) {
        await markApiKeyUsed(db, row.id, now);
      }
      return { kind: 'api_key', apiKeyId: row.id, role: row.role as Role };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
