import type { CandidateVerdict, SkipReason } from '../../../domain/routing/choose-rep.ts';
import type { ConnectionProblem } from '../../../domain/connectors/problems.ts';
import { expandExplanation } from '../../../domain/scoring/compact-explanation.ts';
import type { Db, SqliteStatements } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { ContactRow, OutboxTable, UserRow } from '../../db/tables.ts';
import type { Insertable } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/ids.ts';
import { PermanentMailError, type Mailer } from '../../platform/mailer.ts';
import { findAccountById, findAccountsByIds } from '../accounts/accounts.repository.ts';
import { findRecentTouchpoints } from '../capture/capture.repository.ts';
import { findContactsByIds } from '../contacts/contacts.repository.ts';
import { findContactScore } from '../scoring/scoring.repository.ts';
import { issueActionLinks } from '../one-click/one-click.usecases.ts';
import {
  findActiveManagersOf,
  findActiveUsersByRole,
  findUserById,
  findUsersByIds,
} from '../users/users.repository.ts';
import {
  findAlertChannelById,
  findAlertChannelsFor,
  routesOf,
  type AlertChannelRow,
} from '../alerts/alerts.repository.ts';
import { routesWithDefaults, slaAlertKind } from '../../../domain/alerts/alerts.ts';
import { chatPayload } from '../../../domain/alerts/chat-cards.ts';
import type { AlertKind, ChatProvider } from '../../../contract/alerts.ts';
import { PermanentChatError, type ChatSender } from '../../platform/chat-sender.ts';
import type { SecretBox } from '../../platform/secret-box.ts';
import {
  renderHandoffDigest,
  renderLeadAssigned,
  renderLeadUnassigned,
  renderPaceAlert,
  renderPlanBehind,
  renderWebhookDisabled,
  renderConnectionProblem,
  renderSlaDigest,
  renderSlaStep,
  type SlaDigestItem,
  type ActionLinks,
  type Alert,
  type AssignedBy,
  type LeadContext,
  type Recipient,
} from './notifications.emails.ts';
import {
  findPolicyName,
  hasOutboxMessage,
  insertOutboxBulk,
  insertOutboxMessages,
  leaseDueMessages,
  markMessageFailed,
  markMessageSent,
  storeRendered,
  type OutboxRow,
} from './outbox.repository.ts';
import { readJson } from '../../db/json-column.ts';
import { readExplanation } from '../scoring/scoring.repository.ts';
import { ScoringModelDefinition as ScoringModelDefinitionSchema } from '../../../contract/scoring.ts';
import { Type } from 'typebox';
import {
  readDigest,
  writeDigest,
  type QueuedDigest,
  type QueuedDigestLead,
} from '../shared/queued-digests.ts';
import { Nullable } from '../../../contract/common.ts';

/** What a queued ladder step keeps until it is rendered, just before it is sent. */
const SlaStepParams = Type.Object({
  kind: Type.Enum(['reminder', 'breach']),
  level: Type.Integer(),
  repId: Nullable(Type.String()),
  policyId: Type.String(),
  deadline: Type.String(),
  overdueMs: Type.Number(),
});

/*
 * The notifications engine: what Baton queues in the outbox, in the transaction of the change it
 * tells about, and how the outbox is sent. Each function takes what it needs by name.
 */

const recentTouches = 5;
const scoreReasons = 5;

/** Where things open in the web app, for links in emails. */
export interface Links {
  lead(contactId: string): string;
  unassignedQueue(): string;
  commitment(id: string): string;
  handoffTracker(): string;
  plan(): string;
  webhooks(): string;
  connections(): string;
  /** A rep's own leads. */
  myLeads(): string;
  /** A manager's team board. */
  team(): string;
  /** A one-click action's confirmation page; the token rides in the fragment. */
  action(token: string): string;
  /** The page that sets a password; the token rides in the fragment, which no server or proxy logs. */
  setPassword(token: string): string;
}

