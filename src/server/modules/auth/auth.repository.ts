import type { Db } from '../../db/database.ts';
import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';

export async function insertSession(
  db: Db,
  session: { id: string; userId: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      user_id: session.userId,
      created_at: toDbTime(session.createdAt),
      expires_at: toDbTime(session.expiresAt),
      last_seen_at: toDbTime(session.createdAt),
    })
    .execute();
}

/** A live session of an active user, with what a request needs to know about the user. */
export async function findActiveSession(db: Db, sessionId: string, now: Date) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id',
      'sessions.expires_at',
      'sessions.last_seen_at',
      'users.id as user_id',
      'users.role',
    ])
    .where('sessions.id', '=', sessionId)
    .where('sessions.expires_at', '>', toDbTime(now))
    .where('users.is_active', '=', true)
    .executeTakeFirst();
}

export async function touchSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: toDbTime(now) })
    .where('id', '=', sessionId)
    .execute();
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function deleteSessionsOfUser(db: Db, userId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Ends every session of a user but one (the one that asked, after a password change). */
export async function deleteOtherSessionsOfUser(
  db: Db,
  userId: string,
  keepSessionId: string | null,
): Promise<void> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepSessionId !== null) query = query.where('id', '<>', keepSessionId);
  await query.execute();
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', toDbTime(now)).execute();
}

export async function insertLoginAttempt(
  db: Db,
  attempt: { email: string; ip: string; isSuccess: boolean; at: Date },
): Promise<void> {
  await db
    .insertInto('login_attempts')
    .values({
      id: newId(),
      email: attempt.email,
      ip: attempt.ip,
      is_success: attempt.isSuccess,
      attempted_at: toDbTime(attempt.at),
    })
    .execute();
}

/** Failed attempts since `since`, for one email and for one IP. */
export async function countFailedLogins(
  db: Db,
  email: string,
  ip: string,
  since: Date,
): Promise<{ byEmail: number; byIp: number; oldestByEmail: Date | null; oldestByIp: Date | null }> {
  const count = async (column: 'email' | 'ip', value: string) => {
    const row = await db
      .selectFrom('login_attempts')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('attempted_at').as('oldest')])
      .where(column, '=', value)
      .where('is_success', '=', false)
      .where('attempted_at', '>', toDbTime(since))
      .executeTakeFirstOrThrow();
    return { n: Number(row.n), oldest: row.oldest === null ? null : new Date(row.oldest) };
  };
  const [byEmail, byIp] = await Promise.all([count('email', email), count('ip', ip)]);
  return { byEmail: byEmail.n, byIp: byIp.n, oldestByEmail: byEmail.oldest, oldestByIp: byIp.oldest };
}

export async function deleteLoginAttemptsBefore(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('login_attempts').where('attempted_at', '<', toDbTime(before)).execute();
}

/** A successful sign-in forgives earlier failures for that email. */
export async function clearFailedLogins(db: Db, email: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('email', '=', email).where('is_success', '=', false).execute();
}

/** The second factor of a user, and what the policy needs to know about them. */
export async function findSecondFactor(db: Db, userId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'role', 'totp_secret', 'totp_confirmed_at', 'totp_last_step'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

export async function setTotpSecret(db: Db, userId: string, sealed: string | null): Promise<void> {
  await db
    .updateTable('users')
    .set({ totp_secret: sealed, totp_confirmed_at: null, totp_last_step: null })
    .where('id', '=', userId)
    .execute();
}

export async function confirmTotp(db: Db, userId: string, at: Date, step: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ totp_confirmed_at: toDbTime(at), totp_last_step: step })
    .where('id', '=', userId)
    .execute();
}

/**
 * Records the time step of an accepted code, only if it is later than the last one: false when
 * another request took this step first (the same code, replayed).
 */
export async function advanceTotpStep(db: Db, userId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function replaceRecoveryCodes(
  db: Db,
  userId: string,
  hashes: string[],
  at: Date,
): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  if (hashes.length === 0) return;
  await db
    .insertInto('recovery_codes')
    .values(
      hashes.map((hash) => ({
        id: newId(),
        user_id: userId,
        code_hash: hash,
        created_at: toDbTime(at),
        used_at: null,
      })),
    )
    .execute();
}

/** Uses a recovery code once: false when it is unknown, someone else's, or used. */
export async function useRecoveryCode(db: Db, userId: string, hash: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: toDbTime(at) })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countRecoveryCodesLeft(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertChallenge(
  db: Db,
  challenge: { id: string; userId: string; method: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('sign_in_challenges')
    .values({
      id: challenge.id,
      user_id: challenge.userId,
      method: challenge.method,
      attempts: 0,
      created_at: toDbTime(challenge.createdAt),
      expires_at: toDbTime(challenge.expiresAt),
    })
    .execute();
}

export async function findChallenge(db: Db, id: string, now: Date) {
  return db
    .selectFrom('sign_in_challenges')
    .innerJoin('users', 'users.id', 'sign_in_challenges.user_id')
    .select([
      'sign_in_challenges.id',
      'sign_in_challenges.method',
      'sign_in_challenges.attempts',
      'sign_in_challenges.expires_at',
      'users.id as user_id',
      'users.email',
      'users.role',
    ])
    .where('sign_in_challenges.id', '=', id)
    .where('sign_in_challenges.expires_at', '>', toDbTime(now))
    .where('users.is_active', '=', true)
    .executeTakeFirst();
}

export async function countChallengeAttempt(db: Db, id: string): Promise<void> {
  await db
    .updateTable('sign_in_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function deleteChallenge(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sign_in_challenges').where('id', '=', id).execute();
}

export async function deleteExpiredChallenges(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('sign_in_challenges').where('expires_at', '<=', toDbTime(now)).execute();
  await db.deleteFrom('oidc_logins').where('expires_at', '<=', toDbTime(now)).execute();
}

export async function insertOidcLogin(
  db: Db,
  login: {
    state: string;
    nonce: string;
    codeVerifier: string;
    returnTo: string;
    createdAt: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('oidc_logins')
    .values({
      state: login.state,
      nonce: login.nonce,
      code_verifier: login.codeVerifier,
      return_to: login.returnTo,
      created_at: toDbTime(login.createdAt),
      expires_at: toDbTime(login.expiresAt),
    })
    .execute();
}

/** Takes a sign-in in flight by its state, once: a second callback with the same state finds nothing. */
export async function takeOidcLogin(db: Db, state: string, now: Date) {
  const row = await db.selectFrom('oidc_logins').selectAll().where('state', '=', state).executeTakeFirst();
  if (!row) return undefined;
  const taken = await db.deleteFrom('oidc_logins').where('state', '=', state).executeTakeFirst();
  if (Number(taken.numDeletedRows) !== 1) return undefined;
  return { ...row, expired: fromDbTime(row.expires_at).getTime() <= now.getTime() };
}

export async function findSecuritySettings(db: Db) {
  return db.selectFrom('security_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function updateSecuritySettings(
  db: Db,
  settings: { ssoRequired: boolean; breakGlassUserId: string | null; mfaRequiredRoles: string[]; at: Date },
): Promise<void> {
  await db
    .updateTable('security_settings')
    .set({
      sso_required: settings.ssoRequired,
      break_glass_user_id: settings.breakGlassUserId,
      mfa_required_roles: JSON.stringify(settings.mfaRequiredRoles),
      updated_at: toDbTime(settings.at),
    })
    .where('id', '=', 1)
    .execute();
}
