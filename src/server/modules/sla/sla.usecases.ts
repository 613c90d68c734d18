import type { Insertable, Selectable } from 'kysely';
import { queueWebhooks, webhookEvent, type WebhookEvent } from '../webhooks/webhooks.usecases.ts';
import { buildCalendar, type BusinessCalendar } from '../../../domain/sla/business-time.ts';
import {
  dueSteps,
  nextCheckAt,
  planLadder,
  policiesFor,
  type LadderSettings,
  type LadderStep,
  type SlaTarget,
} from '../../../domain/sla/plan-ladder.ts';
import type { Db, SqliteStatements } from '../../db/database.ts';
import { fromDbBool, fromDbTime, isoText, toDbTime } from '../../db/dialect.ts';
import type { ContactRow, SlaInstancesTable, SlaPoliciesTable, UserRow } from '../../db/tables.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import { findRecentTouchpoints } from '../capture/capture.repository.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { queueSlaSteps, type SlaStepEmail } from '../notifications/notifications.usecases.ts';
import { findUsersByIds } from '../users/users.repository.ts';
import { calendarSettingsOf, pickCalendar } from './calendar-settings.ts';
import {
  advanceInstances,
  countFollowUpRecords,
  findActivePolicies,
  findCalendars,
  findInstancesOfContact,
  findOpenInstancesOfContact,
  findPolicies,
  findResponsesSince,
  insertSlaInstances,
  lockDueInstances,
  updateInstanceIf,
  type DueInstance,
  type InstanceAdvance,
} from './sla.repository.ts';
import { readJson } from '../../db/json-column.ts';
import { Type, type Static } from 'typebox';

/*
 * The SLA engine: a lead's clocks start when it is given to a rep (or enters a stage with an
 * owner), stop when a response or a move answers them, and the sweep takes their due steps —
 * reminder, escalations, reassignment — each exactly once. Each function takes what it needs by
 * name; the settings and reports are in sla.service.ts.
 */

const dayMs = 86_400_000;
/** A demo request this recent makes a lead hot. */
const hotWithinDays = 30;
/** Follow-up records behind the performance factor cover this many days. */
const recordDays = 30;

/** Gives a lead to someone other than the rep who missed, in the sweep's transaction (routing does). */
export type ReassignAfterMiss = (
  trx: Db,
  input: { contactId: string; missedBy: string | null; missedTarget: string },
) => Promise<{ userId: string | null; announced: DomainEvent[] }>;

/** A ladder as a clock stores it: each step with its instant as ISO text. */
const StoredLadder = Type.Array(
  Type.Object({
    index: Type.Integer(),
    kind: Type.Enum(['reminder', 'breach', 'reassign']),
    level: Type.Integer(),
    notify: Type.Enum(['rep', 'manager', 'director', 'routing']),
    at: Type.String(),
  }),
);
export type StoredStep = Static<typeof StoredLadder>[number];

/** A clock's stored ladder, checked. */
export const readLadder = (value: unknown): StoredStep[] =>
  readJson(StoredLadder, value, 'sla_instances.ladder');

const toStored = (ladder: LadderStep[]): StoredStep[] =>
  ladder.map((s) => ({ ...s, at: s.at.toISOString() }));

export const numberOrNull = (v: number | null) => (v === null ? null : Number(v));

export function ladderOf(policy: Selectable<SlaPoliciesTable>): LadderSettings {
  return {
    windowMs: Number(policy.window_seconds) * 1000,
    reminderAt: numberOrNull(policy.reminder_at),
    escalations: Number(policy.escalations),
    reassign: fromDbBool(policy.is_reassigning),
  };
}

/** Business calendars built from their settings, kept while their row is unchanged. */
export type CalendarCache = Map<string, { calendar: BusinessCalendar; years: [number, number] }>;

export const createCalendarCache = (): CalendarCache => new Map();