/** The links of a Baton reached at `publicUrl`. */
export function linksOf(publicUrl: string): Links {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    lead: (contactId) => `${base}/leads/${contactId}`,
    unassignedQueue: () => `${base}/queue/unassigned`,
    commitment: (id) => `${base}/commitments/${id}`,
    handoffTracker: () => `${base}/handoff`,
    plan: () => `${base}/plan`,
    webhooks: () => `${base}/settings?tab=webhooks`,
    connections: () => `${base}/settings?tab=connections`,
    myLeads: () => `${base}/leads`,
    team: () => `${base}/team`,
    action: (token) => `${base}/act#token=${encodeURIComponent(token)}`,
    setPassword: (token) => `${base}/set-password#token=${encodeURIComponent(token)}`,
  };
}

/** The one-click links of a lead's freshly issued tokens. */
const actionLinksOf = (
  links: Links,
  tokens: Record<'accept' | 'reject' | 'log_call', string>,
): ActionLinks => ({
  accept: links.action(tokens.accept),
  reject: links.action(tokens.reject),
  logCall: links.action(tokens.log_call),
});

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

export const recipientOf = (user: UserRow): Recipient => ({
  name: user.name,
  language: user.language === 'nl' ? 'nl' : 'en',
  timeZone: user.time_zone,
});

