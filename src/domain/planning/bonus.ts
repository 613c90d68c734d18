import { splitAmount } from '../attribution/split-amount.ts';

/**
 * How attainment (actual ÷ plan) turns into payout, in percent of the amount at plan:
 * nothing below the threshold, `thresholdPayoutPct` at the threshold rising in a straight line to
 * 100% at plan, and above plan `acceleratorRate` points of payout for each point of attainment, up
 * to the cap.
 */
export interface PayoutCurve {
  thresholdPct: number;
  thresholdPayoutPct: number;
  acceleratorRate: number;
  capPct: number | null;
}

export const DEFAULT_CURVE: PayoutCurve = {
  thresholdPct: 70,
  thresholdPayoutPct: 50,
  acceleratorRate: 2,
  capPct: 200,
};

export type BonusSide = 'marketing' | 'sales';

export interface BonusComponent {
  key: string;
  label: string;
  /** What the component pays at plan, integer minor units. */
  amountAtPlan: number;
  target: number;
  actual: number;
}

export interface BonusParticipant {
  userId: string;
  name: string;
  side: BonusSide;
  /** The person's part of their side's share, relative to the others on that side. */
  weight: number;
  components: readonly BonusComponent[];
}

export interface BonusPlanInput {
  /** The shared metric's plan and actual, integer minor units (bookings or pipeline). */
  plan: number;
  actual: number;
  /** The shared pool paid at plan, integer minor units. */
  poolAtPlan: number;
  /** Marketing's part of the shared pool, 0–100. */
  marketingSharePct: number;
  curve: PayoutCurve;
  participants: readonly BonusParticipant[];
}

export interface ComponentLine {
  key: string;
  label: string;
  amountAtPlan: number;
  target: number;
  actual: number;
  attainmentPct: number;
  payoutPct: number;
  payout: number;
}

export interface BonusStatement {
  userId: string;
  name: string;
  side: BonusSide;
  /** The shared part: the side's amount and the person's weight among their side. */
  shared: { sideAmount: number; weight: number; sideWeight: number; payout: number };
  components: ComponentLine[];
  total: number;
}

export interface BonusResult {
  attainmentPct: number;
  payoutPct: number;
  /** Why the payout is what it is: `below_threshold`, `to_plan`, `accelerated`, `capped`. */
  band: PayoutBand;
  sharedPayout: number;
  marketingAmount: number;
  salesAmount: number;
  statements: BonusStatement[];
  /** A side's amount when nobody is on that side: reported, never handed to the other side. */
  unallocated: number;
  /** What the plan pays in all: the sum of the statements (shared payout − unallocated + components). */
  total: number;
}

export type PayoutBand = 'below_threshold' | 'to_plan' | 'accelerated' | 'capped';

/**
 * The payout in percent of the amount at plan for an attainment in percent.
 *
 * @example payoutPct(DEFAULT_CURVE, 85) // 75: halfway from 70% (pays 50) to plan (pays 100)
 */
export function payoutPct(curve: PayoutCurve, attainmentPct: number): { pct: number; band: PayoutBand } {
  if (attainmentPct < curve.thresholdPct) return { pct: 0, band: 'below_threshold' };
  if (attainmentPct <= 100) {
    const span = 100 - curve.thresholdPct;
    const pct =
      span === 0
        ? 100
        : curve.thresholdPayoutPct +
          ((100 - curve.thresholdPayoutPct) * (attainmentPct - curve.thresholdPct)) / span;
    return { pct, band: 'to_plan' };
  }
  const pct = 100 + (attainmentPct - 100) * curve.acceleratorRate;
  if (curve.capPct !== null && pct >= curve.capPct) return { pct: curve.capPct, band: 'capped' };
  return { pct, band: 'accelerated' };
}

function attainment(actual: number, target: number): number {
  if (target <= 0) return actual > 0 ? 100 : 0;
  return (actual / target) * 100;
}

/** Money × percent, rounded half up to whole minor units (the same way for every line). */
function percentOf(amount: number, pct: number): number {
  return Math.floor((amount * pct) / 100 + 0.5 + 1e-9);
}

/** Why a bonus plan cannot be calculated. */
export type BonusRefusal = { kind: 'invalid'; field: string; reason: string };

