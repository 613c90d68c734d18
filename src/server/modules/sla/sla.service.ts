import type { Selectable } from 'kysely';
import type {
  CalendarHoliday,
  HolidayCountry,
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
import { queueWebhooks, webhookEvent } from '../webhooks/webhooks.usecases.ts';
import { canSee, type Actor } from '../../../domain/access/roles.ts';
import { isValidTimeZone } from '../../../domain/people/normalize.ts';
import { checkWorkingHours } from '../../../domain/routing/working-hours.ts';
import { buildCalendar, businessTimeBetween, isOpenAt } from '../../../domain/sla/business-time.ts';
import { holidayCountries, publicHolidays } from '../../../domain/sla/public-holidays.ts';
import { deadlineOf, planLadder, type LadderStep } from '../../../domain/sla/plan-ladder.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { SlaCalendarsTable, SlaPoliciesTable } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import { agreementSpans } from '../agreements/agreements.repository.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import { announcingConfig } from '../shared/config-changed.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { calendarSettingsOf, holidayChoiceOf, holidayColumns } from './calendar-settings.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { inTransaction } from '../shared/transaction.ts';
import { loadVisibility } from '../shared/visibility.ts';
import { slaCompliance, speedFigureOf, SPEED_BUCKETS_MS } from '../../../domain/metrics/compute.ts';
import { findTeams } from '../teams/teams.repository.ts';
import { findTeamIdsByUsers, findUsers, findUsersByIds } from '../users/users.repository.ts';
import type { CommitmentsService } from './commitments.service.ts';
import {
  findCalendarById,
  countCalendarUses,
  deleteCalendarRow,
  findCalendars,
  findInstanceById,
  findInstancesOfContact,
  countClocksStartedBetween,
  summariseSpeedToLead,
  type SpeedSummary,
  findOpenInstances,
  findPolicies,
  findPolicyById,
  insertCalendar,
  updateCalendarRow,
  updatePolicyRow,
  waiveInstance,
  type ClockCount,
  type SlaInstanceRow,
} from './sla.repository.ts';
import {
  calendarFor,
  followUpRecords,
  ladderOf,
  numberOrNull,
  readLadder,
  settleClocks,
  type CalendarCache,
  type StoredStep,
} from './sla.usecases.ts';
import { SlaCalendar as SlaCalendarSchema } from '../../../contract/sla.ts';
import { readJson } from '../../db/json-column.ts';

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
    workingHours: readJson(
      SlaCalendarSchema.properties.workingHours,
      row.working_hours,
      'sla_calendars.working_hours',
    ),
    holidays: holidayChoiceOf(row),
    closures: readJson(SlaCalendarSchema.properties.closures, row.closures, 'sla_calendars.closures'),
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
    steps: readLadder(row.ladder).map(presentStep),
  };
}

/** A running clock is at risk once its reminder point (or, without one, half its window) has passed. */
function isAtRisk(row: SlaInstanceRow, now: Date): boolean {
  const reminder = readLadder(row.ladder).find((s) => s.kind === 'reminder');
  const started = fromDbTime(row.started_at).getTime();
  const point = reminder
    ? Date.parse(reminder.at)
    : started + (fromDbTime(row.deadline_at).getTime() - started) / 2;
  return now.getTime() >= point;
}

/**
 * The figures of a set of clocks started in the period (see the report), by the metric catalogue:
 * the counts from their kinds, speed to lead from their first-response clocks.
 */
function slaFigures(counts: readonly ClockCount[], speed: SpeedSummary | undefined): SlaReport['total'] {
  const compliance = slaCompliance(counts);
  const byLevel: Record<string, number> = {};
  let clocks = 0;
  let waived = 0;
  let reassigned = 0;
  for (const c of counts) {
    clocks += c.clocks;
    if (c.status === 'waived') waived += c.clocks;
    if (c.closedReason === 'reassigned') reassigned += c.clocks;
    if (c.status === 'breached' || (c.status === 'waived' && c.level > 0))
      byLevel[String(c.level)] = (byLevel[String(c.level)] ?? 0) + c.clocks;
  }
  return {
    clocks,
    measured: compliance.measured,
    met: compliance.met,
    breached: compliance.breached,
    breachedByLevel: byLevel,
    waived,
    reassigned,
    compliance: compliance.value,
    speedToLead: speedFigureOf(
      speed ?? { leads: 0, touched: 0, medianMs: null, p90Ms: null, atMost: SPEED_BUCKETS_MS.map(() => 0) },
    ),
  };
}

/** Items by their rep (those without one left out), in one pass. */
function byRep<T extends { userId: string | null }>(items: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    if (item.userId === null) continue;
    const list = map.get(item.userId);
    if (list) list.push(item);
    else map.set(item.userId, [item]);
  }
  return map;
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
  holidayColumns(input.holidays, 'holidays');
}

