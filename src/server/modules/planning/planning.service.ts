import type { Actor } from '../../../domain/access/roles.ts';
import { queueWebhooks, webhookEvent } from '../webhooks/webhooks.usecases.ts';
import { funnelOf } from '../../../domain/lifecycle/funnel.ts';
import { addMonths, monthBounds, monthsOfPeriod, type LocalMonth } from '../../../domain/planning/months.ts';
import { paceOf } from '../../../domain/planning/pace.ts';
import {
  DEFAULT_LAG_DAYS,
  DEFAULT_RATES,
  planWaterfall,
  sensitivityOf,
  WATERFALL_STEPS,
  type StepValues,
  type WaterfallStage,
  type WaterfallStep,
} from '../../../domain/planning/plan-waterfall.ts';
import {
  PlanResult,
  type Pacing,
  type PeriodKind,
  type PlanInputBody,
  type PutTargetBody,
  type SavedPlan,
  type Target,
  type TargetMetric,
} from '../../../contract/planning.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { agreementSpans } from '../agreements/agreements.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { findStageMovesSince } from '../stages/stages.repository.ts';
import { findTeamById } from '../teams/teams.repository.ts';
import {
  findActiveUsersByRole,
  findHeadsOfMarketing,
  findUserById,
  findUsersByIds,
} from '../users/users.repository.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { findTeams } from '../teams/teams.repository.ts';
import {
  countDealsByMonth,
  countStageEntriesByMonth,
  deleteTargetRow,
  summariseClosedDeals,
  findPlanById,
  findPlans,
  findTargetById,
  findTargets,
  insertPlan,
  recordPlanPaceIf,
  upsertTarget,
  type TargetRow,
} from './planning.repository.ts';
import { readJson } from '../../db/json-column.ts';

/** A history figure counts from this many records on; below it the default is used. */
const MIN_FUNNEL_SAMPLE = 20;
const MIN_DEAL_SAMPLE = 10;
const DAY_MS = 86_400_000;
const moneyMetrics: readonly TargetMetric[] = ['revenue', 'pipeline'];

/** The lifecycle stage whose exit each step measures. */
const stepStage: Partial<Record<WaterfallStep, string>> = {
  inquiryToMql: 'lead',
  mqlToSal: 'mql',
  salToSql: 'sal',
  sqlToOpportunity: 'sql',
};

function monthStart(month: LocalMonth): Date {
  return new Date(`${monthBounds(month).from}T00:00:00.000Z`);
}