/** A policy's calendar (the default when it names none), with the holidays around `at`. */
export async function calendarFor({
  conn,
  calendars,
  calendarId,
  at,
  known,
}: {
  conn: Db;
  calendars: CalendarCache;
  calendarId: string | null;
  at: Date;
  known?: Awaited<ReturnType<typeof findCalendars>>;
}): Promise<BusinessCalendar> {
  const rows = known ?? (await findCalendars(conn));
  const row = pickCalendar(rows, calendarId);
  const year = at.getUTCFullYear();
  const key = `${row.id}|${fromDbTime(row.updated_at).getTime()}`;
  const cached = calendars.get(key);
  if (cached && cached.years[0] <= year - 1 && cached.years[1] >= year + 3) return cached.calendar;
  const calendar = buildCalendar(calendarSettingsOf(row), year - 1, year + 4);
  calendars.set(key, { calendar, years: [year - 1, year + 4] });
  return calendar;
}

async function isHot(conn: Db, contactId: string, now: Date): Promise<boolean> {
  const touches = await findRecentTouchpoints(conn, contactId, 50);
  return touches.some(
    (t) =>
      t.type === 'demo_requested' &&
      now.getTime() - fromDbTime(t.occurred_at).getTime() <= hotWithinDays * dayMs,
  );
}

/**
 * The first genuine response to a clock's lead since it started: a sales activity by the rep (for
 * a first-response clock), or a person moving the lead out of the clock's stage. The one place
 * this rule is written; the sweep and the reactions both read the stored history through it.
 */
type Responses = Awaited<ReturnType<typeof findResponsesSince>>;

/** The responses of each lead, so that a sweep of many clocks looks each lead's up once. */
function responsesByLead(responses: Responses): Map<string, Responses> {
  const byLead = new Map<string, Responses>();
  const of = (contactId: string) => {
    let entry = byLead.get(contactId);
    if (!entry) byLead.set(contactId, (entry = { activities: [], decisions: [] }));
    return entry;
  };
  for (const a of responses.activities) of(a.contact_id!).activities.push(a);
  for (const d of responses.decisions) of(d.contact_id).decisions.push(d);
  return byLead;
}

/** What settling a clock reads of it: the due clock's columns, without what the sweep adds. */
type ClockOfLead = Omit<DueInstance, 'contact_stage' | 'row'>;

function respondedAt(instance: ClockOfLead, responses: Responses | undefined): Date | null {
  if (!responses) return null;
  const started = fromDbTime(instance.started_at).getTime();
  let first = Number.POSITIVE_INFINITY;
  const consider = (r: { contact_id: string | null; occurred_at: Date | string }) => {
    if (r.contact_id !== instance.contact_id) return;
    const t = fromDbTime(r.occurred_at).getTime();
    if (t >= started && t < first) first = t;
  };
  if ((instance.target as SlaTarget) === 'first_response')
    for (const a of responses.activities) if (a.user_id === instance.user_id) consider(a);
  for (const d of responses.decisions) if (d.from_stage === instance.stage) consider(d);
  return Number.isFinite(first) ? new Date(first) : null;
}

/**
 * How a clock ends, if it does: answered (met on time, or breached and answered late), or closed
 * because the lead left the stage; null while it still waits.
 */
function settlementOf(
  instance: ClockOfLead,
  responded: Date | null,
  stage: string | undefined,
  now: Date,
): Partial<Insertable<SlaInstancesTable>> | null {
  if (responded) {
    const onTime = responded.getTime() <= fromDbTime(instance.deadline_at).getTime();
    return {
      status: instance.status === 'running' && onTime ? 'met' : 'breached',
      responded_at: toDbTime(responded),
      next_check_at: null,
      updated_at: toDbTime(now),
    };
  }
  if (stage !== instance.stage)
    return {
      ...(instance.status === 'running' && { status: 'cancelled' as const }),
      closed_reason: 'left_stage',
      next_check_at: null,
      updated_at: toDbTime(now),
    };
  return null;
}

/**
 * Starts the clocks of a lead just given to a rep, in the transaction of that assignment: the
 * policies of its stage (the hot first-response window after a recent demo request). The clocks
 * another rep had on the lead stop; a miss stays on that rep's record.
 */
