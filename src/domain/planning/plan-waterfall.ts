import { splitAmount } from '../attribution/split-amount.ts';
import { addMonths, DAYS_PER_MONTH, monthsBetween, type LocalMonth } from './months.ts';

/** The funnel from the bottom up: what each stage needs from the one above it. */
export const WATERFALL_STAGES = ['won', 'opportunity', 'sql', 'sal', 'mql', 'inquiry'] as const;
export type WaterfallStage = (typeof WATERFALL_STAGES)[number];

/**
 * The steps between the stages, named by where they start: `opportunityToWon` is the win rate,
 * `inquiryToMql` how many inquiries become MQLs.
 */
export const WATERFALL_STEPS = [
  'opportunityToWon',
  'sqlToOpportunity',
  'salToSql',
  'mqlToSal',
  'inquiryToMql',
] as const;
export type WaterfallStep = (typeof WATERFALL_STEPS)[number];

export type StepValues = Record<WaterfallStep, number>;

/**
 * Rates and durations when a company has no history yet: the published worked example's rates
 * (10% of inquiries become MQLs, 85% of MQLs are accepted, 60% of SALs qualify, 30% of SQLs are
 * won) with every SQL becoming an opportunity, since Baton converts an SQL into an opportunity or
 * recycles it. Durations follow the SLA defaults (accept within a business day, qualify within
 * five, an opportunity within ten) and a sales cycle of two months.
 */
export const DEFAULT_RATES: StepValues = {
  opportunityToWon: 0.3,
  sqlToOpportunity: 1,
  salToSql: 0.6,
  mqlToSal: 0.85,
  inquiryToMql: 0.1,
};
export const DEFAULT_LAG_DAYS: StepValues = {
  opportunityToWon: 60,
  sqlToOpportunity: 14,
  salToSql: 7,
  mqlToSal: 1,
  inquiryToMql: 14,
};

export interface WaterfallInput {
  /** Revenue to win, integer minor units. */
  revenueTarget: number;
  /** Average won deal, integer minor units. */
  averageDealSize: number;
  /** Conversion of each step, 0 < rate ≤ 1. */
  rates: StepValues;
  /** Days from entering a step's stage to reaching the next one, ≥ 0. */
  lagDays: StepValues;
  /** The months in which the revenue is to be won, in order. */
  months: readonly LocalMonth[];
  /** How the revenue is spread over those months (relative weights); even when left out. */
  phasing?: readonly number[];
}

export interface WaterfallRow {
  stage: WaterfallStage;
  /** The exact requirement, unrounded. */
  exact: number;
  /** The requirement as a whole number: the exact one rounded to the nearest (halves up). */
  needed: number;
  /** Needed per month; sums exactly to `needed`. Months before the period come first. */
  byMonth: { month: LocalMonth; needed: number; exact: number }[];
}

export interface Waterfall {
  /** Every month with a need: the lead-in months before the period, then the period's months. */
  months: LocalMonth[];
  rows: WaterfallRow[];
}

/** The most any stage may ask for (a billion). */
export const MAX_COUNT = 1e9;

/** Why an input cannot be planned; the domain's tagged refusal. */
export type WaterfallRefusal = { kind: 'invalid'; field: string; reason: string };

function check(input: WaterfallInput): WaterfallRefusal | null {
  if (!Number.isSafeInteger(input.revenueTarget) || input.revenueTarget <= 0)
    return { kind: 'invalid', field: 'revenueTarget', reason: 'must be a positive whole amount' };
  if (!Number.isSafeInteger(input.averageDealSize) || input.averageDealSize <= 0)
    return { kind: 'invalid', field: 'averageDealSize', reason: 'must be a positive whole amount' };
  for (const step of WATERFALL_STEPS) {
    const rate = input.rates[step];
    if (!(rate > 0 && rate <= 1))
      return { kind: 'invalid', field: `rates.${step}`, reason: 'must be above 0 and at most 1' };
    const lag = input.lagDays[step];
    if (!(lag >= 0 && Number.isFinite(lag)))
      return { kind: 'invalid', field: `lagDays.${step}`, reason: 'must be a number of days, 0 or more' };
  }
  if (input.months.length === 0)
    return { kind: 'invalid', field: 'months', reason: 'must name at least one month' };
  if (input.phasing) {
    if (input.phasing.length !== input.months.length)
      return { kind: 'invalid', field: 'phasing', reason: 'must have one weight per month' };
    if (input.phasing.some((w) => !(w >= 0)) || input.phasing.every((w) => w === 0))
      return { kind: 'invalid', field: 'phasing', reason: 'weights must not be negative, and not all 0' };
  }
  return null;
}

/** Half up, as people round counts: 444.44 → 444, 522.5 → 523. */
function roundCount(exact: number): number {
  // A tiny tolerance so that 266.99999999999997 (80 ÷ 0.3 in floating point) is 267.
  return Math.floor(exact + 0.5 + 1e-9);
}

/** Moves each month's need `lagMonths` earlier, splitting a fraction of a month over two months. */
function shiftEarlier(need: Map<LocalMonth, number>, lagMonths: number): Map<LocalMonth, number> {
  const whole = Math.floor(lagMonths);
  const fraction = lagMonths - whole;
  const out = new Map<LocalMonth, number>();
  const add = (month: LocalMonth, value: number) => {
    if (value !== 0) out.set(month, (out.get(month) ?? 0) + value);
  };
  for (const [month, value] of need) {
    add(addMonths(month, -whole), value * (1 - fraction));
    add(addMonths(month, -whole - 1), value * fraction);
  }
  return out;
}

