import { announcingConfig } from '../shared/config-changed.ts';
/**
 * Marketing's side of the SLA: a commitment per month or quarter to a volume of MQLs at a minimum
 * acceptance rate, tracked day by day against an even pace over the calendar's working days. Once
 * a day the pace is judged; when it falls behind (or the period ends missed) the head of marketing
 * and the directors get an email, once.
 */
import type {
  CommitmentListQuery,
  CommitmentPace as CommitmentPaceBody,
  CreateCommitmentBody,
  MarketingCommitment,
  MarketingCommitmentDetail,
  UpdateCommitmentBody,
} from '../../../contract/sla.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import {
  addLocalDays,
  buildCalendar,
  isOpenDay,
  localDateKey,
  localDatesBetween,
  startOfLocalDate,
  type BusinessCalendar,
} from '../../../domain/sla/business-time.ts';
import {
  trackCommitment,
  type CommitmentPace,
  type DeliveredMql,
} from '../../../domain/sla/track-commitment.ts';
import { decisionOf } from '../../../domain/handoff/fate.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { UserRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { findStages } from '../stages/stages.repository.ts';
import { stageOrderOf } from '../stages/stages.service.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { inTransaction } from '../shared/transaction.ts';
import {
  findActiveUsersByRole,
  findHeadsOfMarketing,
  findUserById,
  findUsersByIds,
} from '../users/users.repository.ts';
import { calendarSettingsOf, pickCalendar } from './calendar-settings.ts';
import {
  deleteCommitmentRow,
  findCommitmentById,
  findCommitments,
  findCommitmentsToTrack,
  findDeliveredMqls,
  insertCommitment,
  recordPaceIf,
  updateCommitmentRow,
  type CommitmentRow,
} from './commitments.repository.ts';
import { findCalendarById, findCalendars } from './sla.repository.ts';

const defaultTolerance = 0.1;

/** The last day of a month or quarter that starts on `startsOn`, or why it cannot start there. */
function periodEnd(period: 'month' | 'quarter', startsOn: string): string {
  const [year, month, day] = startsOn.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(year, month - 1, 1));
  if (day !== 1 || first.getUTCMonth() !== month - 1)
    throw fieldError('http.validation_failed', 'startsOn', `must be the first day of a ${period}`);
  if (period === 'quarter' && (month - 1) % 3 !== 0)
    throw fieldError(
      'http.validation_failed',
      'startsOn',
      'a quarter starts in January, April, July or October',
    );
  const months = period === 'month' ? 1 : 3;
  return new Date(Date.UTC(year, month - 1 + months, 0)).toISOString().slice(0, 10);
}