export async function startClocksForAssignment({
  trx,
  contact,
  assignmentId,
  userId,
  now,
  calendars,
}: {
  trx: Db;
  contact: ContactRow;
  assignmentId: string | null;
  userId: string;
  now: Date;
  calendars: CalendarCache;
}): Promise<void> {
  // A target the rep already has a clock for in this stage keeps it: given their own lead again
  // (a manager's second click, a retry, two people at once), a rep gets no second clock and no
  // fresh window.
  const kept = new Set<string>();
  for (const open of await findOpenInstancesOfContact(trx, contact.id))
    if (open.user_id === userId) {
      if (open.stage === contact.stage) kept.add(open.target);
    } else
      await updateInstanceIf(
        trx,
        open.id,
        { nextStep: Number(open.next_step) },
        {
          ...(open.status === 'running' && { status: 'cancelled' }),
          closed_reason: 'reassigned',
          next_check_at: null,
          updated_at: toDbTime(now),
        },
      );
  const policies = policiesFor(
    await findActivePolicies(trx),
    contact.stage,
    await isHot(trx, contact.id, now),
  ).filter((policy) => !kept.has(policy.target));
  if (policies.length === 0) return;
  const known = await findCalendars(trx);
  const rows = [];
  for (const policy of policies) {
    const calendar = await calendarFor({
      conn: trx,
      calendars,
      calendarId: policy.calendar_id,
      at: now,
      known,
    });
    const ladder = planLadder(ladderOf(policy), calendar, now);
    rows.push({
      id: newId(),
      contact_id: contact.id,
      policy_id: policy.id,
      user_id: userId,
      assignment_id: assignmentId,
      stage: contact.stage,
      target: policy.target,
      status: 'running' as const,
      level: 0,
      ladder: JSON.stringify(toStored(ladder)),
      next_step: 0,
      next_check_at: toDbTime(nextCheckAt(ladder, 0)!),
      started_at: toDbTime(now),
      deadline_at: toDbTime(ladder.find((s) => s.kind === 'breach')!.at),
      responded_at: null,
      breached_at: null,
      closed_reason: null,
      waived_by: null,
      waived_reason: null,
      waived_at: null,
      created_at: toDbTime(now),
      updated_at: toDbTime(now),
      // The stay the clock belongs to: every clock of one handover shares it (speed to lead).
      stay_started_at: toDbTime(fromDbTime(contact.stage_entered_at)),
    });
  }
  await insertSlaInstances(trx, rows);
}

/**
 * Starts the clocks of the stage a lead just entered with an owner (SAL: qualify or recycle;
 * SQL: opportunity or recycle), once per stay in the stage, in the stage change's transaction:
 * no crash can leave a lead in the stage without its clocks.
 */
export async function startClocksForStage({
  trx,
  contactId,
  now,
  calendars,
}: {
  trx: Db;
  contactId: string;
  now: Date;
  calendars: CalendarCache;
}): Promise<void> {
  const contact = await findContactById(trx, contactId);
  if (!contact?.owner_id || contact.stage === 'mql') return;
  const entered = fromDbTime(contact.stage_entered_at).getTime();
  const started = (await findInstancesOfContact(trx, contactId)).some(
    (i) => i.stage === contact.stage && fromDbTime(i.started_at).getTime() >= entered,
  );
  if (started) return;
  await startClocksForAssignment({
    trx,
    contact,
    assignmentId: null,
    userId: contact.owner_id,
    now,
    calendars,
  });
}

/** Stops the clocks of a lead that a response or a move answered (after a touch or a stage change). */
export async function settleClocks({
  db,
  contactId,
  now,
}: {
  db: Db;
  contactId: string;
  now: Date;
}): Promise<void> {
  // Most touches are on people with no running clock: one read, and no transaction, tells.
  if ((await findOpenInstancesOfContact(db, contactId)).length === 0) return;
  await db.transaction().execute(async (trx) => {
    const contact = await findContactById(trx, contactId);
    const open = await findOpenInstancesOfContact(trx, contactId);
    if (open.length === 0) return;
    const earliest = new Date(Math.min(...open.map((i) => fromDbTime(i.started_at).getTime())));
    const responses = await findResponsesSince(trx, [contactId], earliest);
    for (const instance of open) {
      const patch = settlementOf(instance, respondedAt(instance, responses), contact?.stage, now);
      if (patch) await updateInstanceIf(trx, instance.id, { nextStep: Number(instance.next_step) }, patch);
    }
  });
}