/**
 * The reverse waterfall: from a revenue target back to the wins, opportunities, SQLs, SALs, MQLs
 * and inquiries it takes, and in which month each is needed.
 *
 * Wins = revenue ÷ deal size; each stage above = the need of the stage below ÷ the rate of the step
 * between them. Each month's need is moved earlier by the durations of the steps from that stage to
 * the win, so that, for example, the MQLs of March's wins arrive in time. A shift that is not a
 * whole number of months (days ÷ 30.44) splits the need over the two months it straddles in
 * proportion, as a month-long interval moved back in time overlaps them.
 *
 * **Rounding**: the whole chain is computed in exact (floating point) numbers; each stage's total is
 * then rounded once to the nearest whole (halves up), and the monthly figures are those exact
 * monthly needs apportioned to that total by the largest remainder, so months always add up to the
 * total and no month is more than one away from its exact need. Rounding never feeds the next
 * stage: 266.67 SQLs ask for 444.44 SALs, not 267 ÷ 0.6 = 445.
 *
 * @example planWaterfall({ revenueTarget: 200_000_000, averageDealSize: 2_500_000, rates, lagDays, months })
 * // rows: won 80, opportunity 267, sql 267, sal 444, mql 523, inquiry 5229 (with the example's rates)
 */
export function planWaterfall(input: WaterfallInput): Waterfall | WaterfallRefusal {
  const refusal = check(input);
  if (refusal) return refusal;
  const weights = input.phasing ?? input.months.map(() => 1);
  const weightTotal = weights.reduce((a, b) => a + b, 0);
  const wins = input.revenueTarget / input.averageDealSize;
  const need = new Map<LocalMonth, number>();
  input.months.forEach((month, i) => need.set(month, (wins * weights[i]!) / weightTotal));

  // Each stage's need is the wins' need moved earlier by the durations of every step between
  // them (at once, so that two half-month steps make one whole month, not a smear over three).
  const needs: Map<LocalMonth, number>[] = [need];
  let lagDays = 0;
  let rate = 1;
  for (const step of WATERFALL_STEPS) {
    lagDays += input.lagDays[step];
    rate *= input.rates[step];
    const shifted = shiftEarlier(need, lagDays / DAYS_PER_MONTH);
    needs.push(new Map([...shifted].map(([month, value]) => [month, value / rate])));
  }

  // Counts beyond this are no plan but a typo in a rate or an amount, and past it floating point
  // could no longer round them to the unit.
  const inquiries = wins / rate;
  if (inquiries > MAX_COUNT)
    return {
      kind: 'invalid',
      field: 'rates',
      reason: `ask for ${inquiries.toExponential(2)} inquiries; check the target, the deal size and the rates`,
    };

  const allMonths = new Set<LocalMonth>(input.months);
  for (const n of needs) for (const month of n.keys()) allMonths.add(month);
  const first = [...allMonths].sort()[0]!;
  const last = input.months[input.months.length - 1]!;
  const months = Array.from({ length: monthsBetween(first, last) + 1 }, (_, i) => addMonths(first, i));

  const rows = WATERFALL_STAGES.map((stage, s): WaterfallRow => {
    const byMonthExact = months.map((month) => needs[s]!.get(month) ?? 0);
    const exact = byMonthExact.reduce((a, b) => a + b, 0);
    const needed = roundCount(exact);
    const split = splitAmount(needed, byMonthExact);
    return {
      stage,
      exact,
      needed,
      byMonth: months.map((month, i) => ({ month, needed: split[i]!, exact: byMonthExact[i]! })),
    };
  });
  return { months, rows };
}

export interface Sensitivity {
  step: WaterfallStep;
  /** The rate the plan uses and the rate tried. */
  from: number;
  to: number;
  /** The stage totals with the tried rate, and the difference from the plan. */
  needed: Record<WaterfallStage, number>;
  change: Record<WaterfallStage, number>;
}

/**
 * What the plan would need if each step's rate alone rose by `points` percentage points (at most to
 * 100%): "if MQL→SAL rose 5 points, we would need 26 fewer MQLs".
 *
 * @example sensitivityOf(input, 5)[3] // { step: 'mqlToSal', from: 0.85, to: 0.9, change: { mql: -29, … } }
 */
export function sensitivityOf(input: WaterfallInput, points: number): Sensitivity[] | WaterfallRefusal {
  const base = planWaterfall(input);
  if ('kind' in base) return base;
  const totals = (w: Waterfall) =>
    Object.fromEntries(w.rows.map((r) => [r.stage, r.needed])) as Record<WaterfallStage, number>;
  const baseTotals = totals(base);
  const out: Sensitivity[] = [];
  for (const step of WATERFALL_STEPS) {
    const from = input.rates[step];
    const to = Math.min(1, Math.round((from + points / 100) * 1e6) / 1e6);
    const tried = planWaterfall({ ...input, rates: { ...input.rates, [step]: to } });
    if ('kind' in tried) return tried;
    const needed = totals(tried);
    const change = Object.fromEntries(
      WATERFALL_STAGES.map((stage) => [stage, needed[stage] - baseTotals[stage]]),
    ) as Record<WaterfallStage, number>;
    out.push({ step, from, to, needed, change });
  }
  return out;
}