export function checkCurve(curve: PayoutCurve, field = 'curve'): BonusRefusal | null {
  if (!(curve.thresholdPct >= 0 && curve.thresholdPct <= 100))
    return { kind: 'invalid', field: `${field}.thresholdPct`, reason: 'must be between 0 and 100' };
  if (!(curve.thresholdPayoutPct >= 0 && curve.thresholdPayoutPct <= 100))
    return { kind: 'invalid', field: `${field}.thresholdPayoutPct`, reason: 'must be between 0 and 100' };
  if (!(curve.acceleratorRate >= 0 && curve.acceleratorRate <= 10))
    return { kind: 'invalid', field: `${field}.acceleratorRate`, reason: 'must be between 0 and 10' };
  if (curve.capPct !== null && !(curve.capPct >= 100 && curve.capPct <= 1000))
    return { kind: 'invalid', field: `${field}.capPct`, reason: 'must be between 100 and 1000, or none' };
  return null;
}

/**
 * The joint bonus of a period: the shared pool paid on the shared metric's attainment, split
 * between Marketing (its share) and Sales, then over each side's people by weight; plus each
 * person's own components on the same curve.
 *
 * Every split is done in whole minor units by the largest remainder, so the people's figures add
 * up exactly to each side's amount and the sides to the shared payout; the plan's total is the
 * shared payout plus every component's payout.
 *
 * @example calculateBonus({ plan: 100, actual: 100, poolAtPlan: 1000, marketingSharePct: 40, … })
 * // { payoutPct: 100, sharedPayout: 1000, marketingAmount: 400, salesAmount: 600, … }
 */
export function calculateBonus(input: BonusPlanInput): BonusResult | BonusRefusal {
  const curveRefusal = checkCurve(input.curve);
  if (curveRefusal) return curveRefusal;
  if (!Number.isSafeInteger(input.plan) || input.plan <= 0)
    return { kind: 'invalid', field: 'plan', reason: 'must be a positive whole amount' };
  if (!Number.isSafeInteger(input.poolAtPlan) || input.poolAtPlan < 0)
    return { kind: 'invalid', field: 'poolAtPlan', reason: 'must be a whole amount, 0 or more' };
  if (!(input.marketingSharePct >= 0 && input.marketingSharePct <= 100))
    return { kind: 'invalid', field: 'marketingSharePct', reason: 'must be between 0 and 100' };

  const attained = attainment(input.actual, input.plan);
  const { pct, band } = payoutPct(input.curve, attained);
  const sharedPayout = percentOf(input.poolAtPlan, pct);
  const [marketingAmount, salesAmount] = splitAmount(sharedPayout, [
    input.marketingSharePct,
    100 - input.marketingSharePct,
  ]) as [number, number];

  const sideOf = (side: BonusSide) => input.participants.filter((p) => p.side === side);
  const sharedBy = new Map<string, { sideAmount: number; sideWeight: number; payout: number }>();
  for (const [side, amount] of [
    ['marketing', marketingAmount],
    ['sales', salesAmount],
  ] as const) {
    const people = sideOf(side);
    const sideWeight = people.reduce((a, p) => a + p.weight, 0);
    // A side with nobody on it pays nothing out; its amount is reported, never handed to the other.
    const parts =
      people.length === 0
        ? []
        : splitAmount(
            amount,
            people.map((p) => p.weight),
          );
    people.forEach((p, i) => sharedBy.set(p.userId, { sideAmount: amount, sideWeight, payout: parts[i]! }));
  }

  let total = 0;
  const statements = input.participants.map((p): BonusStatement => {
    const shared = sharedBy.get(p.userId)!;
    const components = p.components.map((c): ComponentLine => {
      const a = attainment(c.actual, c.target);
      const paid = payoutPct(input.curve, a).pct;
      return { ...c, attainmentPct: a, payoutPct: paid, payout: percentOf(c.amountAtPlan, paid) };
    });
    const personTotal = shared.payout + components.reduce((sum, c) => sum + c.payout, 0);
    total += personTotal;
    return {
      userId: p.userId,
      name: p.name,
      side: p.side,
      shared: { ...shared, weight: p.weight },
      components,
      total: personTotal,
    };
  });
  const unallocated =
    (sideOf('marketing').length === 0 ? marketingAmount : 0) +
    (sideOf('sales').length === 0 ? salesAmount : 0);
  return {
    attainmentPct: attained,
    payoutPct: pct,
    band,
    sharedPayout,
    marketingAmount,
    salesAmount,
    statements,
    unallocated,
    total,
  };
}
