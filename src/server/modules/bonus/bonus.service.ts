import type { Actor } from '../../../domain/access/roles.ts';
import { calculateBonus, checkCurve, type BonusParticipant } from '../../../domain/planning/bonus.ts';
import { addMonths, monthsOfPeriod } from '../../../domain/planning/months.ts';
import type { BonusPlan, BonusStatements, PutBonusPlanBody } from '../../../contract/bonus.ts';
import type { PeriodKind } from '../../../contract/planning.ts';
import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { actorRef, authorize } from '../shared/access.ts';
import { announcingConfig } from '../shared/config-changed.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { writeCsv } from '../shared/csv.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { findUsersByIds } from '../users/users.repository.ts';
import {
  deleteBonusPlanRow,
  findBonusPlanById,
  findBonusPlans,
  sumDealsByOwner,
  upsertBonusPlan,
} from './bonus.repository.ts';
import { readJson } from '../../db/json-column.ts';
import { BonusPlan as BonusPlanSchema, PayoutCurve as PayoutCurveSchema } from '../../../contract/bonus.ts';
import { Type } from 'typebox';

const StoredParticipants = Type.Array(Type.Omit(BonusPlanSchema.properties.participants.items, ['name']));

type Row = NonNullable<Awaited<ReturnType<typeof findBonusPlanById>>>;
type StoredParticipant = Omit<BonusPlan['participants'][number], 'name'>;

/** The instants a period spans: its first day to the first day after it (UTC). */
function periodBounds(kind: PeriodKind, start: string): { from: string; to: string } {
  const months = monthsOfPeriod(kind, start);
  return {
    from: `${months[0]}-01T00:00:00.000Z`,
    to: `${addMonths(months[months.length - 1]!, 1)}-01T00:00:00.000Z`,
  };
}