export function createPlanningService(
  deps: ServiceDeps,
  notifications: Pick<NotificationsService, 'queuePlanBehind'>,
) {
  const { db, clock, events } = deps;

  async function presentTargets(rows: TargetRow[]): Promise<Target[]> {
    const users = new Map(
      (
        await findUsersByIds(
          db,
          rows.filter((r) => r.owner_kind === 'user').map((r) => r.owner_id),
        )
      ).map((u) => [u.id, u.name]),
    );
    const teams = new Map((await findTeams(db)).map((t) => [t.id, t.name]));
    return rows.map((r) => ({
      id: r.id,
      periodKind: r.period_kind as PeriodKind,
      periodStart: r.period_start,
      metric: r.metric as TargetMetric,
      owner: {
        kind: r.owner_kind as Target['owner']['kind'],
        id: r.owner_id === '' ? null : r.owner_id,
        name:
          r.owner_kind === 'company'
            ? 'Company'
            : ((r.owner_kind === 'user' ? users.get(r.owner_id) : teams.get(r.owner_id)) ?? r.owner_id),
      },
      value: Number(r.value),
      currency: r.currency,
      joint: fromDbBool(r.is_joint),
      note: r.note,
      updatedAt: fromDbTime(r.updated_at).toISOString(),
    }));
  }

  /** The company's own rates, durations and deal size over the window, with their sample sizes. */
  async function history(currency: string, months: number, now: Date) {
    const to = now;
    const from = new Date(now.getTime());
    from.setUTCMonth(from.getUTCMonth() - months);
    const [moves, closedDeals] = await Promise.all([
      findStageMovesSince(db, { from: toDbTime(from), to: toDbTime(to), ownerIds: null }),
      summariseClosedDeals(db, {
        from: toDbTime(from).slice(0, 10),
        to: toDbTime(to).slice(0, 10),
        currency,
      }),
    ]);
    const funnel = funnelOf(
      moves.map((m) => ({ contactId: m.contact_id, to: m.to_stage, at: fromDbTime(m.occurred_at) })),
      ['lead', 'mql', 'sal', 'sql', 'opportunity', 'customer'],
      from,
      to,
    );
    const byStage = new Map(funnel.map((f) => [f.key, f]));
    const rates: Partial<Record<WaterfallStep, { value: number; sample: number }>> = {};
    const lags: Partial<Record<WaterfallStep, { value: number; sample: number }>> = {};
    for (const step of WATERFALL_STEPS) {
      const stage = stepStage[step];
      if (stage) {
        const f = byStage.get(stage);
        if (f && f.conversion !== null && f.conversion > 0)
          rates[step] = { value: f.conversion, sample: f.entered };
        if (f && f.medianMsInStage !== null)
          lags[step] = { value: f.medianMsInStage / DAY_MS, sample: f.left };
      }
    }
    if (closedDeals.winRate !== null && closedDeals.won > 0)
      rates.opportunityToWon = { value: closedDeals.winRate, sample: closedDeals.closed };
    if (closedDeals.cycleDays !== null)
      lags.opportunityToWon = { value: closedDeals.cycleDays, sample: closedDeals.cycleSample };
    const dealSize =
      closedDeals.averageDealMinor !== null
        ? { value: closedDeals.averageDealMinor, sample: closedDeals.dealSample }
        : null;
    return { from, to, rates, lags, dealSize };
  }

  async function computePlan(input: PlanInputBody): Promise<PlanResult> {
    const now = clock.now();
    const months = monthsOfPeriod(input.periodKind, input.periodStart);
    if (input.phasing && input.phasing.length !== months.length)
      throw fieldError(
        'http.validation_failed',
        'phasing',
        `must have one weight per month (${months.length})`,
      );
    const past = await history(input.currency, input.historyMonths ?? 12, now);
    type Source = { source: 'given' | 'history' | 'default'; sample: number };
    const pick = (
      given: number | undefined,
      found: { value: number; sample: number } | undefined,
      min: number,
      fallback: number,
    ): [number, Source] => {
      if (given !== undefined) return [given, { source: 'given', sample: 0 }];
      if (found && found.sample >= min) return [found.value, { source: 'history', sample: found.sample }];
      return [fallback, { source: 'default', sample: found?.sample ?? 0 }];
    };
    const rates = {} as StepValues;
    const lagDays = {} as StepValues;
    const rateSources: Record<string, Source> = {};
    const lagSources: Record<string, Source> = {};
    for (const step of WATERFALL_STEPS) {
      const min = step === 'opportunityToWon' ? MIN_DEAL_SAMPLE : MIN_FUNNEL_SAMPLE;
      [rates[step], rateSources[step]] = pick(
        input.rates?.[step],
        past.rates[step],
        min,
        DEFAULT_RATES[step],
      );
      [lagDays[step], lagSources[step]] = pick(
        input.lagDays?.[step],
        past.lags[step],
        min,
        DEFAULT_LAG_DAYS[step],
      );
    }
    let averageDealSize: number;
    let dealSource: Source;
    if (input.averageDealSize !== undefined) {
      averageDealSize = input.averageDealSize;
      dealSource = { source: 'given', sample: 0 };
    } else if (past.dealSize && past.dealSize.sample >= MIN_DEAL_SAMPLE) {
      averageDealSize = past.dealSize.value;
      dealSource = { source: 'history', sample: past.dealSize.sample };
    } else {
      throw fieldError(
        'planning.deal_size_required',
        'averageDealSize',
        `is needed: ${past.dealSize?.sample ?? 0} won deals in ${input.currency} in the history window, ${MIN_DEAL_SAMPLE} are needed to read it`,
      );
    }
    const waterfallInput = {
      revenueTarget: input.revenueTarget,
      averageDealSize,
      rates,
      lagDays,
      months,
      ...(input.phasing && { phasing: input.phasing }),
    };
    const waterfall = planWaterfall(waterfallInput);
    if ('kind' in waterfall) throw fieldError('http.validation_failed', waterfall.field, waterfall.reason);
    const sensitivity = sensitivityOf(waterfallInput, input.sensitivityPoints ?? 5);
    if ('kind' in sensitivity)
      throw fieldError('http.validation_failed', sensitivity.field, sensitivity.reason);
    return {
      periodKind: input.periodKind,
      periodStart: input.periodStart,
      currency: input.currency,
      revenueTarget: input.revenueTarget,
      averageDealSize,
      rates,
      lagDays,
      sources: {
        averageDealSize: dealSource,
        rates: rateSources,
        lagDays: lagSources,
        historyFrom: past.from.toISOString(),
        historyTo: past.to.toISOString(),
      },
      months: waterfall.months,
      rows: waterfall.rows,
      sensitivity,
    };
  }

  function presentPlan(row: Awaited<ReturnType<typeof findPlans>>[number]): SavedPlan {
    return {
      id: row.id,
      name: row.name,
      current: fromDbBool(row.is_current),
      createdAt: fromDbTime(row.created_at).toISOString(),
      createdBy: row.created_by,
      plan: readJson(PlanResult, row.result, 'plans.result'),
    };
  }

  /** A period's pace against its current plan, at `now` (no permission check). */
  async function pacingOf(
    conn: Db,
    query: { periodKind: PeriodKind; periodStart: string },
    now: Date,
  ): Promise<Pacing> {
    const plans = await findPlans(conn, { ...query, currentOnly: true });
    const periodMonths = monthsOfPeriod(query.periodKind, query.periodStart);
    const periodFrom = monthStart(periodMonths[0]!);
    const periodTo = monthStart(addMonths(periodMonths[periodMonths.length - 1]!, 1));
    const agreements = await agreementSpans(conn, periodFrom, periodTo);
    const base = {
      periodKind: query.periodKind,
      periodStart: query.periodStart,
      asOf: now.toISOString(),
      agreements,
    };
    const row = plans[0];
    if (!row) {
      return {
        ...base,
        plan: null,
        currency: null,
        revenue: { planned: 0, wonToDate: 0, projection: 0 },
        stages: [],
        alerts: [],
      };
    }
    const plan = readJson(PlanResult, row.result, 'plans.result');
    const first = plan.months[0]!;
    const from = monthStart(first);
    const to = periodTo;
    const [entries, deals] = await Promise.all([
      countStageEntriesByMonth(conn, {
        from: toDbTime(from),
        to: toDbTime(to),
        stages: ['lead', 'mql', 'sal', 'sql'],
      }),
      countDealsByMonth(conn, { from: toDbTime(from), to: toDbTime(to), currency: plan.currency }),
    ]);
    const actual = new Map<WaterfallStage, Map<string, number>>();
    const lifecycle: Record<string, WaterfallStage> = {
      lead: 'inquiry',
      mql: 'mql',
      sal: 'sal',
      sql: 'sql',
    };
    const put = (stage: WaterfallStage, month: string, n: number) => {
      const m = actual.get(stage) ?? new Map<string, number>();
      m.set(month, (m.get(month) ?? 0) + n);
      actual.set(stage, m);
    };
    for (const e of entries) put(lifecycle[e.stage]!, e.month, e.count);
    for (const d of deals.opened) put('opportunity', d.month, d.count);
    for (const d of deals.won) put('won', d.month, d.count);
    const currentMonth = now.toISOString().slice(0, 7);
    const cmStart = monthStart(currentMonth).getTime();
    const cmEnd = monthStart(addMonths(currentMonth, 1)).getTime();
    const fraction = (now.getTime() - cmStart) / (cmEnd - cmStart);
    const stages = plan.rows.map((r) => {
      const byMonthActual = actual.get(r.stage) ?? new Map<string, number>();
      const pace = paceOf({
        planByMonth: r.byMonth,
        actualByMonth: byMonthActual,
        currentMonth,
        fractionOfCurrentMonth: fraction,
      });
      return {
        stage: r.stage,
        ...pace,
        byMonth: r.byMonth.map((m) => ({
          month: m.month,
          planned: m.needed,
          actual: byMonthActual.get(m.month) ?? 0,
        })),
      };
    });
    const wonRevenue = deals.won
      .filter((d) => d.month <= currentMonth && periodMonths.includes(d.month))
      .reduce((a, d) => a + d.revenue, 0);
    const wonPace = stages.find((s) => s.stage === 'won');
    const names: Record<WaterfallStage, { en: string; nl: string }> = {
      won: { en: 'Wins', nl: 'Gewonnen deals' },
      opportunity: { en: 'Opportunities', nl: 'Opportunities' },
      sql: { en: 'SQLs', nl: 'SQL’s' },
      sal: { en: 'SALs', nl: 'SAL’s' },
      mql: { en: 'MQLs', nl: 'MQL’s' },
      inquiry: { en: 'Inquiries', nl: 'Aanvragen' },
    };
    const alerts = stages
      .filter((s) => s.status === 'behind')
      .map((s) => {
        const pct = Math.round((s.ratio ?? 0) * 100);
        const n = names[s.stage];
        return {
          stage: s.stage,
          message: {
            en: `${n.en} are behind plan: ${s.actualToDate} against ${Math.round(s.plannedToDate)} planned to date (${pct}%); at this pace ${s.projection} of ${s.planTotal}.`,
            nl: `${n.nl} lopen achter op plan: ${s.actualToDate} tegen ${Math.round(s.plannedToDate)} gepland tot nu (${pct}%); in dit tempo ${s.projection} van ${s.planTotal}.`,
          },
        };
      });
    return {
      ...base,
      plan: { id: row.id, name: row.name },
      currency: plan.currency,
      revenue: {
        planned: plan.revenueTarget,
        wonToDate: wonRevenue,
        projection: wonPace?.ratio ? Math.round(plan.revenueTarget * wonPace.ratio) : wonRevenue,
      },
      stages,
      alerts,
    };
  }

  return {
    async listTargets(
      actor: Actor | null,
      query: { periodKind?: string; periodStart?: string; metric?: string },
    ) {
      authorize(actor, 'planning.read');
      return presentTargets(await findTargets(db, query));
    },

    /** Sets the target of a period, metric and owner (a second put replaces the value). */
    async putTarget(actor: Actor | null, input: PutTargetBody): Promise<Target> {
      const who = authorize(actor, 'planning.write');
      const isMoney = moneyMetrics.includes(input.metric);
      if (isMoney && !input.currency)
        throw fieldError('http.validation_failed', 'currency', `is required for a ${input.metric} target`);
      if (!isMoney && input.currency)
        throw fieldError(
          'http.validation_failed',
          'currency',
          `a ${input.metric} target is a count, without currency`,
        );
      const ownerId = input.ownerKind === 'company' ? '' : (input.ownerId ?? null);
      if (ownerId === null)
        throw fieldError('http.validation_failed', 'ownerId', `is required for a ${input.ownerKind} target`);
      if (input.ownerKind === 'user' && !(await findUserById(db, ownerId)))
        throw fieldError('http.validation_failed', 'ownerId', 'is no user');
      if (input.ownerKind === 'team' && !(await findTeamById(db, ownerId)))
        throw fieldError('http.validation_failed', 'ownerId', 'is no team');
      const now = clock.now();
      const row = await db.transaction().execute(async (trx) => {
        const saved = await upsertTarget(trx, {
          id: newId(),
          period_kind: input.periodKind,
          period_start: input.periodStart,
          metric: input.metric,
          owner_kind: input.ownerKind,
          owner_id: ownerId,
          value: input.value,
          currency: input.currency ?? null,
          is_joint: input.joint ?? false,
          note: input.note ?? null,
          created_by: who.kind === 'user' ? who.userId : null,
          created_at: toDbTime(now),
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'target.set',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'target', id: saved.id },
          payload: { ...input },
        });
        return saved;
      });
      events.publish([{ type: 'config.changed', section: 'targets', at: now }]);
      return (await presentTargets([row]))[0]!;
    },

    async deleteTarget(actor: Actor | null, id: string): Promise<void> {
      const who = authorize(actor, 'planning.write');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await findTargetById(trx, id);
        if (!row) throw createError('planning.target_not_found');
        await deleteTargetRow(trx, id);
        await insertEvent(trx, {
          type: 'target.deleted',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'target', id },
          payload: { metric: row.metric, periodStart: row.period_start, value: Number(row.value) },
        });
      });
      events.publish([{ type: 'config.changed', section: 'targets', at: now }]);
    },

    /** The reverse waterfall for a revenue target, with the company's own rates where it has them. */
    async preview(actor: Actor | null, input: PlanInputBody): Promise<PlanResult> {
      authorize(actor, 'planning.read');
      return computePlan(input);
    },

    /** Saves the plan of its period; earlier plans of the period are kept and no longer current. */
    async savePlan(actor: Actor | null, input: PlanInputBody & { name: string }): Promise<SavedPlan> {
      const who = authorize(actor, 'planning.write');
      const { name, ...rest } = input;
      const plan = await computePlan(rest);
      const now = clock.now();
      const id = newId();
      await db.transaction().execute(async (trx) => {
        await insertPlan(trx, {
          id,
          name,
          period_kind: plan.periodKind,
          period_start: plan.periodStart,
          currency: plan.currency,
          inputs: JSON.stringify(rest),
          result: JSON.stringify(plan),
          created_by: who.kind === 'user' ? who.userId : null,
          created_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'plan.saved',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'plan', id },
          payload: {
            name,
            periodKind: plan.periodKind,
            periodStart: plan.periodStart,
            revenueTarget: plan.revenueTarget,
          },
        });
      });
      events.publish([{ type: 'config.changed', section: 'targets', at: now }]);
      return presentPlan((await findPlanById(db, id))!);
    },

    async listPlans(
      actor: Actor | null,
      query: { periodKind?: string; periodStart?: string },
    ): Promise<SavedPlan[]> {
      authorize(actor, 'planning.read');
      return (await findPlans(db, query)).map(presentPlan);
    },

    /** The current plans of all periods, for the agreement. */
    async currentPlans(): Promise<SavedPlan[]> {
      return (await findPlans(db, { currentOnly: true })).map(presentPlan);
    },

    async currentTargets(): Promise<Target[]> {
      return presentTargets(await findTargets(db, {}));
    },

    /** Actual against the current plan of a period, stage by stage, with a projection and alerts. */
    async pacing(
      actor: Actor | null,
      query: { periodKind: PeriodKind; periodStart: string },
    ): Promise<Pacing> {
      authorize(actor, 'planning.read');
      return pacingOf(db, query, clock.now());
    },

    /**
     * The daily pace check of the current plans whose period is running: on the first check of a
     * day (UTC) the stages behind are recorded by compare-and-set, and when a stage has fallen
     * behind since the last check, the heads of Marketing and the directors are emailed once, in
     * their language. A stage that stays behind is not announced again; one that recovers and falls
     * behind again is. Returns how many emails it queued.
     */
    async checkPace(): Promise<number> {
      const now = clock.now();
      const today = now.toISOString().slice(0, 10);
      const month = today.slice(0, 7);
      let queued = 0;
      for (const row of await findPlans(db, { currentOnly: true })) {
        const periodKind = row.period_kind as PeriodKind;
        if (!monthsOfPeriod(periodKind, row.period_start).includes(month)) continue;
        if ((row.pace_checked_on ?? '') >= today) continue;
        const count = await db.transaction().execute(async (trx) => {
          const pacing = await pacingOf(trx, { periodKind, periodStart: row.period_start }, now);
          const behind = pacing.alerts.map((a) => a.stage);
          const won = await recordPlanPaceIf(trx, row.id, row.pace_checked_on, {
            checkedOn: today,
            behind,
          });
          const before = new Set((row.pace_behind ?? '').split(',').filter(Boolean));
          const fresh = behind.filter((stage) => !before.has(stage));
          if (!won || fresh.length === 0) return 0;
          await queueWebhooks(trx, [
            webhookEvent('plan.behind', now, {
              planId: row.id,
              planName: row.name,
              periodKind,
              periodStart: row.period_start,
              stages: pacing.alerts.map((a) => ({
                stage: a.stage,
                fellBehind: fresh.includes(a.stage),
                message: a.message,
              })),
            }),
          ]);
          const recipients = [
            ...new Map(
              [...(await findHeadsOfMarketing(trx)), ...(await findActiveUsersByRole(trx, ['director']))].map(
                (u) => [u.id, u],
              ),
            ).values(),
          ];
          return notifications.queuePlanBehind(trx, {
            planId: row.id,
            day: today,
            recipients,
            alert: {
              planName: row.name,
              periodKind,
              periodStart: row.period_start,
              // The stages that fell behind first, then those that already were.
              stages: [
                ...pacing.alerts.filter((a) => fresh.includes(a.stage)),
                ...pacing.alerts.filter((a) => !fresh.includes(a.stage)),
              ].map((a) => a.message),
            },
          });
        });
        if (count > 0) events.publish([{ type: 'outbox.queued', count, at: now }]);
        queued += count;
      }
      return queued;
    },
  };
}

export type PlanningService = ReturnType<typeof createPlanningService>;
