import { agreementSpans } from '../agreements/agreements.repository.ts';
import { announcingConfig } from '../shared/config-changed.ts';
import type {
  SaveSlaCalendarBody,
  SlaCalendar,
  SlaClock,
  SlaPolicy,
  SlaPreview,
  SlaPreviewBody,
  SlaQueue,
  SlaQueueQuery,
  SlaReport,
  SlaReportQuery,
  UpdateSlaPolicyBody,
  WaiveBody,
} from '../../../contract/sla.ts';
import { canSee, type Actor } from '../../../domain/access/roles.ts';
import { isValidTimeZone } from '../../../domain/people/normalize.ts';
import { checkWorkingHours } from '../../../domain/routing/working-hours.ts';
import {
  buildCalendar,
  businessTimeBetween,
  isOpenAt,
  type BusinessCalendar,
} from '../../../domain/sla/business-time.ts';
import {
  deadlineOf,
  dueSteps,
  nextCheckAt,
  type LadderSettings,
  planLadder,
  policiesFor,
  type LadderStep,
  type SlaTarget,
} from '../../../domain/sla/plan-ladder.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbJson, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { Insertable, Selectable } from 'kysely';
import type {
  ContactRow,
  SlaCalendarsTable,
  SlaInstancesTable,
  SlaPoliciesTable,
  UserRow,
} from '../../db/tables.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import { findRecentTouchpoints } from '../capture/capture.repository.ts';
import { findContactById, findContactStages } from '../contacts/contacts.repository.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { inTransaction } from '../shared/transaction.ts';
import { calendarSettingsOf, pickCalendar } from './calendar-settings.ts';
import type { CommitmentsService } from './commitments.service.ts';
import { loadVisibility } from '../shared/visibility.ts';
import { findTeams } from '../teams/teams.repository.ts';
import { findTeamIdsByUsers, findUsers, findUsersByIds } from '../users/users.repository.ts';
import {
  countFollowUpRecords,
  findActivePolicies,
  findCalendarById,
  findCalendars,
  findPolicies,
  findResponsesSince,
  lockDueInstances,
  advanceInstances,
  type InstanceAdvance,
  insertCalendar,
  updateCalendarRow,
  updatePolicyRow,
  waiveInstance,
  findInstanceById,
  findInstancesStartedBetween,
  findSpeedToLead,
  findInstancesOfContact,
  findOpenInstancesOfContact,
  findOpenInstances,
  findPolicyById,
  insertSlaInstances,
  updateInstanceIf,
  type DueInstance,
  type SlaInstanceRow,
} from './sla.repository.ts';

const dayMs = 86_400_000;
/** A demo request this recent makes a lead hot. */
const hotWithinDays = 30;
/** Follow-up records behind the performance factor cover this many days. */
const recordDays = 30;

/** What the SLA needs from routing: give a lead to someone other than the rep who missed. */
export interface SlaRouting {
  reassignAfterMiss(
    trx: Db,
    input: { contactId: string; missedBy: string | null; reason: string },
  ): Promise<{ userId: string | null; announced: DomainEvent[] }>;
}

interface StoredStep extends Omit<LadderStep, 'at'> {
  at: string;
}

const toStored = (ladder: LadderStep[]): StoredStep[] =>
  ladder.map((s) => ({ ...s, at: s.at.toISOString() }));
const fromStored = (ladder: unknown): LadderStep[] =>
  (ladder as StoredStep[]).map((s) => ({ ...s, at: new Date(s.at) }));

const numberOrNull = (v: number | null) => (v === null ? null : Number(v));

function ladderOf(policy: Selectable<SlaPoliciesTable>): LadderSettings {
  return {
    windowMs: Number(policy.window_seconds) * 1000,
    reminderAt: numberOrNull(policy.reminder_at),
    escalations: Number(policy.escalations),
    reassign: fromDbBool(policy.is_reassigning),
  };
}

const presentStep = (s: LadderStep | StoredStep) => ({
  kind: s.kind,
  level: s.level,
  notify: s.notify,
  at: typeof s.at === 'string' ? s.at : s.at.toISOString(),
});

