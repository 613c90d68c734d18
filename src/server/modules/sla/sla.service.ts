import type { WorkingHours } from '../../../domain/routing/working-hours.ts';
import {
  buildCalendar,
  businessTimeBetween,
  type BusinessCalendar,
} from '../../../domain/sla/business-time.ts';
import {
  dueSteps,
  nextCheckAt,
  planLadder,
  policiesFor,
  type LadderStep,
  type SlaTarget,
} from '../../../domain/sla/plan-ladder.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbJson, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { ContactRow } from '../../db/tables.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import { findRecentTouchpoints } from '../capture/capture.repository.ts';
import { findContactById, findContactForUpdate } from '../contacts/contacts.repository.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { findManagerChain } from '../users/users.repository.ts';
import {
  countFollowUpRecords,
  findActivePolicies,
  findCalendars,
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
        const ladder = planLadder(
          {
            windowMs: Number(policy.window_seconds) * 1000,
            reminderAt: policy.reminder_at === null ? null : Number(policy.reminder_at),
            escalations: Number(policy.escalations),
            reassign: fromDbBool(policy.is_reassigning),
          },
          calendar,
          now,
        );
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

    /** Each rep's follow-up record over the last 30 days: what routing's performance factor uses. */
    async recordsOf(userIds: readonly string[]) {
      const since = new Date(clock.now().getTime() - recordDays * dayMs);
      const records = await countFollowUpRecords(db, userIds, since);
      return new Map(userIds.map((id) => [id, records.get(id) ?? null]));
    },
  };
}

export type SlaService = ReturnType<typeof createSlaService>;
