import type {
  SaveSlaCalendarBody,
  SlaCalendar,
  SlaClock,
  SlaPolicy,
  SlaPreview,
  SlaPreviewBody,
  UpdateSlaPolicyBody,
  WaiveBody,
} from '../../../contract/sla.ts';
import { canSee, type Actor } from '../../../domain/access/roles.ts';
import { isValidTimeZone } from '../../../domain/people/normalize.ts';
import { checkWorkingHours, type WorkingHours } from '../../../domain/routing/working-hours.ts';
import {
  buildCalendar,
  businessTimeBetween,
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
import type { Selectable } from 'kysely';
import type { ContactRow, SlaCalendarsTable, SlaPoliciesTable } from '../../db/tables.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import { findRecentTouchpoints } from '../capture/capture.repository.ts';
import { findContactById, findContactForUpdate } from '../contacts/contacts.repository.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { inTransaction } from '../shared/transaction.ts';
import { loadVisibility } from '../shared/visibility.ts';
import { findManagerChain } from '../users/users.repository.ts';
import {
  countFollowUpRecords,
  findActivePolicies,
  findCalendarById,
  findCalendars,
  findPolicies,
  insertCalendar,
  updateCalendarRow,
  updatePolicyRow,
  waiveInstance,
  findDueInstanceIds,
  findGenuineResponse,
  findInstanceById,
  findInstancesOfContact,
  findOpenInstancesOfContact,
  findPolicyById,
  insertSlaInstances,
  updateInstanceIf,
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

function toClock(row: SlaInstanceRow): SlaClock {
  const time = (v: Date | string | null) => (v === null ? null : fromDbTime(v).toISOString());
  return {
    id: row.id,
    contactId: row.contact_id,
    policyId: row.policy_id,
    userId: row.user_id,
    stage: row.stage,
    target: row.target as SlaClock['target'],
    status: row.status,
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

export function createSlaService(
  deps: ServiceDeps,
  notifications: NotificationsService,
  routing: () => SlaRouting,
) {
  const { db, clock, events } = deps;
  const calendars = new Map<string, { calendar: BusinessCalendar; years: [number, number] }>();

  /** A policy's calendar (the default when it names none), with the holidays around `at`. */
  async function calendarFor(conn: Db, calendarId: string | null, at: Date): Promise<BusinessCalendar> {
    const rows = await findCalendars(conn);
    const row =
      rows.find((c) => c.id === calendarId) ?? rows.find((c) => fromDbBool(c.is_default)) ?? rows[0]!;
    const year = at.getUTCFullYear();
    const key = `${row.id}|${fromDbTime(row.updated_at).getTime()}`;
    const cached = calendars.get(key);
    if (cached && cached.years[0] <= year - 1 && cached.years[1] >= year + 3) return cached.calendar;
    const calendar = buildCalendar(
      {
        timeZone: row.time_zone,
        hours: fromDbJson(row.working_hours) as WorkingHours,
        holidays:
          row.holiday_country === 'NL'
            ? {
                country: 'NL',
                goodFriday: fromDbBool(row.is_good_friday),
                liberationDay: row.liberation_day as 'every_year' | 'every_five_years' | 'never',
              }
            : null,
        closures: fromDbJson(row.closures) as { from: string; to: string }[],
      },
      year - 1,
      year + 4,
    );
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

  /** Has the lead been answered, or has it moved on? Stops the clock if so. */
  async function settle(conn: Db, instance: SlaInstanceRow, contact: ContactRow | undefined, now: Date) {
    const responded = await findGenuineResponse(conn, {
      contactId: instance.contact_id,
      userId: instance.user_id,
      since: fromDbTime(instance.started_at),
      stage: instance.stage,
      countsActivity: (instance.target as SlaTarget) === 'first_response',
    });
    const expected = { nextStep: Number(instance.next_step) };
    if (responded) {
      const onTime = responded.getTime() <= fromDbTime(instance.deadline_at).getTime();
      await updateInstanceIf(conn, instance.id, expected, {
        status: instance.status === 'running' && onTime ? 'met' : 'breached',
        responded_at: toDbTime(responded),
        next_check_at: null,
        updated_at: toDbTime(now),
      });
      return true;
    }
    if (!contact || contact.stage !== instance.stage) {
      await updateInstanceIf(conn, instance.id, expected, {
        ...(instance.status === 'running' && { status: 'cancelled' }),
        closed_reason: 'left_stage',
        next_check_at: null,
        updated_at: toDbTime(now),
      });
      return true;
    }
    return false;
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
        (await findActivePolicies(trx)).map((p) => ({
          ...p,
          target: p.target as SlaTarget,
          priority: p.priority,
        })),
        input.contact.stage,
        await isHot(trx, input.contact.id, now),
      );
      const rows = [];
      for (const policy of policies) {
        const calendar = await calendarFor(trx, policy.calendar_id, now);
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
     * SQL: opportunity or recycle), once per stay in the stage.
     */
    async startForStage(contactId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const contact = await findContactById(trx, contactId);
        if (!contact?.owner_id || contact.stage === 'mql') return;
        const entered = fromDbTime(contact.stage_entered_at).getTime();
        const started = (await findInstancesOfContact(trx, contactId)).some(
          (i) => i.stage === contact.stage && fromDbTime(i.started_at).getTime() >= entered,
        );
        if (started) return;
        await this.startForAssignment(trx, { contact, assignmentId: null, userId: contact.owner_id });
      });
    },

    /** Stops the clocks a response or a move answered (after a touch or a stage change). */
    async recheck(contactId: string): Promise<void> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const contact = await findContactById(trx, contactId);
        for (const instance of await findOpenInstancesOfContact(trx, contactId))
          await settle(trx, instance, contact, now);
      });
    },

    /**
     * Takes the ladder steps that are due, each exactly once: checks first whether the lead was
     * answered or moved on (from the stored history, so a response the process missed still
     * counts), then sends the reminder or escalation through the outbox, or has routing give the
     * lead to someone else. Returns how many instances it looked at.
     */
    async sweep(limit = 500): Promise<number> {
      const now = clock.now();
      const ids = await findDueInstanceIds(db, now, limit);
      for (const id of ids) {
        const announced: DomainEvent[] = [];
        await db.transaction().execute(async (trx) => {
          const instance = await findInstanceById(trx, id);
          if (!instance?.next_check_at || fromDbTime(instance.next_check_at).getTime() > now.getTime())
            return;
          const contact = await findContactForUpdate(trx, instance.contact_id);
          if (await settle(trx, instance, contact, now)) return;
          const ladder = fromStored(fromDbJson(instance.ladder));
          const nextStep = Number(instance.next_step);
          const steps = dueSteps(ladder, nextStep, now);
          if (steps.length === 0) return;
          const last = steps.at(-1)!;
          const level = Math.max(Number(instance.level), ...steps.map((s) => s.level));
          const firstBreach = steps.find((s) => s.kind === 'breach');
          const next = nextCheckAt(ladder, last.index + 1);
          const moved = await updateInstanceIf(
            trx,
            id,
            { nextStep },
            {
              next_step: last.index + 1,
              next_check_at: next ? toDbTime(next) : null,
              level,
              ...(firstBreach && { status: 'breached' }),
              ...(firstBreach && instance.breached_at === null && { breached_at: toDbTime(firstBreach.at) }),
              updated_at: toDbTime(now),
            },
          );
          if (!moved) return; // another sweeper took these steps
          const chain = instance.user_id ? await findManagerChain(trx, instance.user_id) : [];
          const policy = (await findPolicyById(trx, instance.policy_id))!;
          const deadline = fromDbTime(instance.deadline_at);
          const calendar = await calendarFor(trx, policy.calendar_id, deadline);
          let queued = 0;
          for (const step of steps) {
            if (step.kind === 'reassign') {
              const result = await routing().reassignAfterMiss(trx, {
                contactId: instance.contact_id,
                missedBy: instance.user_id,
                reason: `SLA missed (${instance.target})`,
              });
              announced.push(...result.announced);
              continue;
            }
            const recipientId =
              step.notify === 'rep' ? instance.user_id : step.notify === 'manager' ? chain[0] : chain[1];
            if (!recipientId || !contact) continue;
            queued += await notifications.queueSlaStep(trx, {
              instanceId: id,
              step,
              contact,
              recipientId,
              repId: instance.user_id,
              policyName: { en: policy.name_en, nl: policy.name_nl },
              deadline,
              overdueMs: businessTimeBetween(calendar, deadline, step.at),
            });
          }
          if (queued > 0) announced.push({ type: 'outbox.queued', count: queued, at: now });
        });
        events.publish(announced);
      }
      return ids.length;
    },

    async listPolicies(actor: Actor | null): Promise<SlaPolicy[]> {
      authorize(actor, 'sla.read');
      return (await findPolicies(db)).map(toPolicy);
    },

    /** Changes a policy; clocks already running keep the ladder they started with. */
    async updatePolicy(actor: Actor | null, id: string, input: UpdateSlaPolicyBody): Promise<SlaPolicy> {
      const who = authorize(actor, 'sla.write');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
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
      });
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
      return (await findInstancesOfContact(db, contactId)).map(toClock);
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
        return toClock((await findInstanceById(trx, clockId))!);
      });
    },

    /** Each rep's follow-up record over the last 30 days: what routing's performance factor uses. */
    async recordsOf(userIds: readonly string[]) {
      const since = new Date(clock.now().getTime() - recordDays * dayMs);
      const records = await countFollowUpRecords(db, userIds, since);
      return new Map(userIds.map((id) => [id, records.get(id) ?? null]));
    },
  };
}

export type SlaService = ReturnType<typeof createSlaService>;