function toPolicy(row: Selectable<SlaPoliciesTable>): SlaPolicy {
  return {
    id: row.id,
    key: row.key,
    name: { en: row.name_en, nl: row.name_nl },
    stage: row.stage,
    target: row.target as SlaPolicy['target'],
    priority: row.priority as SlaPolicy['priority'],
    windowSeconds: Number(row.window_seconds),
    reminderAt: numberOrNull(row.reminder_at),
    escalations: Number(row.escalations),
    reassign: fromDbBool(row.is_reassigning),
    calendarId: row.calendar_id,
    active: fromDbBool(row.is_active),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
  };
}

function toCalendar(row: Selectable<SlaCalendarsTable>): SlaCalendar {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    workingHours: fromDbJson(row.working_hours) as SlaCalendar['workingHours'],
    holidays:
      row.holiday_country === 'NL'
        ? {
            country: 'NL',
            goodFriday: fromDbBool(row.is_good_friday),
            liberationDay: row.liberation_day as 'every_year' | 'every_five_years' | 'never',
          }
        : null,
    closures: fromDbJson(row.closures) as SlaCalendar['closures'],
    isDefault: fromDbBool(row.is_default),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
  };
}

function toClock(row: SlaInstanceRow, now: Date): SlaClock {
  const time = (v: Date | string | null) => (v === null ? null : fromDbTime(v).toISOString());
  return {
    id: row.id,
    contactId: row.contact_id,
    policyId: row.policy_id,
    userId: row.user_id,
    stage: row.stage,
    target: row.target as SlaClock['target'],
    status: row.status === 'running' && isAtRisk(row, now) ? 'at_risk' : row.status,
    level: Number(row.level),
    startedAt: fromDbTime(row.started_at).toISOString(),
    dueAt: fromDbTime(row.deadline_at).toISOString(),
    respondedAt: time(row.responded_at),
    breachedAt: time(row.breached_at),
    nextStepAt: time(row.next_check_at),
    closedReason: row.closed_reason,
    waiver: row.waived_reason
      ? { by: row.waived_by, reason: row.waived_reason, at: fromDbTime(row.waived_at!).toISOString() }
      : null,
    steps: (fromDbJson(row.ladder) as StoredStep[]).map(presentStep),
  };
}

/** A running clock is at risk once its reminder point (or, without one, half its window) has passed. */
function isAtRisk(row: SlaInstanceRow, now: Date): boolean {
  const reminder = (fromDbJson(row.ladder) as StoredStep[]).find((s) => s.kind === 'reminder');
  const started = fromDbTime(row.started_at).getTime();
  const point = reminder
    ? Date.parse(reminder.at)
    : started + (fromDbTime(row.deadline_at).getTime() - started) / 2;
  return now.getTime() >= point;
}

/** Speed-to-lead buckets: 5 min, 15 min, 1 h, 4 h, 1 day (and longer). */
const speedBuckets = [5, 15, 60, 240, 1440].map((minutes) => minutes * 60_000);

/** The figures of a set of clocks (see the report). */
function slaFigures(
  speed: readonly { created_at: Date | string; first_touch_at: Date | string | null }[],
  clocks: readonly {
    target: string;
    status: string;
    level: number;
    closed_reason: string | null;
    started_at: Date | string;
    responded_at: Date | string | null;
  }[],
): SlaReport['total'] {
  const count = (test: (c: (typeof clocks)[number]) => boolean) => clocks.filter(test).length;
  const met = count((c) => c.status === 'met');
  const breached = count((c) => c.status === 'breached');
  const byLevel: Record<string, number> = {};
  for (const c of clocks)
    if (c.status === 'breached' || (c.status === 'waived' && Number(c.level) > 0))
      byLevel[String(Number(c.level))] = (byLevel[String(Number(c.level))] ?? 0) + 1;
  const durations = clocks
    .filter((c) => c.target === 'first_response' && c.responded_at !== null)
    .map((c) => fromDbTime(c.responded_at!).getTime() - fromDbTime(c.started_at).getTime())
    .sort((a, b) => a - b);
  const rankOf = (sorted: number[], q: number) =>
    sorted.length === 0 ? null : sorted[Math.ceil(q * sorted.length) - 1]!;
  const rank = (q: number) => rankOf(durations, q);
  const speeds = speed
    .filter((l) => l.first_touch_at !== null)
    .map((l) => fromDbTime(l.first_touch_at!).getTime() - fromDbTime(l.created_at).getTime())
    .sort((a, b) => a - b);
  return {
    clocks: clocks.length,
    measured: met + breached,
    met,
    breached,
    breachedByLevel: byLevel,
    waived: count((c) => c.status === 'waived'),
    reassigned: count((c) => c.closed_reason === 'reassigned'),
    compliance: met + breached === 0 ? null : met / (met + breached),
    firstResponse: { responses: durations.length, medianMs: rank(0.5), p90Ms: rank(0.9) },
    speedToLead: {
      leads: speed.length,
      touched: speeds.length,
      medianMs: rankOf(speeds, 0.5),
      p90Ms: rankOf(speeds, 0.9),
      distribution: [...speedBuckets, null].map((upToMs, i) => ({
        upToMs,
        leads: speeds.filter((ms) => ms > (speedBuckets[i - 1] ?? -1) && (upToMs === null || ms <= upToMs))
          .length,
      })),
    },
  };
}

