import { agreementSpans } from '../agreements/agreements.repository.ts';
import { announcingConfig } from '../shared/config-changed.ts';
/**
 * The handoff as a handshake (issue 7): the assigned rep — or their manager, or someone above —
 * accepts an MQL (→ SAL) or rejects it with an agreed reason, which recycles it to Marketing or
 * disqualifies it; an accepted lead is qualified to SQL against a checklist. A lead rejected as
 * often as the ping-pong limit is routed again only by a person.
 */
import type { Touchpoint } from '../../../contract/contacts.ts';
import type { StageChange } from '../../../contract/stages.ts';
import type {
  AcceptBody,
  CreateRejectionReasonBody,
  FatesFilterQuery,
  FatesQuery,
  FatesReport,
  HandoffContext,
  LeadFate,
  RejectionsQuery,
  RejectionsReport,
  HandoffDecision,
  HandoffSettings,
  LogActivityBody,
  QualifyBody,
  RejectBody,
  RejectionReason,
  UpdateHandoffSettingsBody,
  UpdateRejectionReasonBody,
} from '../../../contract/handoff.ts';
import { canSee, type Actor } from '../../../domain/access/roles.ts';
import {
  decisionOf,
  rejectionGroupsOf,
  type FateCount,
  type StageOrder,
} from '../../../domain/handoff/fate.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, retryingConflicts, toDbTime } from '../../db/dialect.ts';
import type { ContactRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { CaptureService } from '../capture/capture.service.ts';
import type { ContactsService } from '../contacts/contacts.service.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { findCalendars } from '../sla/sla.repository.ts';
import { pickCalendar } from '../sla/calendar-settings.ts';
import type { RoutingService } from '../routing/routing.service.ts';
import type { ScoringService } from '../scoring/scoring.service.ts';
import { AppError } from '../shared/errors.ts';
import { findContactById, updateContactRow } from '../contacts/contacts.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { inTransaction } from '../shared/transaction.ts';
import { markAllTouchedPeople } from '../capture/touched-people.repository.ts';
import { loadVisibility } from '../shared/visibility.ts';
import { decodeMomentCursor, encodeMomentCursor } from '../shared/pagination.ts';
import { findForms } from '../forms/forms.repository.ts';
import { findStages } from '../stages/stages.repository.ts';
import { stageOrderOf } from '../stages/stages.service.ts';
import { findActiveUsersByRole, findManagerChain, findUsersByIds } from '../users/users.repository.ts';
import { localTime } from '../../../domain/routing/working-hours.ts';
import { addLocalDays, zonedInstant } from '../../../domain/sla/business-time.ts';
import {
  countFates,
  countFatesBy,
  findFatePage,
  findStaleFateLeads,
  keepFates,
  type FateDimension,
  type FateFilter,
  type FateRecord,
  findHandoffSettings,
  findQualificationsOfContact,
  findRejectionReason,
  findRejectionReasons,
  insertQualification,
  insertRejectionReason,
  updateHandoffSettingsRow,
  updateRejectionReasonRow,
  type HandoffSettingsRow,
  type RejectionReasonRow,
} from './handoff.repository.ts';
import { readJson } from '../../db/json-column.ts';
import { HandoffSettings as HandoffSettingsSchema } from '../../../contract/handoff.ts';
import { Type } from 'typebox';

const QualificationAnswers = Type.Record(Type.String(), Type.Boolean());

function toReason(row: RejectionReasonRow): RejectionReason {
  return {
    key: row.key,
    label: { en: row.label_en, nl: row.label_nl },
    outcome: row.outcome,
    position: Number(row.position),
    active: fromDbBool(row.is_active),
  };
}

function toSettings(row: HandoffSettingsRow): HandoffSettings {
  return {
    engagementReset: fromDbBool(row.is_engagement_reset),
    pingPongLimit: Number(row.ping_pong_limit),
    qualificationChecklist: readJson(
      HandoffSettingsSchema.properties.qualificationChecklist,
      row.qualification_checklist,
      'handoff_settings.qualification_checklist',
    ),
  };
}

/** What the rep's view of a lead at handoff reads from other features. */
export interface HandoffReaders {
  accounts: Pick<AccountsService, 'getAccount'>;
  scoring: Pick<ScoringService, 'getContactScore'>;
  routing: Pick<RoutingService, 'listAssignments'>;
  capture: Pick<CaptureService, 'ingestFrom'>;
}

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** The weekly digest goes out from Monday 08:00 in the default calendar's time zone. */
const digestFromMinutes = 8 * 60;
/** Leads whose kept fates are worked out again per statement. */
const keepBatch = 500;

export function createHandoffService(
  deps: ServiceDeps,
  contacts: ContactsService,
  readers: HandoffReaders,
  notifications: Pick<NotificationsService, 'queueHandoffDigest'>,
) {
  const { db, clock } = deps;
  /** The week whose digest this process has queued (the outbox's dedupe key covers other processes). */
  let digestQueuedFor: string | null = null;

  /**
   * The lead, if the actor may decide on it: visible to them (else the same 404 as a missing
   * lead), and its rep, the rep's manager or someone above — or an admin.
   */
  async function loadDecidable(trx: Db, who: Actor, id: string): Promise<ContactRow> {
    const [row, visibility] = await Promise.all([findContactById(trx, id), loadVisibility(trx, who)]);
    if (!row || !canSee(visibility, row.owner_id)) throw createError('contacts.not_found');
    if (who.kind === 'cli' || who.role === 'admin') return row;
    if (who.kind !== 'user') throw createError('handoff.not_allowed');
    if (!row.owner_id) throw createError('handoff.unassigned');
    if (row.owner_id === who.userId) return row;
    if ((await findManagerChain(trx, row.owner_id)).includes(who.userId)) return row;
    throw createError('handoff.not_allowed');
  }

  async function decide(
    actor: Actor | null,
    id: string,
    work: (trx: Db, who: Actor, row: ContactRow) => Promise<StageChange>,
  ): Promise<HandoffDecision> {
    const who = authorize(actor, 'handoff.decide');
    const { change, row } = await db.transaction().execute(async (trx) => {
      const lead = await loadDecidable(trx, who, id);
      const recorded = await work(trx, who, lead);
      return { change: recorded, row: (await findContactById(trx, id))! };
    });
    contacts.announceStageChange(change);
    return {
      contactId: id,
      stage: row.stage,
      change,
      rejectionCount: Number(row.rejection_count),
      needsReview: fromDbBool(row.needs_review),
    };
  }

  /**
   * Works stale kept fates out again, in batches: those of the period a report reads (after
   * everyone's new touches are marked), or up to `limit` of any (the background's share). How
   * many leads.
   */
  async function keepStaleFates(scope: { from: Date; to: Date } | { limit: number }): Promise<number> {
    await markAllTouchedPeople(db);
    const leads = await findStaleFateLeads(db, scope);
    for (let i = 0; i < leads.length; i += keepBatch) {
      const batch = leads.slice(i, i + keepBatch);
      await retryingConflicts(() => keepFates(db, batch));
    }
    return leads.length;
  }

  /**
   * The filter of a fate report: the period, the actor's visibility and the stage order. The
   * period's kept fates are brought up to date first.
   */
  async function fateFilter(
    who: Actor,
    query: Pick<FateFilter, 'source' | 'campaign' | 'formId' | 'repId'> & {
      from: string | Date;
      to: string | Date;
    },
  ): Promise<{ filter: FateFilter; stages: StageOrder }> {
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (to.getTime() <= from.getTime())
      throw fieldError('http.validation_failed', 'to', 'must be after from');
    const [visibility, stageRows] = await Promise.all([loadVisibility(db, who), findStages(db)]);
    const stages = stageOrderOf(stageRows);
    await keepStaleFates({ from, to });
    return {
      stages,
      filter: {
        from,
        to,
        ownerIds: visibility.kind === 'all' ? null : visibility.userIds,
        source: query.source,
        campaign: query.campaign,
        formId: query.formId,
        repId: query.repId,
      },
    };
  }

  /** The report's counts: every lead of the filter, counted by the database. */
  async function fateSummary(filter: FateFilter, stages: StageOrder): Promise<FatesReport['summary']> {
    const summary: FatesReport['summary'] = {
      mqls: 0,
      assigned: 0,
      accepted: 0,
      rejected: 0,
      sql: 0,
      opportunities: 0,
      won: 0,
      lost: 0,
      wonAmountMinor: {},
    };
    for (const row of await countFates(db, filter)) {
      summary.mqls += row.mqls;
      summary.assigned += row.assigned;
      const decision = row.decisionTo === null ? null : decisionOf(row.decisionTo, stages);
      if (decision === 'accepted') summary.accepted += row.mqls;
      if (decision === 'rejected') summary.rejected += row.mqls;
      summary.sql += row.sql;
      summary.opportunities += row.opportunities;
      summary.lost += row.lost;
      if (row.wonCurrency === null) continue;
      summary.won += row.mqls;
      if (row.wonAmountMinor !== null)
        summary.wonAmountMinor[row.wonCurrency] =
          (summary.wonAmountMinor[row.wonCurrency] ?? 0) + row.wonAmountMinor;
    }
    return summary;
  }

  /** The counts of leads per dimension's value, decision and reason, as the domain groups them. */
  async function fateCounts(filter: FateFilter, stages: StageOrder, by: FateDimension): Promise<FateCount[]> {
    return (await countFatesBy(db, filter, by)).map((row) => {
      const decision = row.decisionTo === null ? null : decisionOf(row.decisionTo, stages);
      return {
        key: row.key,
        decision,
        reasonCode: decision === 'rejected' ? row.reasonCode : null,
        count: row.count,
      };
    });
  }

  /** A lead's fate as the API shows it, from its row of the fate query. */
  function toLeadFate(row: FateRecord, stages: StageOrder): LeadFate {
    const decision = row.decision_to === null ? null : decisionOf(row.decision_to, stages);
    const name = [row.first_name, row.last_name].filter(Boolean).join(' ');
    const at = (value: Date | string | null) => (value === null ? null : fromDbTime(value).toISOString());
    return {
      contactId: row.contact_id,
      name: name === '' ? null : name,
      email: row.email,
      mqlAt: fromDbTime(row.mql_at).toISOString(),
      source: row.original_source,
      campaign: row.campaign ?? null,
      form: row.form_id ? { id: row.form_id, name: row.form_name ?? row.form_id } : null,
      scoreBand: row.grade ?? null,
      assignedTo: row.assigned_to ?? null,
      assignedAt: at(row.assigned_at),
      decision,
      decidedAt: at(row.decided_at),
      decidedBy: row.decided_by ?? null,
      reasonCode: decision === 'rejected' ? (row.reason_code ?? null) : null,
      rejectedTo: decision === 'rejected' ? row.decision_to : null,
      sqlAt: at(row.sql_at),
      opportunity: row.opportunity_id
        ? {
            id: row.opportunity_id,
            status: row.opportunity_status!,
            amountMinor: row.opportunity_amount_minor === null ? null : Number(row.opportunity_amount_minor),
            currency: row.opportunity_currency!,
            closedOn: row.opportunity_closed_on ?? null,
          }
        : null,
      stage: row.stage,
    };
  }

  return {
    /**
     * Marketing's view of the leads it handed over in a period: the counts of them all, and a page
     * of them, newest first: who got it and when, accepted or rejected (when, why), SQL,
     * opportunity, won or lost and the amount.
     */
    async fates(actor: Actor | null, query: FatesQuery): Promise<FatesReport> {
      const who = authorize(actor, 'contacts.read');
      const { filter, stages } = await fateFilter(who, query);
      const limit = query.limit ?? 50;
      const after = decodeMomentCursor(query.cursor);
      const [summary, rows, agreements] = await Promise.all([
        fateSummary(filter, stages),
        findFatePage(db, filter, {
          limit: limit + 1,
          after: after && { mqlAt: after.at, contactId: after.id },
        }),
        agreementSpans(db, filter.from, filter.to),
      ]);
      const data = rows.slice(0, limit).map((row) => toLeadFate(row, stages));
      const last = data.at(-1);
      return {
        from: filter.from.toISOString(),
        to: filter.to.toISOString(),
        agreements,
        summary,
        data,
        nextCursor: rows.length > limit && last ? encodeMomentCursor(last.mqlAt, last.contactId) : null,
      };
    },

    /** The same report with every lead of the period in `data`, for the CSV export. */
    async allFates(actor: Actor | null, query: FatesFilterQuery): Promise<FatesReport> {
      const who = authorize(actor, 'contacts.read');
      const { filter, stages } = await fateFilter(who, query);
      const [summary, rows, agreements] = await Promise.all([
        fateSummary(filter, stages),
        findFatePage(db, filter, { limit: null }),
        agreementSpans(db, filter.from, filter.to),
      ]);
      return {
        from: filter.from.toISOString(),
        to: filter.to.toISOString(),
        agreements,
        summary,
        data: rows.map((row) => toLeadFate(row, stages)),
        nextCursor: null,
      };
    },

    /** The period's handed-over leads grouped by source, campaign, form, score band or rep. */
    async rejections(actor: Actor | null, query: RejectionsQuery): Promise<RejectionsReport> {
      const who = authorize(actor, 'contacts.read');
      const { filter, stages } = await fateFilter(who, query);
      const groups = rejectionGroupsOf(await fateCounts(filter, stages, query.by));
      const keys = groups.map((g) => g.key).filter((k): k is string => k !== null);
      const labels = new Map<string, string>();
      if (query.by === 'form') for (const form of await findForms(db)) labels.set(form.id, form.name);
      if (query.by === 'rep')
        for (const user of await findUsersByIds(db, keys)) labels.set(user.id, user.name);
      return {
        from: new Date(query.from).toISOString(),
        to: new Date(query.to).toISOString(),
        agreements: await agreementSpans(db, new Date(query.from), new Date(query.to)),
        by: query.by,
        groups: groups.map((g) => ({ ...g, label: g.key === null ? null : (labels.get(g.key) ?? g.key) })),
      };
    },

    /**
     * From Monday 08:00 (in the default calendar's time zone), queues last week's digest to every
     * active marketing user, in their language: what became of the leads handed over, why Sales
     * rejected, which campaigns drew rejections. Once per week and person, across processes.
     */
    /**
     * Brings up to `limit` leads' stale kept fates up to date (the background's share of the
     * work; a report keeps its own period's before it reads). How many leads it did.
     */
    async refreshFates(limit = 2_000): Promise<number> {
      return keepStaleFates({ limit });
    },

    async sendWeeklyDigest(): Promise<number> {
      const now = clock.now();
      const timeZone = pickCalendar(await findCalendars(db), null).time_zone;
      const local = localTime(now, timeZone);
      const today = `${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
      const dayOfWeek = weekdays.indexOf(local.weekday);
      if (dayOfWeek === 0 && local.minutes < digestFromMinutes) return 0;
      const thisMonday = addLocalDays(today, -dayOfWeek);
      const weekOf = addLocalDays(thisMonday, -7);
      if (digestQueuedFor === weekOf) return 0;
      const at = (date: string) => {
        const [year, month, day] = date.split('-').map(Number) as [number, number, number];
        return zonedInstant(timeZone, { year, month, day }, 0);
      };
      const { filter, stages } = await fateFilter({ kind: 'cli' }, { from: at(weekOf), to: at(thisMonday) });
      const [summary, counts, recipients, reasons] = await Promise.all([
        fateSummary(filter, stages),
        fateCounts(filter, stages, 'campaign'),
        findActiveUsersByRole(db, ['marketing']),
        findRejectionReasons(db),
      ]);
      const labels = new Map(reasons.map((r) => [r.key, { en: r.label_en, nl: r.label_nl }]));
      const byReason = new Map<string, number>();
      for (const c of counts)
        if (c.decision === 'rejected' && c.reasonCode)
          byReason.set(c.reasonCode, (byReason.get(c.reasonCode) ?? 0) + c.count);
      const queued = await db.transaction().execute((trx) =>
        notifications.queueHandoffDigest(trx, {
          weekOf,
          recipients,
          digest: {
            summary: {
              mqls: summary.mqls,
              accepted: summary.accepted,
              rejected: summary.rejected,
              sql: summary.sql,
              opportunities: summary.opportunities,
              won: summary.won,
            },
            reasons: [...byReason.entries()]
              .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
              .map(([code, count]) => ({ label: labels.get(code) ?? { en: code, nl: code }, count })),
            campaigns: rejectionGroupsOf(counts)
              .slice(0, 5)
              .map((g) => ({ campaign: g.key, mqls: g.mqls, rejected: g.rejected })),
          },
        }),
      );
      if (queued > 0) deps.events.publish([{ type: 'outbox.queued', count: queued, at: now }]);
      digestQueuedFor = weekOf;
      return queued;
    },

    /**
     * What a rep needs at handoff: why it is an MQL (the score explanation), why it came to them,
     * the account, every touch, activity and stage change, and earlier recycles with their reasons.
     */
    async context(actor: Actor | null, id: string): Promise<HandoffContext> {
      const who = authorize(actor, 'contacts.read');
      const contact = await contacts.getContact(who, id);
      const orNull = async <T>(read: Promise<T>) => {
        try {
          return await read;
        } catch (error) {
          if (error instanceof AppError && error.status === 404) return null;
          throw error;
        }
      };
      const [score, account, assignments, lifecycle, touches, reasons, qualifications] = await Promise.all([
        orNull(readers.scoring.getContactScore(who, id)),
        contact.accountId ? orNull(readers.accounts.getAccount(who, contact.accountId)) : null,
        readers.routing.listAssignments(who, id),
        contacts.getLifecycle(who, id),
        contacts.listTouchpoints(who, id),
        findRejectionReasons(db),
        findQualificationsOfContact(db, id),
      ]);
      const reasonOf = new Map(reasons.map((r) => [r.key, { en: r.label_en, nl: r.label_nl }]));
      // Newest first; at the same instant, what was recorded later first (a touch, then the move it caused).
      const timeline: HandoffContext['timeline'] = [
        ...touches.map((touch) => ({ kind: 'touch' as const, at: touch.occurredAt, touch })),
        ...lifecycle.history.map((change) => ({ kind: 'stage' as const, at: change.occurredAt, change })),
      ]
        .map((item, order) => ({ item, order }))
        .sort((a, b) => b.item.at.localeCompare(a.item.at) || b.order - a.order)
        .map(({ item }) => item);
      return {
        contact,
        score,
        account,
        routing: assignments.at(-1) ?? null,
        timeline,
        recycles: lifecycle.history
          .filter((c) => c.from === 'mql' && (c.to === 'recycled' || c.to === 'disqualified'))
          .map((c) => ({
            at: c.occurredAt,
            to: c.to,
            reasonCode: c.reasonCode,
            reason: c.reasonCode ? (reasonOf.get(c.reasonCode) ?? null) : null,
            note: c.note,
            by: c.actor.id,
          })),
        qualifications: qualifications.map((q) => ({
          id: q.id,
          contactId: q.contact_id,
          userId: q.user_id,
          answers: readJson(QualificationAnswers, q.answers, 'qualifications.answers'),
          note: q.note,
          occurredAt: fromDbTime(q.occurred_at).toISOString(),
        })),
      };
    },

    /**
     * The rep logs a call, email or meeting with the lead: a sales touch by them, which is the
     * genuine response the follow-up clock waits for. The lead's rep, their managers or an admin.
     */
    async logActivity(actor: Actor | null, id: string, input: LogActivityBody): Promise<Touchpoint> {
      const who = authorize(actor, 'handoff.decide');
      const now = clock.now();
      const occurredAt = input.occurredAt ? new Date(input.occurredAt) : now;
      if (occurredAt.getTime() > now.getTime() + 60_000)
        throw fieldError('handoff.activity_in_future', 'occurredAt', 'is in the future');
      const row = await loadDecidable(db, who, id);
      if (!row.email) throw createError('handoff.no_email');
      const userId = who.kind === 'user' ? who.userId : null;
      const result = await readers.capture.ingestFrom(
        { actor: actorRef(who), sourceKind: 'web', defaultUserId: userId },
        {
          type: input.type,
          occurredAt: occurredAt.toISOString(),
          email: row.email,
          ...(userId && { userId }),
          ...(input.note && { properties: { note: input.note } }),
        },
      );
      const touch = (await contacts.listTouchpoints(who, id)).find((t) => t.id === result.touchId);
      if (!touch) throw createError('contacts.not_found');
      return touch;
    },

    /** The rep takes the lead on: MQL → SAL. Stops the MQL clocks and starts the SAL one. */
    async accept(actor: Actor | null, id: string, input: AcceptBody): Promise<HandoffDecision> {
      return decide(actor, id, async (trx, who, row) => {
        if (row.stage !== 'mql') throw createError('handoff.not_an_mql');
        return contacts.changeStageIn(trx, who, row, { to: 'sal', ...(input.note && { note: input.note }) });
      });
    },

    /**
     * The rep sends the lead back with an agreed reason: to Marketing for nurture (recycled, its
     * engagement counting again from now if so configured) or out of the funnel (disqualified).
     * At the ping-pong limit the lead needs a person to route it again.
     */
    async reject(actor: Actor | null, id: string, input: RejectBody): Promise<HandoffDecision> {
      return decide(actor, id, async (trx, who, row) => {
        if (row.stage !== 'mql') throw createError('handoff.not_an_mql');
        const reason = await findRejectionReason(trx, input.reasonCode);
        if (!reason || !fromDbBool(reason.is_active))
          throw fieldError('handoff.unknown_reason', 'reasonCode', 'is not an active rejection reason');
        const settings = toSettings(await findHandoffSettings(trx));
        const change = await contacts.changeStageIn(trx, who, row, {
          to: reason.outcome === 'recycle' ? 'recycled' : 'disqualified',
          reasonCode: reason.key,
          ...(input.note && { note: input.note }),
        });
        const rejections = Number(row.rejection_count) + 1;
        await updateContactRow(trx, row.id, {
          rejection_count: rejections,
          needs_review: rejections >= settings.pingPongLimit,
          ...(reason.outcome === 'recycle' &&
            settings.engagementReset && { engagement_since: toDbTime(clock.now()) }),
          updated_at: toDbTime(clock.now()),
        });
        return change;
      });
    },

    /** The rep confirms the checklist (need, budget, authority, timing): SAL → SQL. */
    async qualify(actor: Actor | null, id: string, input: QualifyBody): Promise<HandoffDecision> {
      return decide(actor, id, async (trx, who, row) => {
        if (row.stage !== 'sal') throw createError('handoff.not_a_sal');
        const { qualificationChecklist } = toSettings(await findHandoffSettings(trx));
        const missing = qualificationChecklist.filter((item) => input.answers[item.key] !== true);
        if (missing.length > 0)
          throw createError(
            'handoff.checklist_incomplete',
            undefined,
            missing.map((item) => ({
              field: `body.answers.${item.key}`,
              reason: `must be confirmed: ${item.label.en}`,
            })),
          );
        const now = clock.now();
        await insertQualification(trx, {
          id: newId(),
          contact_id: row.id,
          user_id: who.kind === 'user' ? who.userId : null,
          answers: JSON.stringify(Object.fromEntries(qualificationChecklist.map((item) => [item.key, true]))),
          note: input.note ?? null,
          occurred_at: toDbTime(now),
        });
        return contacts.changeStageIn(trx, who, row, {
          to: 'sql',
          note: input.note ?? `Qualified: ${qualificationChecklist.map((item) => item.key).join(', ')}`,
        });
      });
    },

    async listReasons(actor: Actor | null): Promise<RejectionReason[]> {
      authorize(actor, 'contacts.read');
      return (await findRejectionReasons(db)).map(toReason);
    },

    async createReason(actor: Actor | null, input: CreateRejectionReasonBody): Promise<RejectionReason> {
      const who = authorize(actor, 'handoff.configure');
      const now = clock.now();
      return announcingConfig(
        deps.events,
        'recycle',
        now,
        inTransaction(
          db,
          async (trx) => {
            const last = (await findRejectionReasons(trx)).at(-1);
            await insertRejectionReason(trx, {
              key: input.key,
              label_en: input.label.en,
              label_nl: input.label.nl,
              outcome: input.outcome,
              position: input.position ?? Number(last?.position ?? 0) + 10,
              is_active: true,
              created_at: toDbTime(now),
              updated_at: toDbTime(now),
            });
            await insertEvent(trx, {
              type: 'handoff.reason_created',
              occurredAt: now,
              actor: actorRef(who),
              subject: { type: 'rejection_reason', id: input.key },
              payload: { ...input },
            });
            return toReason((await findRejectionReason(trx, input.key))!);
          },
          () => fieldError('handoff.reason_exists', 'key', 'a reason with this key exists'),
        ),
      );
    },

    async updateReason(
      actor: Actor | null,
      key: string,
      input: UpdateRejectionReasonBody,
    ): Promise<RejectionReason> {
      const who = authorize(actor, 'handoff.configure');
      const now = clock.now();
      return announcingConfig(
        deps.events,
        'recycle',
        now,
        db.transaction().execute(async (trx) => {
          if (!(await findRejectionReason(trx, key))) throw createError('handoff.reason_not_found');
          await updateRejectionReasonRow(trx, key, {
            ...(input.label && { label_en: input.label.en, label_nl: input.label.nl }),
            ...(input.outcome && { outcome: input.outcome }),
            ...(input.position !== undefined && { position: input.position }),
            ...(input.active !== undefined && { is_active: input.active }),
            updated_at: toDbTime(now),
          });
          await insertEvent(trx, {
            type: 'handoff.reason_changed',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'rejection_reason', id: key },
            payload: { ...input },
          });
          return toReason((await findRejectionReason(trx, key))!);
        }),
      );
    },

    /** Puts every reason in the given order: positions 10, 20, 30… in one change. */
    async orderReasons(actor: Actor | null, keys: readonly string[]): Promise<RejectionReason[]> {
      const who = authorize(actor, 'handoff.configure');
      const now = clock.now();
      return announcingConfig(
        deps.events,
        'recycle',
        now,
        db.transaction().execute(async (trx) => {
          const known = (await findRejectionReasons(trx)).map((r) => r.key);
          const unknown = keys.find((key) => !known.includes(key));
          if (unknown !== undefined)
            throw fieldError('handoff.reason_not_found', `keys.${keys.indexOf(unknown)}`, 'no such reason');
          const missing = known.filter((key) => !keys.includes(key));
          if (missing.length > 0)
            throw fieldError(
              'http.validation_failed',
              'keys',
              `leaves out ${missing.join(', ')}: list every reason`,
            );
          for (const [i, key] of keys.entries())
            await updateRejectionReasonRow(trx, key, { position: (i + 1) * 10, updated_at: toDbTime(now) });
          await insertEvent(trx, {
            type: 'handoff.reasons_ordered',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'rejection_reason', id: 'all' },
            payload: { keys },
          });
          return (await findRejectionReasons(trx)).map(toReason);
        }),
      );
    },

    async getSettings(actor: Actor | null): Promise<HandoffSettings> {
      authorize(actor, 'contacts.read');
      return toSettings(await findHandoffSettings(db));
    },

    async updateSettings(actor: Actor | null, input: UpdateHandoffSettingsBody): Promise<HandoffSettings> {
      const who = authorize(actor, 'handoff.configure');
      const now = clock.now();
      if (input.qualificationChecklist) {
        const keys = input.qualificationChecklist.map((item) => item.key);
        const twice = keys.find((key, i) => keys.indexOf(key) !== i);
        if (twice)
          throw fieldError('http.validation_failed', 'qualificationChecklist', `lists "${twice}" twice`);
      }
      return announcingConfig(
        deps.events,
        'recycle',
        now,
        db.transaction().execute(async (trx) => {
          await updateHandoffSettingsRow(trx, {
            ...(input.engagementReset !== undefined && { is_engagement_reset: input.engagementReset }),
            ...(input.pingPongLimit !== undefined && { ping_pong_limit: input.pingPongLimit }),
            ...(input.qualificationChecklist && {
              qualification_checklist: JSON.stringify(input.qualificationChecklist),
            }),
            updated_at: toDbTime(now),
          });
          await insertEvent(trx, {
            type: 'handoff.settings_changed',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'handoff_settings', id: '1' },
            payload: { ...input },
          });
          return toSettings(await findHandoffSettings(trx));
        }),
      );
    },
  };
}

export type HandoffService = ReturnType<typeof createHandoffService>;