function calendarColumns(input: SaveSlaCalendarBody) {
  return {
    name: input.name.trim(),
    time_zone: input.timeZone,
    working_hours: JSON.stringify(input.workingHours),
    ...holidayColumns(input.holidays, 'holidays'),
    closures: JSON.stringify(input.closures ?? []),
  };
}

/**
 * The SLA as people set it up and read it: policies, calendars, a preview of a ladder, a lead's
 * clocks, the follow-up queue, waivers and the report. The clocks themselves run in the engine
 * (sla.usecases.ts), driven by the lead flow.
 */
export function createSlaService(
  deps: ServiceDeps,
  commitments: Pick<CommitmentsService, 'summaries'>,
  calendars: CalendarCache,
) {
  const { db, clock } = deps;
  const calendarOf = (
    conn: Db,
    calendarId: string | null,
    at: Date,
    known?: Awaited<ReturnType<typeof findCalendars>>,
  ) => calendarFor({ conn, calendars, calendarId, at, ...(known && { known }) });

  /** A report's period and the reps whose clocks it reads (null: everyone), as the actor may see. */
  async function reportScope(actor: Actor | null, query: SlaReportQuery) {
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
    return { from, to, userIds };
  }

  return {
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

    /** The countries and regions whose public holidays a calendar can close on (library data, public). */
    holidayCountries(): HolidayCountry[] {
      return holidayCountries();
    },

    /** The days a calendar is closed in a year besides its weekly hours: public holidays and closures. */
    async calendarHolidays(actor: Actor | null, id: string, year: number): Promise<CalendarHoliday[]> {
      authorize(actor, 'sla.read');
      const row = await findCalendarById(db, id);
      if (!row) throw createError('sla.calendar_not_found');
      const choice = holidayChoiceOf(row);
      const days: CalendarHoliday[] = (choice ? publicHolidays(year, choice) : []).map((h) => ({
        date: h.date,
        kind: 'holiday',
        name: h.name,
      }));
      const holidays = new Set(days.map((d) => d.date));
      const { closedDates } = buildCalendar({ ...calendarSettingsOf(row), holidays: null }, year, year);
      for (const date of closedDates)
        if (date.startsWith(`${year}-`) && !holidays.has(date))
          days.push({ date, kind: 'closure', name: null });
      return days.sort((a, b) => a.date.localeCompare(b.date));
    },

    async createCalendar(actor: Actor | null, input: SaveSlaCalendarBody): Promise<SlaCalendar> {
      const who = authorize(actor, 'sla.write');
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
          await insertEvent(trx, {
            type: 'sla.calendar_created',
            occurredAt: clock.now(),
            actor: actorRef(who),
            subject: { type: 'sla_calendar', id },
            payload: { ...input },
          });
          return toCalendar((await findCalendarById(trx, id))!);
        },
        () => fieldError('sla.calendar_name_taken', 'name', 'a calendar with this name exists'),
      );
    },

    async updateCalendar(actor: Actor | null, id: string, input: SaveSlaCalendarBody): Promise<SlaCalendar> {
      const who = authorize(actor, 'sla.write');
      checkCalendar(input);
      return inTransaction(
        db,
        async (trx) => {
          if (!(await findCalendarById(trx, id))) throw createError('sla.calendar_not_found');
          await updateCalendarRow(trx, id, { ...calendarColumns(input), updated_at: toDbTime(clock.now()) });
          await insertEvent(trx, {
            type: 'sla.calendar_changed',
            occurredAt: clock.now(),
            actor: actorRef(who),
            subject: { type: 'sla_calendar', id },
            payload: { ...input },
          });
          return toCalendar((await findCalendarById(trx, id))!);
        },
        () => fieldError('sla.calendar_name_taken', 'name', 'a calendar with this name exists'),
      );
    },

    /** Deletes a calendar that is not the default and that no policy or commitment counts in. */
    async deleteCalendar(actor: Actor | null, id: string): Promise<void> {
      const who = authorize(actor, 'sla.write');
      await db.transaction().execute(async (trx) => {
        const row = await findCalendarById(trx, id);
        if (!row) throw createError('sla.calendar_not_found');
        if (fromDbBool(row.is_default))
          throw createError(
            'sla.calendar_in_use',
            'The default calendar stays: make another the default first',
          );
        const uses = await countCalendarUses(trx, id);
        if (uses.policies + uses.commitments > 0)
          throw createError(
            'sla.calendar_in_use',
            `${uses.policies} polic(ies) and ${uses.commitments} commitment(s) count in this calendar: change them first`,
          );
        await deleteCalendarRow(trx, id);
        await insertEvent(trx, {
          type: 'sla.calendar_deleted',
          occurredAt: clock.now(),
          actor: actorRef(who),
          subject: { type: 'sla_calendar', id },
          payload: { name: row.name },
        });
      });
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
      const calendar = await calendarOf(db, calendarId, arrivedAt);
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
        const calendar = await calendarOf(db, row.calendar_id, now, calendarRows);
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
        await queueWebhooks(trx, [
          webhookEvent('sla.waived', now, {
            clockId,
            contactId: instance.contact_id,
            repId: instance.user_id,
            reason: input.reason,
          }),
        ]);
        return toClock((await findInstanceById(trx, clockId))!, now);
      });
    },

    /**
     * The report's figures of everyone in view and Marketing's, without a line per team or rep
     * (the board's): the same counts and speed to lead, grouped once.
     */
    async totals(
      actor: Actor | null,
      query: SlaReportQuery,
    ): Promise<Pick<SlaReport, 'from' | 'to' | 'total' | 'marketing'>> {
      const { from, to, userIds } = await reportScope(actor, query);
      const [counts, speed, marketing] = await Promise.all([
        countClocksStartedBetween(db, { from, to, userIds }),
        summariseSpeedToLead(db, { from, to, userIds, groups: new Map(), bounds: SPEED_BUCKETS_MS }),
        commitments.summaries(db, from, to),
      ]);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        total: slaFigures(counts, speed.get('')),
        marketing,
      };
    },

    /**
     * Follow-up per rep over a period (clocks started in it): measured, met, breached by level,
     * waived, reassigned, compliance, and speed to lead (handover → first genuine response) of the
     * leads handed over in the period; every active rep in view has a line, idle or not.
     * A rep sees their own, a manager their team's, directors, marketing and admins everyone's.
     */
    async report(actor: Actor | null, query: SlaReportQuery): Promise<SlaReport> {
      const { from, to, userIds } = await reportScope(actor, query);
      const counts = await countClocksStartedBetween(db, { from, to, userIds });
      // Every active rep in view has a line, with nothing to show or not: an idle rep is news too.
      const idle = query.userId
        ? []
        : (
            await findUsers(
              db,
              { role: 'sales_rep', isActive: true, ...(query.teamId ? { teamId: query.teamId } : {}) },
              10_000,
            )
          )
            .map((u) => u.id)
            .filter((id) => userIds === null || userIds.includes(id));
      const reps = [
        ...new Set([...counts.map((r) => r.userId).filter((id): id is string => id !== null), ...idle]),
      ];
      const [users, teamsOf, teams, marketing] = await Promise.all([
        findUsersByIds(db, reps),
        findTeamIdsByUsers(db, reps),
        findTeams(db),
        commitments.summaries(db, from, to),
      ]);
      const names = new Map(users.map((u) => [u.id, u.name]));
      const membersOf = (teamId: string) => new Set(reps.filter((id) => teamsOf.get(id)?.includes(teamId)));
      // Each rep's counts, grouped once: a team or a rep takes its own, not a filter of all.
      const countsOf = byRep(counts);
      const ofReps = <T>(byId: Map<string, T[]>, ids: Iterable<string>) =>
        [...ids].flatMap((id) => byId.get(id) ?? []);
      const inTeams = teams
        .map((team) => ({ team, members: membersOf(team.id) }))
        .filter(({ members }) => members.size > 0);
      // Speed to lead of everyone in view, of each team and of each rep, summed by the database.
      const speed = await summariseSpeedToLead(db, {
        from,
        to,
        userIds,
        groups: new Map([
          ...inTeams.map(({ team, members }) => [`team:${team.id}`, [...members]] as const),
          ...reps.map((id) => [`rep:${id}`, [id]] as const),
        ]),
        // Seeing everyone, a team's line is all of its members' handovers, from its kept rows.
        teams: new Map(inTeams.map(({ team }) => [`team:${team.id}`, team.id] as const)),
        bounds: SPEED_BUCKETS_MS,
      });
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        agreements: await agreementSpans(db, from, to),
        total: slaFigures(counts, speed.get('')),
        teams: inTeams.map(({ team, members }) => ({
          teamId: team.id,
          name: team.name,
          ...slaFigures(ofReps(countsOf, members), speed.get(`team:${team.id}`)),
        })),
        marketing,
        reps: reps
          .map((userId) => ({
            userId,
            name: names.get(userId) ?? '—',
            ...slaFigures(countsOf.get(userId) ?? [], speed.get(`rep:${userId}`)),
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      };
    },

    /** Stops the clocks of a lead that a response or a move answered. */
    recheck: (contactId: string) => settleClocks({ db, contactId, now: clock.now() }),

    /** Each rep's follow-up record over the last 30 days: what routing's performance factor uses. */
    recordsOf: (userIds: readonly string[], conn: Db = db) =>
      followUpRecords({ conn, userIds, now: clock.now() }),
  };
}

export type SlaService = ReturnType<typeof createSlaService>;
