import type {
  OutboxMessage,
  OutboxMessageDetail,
  OutboxPage,
  OutboxQuery,
} from '../../../contract/outbox.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import type { CandidateVerdict, SkipReason } from '../../../domain/routing/choose-rep.ts';
import { expandExplanation, type CompactExplanation } from '../../../domain/scoring/compact-explanation.ts';
import type { ScoringModelDefinition } from '../../../domain/scoring/score-contact.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbJson, fromDbTime, fromDbTimeOrNull, toDbTime } from '../../db/dialect.ts';
import type { ContactRow, UserRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import { PermanentMailError, type Mailer } from '../../platform/mailer.ts';
import { findAccountById } from '../accounts/accounts.repository.ts';
import { findRecentTouchpoints } from '../capture/capture.repository.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { findContactScore } from '../scoring/scoring.repository.ts';
import { authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError } from '../shared/errors.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import { findActiveManagersOf, findActiveUsersByRole, findUserById } from '../users/users.repository.ts';
import {
  renderLeadAssigned,
  renderLeadUnassigned,
  renderHandoffDigest,
  renderPaceAlert,
  renderPlanBehind,
  renderSlaStep,
  type AssignedBy,
  type Email,
  type Language,
  type LeadContext,
  type Recipient,
} from './notifications.emails.ts';
import {
  cancelMessage,
  countOutboxByStatus,
  findOutboxMessageById,
  findPolicyName,
  findOutboxMessages,
  hasOutboxMessage,
  insertOutboxBulk,
  insertOutboxMessages,
  leaseDueMessages,
  markMessageFailed,
  markMessageSent,
  requeueMessage,
  storeRendered,
  type OutboxRow,
} from './outbox.repository.ts';

const recentTouches = 5;
const scoreReasons = 5;

/**
 * Waiting time before the next attempt: 30 s, doubling per attempt, at most an hour, with a fifth
 * either way at random so that many failed messages do not all return at the same moment.
 *
 * @example retryDelayMs(3, () => 0.5) // 120000
 */
export function retryDelayMs(attempt: number, random: () => number): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

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

const recipientOf = (user: UserRow): Recipient => ({
  name: user.name,
  language: user.language === 'nl' ? 'nl' : 'en',
  timeZone: user.time_zone,
});

export function createNotificationsService(
  deps: ServiceDeps,
  options: { maxAttempts?: number; random?: () => number; leaseMs?: number } = {},
) {
  /** How long a dispatcher holds the messages it took; after that another may send them. */
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const { db, clock } = deps;
  const maxAttempts = options.maxAttempts ?? 10;
  const random = options.random ?? Math.random;
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  /** Where things open in the web app. */
  const links = {
    lead: (contactId: string) => `${publicUrl}/leads/${contactId}`,
    unassignedQueue: () => `${publicUrl}/queue/unassigned`,
    commitment: (id: string) => `${publicUrl}/commitments/${id}`,
    handoffTracker: () => `${publicUrl}/handoff`,
    plan: () => `${publicUrl}/plan`,
  };

  /** What a rep needs to act on a lead, read inside the transaction that queues the message. */
  async function leadContext(trx: Db, contact: ContactRow): Promise<LeadContext> {
    const [account, score, touches] = await Promise.all([
      contact.account_id ? findAccountById(trx, contact.account_id) : undefined,
      findContactScore(trx, contact.id),
      findRecentTouchpoints(trx, contact.id, recentTouches),
    ]);
    let scoreContext: LeadContext['score'] = null;
    if (score) {
      const explanation = expandExplanation(
        fromDbJson(score.explanation) as CompactExplanation,
        fromDbJson(score.model_definition) as ScoringModelDefinition,
      );
      scoreContext = {
        fit: Number(score.fit),
        engagement: Number(score.engagement),
        grade: score.grade,
        reasons: [...explanation.fit, ...explanation.engagement]
          .filter((hit) => hit.points > 0)
          .sort((a, b) => b.points - a.points)
          .slice(0, scoreReasons)
          .map((hit) => ({ label: hit.label, points: Math.round(hit.points * 10) / 10 })),
        byHighIntent: explanation.mql.by === 'high_intent',
      };
    }
    const name = [contact.first_name, contact.last_name].filter(Boolean).join(' ');
    return {
      name: name === '' ? null : name,
      email: contact.email,
      title: contact.title,
      phone: contact.phone,
      country: contact.country,
      company: account
        ? {
            name: account.name,
            industry: account.industry,
            employeeCount: account.employee_count,
            country: account.country,
          }
        : null,
      score: scoreContext,
      recentTouches: touches.map((t) => ({
        type: t.type,
        occurredAt: fromDbTime(t.occurred_at),
        campaign: t.campaign,
        url: t.url,
      })),
      link: links.lead(contact.id),
    };
  }

  function emailRow(input: {
    dedupeKey: string;
    kind: string;
    to: UserRow;
    contactId: string | null;
    email: Email;
    now: Date;
  }) {
    return {
      id: newId(),
      dedupe_key: input.dedupeKey,
      kind: input.kind,
      channel: 'email' as const,
      recipient_user_id: input.to.id,
      recipient: input.to.email,
      language: recipientOf(input.to).language,
      subject: input.email.subject,
      body_text: input.email.text,
      body_html: input.email.html,
      template: null,
      params: null,
      contact_id: input.contactId,
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: toDbTime(input.now),
      leased_by: null,
      leased_until: null,
      last_error: null,
      provider_message_id: null,
      created_at: toDbTime(input.now),
      sent_at: null,
    };
  }

  /** Renders a message queued in bulk from its template, and keeps what it said. */
  /**
   * One message per recipient, not about a lead, each rendered in the recipient's language and
   * queued under its own dedupe key, in the caller's transaction. Returns how many were queued.
   */
  async function queueToEach(
    trx: Db,
    input: {
      kind: string;
      recipients: readonly UserRow[];
      dedupeKey: (to: UserRow) => string;
      render: (recipient: Recipient) => Email;
    },
  ): Promise<number> {
    const now = clock.now();
    await insertOutboxMessages(
      trx,
      input.recipients.map((to) =>
        emailRow({
          dedupeKey: input.dedupeKey(to),
          kind: input.kind,
          to,
          contactId: null,
          email: input.render(recipientOf(to)),
          now,
        }),
      ),
    );
    return input.recipients.length;
  }

  async function renderQueued(row: OutboxRow, owner: string): Promise<Email> {
    if (row.template !== 'sla.step' || !row.contact_id || !row.recipient_user_id)
      throw new Error(`cannot render message ${row.id} (template ${row.template ?? 'none'})`);
    const params = fromDbJson(row.params) as {
      kind: 'reminder' | 'breach';
      level: number;
      repId: string | null;
      policyId: string;
      deadline: string;
      overdueMs: number;
    };
    const [contact, recipient, rep, policy] = await Promise.all([
      findContactById(db, row.contact_id),
      findUserById(db, row.recipient_user_id),
      params.repId ? findUserById(db, params.repId) : undefined,
      findPolicyName(db, params.policyId),
    ]);
    if (!contact || !recipient) throw new Error(`message ${row.id}: its lead or recipient no longer exists`);
    const email = renderSlaStep({
      recipient: recipientOf(recipient),
      lead: await leadContext(db, contact),
      kind: params.kind,
      level: params.level,
      toRep: recipient.id === params.repId,
      repName: rep?.name ?? '—',
      policyName: policy ?? { en: '—', nl: '—' },
      deadline: new Date(params.deadline),
      overdueMs: params.overdueMs,
    });
    await storeRendered(db, { id: row.id, owner, ...email });
    return email;
  }

  return {
    links,

    /**
     * Queues the "new lead for you" email to the rep, in the caller's transaction (the one that
     * stores the assignment), so that the email exists exactly when the assignment does.
     */
    async queueLeadAssigned(
      trx: Db,
      input: { assignmentId: string; contact: ContactRow; userId: string; by: AssignedBy },
    ): Promise<void> {
      const user = await findUserById(trx, input.userId);
      if (!user) return;
      const now = clock.now();
      const email = renderLeadAssigned({
        recipient: recipientOf(user),
        lead: await leadContext(trx, input.contact),
        by: input.by,
      });
      await insertOutboxMessages(trx, [
        emailRow({
          dedupeKey: `lead.assigned:${input.assignmentId}`,
          kind: 'lead.assigned',
          to: user,
          contactId: input.contact.id,
          email,
          now,
        }),
      ]);
    },

    /**
     * Alerts the managers of the people routing could have chosen (their own and their teams'
     * managers) that a lead waits with no one; with no such manager, every sales manager, and with
     * none of those, the admins.
     */
    async queueUnassignedAlert(
      trx: Db,
      input: {
        assignmentId: string;
        contact: ContactRow;
        candidates: readonly CandidateVerdict[];
        hadTarget: boolean;
        /** Held by the ping-pong guard after this many rejections: told to the owner's manager. */
        heldAfterRejections?: number;
      },
    ): Promise<number> {
      let managers = await findActiveManagersOf(
        trx,
        input.heldAfterRejections && input.contact.owner_id
          ? [input.contact.owner_id]
          : input.candidates.map((c) => c.userId),
      );
      if (managers.length === 0) managers = await findActiveUsersByRole(trx, ['sales_manager']);
      if (managers.length === 0) managers = await findActiveUsersByRole(trx, ['admin']);
      if (managers.length === 0) return 0;
      const skipped: Partial<Record<SkipReason, number>> = {};
      for (const c of input.candidates) if (c.skipped) skipped[c.skipped] = (skipped[c.skipped] ?? 0) + 1;
      const lead = await leadContext(trx, input.contact);
      const now = clock.now();
      await insertOutboxMessages(
        trx,
        managers.map((manager) =>
          emailRow({
            dedupeKey: `lead.unassigned:${input.assignmentId}:${manager.id}`,
            kind: 'lead.unassigned',
            to: manager,
            contactId: input.contact.id,
            email: renderLeadUnassigned({
              recipient: recipientOf(manager),
              lead,
              skipped,
              hadTarget: input.hadTarget,
              queueLink: links.unassignedQueue(),
              ...(input.heldAfterRejections && { heldAfterRejections: input.heldAfterRejections }),
            }),
            now,
          }),
        ),
      );
      return managers.length;
    },

    /** The weekly handoff digest to each marketing user, once per week and person. */
    async queueHandoffDigest(
      trx: Db,
      input: {
        weekOf: string;
        recipients: readonly UserRow[];
        digest: Omit<Parameters<typeof renderHandoffDigest>[0], 'recipient' | 'link' | 'weekOf'>;
      },
    ): Promise<number> {
      return queueToEach(trx, {
        kind: 'handoff.digest',
        recipients: input.recipients,
        dedupeKey: (to) => `handoff.digest:${input.weekOf}:${to.id}`,
        render: (recipient) =>
          renderHandoffDigest({
            ...input.digest,
            weekOf: input.weekOf,
            recipient,
            link: links.handoffTracker(),
          }),
      });
    },

    /**
     * Tells the head of marketing and the directors that Marketing's commitment fell behind its
     * pace (or ended missed), once per recipient and day, in the caller's transaction.
     */
    async queuePaceAlert(
      trx: Db,
      input: {
        commitmentId: string;
        day: string;
        recipients: readonly UserRow[];
        alert: Omit<Parameters<typeof renderPaceAlert>[0], 'recipient' | 'link'>;
      },
    ): Promise<number> {
      return queueToEach(trx, {
        kind: 'commitment.pace',
        recipients: input.recipients,
        dedupeKey: (to) => `commitment.pace:${input.commitmentId}:${input.day}:${to.id}`,
        render: (recipient) =>
          renderPaceAlert({ ...input.alert, recipient, link: links.commitment(input.commitmentId) }),
      });
    },

    /** The plan's pace alert, once per plan, day and recipient, in the caller's transaction. */
    async queuePlanBehind(
      trx: Db,
      input: {
        planId: string;
        day: string;
        recipients: readonly UserRow[];
        alert: Omit<Parameters<typeof renderPlanBehind>[0], 'recipient' | 'link'>;
      },
    ): Promise<number> {
      return queueToEach(trx, {
        kind: 'plan.behind',
        recipients: input.recipients,
        dedupeKey: (to) => `plan.behind:${input.planId}:${input.day}:${to.id}`,
        render: (recipient) => renderPlanBehind({ ...input.alert, recipient, link: links.plan() }),
      });
    },

    /**
     * Queues steps of the follow-up ladder (reminders and escalations) in bulk, in the caller's
     * transaction: each is rendered just before it is sent, so a sweep of thousands stays quick.
     * The dedupe key makes a step queued twice a no-op.
     */
    async queueSlaSteps(
      trx: Db,
      steps: readonly {
        instanceId: string;
        stepIndex: number;
        kind: 'reminder' | 'breach';
        level: number;
        contactId: string;
        recipient: UserRow;
        repId: string | null;
        policyId: string;
        deadline: Date;
        overdueMs: number;
      }[],
    ): Promise<number> {
      const now = toDbTime(clock.now());
      const rows = steps
        .filter((s) => fromDbBool(s.recipient.is_active))
        .map((s) => ({
          id: newId(),
          dedupe_key: `sla:${s.instanceId}:${s.stepIndex}:${s.recipient.id}`,
          kind: s.kind === 'reminder' ? 'sla.reminder' : 'sla.breached',
          channel: 'email',
          recipient_user_id: s.recipient.id,
          recipient: s.recipient.email,
          language: recipientOf(s.recipient).language,
          template: 'sla.step',
          params: JSON.stringify({
            kind: s.kind,
            level: s.level,
            repId: s.repId,
            policyId: s.policyId,
            deadline: s.deadline.toISOString(),
            overdueMs: s.overdueMs,
          }),
          contact_id: s.contactId,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
        }));
      await insertOutboxBulk(trx, deps.sqlite, rows);
      return rows.length;
    },

    /** Whether the managers were alerted about this lead waiting with no one, since an instant. */
    async wasAlerted(trx: Db, contactId: string, since: Date): Promise<boolean> {
      return hasOutboxMessage(trx, 'lead.unassigned', contactId, since);
    },

    /**
     * Sends what is due, as one dispatcher among possibly several: takes a lease on up to `limit`
     * messages, sends them, and records each outcome. A failure is tried again later with backoff;
     * a permanent refusal or the last attempt marks the message dead. Returns how many it handled.
     */
    async sendDue(mailer: Mailer, owner: string, limit = 10): Promise<number> {
      const now = clock.now();
      const leased = await leaseDueMessages(db, {
        owner,
        now,
        leaseUntil: new Date(now.getTime() + leaseMs),
        limit,
      });
      await Promise.all(
        leased.map(async (row) => {
          const attempts = Number(row.attempts) + 1;
          try {
            const email =
              row.subject !== null && row.body_text !== null
                ? { subject: row.subject, text: row.body_text, html: row.body_html }
                : await renderQueued(row, owner);
            const { messageId } = await mailer.send({
              id: row.id,
              to: row.recipient,
              subject: email.subject,
              text: email.text,
              html: email.html,
              language: row.language,
            });
            await markMessageSent(db, {
              id: row.id,
              owner,
              at: clock.now(),
              attempts,
              providerMessageId: messageId,
            });
          } catch (error) {
            const permanent = error instanceof PermanentMailError;
            await markMessageFailed(db, {
              id: row.id,
              owner,
              attempts,
              error: error instanceof Error ? error.message : String(error),
              retryAt:
                permanent || attempts >= maxAttempts
                  ? null
                  : new Date(clock.now().getTime() + retryDelayMs(attempts, random)),
            });
          }
        }),
      );
      return leased.length;
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