/** Due clocks decided, moved and announced at a time, within a sweep's transaction. */
const sweepPart = 1_000;

/**
 * The sweep, in one transaction: loads the due clocks and everything they need in a few
 * queries, then stops those a response or a move answered and takes the due steps of the rest —
 * each by compare-and-set on its next step, so a step is taken once — queueing one digest per
 * person for all of them. A reassignment goes through routing, which is rare enough to go one by one.
 */
async function sweepIn({
  trx,
  sqlite,
  now,
  take,
  part,
  reassign,
  announced,
}: {
  trx: Db;
  sqlite: SqliteStatements | undefined;
  now: Date;
  take: number;
  part: number;
  reassign: ReassignAfterMiss;
  announced: DomainEvent[];
}): Promise<number> {
  const due = await lockDueInstances(trx, sqlite, now, take);
  if (due.length === 0) return 0;
  const contactIds = [...new Set(due.map((i) => i.contact_id))];
  // The earliest start, compared as stored: ISO text in order (SQLite) or Dates (PostgreSQL).
  let earliestStart = due[0]!.started_at;
  for (const instance of due) if (instance.started_at < earliestStart) earliestStart = instance.started_at;
  const earliest = fromDbTime(earliestStart);
  const [responses, policies] = await Promise.all([
    findResponsesSince(trx, contactIds, earliest),
    findPolicies(trx),
  ]);
  const policyById = new Map(policies.map((p) => [p.id, p]));
  const responsesOf = responsesByLead(responses);
  // The reps, their managers and the managers' managers (the director), in three reads at most.
  const people = new Map<string, UserRow>();
  let wanted = [...new Set(due.map((i) => i.user_id).filter((id): id is string => id !== null))];
  for (let depth = 0; depth < 3 && wanted.length > 0; depth++) {
    for (const user of await findUsersByIds(trx, wanted)) people.set(user.id, user);
    wanted = [
      ...new Set(
        wanted.map((id) => people.get(id)?.manager_id).filter((id): id is string => !!id && !people.has(id)),
      ),
    ];
  }
  const managerOf = (id: string | null | undefined) => (id ? (people.get(id)?.manager_id ?? null) : null);

  const emails: SlaStepEmail[] = [];
  const reassignments: DueInstance[] = [];
  const nowText = toDbTime(now);
  // In parts: what a part makes (parsed ladders, moves, webhook events) is dropped before the
  // next, so the collector does not copy ten thousand of each while the sweep goes on.
  for (let from = 0; from < due.length; from += part) {
    const advances: InstanceAdvance[] = [];
    const taken: { instance: DueInstance; steps: StoredStep[] }[] = [];
    const hooks: WebhookEvent[] = [];
    for (let i = from; i < Math.min(due.length, from + part); i++) {
      const instance = due[i]!;
      const responded = respondedAt(instance, responsesOf.get(instance.contact_id));
      const settled = settlementOf(instance, responded, instance.contact_stage ?? undefined, now);
      const expected = { nextStep: Number(instance.next_step) };
      if (settled) {
        await updateInstanceIf(trx, instance.id, expected, settled);
        continue;
      }
      // The stored ladder as it is: its instants stay ISO text, written back as the next check.
      const ladder = readLadder(instance.ladder);
      const steps = dueSteps(ladder, expected.nextStep, now);
      let level = Number(instance.level);
      let firstBreach: StoredStep | undefined;
      for (const step of steps) {
        if (step.level > level) level = step.level;
        if (!firstBreach && step.kind === 'breach') firstBreach = step;
      }
      // A clock due by its row but not by its ladder (a row edited by hand) takes no step: its
      // next check goes back to its ladder's next step, so that no sweep reads it again.
      const nextStep = steps.length > 0 ? steps.at(-1)!.index + 1 : expected.nextStep;
      advances.push({
        id: instance.id,
        expectedStep: expected.nextStep,
        nextStep,
        nextCheckAt: nextCheckAt(ladder, nextStep),
        level,
        breachedAt: firstBreach && instance.breached_at === null ? firstBreach.at : null,
        updatedAt: nowText,
        row: instance.row,
      });
      if (steps.length > 0) taken.push({ instance, steps });
    }
    // Only the clocks this sweeper moved take their steps: another may have taken the rest.
    const moved = await advanceInstances(trx, sqlite, advances);
    for (const { instance, steps } of taken) {
      if (!moved.has(instance.id)) continue;
      const policy = policyById.get(instance.policy_id)!;
      const deadline = isoText(instance.deadline_at);
      for (const step of steps) {
        if (step.kind === 'reassign') {
          reassignments.push(instance);
          continue;
        }
        hooks.push(
          webhookEvent(
            step.kind === 'reminder' ? 'sla.reminder' : step.level <= 1 ? 'sla.breached' : 'sla.escalated',
            step.at,
            {
              clockId: instance.id,
              contactId: instance.contact_id,
              repId: instance.user_id,
              policyId: policy.id,
              target: instance.target,
              deadlineAt: deadline,
              level: step.kind === 'reminder' ? 0 : step.level,
              notified: step.notify ?? null,
            },
          ),
        );
        const recipientId =
          step.notify === 'rep'
            ? instance.user_id
            : step.notify === 'manager'
              ? managerOf(instance.user_id)
              : managerOf(managerOf(instance.user_id));
        const recipient = recipientId ? people.get(recipientId) : undefined;
        if (!recipient) continue;
        emails.push({
          instanceId: instance.id,
          stepIndex: step.index,
          kind: step.kind,
          level: step.level,
          contactId: instance.contact_id,
          recipient,
          repId: instance.user_id,
          policyId: policy.id,
          deadline,
          // Each escalation is one more window after the deadline, in business time.
          overdueMs: step.kind === 'breach' ? (step.level - 1) * Number(policy.window_seconds) * 1000 : 0,
        });
      }
    }
    await queueWebhooks(trx, hooks, sqlite);
  }
  const queued = await queueSlaSteps({ trx, sqlite, steps: emails, now, sweepId: newId() });
  if (queued > 0) announced.push({ type: 'outbox.queued', count: queued, at: now });
  for (const instance of reassignments) {
    const result = await reassign(trx, {
      contactId: instance.contact_id,
      missedBy: instance.user_id,
      missedTarget: instance.target,
    });
    announced.push(...result.announced);
  }
  return due.length;
}

