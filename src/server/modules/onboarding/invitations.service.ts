import type { Invitation, PasswordTokenInfo } from '../../../contract/setup.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { UserRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import { hashToken, newToken } from '../../platform/secrets.ts';
import { deleteSessionsOfUser } from '../auth/auth.repository.ts';
import { renderInvitation, renderPasswordReset } from '../notifications/notifications.emails.ts';
import { linksOf, queueToEach } from '../notifications/notifications.usecases.ts';
import { findUserByEmail, findUserById, updateUserRow } from '../users/users.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import {
  deleteOldPasswordTokens,
  findCompany,
  findLatestPasswordToken,
  findPasswordToken,
  insertPasswordToken,
  retirePasswordTokens,
  usePasswordToken,
} from './onboarding.repository.ts';

/** An invitation's link works for a week; a "forgot password" link for an hour. */
export const invitationTtlMs = 7 * 24 * 3_600_000;
export const resetTtlMs = 3_600_000;
/** A second "forgot password" within this time sends no second email. */
const resetQuietMs = 60_000;

const userNotFound = () => createError('users.not_found');

/**
 * Invitations and "forgot password": single-use, expiring links that set a password, sent by
 * email in the recipient's language. Only hashes of the links are stored; the email waits in the
 * outbox, queued in the transaction that makes the link.
 */
export function createInvitationsService(deps: ServiceDeps) {
  const { db, clock, passwords } = deps;
  const links = linksOf(deps.publicUrl);

  /** A new link for the user, the earlier ones retired, and its email queued: in one transaction. */
  async function sendLink(
    user: UserRow,
    purpose: 'invitation' | 'reset',
    by: { name: string; ref: ReturnType<typeof actorRef> } | null,
  ): Promise<Date> {
    const now = clock.now();
    const token = newToken();
    const expiresAt = new Date(now.getTime() + (purpose === 'invitation' ? invitationTtlMs : resetTtlMs));
    const id = newId();
    await db.transaction().execute(async (trx) => {
      await retirePasswordTokens(trx, user.id, now);
      await deleteOldPasswordTokens(trx, new Date(now.getTime() - invitationTtlMs));
      await insertPasswordToken(trx, {
        id,
        userId: user.id,
        purpose,
        tokenHash: hashToken(token),
        expiresAt,
        createdBy: by?.ref.id ?? null,
        createdAt: now,
      });
      const company = await findCompany(trx);
      await queueToEach({
        trx,
        kind: purpose === 'invitation' ? 'user.invitation' : 'user.password_reset',
        recipients: [user],
        dedupeKey: () => `password-link:${id}`,
        render: (recipient) =>
          purpose === 'invitation'
            ? renderInvitation({
                recipient,
                invitedBy: by?.name ?? 'Baton',
                companyName: company.name ?? 'Baton',
                expiresAt,
                link: links.setPassword(token),
              })
            : renderPasswordReset({ recipient, expiresAt, link: links.setPassword(token) }),
        now,
      });
      await insertEvent(trx, {
        type: purpose === 'invitation' ? 'user.invited' : 'user.password_reset_requested',
        occurredAt: now,
        actor: by?.ref ?? { kind: 'system', id: null },
        subject: { type: 'user', id: user.id },
        payload: { expiresAt: expiresAt.toISOString() },
      });
    });
    return expiresAt;
  }

  /** The link's token, checked: known, unused, not expired; with its user. */
  async function tokenOf(token: string) {
    const row = await findPasswordToken(db, hashToken(token.trim()));
    if (!row) throw createError('auth.link_invalid');
    if (row.used_at) throw createError('auth.link_used');
    if (fromDbTime(row.expires_at).getTime() <= clock.now().getTime()) throw createError('auth.link_expired');
    const user = await findUserById(db, row.user_id);
    if (!user || !fromDbBool(user.is_active)) throw createError('auth.link_invalid');
    return { row, user };
  }

  return {
    /** Sends (or sends again) an invitation to a user; earlier links stop working. */
    async invite(actor: Actor | null, userId: string): Promise<Invitation> {
      const who = authorize(actor, 'users.write');
      const user = await findUserById(db, userId);
      if (!user) throw userNotFound();
      if (!fromDbBool(user.is_active))
        throw createError('http.validation_failed', 'The user is deactivated: reactivate them first');
      const inviter = who.kind === 'user' ? await findUserById(db, who.userId) : undefined;
      const expiresAt = await sendLink(user, 'invitation', {
        name: inviter?.name ?? 'Baton',
        ref: actorRef(who),
      });
      return { userId: user.id, email: user.email, expiresAt: expiresAt.toISOString() };
    },

    /**
     * "Forgot password". Answers the same whether or not the address is known, so nobody learns
     * who has an account; a known, active user gets a link, at most once a minute.
     */
    async requestReset(email: string): Promise<void> {
      const user = await findUserByEmail(db, normalizeEmail(email));
      if (!user || !fromDbBool(user.is_active)) return;
      const latest = await findLatestPasswordToken(db, user.id, 'reset');
      if (latest && clock.now().getTime() - fromDbTime(latest.created_at).getTime() < resetQuietMs) return;
      await sendLink(user, 'reset', null);
    },

    /** What the set-password page shows before the password is chosen. */
    async lookup(token: string): Promise<PasswordTokenInfo> {
      const { row, user } = await tokenOf(token);
      return {
        purpose: row.purpose,
        email: user.email,
        name: user.name,
        language: user.language === 'nl' ? 'nl' : 'en',
        expiresAt: fromDbTime(row.expires_at).toISOString(),
      };
    },

    /**
     * Sets the password of the link's user and uses the link up. Every session of the user ends:
     * whoever knew the old password is signed out. The caller signs in with the new one.
     */
    async setPassword(token: string, password: string): Promise<{ email: string }> {
      const { row, user } = await tokenOf(token);
      const hash = await passwords.hash(password);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        if (!(await usePasswordToken(trx, row.id, now))) throw createError('auth.link_used');
        await updateUserRow(trx, user.id, { password_hash: hash, updated_at: toDbTime(now) });
        await deleteSessionsOfUser(trx, user.id);
        await insertEvent(trx, {
          type: 'user.password_set',
          occurredAt: now,
          actor: { kind: 'user', id: user.id },
          subject: { type: 'user', id: user.id },
          payload: { through: row.purpose },
        });
      });
      return { email: user.email };
    },
  };
}

export type InvitationsService = ReturnType<typeof createInvitationsService>;