function checkCalendar(input: SaveSlaCalendarBody): void {
  if (!isValidTimeZone(input.timeZone))
    throw fieldError('sla.invalid_calendar', 'timeZone', 'not an IANA time zone such as Europe/Amsterdam');
  const hours = checkWorkingHours(input.workingHours);
  if (hours) throw fieldError('sla.invalid_calendar', `workingHours.${hours.field}`, hours.reason);
  if (Object.values(input.workingHours).every((ranges) => !ranges || ranges.length === 0))
    throw fieldError('sla.invalid_calendar', 'workingHours', 'a calendar needs some working hours');
  for (const [i, closure] of (input.closures ?? []).entries())
    if (closure.to < closure.from)
      throw fieldError('sla.invalid_calendar', `closures.${i}.to`, 'ends before it starts');
}

function calendarColumns(input: SaveSlaCalendarBody) {
  return {
    name: input.name.trim(),
    time_zone: input.timeZone,
    working_hours: JSON.stringify(input.workingHours),
    holiday_country: input.holidays?.country ?? null,
    is_good_friday: input.holidays?.goodFriday ?? false,
    liberation_day: input.holidays?.liberationDay ?? 'never',
    closures: JSON.stringify(input.closures ?? []),
  };
}

/** Rows per sweep transaction. */
const sweepBatch = 2000;

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