/** What a rep needs to act on a lead, read inside the transaction that queues the message. */
async function leadContext({
  conn,
  contact,
  links,
}: {
  conn: Db;
  contact: ContactRow;
  links: Links;
}): Promise<LeadContext> {
  const [account, score, touches] = await Promise.all([
    contact.account_id ? findAccountById(conn, contact.account_id) : undefined,
    findContactScore(conn, contact.id),
    findRecentTouchpoints(conn, contact.id, recentTouches),
  ]);
  let scoreContext: LeadContext['score'] = null;
  if (score) {
    const explanation = expandExplanation(
      readExplanation(score.explanation),
      readJson(ScoringModelDefinitionSchema, score.model_definition, 'scoring_models.definition'),
    );
    scoreContext = {
      fit: Number(score.fit),
      engagement: Number(score.engagement),
      grade: score.grade,
      reasons: [...explanation.fit, ...explanation.engagement]
        .filter((hit) => hit.points > 0)
        .sort((a, b) => b.points - a.points)
        .slice(0, scoreReasons)
        .map((hit) => ({ ruleId: hit.ruleId, label: hit.label, points: Math.round(hit.points * 10) / 10 })),
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

type OutboxInsert = Insertable<OutboxTable>;

/** A row of the outbox, pending from now, to one person. */
function outboxRow(input: {
  dedupeKey: string;
  kind: string;
  channel: OutboxTable['channel'];
  to: UserRow;
  recipient: string;
  contactId: string | null;
  body: { subject: string; text: string; html: string | null } | null;
  alertChannelId: string | null;
  now: Date;
}): OutboxInsert {
  // The bell's own row (email turned off for the kind) has nothing to send: it is done at once.
  const done = input.channel === 'in_app';
  return {
    id: newId(),
    dedupe_key: input.dedupeKey,
    kind: input.kind,
    channel: input.channel,
    recipient_user_id: input.to.id,
    recipient: input.recipient,
    language: recipientOf(input.to).language,
    subject: input.body?.subject ?? null,
    body_text: input.body?.text ?? null,
    body_html: input.body?.html ?? null,
    template: null,
    params: null,
    contact_id: input.contactId,
    status: done ? 'sent' : 'pending',
    attempts: 0,
    next_attempt_at: toDbTime(input.now),
    leased_by: null,
    leased_until: null,
    last_error: null,
    provider_message_id: null,
    created_at: toDbTime(input.now),
    sent_at: done ? toDbTime(input.now) : null,
    alert_channel_id: input.alertChannelId,
  };
}

const providers = ['slack', 'teams'] as const satisfies readonly ChatProvider[];
const providerLabel: Record<ChatProvider, string> = { slack: 'Slack', teams: 'Teams' };
const hasAddress = (row: AlertChannelRow, provider: ChatProvider) =>
  (provider === 'slack' ? row.slack_url : row.teams_url) !== null;

/** An alert to one person, before the channels it goes to are chosen. */
export interface PersonAlert {
  kind: string;
  /** The kind people choose channels for; null for an alert that only goes by email. */
  alertKind: AlertKind | null;
  /** The email's dedupe key. */
  dedupeKey: string;
  /** The same for every person told of one event: a team's channel hears of it once. */
  eventKey: string;
  to: UserRow;
  contactId: string | null;
}

/**
 * Where each alert goes, by the person's and their teams' choices: the email (or, with email
 * turned off, a row for the bell alone), the person's own Slack and Teams, and the channels of
 * their teams, once per event. `body` renders what a row holds (null: rendered when sent).
 */
async function routeAlerts<A extends PersonAlert>(
  trx: Db,
  alerts: readonly A[],
  row: (
    alert: A,
    channel: OutboxTable['channel'],
    target: { dedupeKey: string; recipient: string; alertChannelId: string | null },
  ) => OutboxInsert,
): Promise<OutboxInsert[]> {
  const channels = await findAlertChannelsFor(
    trx,
    alerts.filter((a) => a.alertKind !== null).map((a) => a.to.id),
  );
  const own = new Map(channels.own.map((c) => [c.user_id!, c]));
  const rows: OutboxInsert[] = [];
  for (const alert of alerts) {
    const mine = own.get(alert.to.id);
    const chosen = alert.alertKind
      ? routesWithDefaults(mine ? routesOf(mine) : null, 'user')[alert.alertKind]
      : ['email' as const];
    rows.push(
      row(alert, chosen.includes('email') ? 'email' : 'in_app', {
        dedupeKey: alert.dedupeKey,
        recipient: alert.to.email,
        alertChannelId: null,
      }),
    );
    if (!alert.alertKind) continue;
    for (const provider of providers) {
      if (mine && chosen.includes(provider) && hasAddress(mine, provider))
        rows.push(
          row(alert, provider, {
            dedupeKey: `${alert.dedupeKey}:${provider}`,
            recipient: `${providerLabel[provider]} · ${alert.to.name}`,
            alertChannelId: mine.id,
          }),
        );
    }
    for (const team of channels.teams) {
      if (team.member_id !== alert.to.id) continue;
      const teamChosen = routesWithDefaults(routesOf(team), 'team')[alert.alertKind];
      for (const provider of providers) {
        if (teamChosen.includes(provider) && hasAddress(team, provider))
          rows.push(
            row(alert, provider, {
              dedupeKey: `${alert.eventKey}:team:${team.id}:${provider}`,
              recipient: `${providerLabel[provider]} · ${team.team_name}`,
              alertChannelId: team.id,
            }),
          );
      }
    }
  }
  return rows;
}

/** Queues alerts rendered now, each on the channels its person and their teams chose. */
async function queueAlerts(
  trx: Db,
  alerts: readonly (PersonAlert & { alert: Alert })[],
  now: Date,
): Promise<void> {
  const rows = await routeAlerts(trx, alerts, (a, channel, target) =>
    outboxRow({
      ...target,
      kind: a.kind,
      channel,
      to: a.to,
      contactId: a.contactId,
      now,
      body:
        channel === 'slack' || channel === 'teams'
          ? { subject: a.alert.subject, text: chatPayload(channel, a.alert.card), html: null }
          : a.alert,
    }),
  );
  await insertOutboxMessages(trx, rows);
}

/**
 * One message per recipient, not about a lead, each rendered in the recipient's language and
 * queued under its own dedupe key, in the caller's transaction; an alert people choose channels
 * for (`alertKind`) goes where each chose. Returns how many people were told.
 */
export async function queueToEach({
  trx,
  kind,
  alertKind = null,
  recipients,
  dedupeKey,
  eventKey = kind,
  render,
  now,
}: {
  trx: Db;
  kind: string;
  alertKind?: AlertKind | null;
  recipients: readonly UserRow[];
  dedupeKey: (to: UserRow) => string;
  /** What is the same for every recipient of one event; by default the kind. */
  eventKey?: string;
  render: (recipient: Recipient) => Alert;
  now: Date;
}): Promise<number> {
  await queueAlerts(
    trx,
    recipients.map((to) => ({
      kind,
      alertKind,
      dedupeKey: dedupeKey(to),
      eventKey,
      to,
      contactId: null,
      alert: render(recipientOf(to)),
    })),
    now,
  );
  return recipients.length;
}

/**
 * Queues the "new lead for you" email to the rep, in the caller's transaction (the one that
 * stores the assignment), so that the email exists exactly when the assignment does.
 */
export async function queueLeadAssigned({
  trx,
  assignmentId,
  contact,
  userId,
  by,
  now,
  links,
}: {
  trx: Db;
  assignmentId: string;
  contact: ContactRow;
  userId: string;
  by: AssignedBy;
  now: Date;
  links: Links;
}): Promise<void> {
  const user = await findUserById(trx, userId);
  if (!user) return;
  const tokens = await issueActionLinks({ trx, userId: user.id, contactId: contact.id, now });
  const email = renderLeadAssigned({
    recipient: recipientOf(user),
    lead: await leadContext({ conn: trx, contact, links }),
    by,
    actions: actionLinksOf(links, tokens),
  });
  await queueAlerts(
    trx,
    [
      {
        kind: 'lead.assigned',
        alertKind: 'lead.assigned',
        dedupeKey: `lead.assigned:${assignmentId}`,
        eventKey: `lead.assigned:${assignmentId}`,
        to: user,
        contactId: contact.id,
        alert: email,
      },
    ],
    now,
  );
}

/**
 * Alerts the managers of the people routing could have chosen (their own and their teams'
 * managers) that a lead waits with no one; with no such manager, every sales manager, and with
 * none of those, the admins. Returns how many were alerted.
 */
export async function queueUnassignedAlert({
  trx,
  assignmentId,
  contact,
  candidates,
  hadTarget,
  heldAfterRejections,
  now,
  links,
}: {
  trx: Db;
  assignmentId: string;
  contact: ContactRow;
  candidates: readonly CandidateVerdict[];
  hadTarget: boolean;
  /** Held by the ping-pong guard after this many rejections: told to the owner's manager. */
  heldAfterRejections?: number;
  now: Date;
  links: Links;
}): Promise<number> {
  let managers = await findActiveManagersOf(
    trx,
    heldAfterRejections && contact.owner_id ? [contact.owner_id] : candidates.map((c) => c.userId),
  );
  if (managers.length === 0) managers = await findActiveUsersByRole(trx, ['sales_manager']);
  if (managers.length === 0) managers = await findActiveUsersByRole(trx, ['admin']);
  if (managers.length === 0) return 0;
  const skipped: Partial<Record<SkipReason, number>> = {};
  for (const c of candidates) if (c.skipped) skipped[c.skipped] = (skipped[c.skipped] ?? 0) + 1;
  const lead = await leadContext({ conn: trx, contact, links });
  await queueAlerts(
    trx,
    managers.map((manager) => ({
      kind: 'lead.unassigned',
      alertKind: 'lead.unassigned',
      dedupeKey: `lead.unassigned:${assignmentId}:${manager.id}`,
      eventKey: `lead.unassigned:${assignmentId}`,
      to: manager,
      contactId: contact.id,
      alert: renderLeadUnassigned({
        recipient: recipientOf(manager),
        lead,
        skipped,
        hadTarget,
        queueLink: links.unassignedQueue(),
        ...(heldAfterRejections && { heldAfterRejections }),
      }),
    })),
    now,
  );
  return managers.length;
}

/** Whether the managers were alerted about this lead waiting with no one, since an instant. */
export async function wasAlerted({ trx, contactId, since }: { trx: Db; contactId: string; since: Date }) {
  return hasOutboxMessage(trx, 'lead.unassigned', contactId, since);
}

/** The weekly handoff digest to each marketing user, once per week and person. */
export async function queueHandoffDigest({
  trx,
  weekOf,
  recipients,
  digest,
  now,
  links,
}: {
  trx: Db;
  weekOf: string;
  recipients: readonly UserRow[];
  digest: Omit<Parameters<typeof renderHandoffDigest>[0], 'recipient' | 'link' | 'weekOf'>;
  now: Date;
  links: Links;
}): Promise<number> {
  return queueToEach({
    trx,
    kind: 'handoff.digest',
    alertKind: 'handoff.digest',
    recipients,
    dedupeKey: (to) => `handoff.digest:${weekOf}:${to.id}`,
    eventKey: `handoff.digest:${weekOf}`,
    render: (recipient) =>
      renderHandoffDigest({ ...digest, weekOf, recipient, link: links.handoffTracker() }),
    now,
  });
}

/**
 * Tells the head of marketing and the directors that Marketing's commitment fell behind its
 * pace (or ended missed), once per recipient and day, in the caller's transaction.
 */
export async function queuePaceAlert({
  trx,
  commitmentId,
  day,
  recipients,
  alert,
  now,
  links,
}: {
  trx: Db;
  commitmentId: string;
  day: string;
  recipients: readonly UserRow[];
  alert: Omit<Parameters<typeof renderPaceAlert>[0], 'recipient' | 'link'>;
  now: Date;
  links: Links;
}): Promise<number> {
  return queueToEach({
    trx,
    kind: 'commitment.pace',
    recipients,
    dedupeKey: (to) => `commitment.pace:${commitmentId}:${day}:${to.id}`,
    render: (recipient) => renderPaceAlert({ ...alert, recipient, link: links.commitment(commitmentId) }),
    now,
  });
}

/** The plan's pace alert, once per plan, day and recipient, in the caller's transaction. */
export async function queuePlanBehind({
  trx,
  planId,
  day,
  recipients,
  alert,
  now,
  links,
}: {
  trx: Db;
  planId: string;
  day: string;
  recipients: readonly UserRow[];
  alert: Omit<Parameters<typeof renderPlanBehind>[0], 'recipient' | 'link'>;
  now: Date;
  links: Links;
}): Promise<number> {
  return queueToEach({
    trx,
    kind: 'plan.behind',
    alertKind: 'plan.behind',
    recipients,
    dedupeKey: (to) => `plan.behind:${planId}:${day}:${to.id}`,
    eventKey: `plan.behind:${planId}:${day}`,
    render: (recipient) => renderPlanBehind({ ...alert, recipient, link: links.plan() }),
    now,
  });
}

/** Tells every active admin, in their language, that a failing webhook endpoint was turned off. */
export async function queueWebhookDisabled({
  trx,
  endpoint,
  now,
  links,
}: {
  trx: Db;
  endpoint: { id: string; url: string; failingSince: Date; lastError: string | null };
  now: Date;
  links: Links;
}): Promise<number> {
  return queueToEach({
    trx,
    kind: 'webhook.disabled',
    recipients: await findActiveUsersByRole(trx, ['admin']),
    dedupeKey: (to) => `webhook.disabled:${endpoint.id}:${now.toISOString()}:${to.id}`,
    render: (recipient) =>
      renderWebhookDisabled({
        recipient,
        url: endpoint.url,
        failingSince: endpoint.failingSince,
        lastError: endpoint.lastError,
        link: links.webhooks(),
      }),
    now,
  });
}

/**
 * Tells every admin that a CRM connection needs them (its token refused, owners nobody in Baton, a
 * deal deleted there, people merged there, a property refusing Baton's value), by email and in the
 * bell; `key` makes the same problem told once.
 */
export async function queueConnectionProblem({
  trx,
  connection,
  problem,
  key,
  now,
  links,
}: {
  trx: Db;
  connection: { id: string; name: string };
  problem: ConnectionProblem;
  key: string;
  now: Date;
  links: Links;
}): Promise<number> {
  return queueToEach({
    trx,
    kind: 'connection.needs_admin',
    recipients: await findActiveUsersByRole(trx, ['admin']),
    dedupeKey: (to) => `connection:${connection.id}:${key}:${to.id}`,
    render: (recipient) =>
      renderConnectionProblem({ recipient, name: connection.name, problem, link: links.connections() }),
    now,
  });
}

/** One step of a follow-up ladder to queue: a reminder or an escalation, to one person. */
export interface SlaStepEmail {
  instanceId: string;
  stepIndex: number;
  kind: 'reminder' | 'breach';
  level: number;
  contactId: string;
  recipient: UserRow;
  repId: string | null;
  policyId: string;
  /** ISO 8601, as the digest keeps it. */
  deadline: string;
  overdueMs: number;
}

/** How many leads a digest lists; the rest are counted, and the link opens them all. */
export const digestListed = 50;

/** The steps one sweep took for one person and one kind of alert: one message. */
function digestGroups(steps: readonly SlaStepEmail[]) {
  const groups = new Map<string, SlaStepEmail[]>();
  for (const step of steps) {
    const toRep = step.recipient.id === step.repId;
    const key = `${step.recipient.id}:${step.kind}:${toRep ? 'own' : 'team'}`;
    const group = groups.get(key);
    if (group) group.push(step);
    else groups.set(key, [step]);
  }
  return [...groups.entries()].map(([key, group]) => ({ key, steps: group, first: group[0]! }));
}

const digestItemOf = (s: SlaStepEmail): QueuedDigestLead => ({
  instanceId: s.instanceId,
  stepIndex: s.stepIndex,
  contactId: s.contactId,
  level: s.level,
  repId: s.repId,
  policyId: s.policyId,
  deadline: s.deadline,
  overdueMs: s.overdueMs,
});

/**
 * Queues the steps of the follow-up ladder (reminders and escalations) one sweep took, in the
 * caller's transaction, as one digest per person and kind of alert: a manager told of thirty
 * misses gets one email listing the thirty leads. Each is rendered just before it is sent, so a
 * sweep of thousands stays quick. Returns how many steps were queued.
 */
export async function queueSlaSteps({
  trx,
  sqlite,
  steps,
  now,
  sweepId,
}: {
  trx: Db;
  sqlite?: SqliteStatements | undefined;
  steps: readonly SlaStepEmail[];
  now: Date;
  /** The sweep the steps belong to (its digests' dedupe keys). */
  sweepId: string;
}): Promise<number> {
  const at = toDbTime(now);
  const active = steps.filter((s) => fromDbBool(s.recipient.is_active));
  const rows = await routeAlerts(
    trx,
    digestGroups(active).map(({ key, steps: group, first }) => ({
      group,
      kind: first.kind === 'reminder' ? 'sla.reminder' : 'sla.breached',
      alertKind: slaAlertKind(first.kind, first.recipient.id === first.repId),
      dedupeKey: `sla:digest:${sweepId}:${key}`,
      eventKey: `sla:digest:${sweepId}:${key}`,
      to: first.recipient,
      contactId: group.length === 1 ? first.contactId : null,
    })),
    // Rendered just before it is sent (the bell's own row is never rendered).
    (a, channel, target) => ({
      id: newId(),
      dedupe_key: target.dedupeKey,
      kind: a.kind,
      channel,
      recipient_user_id: a.to.id,
      recipient: target.recipient,
      language: recipientOf(a.to).language,
      template: 'sla.digest',
      params: writeDigest({
        kind: a.group[0]!.kind,
        toRep: a.to.id === a.group[0]!.repId,
        items: a.group.map(digestItemOf),
      }),
      contact_id: a.contactId,
      status: channel === 'in_app' ? 'sent' : 'pending',
      attempts: 0,
      next_attempt_at: at,
      created_at: at,
      sent_at: channel === 'in_app' ? at : null,
      alert_channel_id: target.alertChannelId,
    }),
  );
  await insertOutboxBulk(trx, sqlite, rows);
  return active.length;
}

/** Renders a message queued in bulk from its template, and keeps what it said. */
async function renderQueued({
  db,
  row,
  owner,
  links,
  now,
}: {
  db: Db;
  row: OutboxRow;
  owner: string;
  links: Links;
  now: Date;
}): Promise<Alert> {
  if (!row.recipient_user_id || (row.template !== 'sla.step' && row.template !== 'sla.digest'))
    throw new Error(`cannot render message ${row.id} (template ${row.template ?? 'none'})`);
  const recipient = await findUserById(db, row.recipient_user_id);
  if (!recipient) throw new Error(`message ${row.id}: its recipient no longer exists`);
  // A step queued before digests (one lead a row), or a digest.
  const digest: QueuedDigest =
    row.template === 'sla.step'
      ? (() => {
          const p = readJson(SlaStepParams, row.params, 'outbox.params');
          if (!row.contact_id) throw new Error(`message ${row.id}: its lead no longer exists`);
          return {
            kind: p.kind,
            toRep: recipient.id === p.repId,
            items: [{ ...p, instanceId: '', stepIndex: 0, contactId: row.contact_id }],
          };
        })()
      : readDigest(row.params);
  const email = await renderDigest({ db, digest, recipient, links, now });
  if (!email) throw new Error(`message ${row.id}: its leads no longer exist`);
  await storeRendered(
    db,
    row.channel === 'slack' || row.channel === 'teams'
      ? { id: row.id, owner, subject: email.subject, text: chatPayload(row.channel, email.card), html: null }
      : { id: row.id, owner, ...email },
  );
  return email;
}

/**
 * A digest's message: a single lead as the full alert about it (who, company, recent touches),
 * more as a list, each lead with its rep and deadline. The rep's own carries each lead's
 * one-click links, issued as it is rendered. Leads erased since are left out; none left, null.
 */
async function renderDigest({
  db,
  digest,
  recipient,
  links,
  now,
}: {
  db: Db;
  digest: QueuedDigest;
  recipient: UserRow;
  links: Links;
  now: Date;
}): Promise<Alert | null> {
  const contacts = new Map(
    (await findContactsByIds(db, [...new Set(digest.items.map((i) => i.contactId))])).map((c) => [c.id, c]),
  );
  const present = digest.items.filter((i) => contacts.has(i.contactId));
  if (present.length === 0) return null;
  const listed = present.slice(0, digestListed);
  const [reps, policies] = await Promise.all([
    findUsersByIds(db, [...new Set(listed.map((i) => i.repId).filter((id): id is string => id !== null))]),
    Promise.all(
      [...new Set(listed.map((i) => i.policyId))].map(
        async (id) => [id, await findPolicyName(db, id)] as const,
      ),
    ),
  ]);
  const repName = (id: string | null) => reps.find((r) => r.id === id)?.name ?? '—';
  const policyName = new Map(policies.map(([id, name]) => [id, name ?? { en: '—', nl: '—' }]));
  const actionsFor = async (contactId: string) =>
    digest.toRep
      ? actionLinksOf(links, await issueActionLinks({ trx: db, userId: recipient.id, contactId, now }))
      : undefined;
  if (present.length === 1) {
    const item = present[0]!;
    const actions = await actionsFor(item.contactId);
    return renderSlaStep({
      recipient: recipientOf(recipient),
      lead: await leadContext({ conn: db, contact: contacts.get(item.contactId)!, links }),
      kind: digest.kind,
      level: item.level,
      toRep: digest.toRep,
      repName: repName(item.repId),
      policyName: policyName.get(item.policyId)!,
      deadline: new Date(item.deadline),
      overdueMs: item.overdueMs,
      ...(actions && { actions }),
    });
  }
  const companies = new Map(
    (
      await findAccountsByIds(db, [
        ...new Set(
          listed.map((i) => contacts.get(i.contactId)!.account_id).filter((id): id is string => id !== null),
        ),
      ])
    ).map((a) => [a.id, a.name]),
  );
  const items: SlaDigestItem[] = [];
  for (const item of listed) {
    const contact = contacts.get(item.contactId)!;
    const actions = await actionsFor(contact.id);
    items.push({
      lead: {
        name: [contact.first_name, contact.last_name].filter(Boolean).join(' ') || contact.email || '—',
        company: contact.account_id ? (companies.get(contact.account_id) ?? null) : null,
        link: links.lead(contact.id),
      },
      level: item.level,
      repName: repName(item.repId),
      policyName: policyName.get(item.policyId)!,
      deadline: new Date(item.deadline),
      overdueMs: item.overdueMs,
      ...(actions && { actions }),
    });
  }
  return renderSlaDigest({
    recipient: recipientOf(recipient),
    kind: digest.kind,
    toRep: digest.toRep,
    items,
    more: present.length - listed.length,
    link: digest.toRep ? links.myLeads() : links.team(),
  });
}

/** How the outbox is sent: attempts before a message is dead, the lease, the jitter. */
export interface OutboxPolicy {
  maxAttempts: number;
  /** How long a dispatcher holds the messages it took; after that another may send them. */
  leaseMs: number;
  random: () => number;
}

/** What the outbox is sent through: email (none when no mail server is set) and chat. */
export interface Transports {
  mailer: Mailer | null;
  chat: ChatSender;
  /** Opens the chat addresses, sealed under the server's key. */
  secrets: SecretBox;
  /** Whether chat may post to private and loopback addresses (the webhooks' admin setting). */
  allowPrivate: () => Promise<boolean>;
}

/** Posts a chat message to the address its alert channel holds now. */
async function postToChat({
  db,
  row,
  payload,
  transports,
}: {
  db: Db;
  row: OutboxRow & { channel: ChatProvider };
  payload: string;
  transports: Transports;
}): Promise<void> {
  const target = row.alert_channel_id ? await findAlertChannelById(db, row.alert_channel_id) : undefined;
  const sealed = target && (row.channel === 'slack' ? target.slack_url : target.teams_url);
  if (!sealed) throw new PermanentChatError(`the ${providerLabel[row.channel]} address was removed`);
  await transports.chat.send({
    provider: row.channel,
    url: transports.secrets.open(sealed),
    payload,
    allowPrivate: await transports.allowPrivate(),
  });
}

/**
 * Sends what is due, as one dispatcher among possibly several: takes a lease on up to `limit`
 * messages, sends them by email or to chat, and records each outcome. A failure is tried again
 * later with backoff; a permanent refusal or the last attempt marks the message dead. With no mail
 * server, email waits and chat is sent. Returns how many it handled.
 */
export async function sendDueMessages({
  db,
  transports,
  owner,
  limit,
  clock,
  links,
  policy,
}: {
  db: Db;
  transports: Transports;
  owner: string;
  limit: number;
  clock: Clock;
  links: Links;
  policy: OutboxPolicy;
}): Promise<number> {
  const now = clock.now();
  const leased = await leaseDueMessages(db, {
    owner,
    now,
    leaseUntil: new Date(now.getTime() + policy.leaseMs),
    limit,
    ...(!transports.mailer && { channels: providers }),
  });
  await Promise.all(
    leased.map(async (row) => {
      const attempts = Number(row.attempts) + 1;
      try {
        const rendered =
          row.subject !== null && row.body_text !== null
            ? { subject: row.subject, text: row.body_text, html: row.body_html }
            : await renderQueued({ db, row, owner, links, now });
        let messageId: string | null = null;
        if (row.channel === 'slack' || row.channel === 'teams') {
          const payload = 'card' in rendered ? chatPayload(row.channel, rendered.card) : rendered.text;
          await postToChat({ db, row: { ...row, channel: row.channel }, payload, transports });
        } else {
          if (!transports.mailer) throw new Error('no mail server is set');
          ({ messageId } = await transports.mailer.send({
            id: row.id,
            to: row.recipient,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            language: row.language,
          }));
        }
        await markMessageSent(db, {
          id: row.id,
          owner,
          at: clock.now(),
          attempts,
          providerMessageId: messageId,
        });
      } catch (error) {
        const permanent = error instanceof PermanentMailError || error instanceof PermanentChatError;
        await markMessageFailed(db, {
          id: row.id,
          owner,
          attempts,
          error: error instanceof Error ? error.message : String(error),
          retryAt:
            permanent || attempts >= policy.maxAttempts
              ? null
              : new Date(clock.now().getTime() + retryDelayMs(attempts, policy.random)),
        });
      }
    }),
  );
  return leased.length;
}