export function createCommitmentsService(deps: ServiceDeps, notifications: NotificationsService) {
  const { db, clock } = deps;

  async function calendarOf(conn: Db, row: CommitmentRow): Promise<BusinessCalendar> {
    const settings = calendarSettingsOf(pickCalendar(await findCalendars(conn), row.calendar_id));
    const year = Number(row.starts_on.slice(0, 4));
    return buildCalendar(settings, year, year + 1);
  }

  /** The pace of one commitment as of today in its calendar. */
  async function paceOf(conn: Db, row: CommitmentRow): Promise<{ pace: CommitmentPace; today: string }> {
    const calendar = await calendarOf(conn, row);
    const today = localDateKey(calendar, clock.now());
    const period = localDatesBetween(row.starts_on, row.ends_on).map((date) => ({
      date,
      open: isOpenDay(calendar, date),
    }));
    const from = startOfLocalDate(calendar, row.starts_on);
    const to = startOfLocalDate(calendar, addLocalDays(row.ends_on, 1));
    const [{ entries, decisions }, stageRows] = await Promise.all([
      findDeliveredMqls(conn, from, to),
      findStages(conn),
    ]);
    const stages = stageOrderOf(stageRows);
    const firstDecision = new Map<string, { toStage: string; at: number }[]>();
    for (const d of decisions) {
      const list = firstDecision.get(d.contact_id) ?? [];
      list.push({ toStage: d.to_stage, at: fromDbTime(d.occurred_at).getTime() });
      firstDecision.set(d.contact_id, list);
    }
    const mqls: DeliveredMql[] = entries.map((entry) => {
      const became = fromDbTime(entry.became_mql);
      const decision = (firstDecision.get(entry.contact_id) ?? []).find((d) => d.at >= became.getTime());
      return {
        date: localDateKey(calendar, became),
        decision: decision ? decisionOf(decision.toStage, stages) : null,
      };
    });
    const pace = trackCommitment(
      {
        mqlTarget: Number(row.mql_target),
        minAcceptanceRate: Number(row.min_acceptance_rate),
        tolerance: Number(row.tolerance),
      },
      period,
      mqls,
      today,
    );
    return { pace, today };
  }

  function toPaceBody(pace: CommitmentPace, today: string): CommitmentPaceBody {
    return {
      asOf: today,
      status: pace.status,
      reasons: pace.reasons,
      delivered: pace.delivered,
      expectedToDate: pace.expectedToDate,
      projected: pace.projected,
      accepted: pace.accepted,
      rejected: pace.rejected,
      acceptanceRate: pace.acceptanceRate,
      openDays: pace.openDays,
    };
  }

  async function toCommitment(conn: Db, row: CommitmentRow, withDays: boolean) {
    const [{ pace, today }, owner] = await Promise.all([
      paceOf(conn, row),
      row.owner_id ? findUserById(conn, row.owner_id) : undefined,
    ]);
    const commitment: MarketingCommitment = {
      id: row.id,
      period: row.period,
      startsOn: row.starts_on,
      endsOn: row.ends_on,
      mqlTarget: Number(row.mql_target),
      minAcceptanceRate: Number(row.min_acceptance_rate),
      tolerance: Number(row.tolerance),
      ownerId: row.owner_id,
      ownerName: owner?.name ?? null,
      calendarId: row.calendar_id,
      note: row.note,
      pace: toPaceBody(pace, today),
      createdAt: fromDbTime(row.created_at).toISOString(),
      updatedAt: fromDbTime(row.updated_at).toISOString(),
    };
    return withDays ? ({ ...commitment, days: pace.days } satisfies MarketingCommitmentDetail) : commitment;
  }

  async function checkReferences(conn: Db, input: { ownerId?: string | null; calendarId?: string | null }) {
    if (input.ownerId) {
      const owner = await findUserById(conn, input.ownerId);
      if (!owner || !fromDbBool(owner.is_active) || !['marketing', 'admin'].includes(owner.role))
        throw fieldError('http.validation_failed', 'ownerId', 'must be an active marketing user or admin');
    }
    if (input.calendarId && !(await findCalendarById(conn, input.calendarId)))
      throw fieldError('sla.calendar_not_found', 'calendarId', 'no such calendar');
  }

  /** The head of marketing: the owner, or else the marketing users no other marketer manages. */
  async function headsOfMarketing(conn: Db, row: CommitmentRow): Promise<UserRow[]> {
    if (row.owner_id) {
      const owner = await findUserById(conn, row.owner_id);
      if (owner && fromDbBool(owner.is_active)) return [owner];
    }
    return findHeadsOfMarketing(conn);
  }

  return {
    async list(actor: Actor | null, query: CommitmentListQuery): Promise<MarketingCommitment[]> {
      authorize(actor, 'sla.read');
      const rows = await findCommitments(db, query);
      return Promise.all(rows.map((row) => toCommitment(db, row, false)));
    },

    async get(actor: Actor | null, id: string): Promise<MarketingCommitmentDetail> {
      authorize(actor, 'sla.read');
      const row = await findCommitmentById(db, id);
      if (!row) throw createError('sla.commitment_not_found');
      return (await toCommitment(db, row, true)) as MarketingCommitmentDetail;
    },

    async create(actor: Actor | null, input: CreateCommitmentBody): Promise<MarketingCommitment> {
      const who = authorize(actor, 'sla.commit');
      const endsOn = periodEnd(input.period, input.startsOn);
      const now = clock.now();
      const id = newId();
      return announcingConfig(
        deps.events,
        'sla',
        now,
        inTransaction(
          db,
          async (trx) => {
            await checkReferences(trx, input);
            // The marketer who makes the commitment answers for it, unless someone else is named.
            let ownerId = input.ownerId ?? null;
            if (input.ownerId === undefined && who.kind === 'user' && who.role === 'marketing')
              ownerId = who.userId;
            await insertCommitment(trx, {
              id,
              period: input.period,
              starts_on: input.startsOn,
              ends_on: endsOn,
              mql_target: input.mqlTarget,
              min_acceptance_rate: input.minAcceptanceRate,
              tolerance: input.tolerance ?? defaultTolerance,
              owner_id: ownerId,
              calendar_id: input.calendarId ?? null,
              note: input.note ?? null,
              pace_status: null,
              pace_checked_on: null,
              created_at: toDbTime(now),
              updated_at: toDbTime(now),
            });
            await insertEvent(trx, {
              type: 'sla.commitment_created',
              occurredAt: now,
              actor: actorRef(who),
              subject: { type: 'marketing_commitment', id },
              payload: { ...input },
            });
            return toCommitment(trx, (await findCommitmentById(trx, id))!, false);
          },
          () =>
            fieldError(
              'sla.commitment_exists',
              'startsOn',
              `there is a ${input.period} commitment starting then`,
            ),
        ),
      );
    },

    async update(actor: Actor | null, id: string, input: UpdateCommitmentBody): Promise<MarketingCommitment> {
      const who = authorize(actor, 'sla.commit');
      const now = clock.now();
      return announcingConfig(
        deps.events,
        'sla',
        now,
        db.transaction().execute(async (trx) => {
          if (!(await findCommitmentById(trx, id))) throw createError('sla.commitment_not_found');
          await checkReferences(trx, input);
          await updateCommitmentRow(trx, id, {
            ...(input.mqlTarget !== undefined && { mql_target: input.mqlTarget }),
            ...(input.minAcceptanceRate !== undefined && { min_acceptance_rate: input.minAcceptanceRate }),
            ...(input.tolerance !== undefined && { tolerance: input.tolerance }),
            ...(input.ownerId !== undefined && { owner_id: input.ownerId }),
            ...(input.calendarId !== undefined && { calendar_id: input.calendarId }),
            ...(input.note !== undefined && { note: input.note }),
            updated_at: toDbTime(now),
          });
          await insertEvent(trx, {
            type: 'sla.commitment_changed',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'marketing_commitment', id },
            payload: { ...input },
          });
          return toCommitment(trx, (await findCommitmentById(trx, id))!, false);
        }),
      );
    },

    async remove(actor: Actor | null, id: string): Promise<void> {
      const who = authorize(actor, 'sla.commit');
      const now = clock.now();
      await announcingConfig(
        deps.events,
        'sla',
        now,
        db.transaction().execute(async (trx) => {
          const row = await findCommitmentById(trx, id);
          if (!row) throw createError('sla.commitment_not_found');
          await deleteCommitmentRow(trx, id);
          await insertEvent(trx, {
            type: 'sla.commitment_deleted',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'marketing_commitment', id },
            payload: { period: row.period, startsOn: row.starts_on, mqlTarget: Number(row.mql_target) },
          });
        }),
      );
    },

    /**
     * Judges each running commitment once a day (the first check on a new local date): records
     * the verdict, and when it turned to behind — or the period ended missed — queues the alert;
     * a period that ended before its first check is only recorded.
     * Safe with several processes: the verdict is recorded by compare-and-set, and only the
     * process that recorded it queues the email. Returns how many alerts were queued.
     */
    async checkPace(): Promise<number> {
      const now = clock.now();
      // A day ahead of UTC covers every time zone; each commitment is then judged in its own.
      const candidates = await findCommitmentsToTrack(db, addLocalDays(now.toISOString().slice(0, 10), 1));
      let queued = 0;
      for (const candidate of candidates) {
        const day = localDateKey(await calendarOf(db, candidate), now);
        if (day < candidate.starts_on || (candidate.pace_checked_on ?? '') >= day) continue;
        const announced = await db.transaction().execute(async (trx) => {
          const { pace, today } = await paceOf(trx, candidate);
          const won = await recordPaceIf(trx, candidate.id, candidate.pace_checked_on, {
            checkedOn: today,
            status: pace.status,
          });
          const worse =
            (pace.status === 'behind' || pace.status === 'missed') && candidate.pace_status !== pace.status;
          // A period that ended before Baton ever judged it (a first start after an import or the
          // demo, a commitment entered afterwards) is recorded as missed, not announced: an alert
          // about a month long gone helps no one, and a first start must not send a storm of them.
          const neverWatched = pace.status === 'missed' && candidate.pace_checked_on === null;
          if (!won || !worse || neverWatched) return 0;
          const heads = await headsOfMarketing(trx, candidate);
          const directors = await findActiveUsersByRole(trx, ['director']);
          const recipients = [...new Map([...heads, ...directors].map((u) => [u.id, u])).values()];
          return notifications.queuePaceAlert(trx, {
            commitmentId: candidate.id,
            day: today,
            recipients,
            alert: {
              period: candidate.period,
              startsOn: candidate.starts_on,
              missed: pace.status === 'missed',
              reasons: pace.reasons,
              mqlTarget: Number(candidate.mql_target),
              minAcceptanceRate: Number(candidate.min_acceptance_rate),
              delivered: pace.delivered,
              expectedToDate: pace.expectedToDate,
              projected: pace.projected,
              accepted: pace.accepted,
              rejected: pace.rejected,
              openDays: pace.openDays,
            },
          });
        });
        if (announced > 0) deps.events.publish([{ type: 'outbox.queued', count: announced, at: now }]);
        queued += announced;
      }
      return queued;
    },

    /** The commitments overlapping a period with their pace, for the SLA report (no permission check). */
    async summaries(conn: Db, from: Date, to: Date) {
      const rows = await findCommitments(conn, {
        from: from.toISOString().slice(0, 10),
        to: new Date(to.getTime() - 1).toISOString().slice(0, 10),
      });
      const owners = new Map(
        (
          await findUsersByIds(
            conn,
            rows.map((r) => r.owner_id).filter((id): id is string => !!id),
          )
        ).map((u) => [u.id, u]),
      );
      return Promise.all(
        rows.map(async (row) => {
          const { pace, today } = await paceOf(conn, row);
          return {
            commitmentId: row.id,
            period: row.period,
            startsOn: row.starts_on,
            endsOn: row.ends_on,
            mqlTarget: Number(row.mql_target),
            minAcceptanceRate: Number(row.min_acceptance_rate),
            ownerName: (row.owner_id && owners.get(row.owner_id)?.name) || null,
            pace: toPaceBody(pace, today),
          };
        }),
      );
    },
  };
}

export type CommitmentsService = ReturnType<typeof createCommitmentsService>;