function respondedAt(instance: DueInstance, responses: Responses | undefined): Date | null {
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
  instance: DueInstance,
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

export function createSlaService(
  deps: ServiceDeps,
  notifications: NotificationsService,
  routing: () => SlaRouting,
  commitments: Pick<CommitmentsService, 'summaries'>,
) {
  const { db, clock, events } = deps;
  const calendars = new Map<string, { calendar: BusinessCalendar; years: [number, number] }>();

  /** A policy's calendar (the default when it names none), with the holidays around `at`. */
  async function calendarFor(
    conn: Db,
    calendarId: string | null,
    at: Date,
    known?: Awaited<ReturnType<typeof findCalendars>>,
  ): Promise<BusinessCalendar> {
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

  /** Stops the clocks of one lead that a response or a move answered (the reaction to either). */
  async function settleLead(
    conn: Db,
    contact: ContactRow | undefined,
    open: readonly DueInstance[],
    now: Date,
  ) {
    if (open.length === 0) return;
    const earliest = new Date(Math.min(...open.map((i) => fromDbTime(i.started_at).getTime())));
    const responses = await findResponsesSince(conn, [open[0]!.contact_id], earliest);
    for (const instance of open) {
      const patch = settlementOf(instance, respondedAt(instance, responses), contact?.stage, now);
      if (patch) await updateInstanceIf(conn, instance.id, { nextStep: Number(instance.next_step) }, patch);
    }
  }

  /**
   * One batch of the sweep, in one transaction: loads the due clocks and everything they need in
   * a few queries, then stops those a response or a move answered and takes the due steps of the
   * rest — each by compare-and-set on its next step, so a step is taken once — queueing their
   * emails in bulk. A reassignment goes through routing, which is rare enough to go one by one.
   */
  async function sweepBatchIn(trx: Db, now: Date, take: number, announced: DomainEvent[]): Promise<number> {
    const due = await lockDueInstances(trx, deps.sqlite, now, take);
    if (due.length === 0) return 0;
    const contactIds = [...new Set(due.map((i) => i.contact_id))];
    const earliest = new Date(Math.min(...due.map((i) => fromDbTime(i.started_at).getTime())));
    const [stages, responses, policies] = await Promise.all([
      findContactStages(trx, contactIds),
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
          wanted
            .map((id) => people.get(id)?.manager_id)
            .filter((id): id is string => !!id && !people.has(id)),
        ),
      ];
    }
    const managerOf = (id: string | null | undefined) => (id ? (people.get(id)?.manager_id ?? null) : null);

    const emails: Parameters<NotificationsService['queueSlaSteps']>[1][number][] = [];
    const reassignments: DueInstance[] = [];
    const advances: InstanceAdvance[] = [];
    const taken: { instance: DueInstance; steps: LadderStep[] }[] = [];
    for (const instance of due) {
      const responded = respondedAt(instance, responsesOf.get(instance.contact_id));
      const settled = settlementOf(instance, responded, stages.get(instance.contact_id), now);
      const expected = { nextStep: Number(instance.next_step) };
      if (settled) {
        await updateInstanceIf(trx, instance.id, expected, settled);
        continue;
      }
      const ladder = fromStored(fromDbJson(instance.ladder));
      const steps = dueSteps(ladder, expected.nextStep, now);
      if (steps.length === 0) continue;
      const last = steps.at(-1)!;
      const next = nextCheckAt(ladder, last.index + 1);
      const firstBreach = steps.find((step) => step.kind === 'breach');
      advances.push({
        id: instance.id,
        expectedStep: expected.nextStep,
        nextStep: last.index + 1,
        nextCheckAt: next ? toDbTime(next) : null,
        level: Math.max(Number(instance.level), ...steps.map((step) => step.level)),
        breachedAt: firstBreach && instance.breached_at === null ? toDbTime(firstBreach.at) : null,
        updatedAt: toDbTime(now),
      });
      taken.push({ instance, steps });
    }
    // Only the clocks this sweeper moved take their steps: another may have taken the rest.
    const moved = await advanceInstances(trx, deps.sqlite, advances);
    for (const { instance, steps } of taken) {
      if (!moved.has(instance.id)) continue;
      const policy = policyById.get(instance.policy_id)!;
      const deadline = fromDbTime(instance.deadline_at);
      for (const step of steps) {
        if (step.kind === 'reassign') {
          reassignments.push(instance);
          continue;
        }
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
    const queued = await notifications.queueSlaSteps(trx, emails);
    if (queued > 0) announced.push({ type: 'outbox.queued', count: queued, at: now });
    for (const instance of reassignments) {
      const result = await routing().reassignAfterMiss(trx, {
        contactId: instance.contact_id,
        missedBy: instance.user_id,
        reason: `SLA missed (${instance.target})`,
      });
      announced.push(...result.announced);
    }
    return due.length;
  }

  return {
    /**
     * Starts the clocks of a lead just given to a rep, in the transaction of that assignment: the
     * policies of its stage (the hot first-response window after a recent demo request). The
     * clocks another rep had on the lead stop; a miss stays on that rep's record.
     */
    async startForAssignment(
      trx: Db,
      input: { contact: ContactRow; assignmentId: string | null; userId: string },
    ): Promise<void> {
      const now = clock.now();
      for (const open of await findOpenInstancesOfContact(trx, input.contact.id))
        if (open.user_id !== input.userId)
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
        input.contact.stage,
        await isHot(trx, input.contact.id, now),
      );
      if (policies.length === 0) return;
      const calendars = await findCalendars(trx);
      const rows = [];
      for (const policy of policies) {
        const calendar = await calendarFor(trx, policy.calendar_id, now, calendars);
        const ladder = planLadder(ladderOf(policy), calendar, now);
        rows.push({
          id: newId(),
          contact_id: input.contact.id,
          policy_id: policy.id,
          user_id: input.userId,
          assignment_id: input.assignmentId,
          stage: input.contact.stage,
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
        });
      }
      await insertSlaInstances(trx, rows);
    },

    /**
     * Starts the clocks of the stage a lead just entered with an owner (SAL: qualify or recycle;
     * SQL: opportunity or recycle), once per stay in the stage, in the stage change's transaction:
     * no crash can leave a lead in the stage without its clocks.
     */
    async startForStage(trx: Db, contactId: string): Promise<void> {
      const contact = await findContactById(trx, contactId);
      if (!contact?.owner_id || contact.stage === 'mql') return;
      const entered = fromDbTime(contact.stage_entered_at).getTime();
      const started = (await findInstancesOfContact(trx, contactId)).some(
        (i) => i.stage === contact.stage && fromDbTime(i.started_at).getTime() >= entered,
      );
      if (started) return;
      await this.startForAssignment(trx, { contact, assignmentId: null, userId: contact.owner_id });
    },

    /** Stops the clocks a response or a move answered (after a touch or a stage change). */
    async recheck(contactId: string): Promise<void> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const contact = await findContactById(trx, contactId);
        await settleLead(trx, contact, await findOpenInstancesOfContact(trx, contactId), now);
      });
    },

    /**
     * Takes the ladder steps that are due, each exactly once: checks first whether the lead was
     * answered or moved on (from the stored history, so a response the process missed still
     * counts), then sends the reminder or escalation through the outbox, or has routing give the
     * lead to someone else. Returns how many instances it looked at.
     */
    async sweep(limit = 10_000): Promise<number> {
      const now = clock.now();
      let handled = 0;
      while (handled < limit) {
        const take = Math.min(sweepBatch, limit - handled);
        const announced: DomainEvent[] = [];
        const count = await db.transaction().execute((trx) => sweepBatchIn(trx, now, take, announced));
        events.publish(announced);
        handled += count;
        if (count < take) break;
      }
      return handled;
    },

    async listPolicies(actor: Actor | null): Promise<SlaPolicy[]> {
      authorize(actor, 'sla.read');
      return (await findPolicies(db)).map(toPolicy);
    },

    /** Changes a policy; clocks already running keep the ladder they started with. */
    async updatePolicy(actor: Actor | null, id: string, input: UpdateSlaPolicyBody): Promise<SlaPolicy> {
      const who = authorize(actor, 'sla.write');
      const now = clock.now();
      return announcingConfig(
        deps.events,
        'sla',
        now,
        db.transaction().execute(async (trx) => {
          if (!(await findPolicyById(trx, id))) throw createError('sla.policy_not_found');
          if (input.calendarId && !(await findCalendarById(trx, input.calendarId)))
            throw fieldError('sla.calendar_not_found', 'calendarId', 'no such calendar');
          await updatePolicyRow(trx, id, {
            ...(input.name && { name_en: input.name.en, name_nl: input.name.nl }),
            ...(input.windowSeconds !== undefined && { window_seconds: input.windowSeconds }),
            ...(input.reminderAt !== undefined && { reminder_at: input.reminderAt }),
            ...(input.escalations !== undefined && { escalations: input.escalations }),
            ...(input.reassign !== undefined && { is_reassigning: input.reassign }),
            ...(input.calendarId !== undefined && { calendar_id: input.calendarId }),
            ...(input.active !== undefined && { is_active: input.active }),
            updated_at: toDbTime(now),
          });
          await insertEvent(trx, {
            type: 'sla.policy_changed',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'sla_policy', id },
            payload: { ...input },
          });
          return toPolicy((await findPolicyById(trx, id))!);
        }),
      );
    },

    async listCalendars(actor: Actor | null): Promise<SlaCalendar[]> {
      authorize(actor, 'sla.read');
      return (await findCalendars(db)).map(toCalendar);
    },

    async createCalendar(actor: Actor | null, input: SaveSlaCalendarBody): Promise<SlaCalendar> {
      authorize(actor, 'sla.write');
      checkCalendar(input);
      const now = toDbTime(clock.now());
      const id = newId();
      return inTransaction(
        db,
        async (trx) => {
          await insertCalendar(trx, {
            id,
            ...calendarColumns(input),
            is_default: false,
            created_at: now,
            updated_at: now,
          });
          return toCalendar((await findCalendarById(trx, id))!);
        },
        () => fieldError('sla.calendar_name_taken', 'name', 'a calendar with this name exists'),
      );
    },

    async updateCalendar(actor: Actor | null, id: string, input: SaveSlaCalendarBody): Promise<SlaCalendar> {
      authorize(actor, 'sla.write');
      checkCalendar(input);
      return inTransaction(
        db,
        async (trx) => {
          if (!(await findCalendarById(trx, id))) throw createError('sla.calendar_not_found');
          await updateCalendarRow(trx, id, { ...calendarColumns(input), updated_at: toDbTime(clock.now()) });
          return toCalendar((await findCalendarById(trx, id))!);
        },
        () => fieldError('sla.calendar_name_taken', 'name', 'a calendar with this name exists'),
      );
    },

    /**
     * When a lead arriving at an instant is due, and when each step of the ladder fires: under a
     * policy, or a calendar and a window (an admin checking a setup).
     */
    async preview(actor: Actor | null, input: SlaPreviewBody): Promise<SlaPreview> {
      authorize(actor, 'sla.read');
      const arrivedAt = new Date(input.arrivedAt);
      const policy = input.policyId ? await findPolicyById(db, input.policyId) : undefined;
      if (input.policyId && !policy) throw fieldError('sla.policy_not_found', 'policyId', 'no such policy');
      if (!policy && input.windowSeconds === undefined)
        throw fieldError('http.validation_failed', 'windowSeconds', 'give a policyId, or a windowSeconds');
      const calendarId = input.calendarId ?? policy?.calendar_id ?? null;
      if (input.calendarId && !(await findCalendarById(db, input.calendarId)))
        throw fieldError('sla.calendar_not_found', 'calendarId', 'no such calendar');
      const calendar = await calendarFor(db, calendarId, arrivedAt);
      const ladder = planLadder(
        policy && input.windowSeconds === undefined
          ? ladderOf(policy)
          : {
              windowMs: input.windowSeconds! * 1000,
              reminderAt: policy ? numberOrNull(policy.reminder_at) : 0.5,
              escalations: policy ? Number(policy.escalations) : 2,
              reassign: policy ? fromDbBool(policy.is_reassigning) : false,
            },
        calendar,
        arrivedAt,
      );
      return {
        arrivedAt: arrivedAt.toISOString(),
        dueAt: deadlineOf(ladder).toISOString(),
        steps: ladder.map(presentStep),
      };
    },

    /** Every clock of a lead, with its ladder and what happened: for the rep, their manager, the director. */
    async listClocks(actor: Actor | null, contactId: string): Promise<SlaClock[]> {
      const who = authorize(actor, 'sla.read');
      const [contact, visibility] = await Promise.all([
        findContactById(db, contactId),
        loadVisibility(db, who),
      ]);
      if (!contact || !canSee(visibility, contact.owner_id)) throw createError('contacts.not_found');
      const now = clock.now();
      return (await findInstancesOfContact(db, contactId)).map((row) => toClock(row, now));
    },

    /**
     * The leads still waiting for a follow-up, most urgent first, with the business time left on each
     * (negative when overdue) in its policy's calendar: a rep's queue (their own), a manager's board
     * (their team's, or one rep's), a director's (everyone's).
     */
    async queue(actor: Actor | null, query: SlaQueueQuery): Promise<SlaQueue> {
      const who = authorize(actor, 'sla.read');
      const visibility = await loadVisibility(db, who);
      let userIds: string[] | null = visibility.kind === 'owned_by' ? [...visibility.userIds] : null;
      const narrow = (ids: string[]) => (userIds = userIds ? ids.filter((id) => userIds!.includes(id)) : ids);
      if (query.teamId) narrow((await findUsers(db, { teamId: query.teamId }, 10_000)).map((u) => u.id));
      if (query.userId) narrow([query.userId]);
      const now = clock.now();
      const [rows, calendarRows] = await Promise.all([
        findOpenInstances(db, {
          userIds,
          breachedOnly: query.status === 'breached',
          limit: query.status === 'at_risk' ? 500 : (query.limit ?? 200),
        }),
        findCalendars(db),
      ]);
      const items = [];
      for (const row of rows) {
        const clockOf = toClock(row, now);
        if (query.status === 'at_risk' && clockOf.status !== 'at_risk') continue;
        const calendar = await calendarFor(db, row.calendar_id, now, calendarRows);
        const deadline = fromDbTime(row.deadline_at);
        const businessMsLeft =
          deadline.getTime() >= now.getTime()
            ? businessTimeBetween(calendar, now, deadline)
            : -businessTimeBetween(calendar, deadline, now);
        const name = [row.first_name, row.last_name].filter(Boolean).join(' ');
        items.push({
          clock: clockOf,
          contact: {
            id: row.contact_id,
            name: name || null,
            email: row.email,
            company: row.company,
            stage: row.contact_stage,
          },
          rep: row.user_id ? { id: row.user_id, name: row.rep_name ?? '—' } : null,
          businessMsLeft,
          ticking: isOpenAt(calendar, now),
        });
      }
      items.sort((a, b) => a.businessMsLeft - b.businessMsLeft || a.clock.dueAt.localeCompare(b.clock.dueAt));
      return { asOf: now.toISOString(), data: items.slice(0, query.limit ?? 200) };
    },

    /** Waives a breach with a written reason: it no longer counts against the rep, and its ladder stops. */
    async waive(actor: Actor | null, clockId: string, input: WaiveBody): Promise<SlaClock> {
      const who = authorize(actor, 'sla.waive');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const instance = await findInstanceById(trx, clockId);
        const visibility = await loadVisibility(trx, who);
        if (!instance) throw createError('sla.clock_not_found');
        // A manager waives for the reps they manage; the lead may have moved on to someone else.
        if (
          visibility.kind === 'owned_by' &&
          !(instance.user_id && visibility.userIds.includes(instance.user_id))
        )
          throw createError('sla.clock_not_found');
        const by = who.kind === 'user' ? who.userId : null;
        if (!(await waiveInstance(trx, clockId, { by, reason: input.reason, at: toDbTime(now) })))
          throw createError('sla.not_waivable');
        await insertEvent(trx, {
          type: 'sla.waived',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'contact', id: instance.contact_id },
          payload: { clockId, userId: instance.user_id, level: Number(instance.level), reason: input.reason },
        });
        return toClock((await findInstanceById(trx, clockId))!, now);
      });
    },

    /**
     * Follow-up per rep over a period (clocks started in it): measured, met, breached by level,
     * waived, reassigned, compliance, the median and P90 time to the first genuine response, and
     * speed to lead (created → first human touch) for the leads created in the period.
     * A rep sees their own, a manager their team's, directors, marketing and admins everyone's.
     */
    async report(actor: Actor | null, query: SlaReportQuery): Promise<SlaReport> {
      const who = authorize(actor, 'sla.read');
      const from = new Date(query.from);
      const to = new Date(query.to);
      if (to.getTime() <= from.getTime())
        throw fieldError('http.validation_failed', 'to', 'must be after from');
      const visibility = await loadVisibility(db, who);
      let userIds: string[] | null = visibility.kind === 'owned_by' ? [...visibility.userIds] : null;
      const narrow = (ids: string[]) => (userIds = userIds ? ids.filter((id) => userIds!.includes(id)) : ids);
      if (query.teamId) narrow((await findUsers(db, { teamId: query.teamId }, 10_000)).map((u) => u.id));
      if (query.userId) narrow([query.userId]);
      const [rows, speed] = await Promise.all([
        findInstancesStartedBetween(db, { from, to, userIds }),
        findSpeedToLead(db, { from, to, ownerIds: userIds }),
      ]);
      const reps = [
        ...new Set([
          ...rows.map((r) => r.user_id).filter((id): id is string => id !== null),
          ...speed.map((l) => l.owner_id).filter((id): id is string => id !== null),
        ]),
      ];
      const [users, teamsOf, teams, marketing] = await Promise.all([
        findUsersByIds(db, reps),
        findTeamIdsByUsers(db, reps),
        findTeams(db),
        commitments.summaries(db, from, to),
      ]);
      const names = new Map(users.map((u) => [u.id, u.name]));
      const membersOf = (teamId: string) => new Set(reps.filter((id) => teamsOf.get(id)?.includes(teamId)));
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        agreements: await agreementSpans(db, from, to),
        total: slaFigures(speed, rows),
        teams: teams
          .map((team) => ({ team, members: membersOf(team.id) }))
          .filter(({ members }) => members.size > 0)
          .map(({ team, members }) => ({
            teamId: team.id,
            name: team.name,
            ...slaFigures(
              speed.filter((l) => l.owner_id !== null && members.has(l.owner_id)),
              rows.filter((r) => r.user_id !== null && members.has(r.user_id)),
            ),
          })),
        marketing,
        reps: reps
          .map((userId) => ({
            userId,
            name: names.get(userId) ?? '—',
            ...slaFigures(
              speed.filter((l) => l.owner_id === userId),
              rows.filter((r) => r.user_id === userId),
            ),
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      };
    },

    /** Each rep's follow-up record over the last 30 days: what routing's performance factor uses. */
    async recordsOf(userIds: readonly string[], conn: Db = db) {
      const since = new Date(clock.now().getTime() - recordDays * dayMs);
      const records = await countFollowUpRecords(conn, userIds, since);
      return new Map(userIds.map((id) => [id, records.get(id) ?? null]));
    },
  };
}

export type SlaService = ReturnType<typeof createSlaService>;
