import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
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
