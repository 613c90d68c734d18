import type {
  RecoveryCodes,
  SecondFactorBody,
  SecondFactorStatus,
  SecuritySettings,
  Session,
  SignInChallenge,
  TotpEnrolment,
  UpdateSecuritySettingsBody,
} from '../../../contract/auth.ts';
import { roles, type Actor, type Role } from '../../../domain/access/roles.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, lockKeysInTransaction } from '../../db/dialect.ts';
import { hashToken, newToken } from '../../platform/secrets.ts';
import { authorize, actorRef } from '../shared/access.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { readJson } from '../../db/json-column.ts';
import { Type } from 'typebox';
import type { UserRow } from '../../db/tables.ts';
import { findApiKeyByHash, markApiKeyUsed } from '../api-keys/api-keys.repository.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { insertAuditEntry } from '../shared/audit.repository.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { toUser } from '../users/users.presenter.ts';
import {
  findAbsentUntil,
  findTeamIdsByUsers,
  findUserByEmail,
  findUserById,
} from '../users/users.repository.ts';
import { invalidApiKey, invalidCredentials, tooManyAttempts } from './auth.errors.ts';
import { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, totpUri } from './second-factor.ts';
import {
  advanceTotpStep,
  confirmTotp,
  countChallengeAttempt,
  countRecoveryCodesLeft,
  deleteChallenge,
  deleteExpiredChallenges,
  findChallenge,
  findSecondFactor,
  findSecuritySettings,
  insertChallenge,
  replaceRecoveryCodes,
  setTotpSecret,
  updateSecuritySettings,
  useRecoveryCode,
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
/** The step for the second factor must be taken within ten minutes, in at most five tries. */
const challengeTtlMs = 10 * 60_000;
const challengeMaxAttempts = 5;

export type SignInMethod = 'password' | 'sso';

/** Where a first factor leads: a session, or the step for the second factor. */
export type SignInStep =
  | { kind: 'session'; token: string; session: Session }
  | { kind: 'challenge'; token: string; challenge: SignInChallenge };

/** Writes of last-seen and last-used times are throttled to one per minute per session or key. */
const touchIntervalMs = 60_000;

export function createAuthService(deps: ServiceDeps) {
  const { db, clock, passwords, auth, secrets } = deps;
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

  const policy = async () => presentSettings(await findSecuritySettings(db));

  function presentSettings(row: Awaited<ReturnType<typeof findSecuritySettings>>): SecuritySettings {
    return {
      ssoConfigured: auth.oidc !== null,
      ssoRequired: fromDbBool(row.sso_required),
      breakGlassUserId: row.break_glass_user_id,
      mfaRequiredRoles: readJson(
        Type.Array(Type.Enum([...roles])),
        row.mfa_required_roles,
        'mfa_required_roles',
      ),
      updatedAt: fromDbTime(row.updated_at).toISOString(),
    };
  }

  function signedIn(actor: Actor | null): string {
    if (actor?.kind !== 'user')
      throw createError('auth.forbidden', 'Only a signed-in person has a second factor');
    return actor.userId;
  }

  async function beginEnrolment(userId: string, email: string): Promise<TotpEnrolment> {
    const secret = newTotpSecret();
    await setTotpSecret(db, userId, secrets.seal(secret));
    return { secret, uri: totpUri(secret, email) };
  }

  async function renewRecoveryCodes(trx: Db, userId: string, now: Date): Promise<string[]> {
    const codes = newRecoveryCodes();
    await replaceRecoveryCodes(trx, userId, codes.map(hashRecoveryCode), now);
    return codes;
  }

  async function checkCodeOfSignedIn(userId: string, code: string, now: Date): Promise<void> {
    const factor = (await findSecondFactor(db, userId))!;
    if (factor.totp_confirmed_at === null || !factor.totp_secret)
      throw createError('auth.second_factor_not_enabled');
    const last = factor.totp_last_step === null ? null : Number(factor.totp_last_step);
    const step = checkTotp(secrets.open(factor.totp_secret), code, now, last);
    if (step === null || !(await advanceTotpStep(db, userId, step)))
      throw fieldError('auth.invalid_second_factor', 'code', 'is wrong or was already used');
  }

  /** A session for a user whose sign-in is complete. */
  async function openSession(
    user: UserRow,
    method: SignInMethod,
    ip: string,
    secondFactor: 'totp' | 'recovery_code' | null,
  ): Promise<SignInStep & { kind: 'session' }> {
    const now = clock.now();
    const token = newToken();
    const expiresAt = new Date(now.getTime() + auth.sessionTtlHours * 3_600_000);
    await db.transaction().execute(async (trx) => {
      await insertSession(trx, { id: hashToken(token), userId: user.id, createdAt: now, expiresAt });
      // Housekeeping rides along with sign-ins, so no separate job is needed to keep these tables small.
      await deleteExpiredSessions(trx, now);
      await deleteExpiredChallenges(trx, now);
      await deleteLoginAttemptsBefore(
        trx,
        new Date(now.getTime() - Math.max(auth.loginWindowMinutes * 60_000, attemptRetentionMs)),
      );
      if (method === 'password') {
        await clearFailedLogins(trx, user.email);
        await insertLoginAttempt(trx, { email: user.email, ip, isSuccess: true, at: now });
      }
      await insertEvent(trx, {
        type: 'user.signed_in',
        occurredAt: now,
        actor: { kind: 'user', id: user.id },
        subject: { type: 'user', id: user.id },
        payload: { ip, method, secondFactor },
      });
    });
    const teams = await findTeamIdsByUsers(db, [user.id]);
    const absent = await findAbsentUntil(db, [user.id], clock.now());
    return {
      kind: 'session',
      token,
      session: {
        user: toUser(user, teams.get(user.id) ?? [], absent.get(user.id) ?? null),
        expiresAt: expiresAt.toISOString(),
      },
    };
  }

  /** After a right password or SSO sign-in: a session, or a challenge for the second factor. */
  async function afterFirstFactor(user: UserRow, method: SignInMethod, ip: string): Promise<SignInStep> {
    const now = clock.now();
    const factor = (await findSecondFactor(db, user.id))!;
    const enrolled = factor.totp_confirmed_at !== null;
    const required = (await policy()).mfaRequiredRoles.includes(user.role as Role);
    if (!enrolled && !required) return openSession(user, method, ip, null);
    const token = newToken();
    const expiresAt = new Date(now.getTime() + challengeTtlMs);
    await insertChallenge(db, { id: hashToken(token), userId: user.id, method, createdAt: now, expiresAt });
    return {
      kind: 'challenge',
      token,
      challenge: { challenge: { method, enrol: !enrolled, expiresAt: expiresAt.toISOString() } },
    };
  }

  return {
    /**
     * Signs in with email and password: a session (its token for the cookie), or, when a second
     * factor is set up or the role requires one, a challenge (its token for the challenge cookie).
     * When the company requires SSO, only the break-glass admin may use a password.
     */
    async login(email: string, password: string, ip: string): Promise<SignInStep> {
      const normalized = normalizeEmail(email);
      const now = clock.now();
      await reserveAttempt(normalized, ip, now);

      const user = await findUserByEmail(db, normalized);
      const rules = await policy();
      if (rules.ssoRequired && (!user || user.id !== rules.breakGlassUserId)) {
        await insertAuditEntry(db, {
          action: 'user.sign_in_failed',
          occurredAt: now,
          actor: { kind: 'anonymous', id: null, label: normalized },
          subject: user ? { type: 'user', id: user.id } : null,
          details: { email: normalized, reason: 'sso_required' },
        });
        throw createError('auth.sso_required', `Sign in with ${auth.oidc?.name ?? 'single sign-on'}`);
      }
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

      // The reserved attempt stays a failure until the sign-in is complete (second factor included).
      return afterFirstFactor(user, 'password', ip);
    },

    /**
     * The second step of a sign-in: a code of the authenticator app or a recovery code, for the
     * challenge of the cookie. During an enrolment the first right code also confirms the app,
     * and the answer carries the recovery codes, once.
     */
    async completeSecondFactor(
      challengeToken: string | undefined,
      input: SecondFactorBody,
      ip: string,
    ): Promise<SignInStep & { kind: 'session'; recoveryCodes?: string[] }> {
      const now = clock.now();
      const challenge = challengeToken ? await findChallenge(db, hashToken(challengeToken), now) : undefined;
      if (!challenge || challenge.attempts >= challengeMaxAttempts) {
        if (challenge) await deleteChallenge(db, challenge.id);
        throw createError('auth.challenge_missing');
      }
      if ((input.code === undefined) === (input.recoveryCode === undefined))
        throw fieldError('http.validation_failed', 'code', 'send either code or recoveryCode');
      const factor = (await findSecondFactor(db, challenge.user_id))!;
      const enrolled = factor.totp_confirmed_at !== null;
      let used: 'totp' | 'recovery_code' | null = null;
      let recoveryCodes: string[] | undefined;
      await db.transaction().execute(async (trx) => {
        if (input.code !== undefined && factor.totp_secret) {
          const last = factor.totp_last_step === null ? null : Number(factor.totp_last_step);
          const step = checkTotp(secrets.open(factor.totp_secret), input.code, now, last);
          if (step !== null && (await advanceTotpStep(trx, factor.id, step))) {
            used = 'totp';
            if (!enrolled) {
              await confirmTotp(trx, factor.id, now, step);
              recoveryCodes = await renewRecoveryCodes(trx, factor.id, now);
              await insertEvent(trx, {
                type: 'user.second_factor_enabled',
                occurredAt: now,
                actor: { kind: 'user', id: factor.id },
                subject: { type: 'user', id: factor.id },
                payload: { method: 'totp', duringSignIn: true },
              });
            }
          }
        } else if (input.recoveryCode !== undefined && enrolled) {
          if (await useRecoveryCode(trx, factor.id, hashRecoveryCode(input.recoveryCode), now))
            used = 'recovery_code';
        }
        if (used) await deleteChallenge(trx, challenge.id);
      });
      if (!used) {
        await countChallengeAttempt(db, challenge.id);
        // A wrong code counts as a failed sign-in: the limit on passwords holds for codes too.
        await insertLoginAttempt(db, { email: challenge.email, ip, isSuccess: false, at: now });
        await insertAuditEntry(db, {
          action: 'user.second_factor_failed',
          occurredAt: now,
          actor: { kind: 'anonymous', id: null, label: challenge.email },
          subject: { type: 'user', id: challenge.user_id },
          details: { kind: input.code !== undefined ? 'totp' : 'recovery_code' },
        });
        throw createError('auth.invalid_second_factor');
      }
      const user = (await findUserById(db, challenge.user_id))!;
      const opened = await openSession(user, challenge.method as SignInMethod, ip, used);
      return recoveryCodes ? { ...opened, recoveryCodes } : opened;
    },

    /** During a sign-in whose role requires a second factor not yet set up: a new secret to enrol. */
    async enrolDuringSignIn(challengeToken: string | undefined): Promise<TotpEnrolment> {
      const now = clock.now();
      const challenge = challengeToken ? await findChallenge(db, hashToken(challengeToken), now) : undefined;
      if (!challenge) throw createError('auth.challenge_missing');
      const factor = (await findSecondFactor(db, challenge.user_id))!;
      if (factor.totp_confirmed_at !== null) throw createError('auth.second_factor_enabled');
      return beginEnrolment(factor.id, challenge.email);
    },

    /** Completes a sign-in whose first factor was checked elsewhere (SSO): a session, or the second step. */
    afterFirstFactor: (user: UserRow, method: SignInMethod, ip: string) => afterFirstFactor(user, method, ip),

    /** Whether the company requires SSO, for the sign-in page and the SSO callback. */
    policy,

    async secondFactorStatus(actor: Actor | null): Promise<SecondFactorStatus> {
      const userId = signedIn(actor);
      const factor = (await findSecondFactor(db, userId))!;
      return {
        enabled: factor.totp_confirmed_at !== null,
        required: (await policy()).mfaRequiredRoles.includes(factor.role as Role),
        recoveryCodesLeft: await countRecoveryCodesLeft(db, userId),
      };
    },

    /** Starts setting up an authenticator app; it is in force once a code confirms it. */
    async beginEnrolment(actor: Actor | null): Promise<TotpEnrolment> {
      const userId = signedIn(actor);
      const factor = (await findSecondFactor(db, userId))!;
      if (factor.totp_confirmed_at !== null) throw createError('auth.second_factor_enabled');
      const user = (await findUserById(db, userId))!;
      return beginEnrolment(userId, user.email);
    },

    async confirmEnrolment(actor: Actor | null, code: string): Promise<RecoveryCodes> {
      const userId = signedIn(actor);
      const now = clock.now();
      const factor = (await findSecondFactor(db, userId))!;
      if (factor.totp_confirmed_at !== null) throw createError('auth.second_factor_enabled');
      if (!factor.totp_secret) throw createError('auth.second_factor_not_enabled');
      const step = checkTotp(secrets.open(factor.totp_secret), code, now, null);
      if (step === null) throw fieldError('auth.invalid_second_factor', 'code', 'is not the code of now');
      return db.transaction().execute(async (trx) => {
        await confirmTotp(trx, userId, now, step);
        const recoveryCodes = await renewRecoveryCodes(trx, userId, now);
        await insertEvent(trx, {
          type: 'user.second_factor_enabled',
          occurredAt: now,
          actor: { kind: 'user', id: userId },
          subject: { type: 'user', id: userId },
          payload: { method: 'totp' },
        });
        return { recoveryCodes };
      });
    },

    /** A new set of recovery codes (the old ones stop working), against a code of the app. */
    async renewRecoveryCodes(actor: Actor | null, code: string): Promise<RecoveryCodes> {
      const userId = signedIn(actor);
      const now = clock.now();
      await checkCodeOfSignedIn(userId, code, now);
      return db.transaction().execute(async (trx) => {
        const recoveryCodes = await renewRecoveryCodes(trx, userId, now);
        await insertEvent(trx, {
          type: 'user.recovery_codes_renewed',
          occurredAt: now,
          actor: { kind: 'user', id: userId },
          subject: { type: 'user', id: userId },
          payload: {},
        });
        return { recoveryCodes };
      });
    },

    /** Turns the second factor off, against a code of the app; not when the role requires one. */
    async disableSecondFactor(actor: Actor | null, code: string): Promise<void> {
      const userId = signedIn(actor);
      const now = clock.now();
      const factor = (await findSecondFactor(db, userId))!;
      if ((await policy()).mfaRequiredRoles.includes(factor.role as Role))
        throw createError('auth.second_factor_required');
      await checkCodeOfSignedIn(userId, code, now);
      await db.transaction().execute(async (trx) => {
        await setTotpSecret(trx, userId, null);
        await replaceRecoveryCodes(trx, userId, [], now);
        await insertEvent(trx, {
          type: 'user.second_factor_disabled',
          occurredAt: now,
          actor: { kind: 'user', id: userId },
          subject: { type: 'user', id: userId },
          payload: {},
        });
      });
    },

    /**
     * For a person who lost their phone and their recovery codes (the operator, from the CLI): the
     * second factor is removed and their sessions end; they set it up again at the next sign-in.
     */
    async resetSecondFactor(actor: Actor | null, userId: string): Promise<void> {
      const who = authorize(actor, 'users.write');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await setTotpSecret(trx, userId, null);
        await replaceRecoveryCodes(trx, userId, [], now);
        await deleteOtherSessionsOfUser(trx, userId, null);
        await insertEvent(trx, {
          type: 'user.second_factor_reset',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'user', id: userId },
          payload: {},
        });
      });
    },

    async securitySettings(actor: Actor | null): Promise<SecuritySettings> {
      authorize(actor, 'users.write');
      return presentSettings(await findSecuritySettings(db));
    },

    /** The company's sign-in policy (admin): SSO for everyone but a break-glass admin, a second factor for roles. */
    async updateSecuritySettings(
      actor: Actor | null,
      input: UpdateSecuritySettingsBody,
    ): Promise<SecuritySettings> {
      const who = authorize(actor, 'users.write');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const current = presentSettings(await findSecuritySettings(trx));
        const next = {
          ssoRequired: input.ssoRequired ?? current.ssoRequired,
          breakGlassUserId:
            input.breakGlassUserId === undefined ? current.breakGlassUserId : input.breakGlassUserId,
          mfaRequiredRoles: input.mfaRequiredRoles ?? current.mfaRequiredRoles,
        };
        if (next.ssoRequired && !auth.oidc)
          throw fieldError(
            'http.validation_failed',
            'ssoRequired',
            'needs an OpenID Provider: set BATON_OIDC_ISSUER and BATON_OIDC_CLIENT_ID',
          );
        if (next.breakGlassUserId !== null) {
          const admin = await findUserById(trx, next.breakGlassUserId);
          if (!admin || admin.role !== 'admin' || !fromDbBool(admin.is_active))
            throw fieldError('http.validation_failed', 'breakGlassUserId', 'must be an active admin');
        } else if (next.ssoRequired)
          throw fieldError(
            'http.validation_failed',
            'breakGlassUserId',
            'is required with ssoRequired: an admin who can still sign in when the provider is down',
          );
        await updateSecuritySettings(trx, { ...next, at: now });
        await insertEvent(trx, {
          type: 'security.settings_changed',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'security_settings', id: '1' },
          payload: { before: { ...current, updatedAt: undefined }, after: next },
        });
        return presentSettings(await findSecuritySettings(trx));
      });
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
