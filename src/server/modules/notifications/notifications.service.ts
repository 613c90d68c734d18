import type {
  OutboxMessage,
  OutboxMessageDetail,
  OutboxPage,
  OutboxQuery,
} from '../../../contract/outbox.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, fromDbTimeOrNull } from '../../db/dialect.ts';
import type { ChatSender } from '../../platform/chat-sender.ts';
import { findWebhookSettings } from '../webhooks/webhooks.repository.ts';
import type { Mailer } from '../../platform/mailer.ts';
import { authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError } from '../shared/errors.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import type { Language } from './notifications.emails.ts';
import {
  linksOf,
  queueHandoffDigest,
  queuePaceAlert,
  queuePlanBehind,
  sendDueMessages,
  type OutboxPolicy,
} from './notifications.usecases.ts';
import {
  cancelMessage,
  countOutboxByStatus,
  findOutboxMessageById,
  findOutboxMessages,
  requeueMessage,
  type OutboxRow,
  countInboxSince,
  findInbox,
  findReadUpTo,
  saveReadUpTo,
} from './outbox.repository.ts';
import { inboxKinds, type Inbox, type InboxKind } from '../../../contract/inbox.ts';
import { readDigest } from '../shared/queued-digests.ts';

function toMessage(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    kind: row.kind,
    channel: row.channel,
    recipientUserId: row.recipient_user_id,
    recipient: row.recipient,
    language: row.language as Language,
    subject: row.subject,
    contactId: row.contact_id,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.status === 'pending' ? fromDbTime(row.next_attempt_at).toISOString() : null,
    lastError: row.last_error,
    createdAt: fromDbTime(row.created_at).toISOString(),
    sentAt: fromDbTimeOrNull(row.sent_at)?.toISOString() ?? null,
  };
}

type Queued<F extends (input: never) => unknown> = Omit<Parameters<F>[0], 'trx' | 'now' | 'links'>;

/**
 * The outbox as people manage it (list, read, retry, cancel), and the engine's queueing and
 * sending (notifications.usecases.ts) bound to this Baton's clock, links and outbox policy, for
 * the services that queue a message in their own transaction.
 */
export function createNotificationsService(
  deps: ServiceDeps,
  options: {
    /** Where chat alerts are posted (Slack, Teams); one per Baton, made in services.ts. */
    chat: ChatSender;
    maxAttempts?: number;
    random?: () => number;
    leaseMs?: number;
  },
) {
  const { db, clock } = deps;
  const links = linksOf(deps.publicUrl);
  const policy: OutboxPolicy = {
    maxAttempts: options.maxAttempts ?? 10,
    leaseMs: options.leaseMs ?? 5 * 60_000,
    random: options.random ?? Math.random,
  };
  return {
    links,
    policy,

    queueHandoffDigest: (trx: Db, input: Queued<typeof queueHandoffDigest>) =>
      queueHandoffDigest({ trx, ...input, now: clock.now(), links }),
    queuePaceAlert: (trx: Db, input: Queued<typeof queuePaceAlert>) =>
      queuePaceAlert({ trx, ...input, now: clock.now(), links }),
    queuePlanBehind: (trx: Db, input: Queued<typeof queuePlanBehind>) =>
      queuePlanBehind({ trx, ...input, now: clock.now(), links }),

    /**
     * Sends what is due as dispatcher `owner`, by email (none: email waits) and to chat; returns
     * how many messages it handled.
     */
    sendDue: (mailer: Mailer | null, owner: string, limit = 10) =>
      sendDueMessages({
        db,
        transports: {
          mailer,
          chat: options.chat,
          secrets: deps.secrets,
          allowPrivate: async () => fromDbBool((await findWebhookSettings(db)).allow_private_targets),
        },
        owner,
        limit,
        clock,
        links,
        policy,
      }),

    /**
     * The bell: the alerts Baton queued for the signed-in person (the same as their emails, sent
     * or not), newest first, and how many came since they last read.
     */
    async inbox(actor: Actor | null, limit = 20): Promise<Inbox> {
      const who = authorize(actor, 'me.read');
      if (who.kind !== 'user') throw createError('auth.forbidden', 'Only a signed-in user has notifications');
      const since = await findReadUpTo(db, who.userId);
      const [rows, unread] = await Promise.all([
        findInbox(db, { userId: who.userId, kinds: inboxKinds, limit }),
        countInboxSince(db, { userId: who.userId, kinds: inboxKinds, since }),
      ]);
      return {
        unread,
        data: rows.map((row) => {
          const at = fromDbTime(row.created_at);
          const name = [row.first_name, row.last_name].filter(Boolean).join(' ') || row.email || '—';
          return {
            id: row.id,
            kind: row.kind as InboxKind,
            at: at.toISOString(),
            unread: since === null || at.getTime() > since.getTime(),
            lead: row.contact_id ? { id: row.contact_id, name } : null,
            leads:
              row.template === 'sla.digest' && row.params !== null
                ? readDigest(row.params).items.length
                : row.contact_id
                  ? 1
                  : 0,
          };
        }),
      };
    },

    /** Everything in the bell until now is read. */
    async markInboxRead(actor: Actor | null): Promise<Inbox> {
      const who = authorize(actor, 'me.update');
      if (who.kind !== 'user') throw createError('auth.forbidden', 'Only a signed-in user has notifications');
      await saveReadUpTo(db, who.userId, clock.now());
      return this.inbox(who);
    },

    async listOutbox(actor: Actor | null, query: OutboxQuery): Promise<OutboxPage> {
      authorize(actor, 'outbox.manage');
      const limit = query.limit ?? 50;
      const rows = await findOutboxMessages(db, {
        ...(query.status && { status: query.status }),
        ...(query.contactId && { contactId: query.contactId }),
        before: decodeCursor(query.cursor),
        limit: limit + 1,
      });
      const page = toPage(rows.map(toMessage), limit);
      return { data: page.items, nextCursor: page.nextCursor, counts: await countOutboxByStatus(db) };
    },

    async getOutboxMessage(actor: Actor | null, id: string): Promise<OutboxMessageDetail> {
      authorize(actor, 'outbox.manage');
      const row = await findOutboxMessageById(db, id);
      if (!row) throw createError('outbox.not_found');
      return { ...toMessage(row), bodyText: row.body_text, bodyHtml: row.body_html };
    },

    /** Sends a dead or cancelled message again, now. */
    async retryOutboxMessage(actor: Actor | null, id: string): Promise<OutboxMessage> {
      authorize(actor, 'outbox.manage');
      if (!(await findOutboxMessageById(db, id))) throw createError('outbox.not_found');
      if (!(await requeueMessage(db, id, clock.now()))) throw createError('outbox.not_retryable');
      return toMessage((await findOutboxMessageById(db, id))!);
    },

    async cancelOutboxMessage(actor: Actor | null, id: string): Promise<OutboxMessage> {
      authorize(actor, 'outbox.manage');
      if (!(await findOutboxMessageById(db, id))) throw createError('outbox.not_found');
      if (!(await cancelMessage(db, id))) throw createError('outbox.not_cancellable');
      return toMessage((await findOutboxMessageById(db, id))!);
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