export function createBonusService(deps: ServiceDeps) {
  const { db, clock } = deps;

  async function present(row: Row): Promise<BonusPlan> {
    const participants = readJson(StoredParticipants, row.participants, 'bonus_plans.participants');
    const names = new Map(
      (
        await findUsersByIds(
          db,
          participants.map((p) => p.userId),
        )
      ).map((u) => [u.id, u.name]),
    );
    return {
      id: row.id,
      name: row.name,
      periodKind: row.period_kind as PeriodKind,
      periodStart: row.period_start,
      metric: row.metric as BonusPlan['metric'],
      plan: Number(row.plan_minor),
      currency: row.currency,
      poolAtPlan: Number(row.pool_minor),
      marketingSharePct: row.marketing_share_pct,
      curve: readJson(PayoutCurveSchema, row.curve, 'bonus_plans.curve'),
      participants: participants.map((p) => ({ ...p, name: names.get(p.userId) ?? p.userId })),
      updatedAt: fromDbTime(row.updated_at).toISOString(),
    };
  }

  async function load(id: string): Promise<Row> {
    const row = await findBonusPlanById(db, id);
    if (!row) throw createError('bonus.plan_not_found');
    return row;
  }

  /** Every statement of a plan (who may see which is decided by the caller). */
  async function calculate(plan: BonusPlan): Promise<BonusStatements> {
    const bounds = periodBounds(plan.periodKind, plan.periodStart);
    const needsPipeline =
      plan.metric === 'pipeline' ||
      plan.participants.some((p) => p.components.some((c) => c.source === 'own_pipeline'));
    const [bookings, pipeline] = await Promise.all([
      sumDealsByOwner(db, { metric: 'bookings', ...bounds, currency: plan.currency }),
      needsPipeline
        ? sumDealsByOwner(db, { metric: 'pipeline', ...bounds, currency: plan.currency })
        : Promise.resolve([]),
    ]);
    const total = (rows: { amount: number }[]) => rows.reduce((a, r) => a + r.amount, 0);
    const own = (rows: { ownerId: string | null; amount: number }[], userId: string) =>
      rows.find((r) => r.ownerId === userId)?.amount ?? 0;
    const participants: BonusParticipant[] = plan.participants.map((p) => ({
      userId: p.userId,
      name: p.name,
      side: p.side,
      weight: p.weight,
      components: p.components.map((c) => ({
        key: c.key,
        label: c.label,
        amountAtPlan: c.amountAtPlan,
        target: c.target,
        actual:
          c.source === 'own_bookings'
            ? own(bookings, p.userId)
            : c.source === 'own_pipeline'
              ? own(pipeline, p.userId)
              : (c.actual ?? 0),
      })),
    }));
    const actual = total(plan.metric === 'bookings' ? bookings : pipeline);
    const result = calculateBonus({
      plan: plan.plan,
      actual,
      poolAtPlan: plan.poolAtPlan,
      marketingSharePct: plan.marketingSharePct,
      curve: plan.curve,
      participants,
    });
    if ('kind' in result) throw fieldError('http.validation_failed', result.field, result.reason);
    return {
      planId: plan.id,
      name: plan.name,
      periodKind: plan.periodKind,
      periodStart: plan.periodStart,
      currency: plan.currency,
      asOf: clock.now().toISOString(),
      metric: plan.metric,
      plan: plan.plan,
      actual,
      ...result,
    };
  }

  const service = {
    async list(actor: Actor | null, query: { periodStart?: string }): Promise<BonusPlan[]> {
      authorize(actor, 'bonus.read');
      return Promise.all((await findBonusPlans(db, query)).map(present));
    },

    async get(actor: Actor | null, id: string): Promise<BonusPlan> {
      authorize(actor, 'bonus.read');
      return present(await load(id));
    },

    /** Sets the joint bonus plan of a period (a second put for the period replaces it). */
    async put(actor: Actor | null, input: PutBonusPlanBody): Promise<BonusPlan> {
      const who = authorize(actor, 'bonus.write');
      const curveRefusal = checkCurve(input.curve);
      if (curveRefusal) throw fieldError('http.validation_failed', curveRefusal.field, curveRefusal.reason);
      const ids = input.participants.map((p) => p.userId);
      const seen = new Set<string>();
      ids.forEach((id, i) => {
        if (seen.has(id))
          throw fieldError('http.validation_failed', `participants.${i}.userId`, 'is in the plan twice');
        seen.add(id);
      });
      const users = new Map((await findUsersByIds(db, ids)).map((u) => [u.id, u]));
      input.participants.forEach((p, i) => {
        if (!users.has(p.userId))
          throw fieldError('http.validation_failed', `participants.${i}.userId`, 'is no user');
        p.components?.forEach((c, k) => {
          if (c.source === 'manual' && c.actual === undefined)
            throw fieldError(
              'http.validation_failed',
              `participants.${i}.components.${k}.actual`,
              'is needed for a manual component',
            );
        });
      });
      const now = clock.now();
      const stored: StoredParticipant[] = input.participants.map((p) => ({
        userId: p.userId,
        side: p.side,
        weight: p.weight,
        components: p.components ?? [],
      }));
      const row = await announcingConfig(
        deps.events,
        'bonus',
        now,
        db.transaction().execute(async (trx) => {
          const saved = await upsertBonusPlan(trx, {
            id: newId(),
            name: input.name,
            period_kind: input.periodKind,
            period_start: input.periodStart,
            metric: input.metric,
            plan_minor: input.plan,
            currency: input.currency,
            pool_minor: input.poolAtPlan,
            marketing_share_pct: input.marketingSharePct,
            curve: JSON.stringify(input.curve),
            participants: JSON.stringify(stored),
            created_by: who.kind === 'user' ? who.userId : null,
            created_at: toDbTime(now),
            updated_at: toDbTime(now),
          });
          await insertEvent(trx, {
            type: 'bonus.plan_saved',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'bonus_plan', id: saved.id },
            payload: { ...input },
          });
          return saved;
        }),
      );
      return present(row);
    },

    async remove(actor: Actor | null, id: string): Promise<void> {
      const who = authorize(actor, 'bonus.write');
      const now = clock.now();
      await announcingConfig(
        deps.events,
        'bonus',
        now,
        db.transaction().execute(async (trx) => {
          if (!(await deleteBonusPlanRow(trx, id))) throw createError('bonus.plan_not_found');
          await insertEvent(trx, {
            type: 'bonus.plan_deleted',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'bonus_plan', id },
            payload: {},
          });
        }),
      );
    },

    /**
     * The statements of a period so far: directors and admins see everyone's (and the plan's
     * totals); anyone else sees their own statement only.
     */
    async statements(actor: Actor | null, id: string): Promise<BonusStatements> {
      const who = authorize(actor, 'bonus.read');
      const result = await calculate(await present(await load(id)));
      const seesAll = who.kind === 'cli' || who.role === 'director' || who.role === 'admin';
      if (seesAll) return result;
      const mine = who.kind === 'user' ? who.userId : null;
      return { ...result, statements: result.statements.filter((s) => s.userId === mine) };
    },

    /** The statements as CSV: one line per person and component, with the calculation's figures. */
    async statementsCsv(actor: Actor | null, id: string): Promise<string> {
      const s = await service.statements(actor, id);
      const rows: (string | number)[][] = [];
      for (const st of s.statements) {
        rows.push([
          st.name,
          st.side,
          'shared',
          s.metric,
          s.plan,
          s.actual,
          s.attainmentPct.toFixed(2),
          s.payoutPct.toFixed(2),
          `${st.shared.weight}/${st.shared.sideWeight} of ${st.shared.sideAmount}`,
          st.shared.payout,
        ]);
        for (const c of st.components)
          rows.push([
            st.name,
            st.side,
            c.label,
            'component',
            c.target,
            c.actual,
            c.attainmentPct.toFixed(2),
            c.payoutPct.toFixed(2),
            `${c.amountAtPlan} at plan`,
            c.payout,
          ]);
        rows.push([st.name, st.side, 'total', '', '', '', '', '', '', st.total]);
      }
      return writeCsv(rows, [
        'person',
        'side',
        'line',
        'metric',
        'plan',
        'actual',
        'attainment_pct',
        'payout_pct',
        'basis',
        `payout_${s.currency}_minor`,
      ]);
    },

    /** The bonus plans, for the agreement's document. */
    async currentPlans(): Promise<BonusPlan[]> {
      return Promise.all((await findBonusPlans(db, {})).map(present));
    },
  };
  return service;
}

export type BonusService = ReturnType<typeof createBonusService>;