/**
 * Takes the ladder steps that are due, each exactly once: checks first whether the lead was
 * answered or moved on (from the stored history, so a response the process missed still counts),
 * then queues the reminder or escalation in the outbox, or has routing give the lead to someone
 * else. A sweep is one transaction of at most `limit` clocks, so it queues one digest per person
 * and kind of alert, written once: 10,000 due clocks (a backlog after an outage) hold the writer
 * for about half a second on SQLite; the next sweep takes the rest. What it queued and
 * reassigned is published once it commits. Returns how many clocks it looked at.
 */
export async function sweepDueClocks({
  db,
  sqlite,
  now,
  limit = 10_000,
  part = sweepPart,
  reassign,
  publish,
}: {
  db: Db;
  sqlite?: SqliteStatements | undefined;
  now: Date;
  limit?: number;
  /** Due clocks decided and moved at a time within the transaction (tests make it small). */
  part?: number;
  reassign: ReassignAfterMiss;
  publish: (events: readonly DomainEvent[]) => void;
}): Promise<number> {
  const announced: DomainEvent[] = [];
  const count = await db
    .transaction()
    .execute((trx) => sweepIn({ trx, sqlite, now, take: limit, part, reassign, announced }));
  publish(announced);
  return count;
}

/** Each rep's follow-up record over the last 30 days: what routing's performance factor uses. */
export async function followUpRecords({
  conn,
  userIds,
  now,
}: {
  conn: Db;
  userIds: readonly string[];
  now: Date;
}): Promise<Map<string, { measured: number; met: number } | null>> {
  const since = new Date(now.getTime() - recordDays * dayMs);
  const records = await countFollowUpRecords(conn, userIds, since);
  return new Map(userIds.map((id) => [id, records.get(id) ?? null]));
}
