import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthsOfPeriod } from './months.ts';
import {
  DEFAULT_LAG_DAYS,
  MAX_COUNT,
  planWaterfall,
  sensitivityOf,
  WATERFALL_STAGES,
  WATERFALL_STEPS,
  type StepValues,
  type Waterfall,
  type WaterfallInput,
} from './plan-waterfall.ts';

const example: StepValues = {
  opportunityToWon: 0.3,
  sqlToOpportunity: 1,
  salToSql: 0.6,
  mqlToSal: 0.85,
  inquiryToMql: 0.1,
};
const noLag: StepValues = {
  opportunityToWon: 0,
  sqlToOpportunity: 0,
  salToSql: 0,
  mqlToSal: 0,
  inquiryToMql: 0,
};

function plan(input: WaterfallInput): Waterfall {
  const result = planWaterfall(input);
  if ('kind' in result) throw new Error(`${result.field}: ${result.reason}`);
  return result;
}

function totals(w: Waterfall) {
  return Object.fromEntries(w.rows.map((r) => [r.stage, r.needed]));
}

/**
 * The same plan computed another way: totals in exact rational arithmetic (BigInt numerator and
 * denominator, rates as per-mille), and each month's need as the overlap of the target month,
 * moved back by the cumulative lag, with the calendar months.
 */
function independent(input: WaterfallInput) {
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  let num = BigInt(input.revenueTarget);
  let den = BigInt(input.averageDealSize);
  const exactTotals: number[] = [];
  const round = (n: bigint, d: bigint) => Number((2n * n + d) / (2n * d)); // half up, exact
  exactTotals.push(round(num, den));
  for (const step of WATERFALL_STEPS) {
    const perMille = BigInt(Math.round(input.rates[step] * 100_000));
    num *= 100_000n;
    den *= perMille;
    const g = gcd(num, den);
    num /= g;
    den /= g;
    exactTotals.push(round(num, den));
  }
  const monthIndex = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
  const byMonth = (stage: number) => {
    const need = new Map<number, number>();
    let lag = 0;
    let rate = 1;
    for (let s = 0; s < stage; s++) {
      lag += input.lagDays[WATERFALL_STEPS[s]!];
      rate *= input.rates[WATERFALL_STEPS[s]!];
    }
    const shift = lag / (365.2425 / 12);
    const perMonth = input.revenueTarget / input.averageDealSize / input.months.length / rate;
    for (const m of input.months) {
      const start = monthIndex(m) - shift;
      for (let k = Math.floor(start); k < start + 1; k++) {
        const overlap = Math.min(k + 1, start + 1) - Math.max(k, start);
        if (overlap > 1e-12) need.set(k, (need.get(k) ?? 0) + overlap * perMonth);
      }
    }
    return need;
  };
  return { totals: exactTotals, byMonth, monthIndex };
}

describe('planWaterfall', () => {
  it('gives the published worked example: €2.0M at €25k → 80 wins, 267 SQL, 444 SAL, 523 MQL, 5,229 inquiries', () => {
    const w = plan({
      revenueTarget: 200_000_000,
      averageDealSize: 2_500_000,
      rates: example,
      lagDays: noLag,
      months: monthsOfPeriod('year', '2027-01'),
    });
    expect(totals(w)).toEqual({ won: 80, opportunity: 267, sql: 267, sal: 444, mql: 523, inquiry: 5229 });
    expect(w.rows.find((r) => r.stage === 'sal')!.exact).toBeCloseTo(444.444, 3);
    expect(w.months).toEqual(monthsOfPeriod('year', '2027-01'));
  });

  it('moves the needs earlier by the stage durations, into months before the period', () => {
    // 61 days from opportunity to win is two months (and a bit): Q1's opportunities are needed
    // from November on.
    const w = plan({
      revenueTarget: 90_000_000,
      averageDealSize: 1_000_000,
      rates: example,
      lagDays: { ...noLag, opportunityToWon: 2 * (365.2425 / 12) },
      months: monthsOfPeriod('quarter', '2027-01'),
    });
    expect(w.months).toEqual(['2026-11', '2026-12', '2027-01', '2027-02', '2027-03']);
    const won = w.rows.find((r) => r.stage === 'won')!;
    const opportunities = w.rows.find((r) => r.stage === 'opportunity')!;
    expect(won.byMonth.map((m) => m.needed)).toEqual([0, 0, 30, 30, 30]);
    expect(opportunities.byMonth.map((m) => m.needed)).toEqual([100, 100, 100, 0, 0]);
  });

  it('splits half a month of lag over the two months it straddles', () => {
    const w = plan({
      revenueTarget: 10_000_000,
      averageDealSize: 100_000,
      rates: { ...example, opportunityToWon: 1 },
      lagDays: { ...noLag, opportunityToWon: 365.2425 / 24 },
      months: ['2027-01'],
    });
    const opportunities = w.rows.find((r) => r.stage === 'opportunity')!;
    expect(opportunities.byMonth).toEqual([
      { month: '2026-12', needed: 50, exact: 50 },
      { month: '2027-01', needed: 50, exact: 50 },
    ]);
  });

  it('follows the revenue phasing month by month', () => {
    const w = plan({
      revenueTarget: 40_000_000,
      averageDealSize: 1_000_000,
      rates: example,
      lagDays: noLag,
      months: monthsOfPeriod('quarter', '2027-01'),
      phasing: [1, 1, 2],
    });
    expect(w.rows[0]!.byMonth.map((m) => m.needed)).toEqual([10, 10, 20]);
  });

  it('agrees with an independent computation for any target, rates and durations', () => {
    const rate = fc.integer({ min: 50, max: 1000 }).map((n) => n / 1000);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50_000_000_000 }),
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.record({
          opportunityToWon: rate,
          sqlToOpportunity: rate,
          salToSql: rate,
          mqlToSal: rate,
          inquiryToMql: rate,
        }),
        fc.record({
          opportunityToWon: fc.integer({ min: 0, max: 200 }),
          sqlToOpportunity: fc.integer({ min: 0, max: 60 }),
          salToSql: fc.integer({ min: 0, max: 30 }),
          mqlToSal: fc.integer({ min: 0, max: 10 }),
          inquiryToMql: fc.integer({ min: 0, max: 60 }),
        }),
        fc.constantFrom<['month' | 'quarter' | 'year', string]>(
          ['month', '2027-02'],
          ['quarter', '2027-04'],
          ['year', '2026-07'],
        ),
        (revenueTarget, averageDealSize, rates, lagDays, [kind, start]) => {
          const input = {
            revenueTarget,
            averageDealSize,
            rates,
            lagDays,
            months: monthsOfPeriod(kind, start),
          };
          const product = WATERFALL_STEPS.reduce((p, s) => p * rates[s], 1);
          if (revenueTarget / averageDealSize / product > MAX_COUNT) {
            expect(planWaterfall(input)).toMatchObject({ kind: 'invalid', field: 'rates' });
            return;
          }
          const w = plan(input);
          const other = independent(input);
          w.rows.forEach((row, s) => {
            // The planner's floating point may round a figure that sits on .5 the other way.
            expect(Math.abs(row.needed - other.totals[s]!)).toBeLessThanOrEqual(
              Math.abs(row.exact - Math.floor(row.exact) - 0.5) < 1e-12 * Math.max(1, row.exact) + 1e-9
                ? 1
                : 0,
            );
            expect(row.byMonth.reduce((a, m) => a + m.needed, 0)).toBe(row.needed);
            const need = other.byMonth(s);
            for (const m of row.byMonth) {
              const expected = need.get(other.monthIndex(m.month)) ?? 0;
              expect(Math.abs(m.exact - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, expected));
              expect(Math.abs(m.needed - m.exact)).toBeLessThan(1 + 1e-9);
            }
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    [{ revenueTarget: 0 }, 'revenueTarget'],
    [{ averageDealSize: 12.5 }, 'averageDealSize'],
    [{ rates: { ...example, mqlToSal: 0 } }, 'rates.mqlToSal'],
    [{ rates: { ...example, salToSql: 1.2 } }, 'rates.salToSql'],
    [{ lagDays: { ...noLag, inquiryToMql: -1 } }, 'lagDays.inquiryToMql'],
    [{ months: [] }, 'months'],
    [{ phasing: [1] }, 'phasing'],
  ] as [Partial<WaterfallInput>, string][])('refuses %o naming %s', (change, field) => {
    const result = planWaterfall({
      revenueTarget: 100,
      averageDealSize: 10,
      rates: example,
      lagDays: DEFAULT_LAG_DAYS,
      months: ['2027-01', '2027-02'],
      ...change,
    });
    expect(result).toMatchObject({ kind: 'invalid', field });
  });
});

describe('sensitivityOf', () => {
  it('shows what 5 points more on each step would save', () => {
    const result = sensitivityOf(
      {
        revenueTarget: 200_000_000,
        averageDealSize: 2_500_000,
        rates: example,
        lagDays: noLag,
        months: ['2027-01'],
      },
      5,
    );
    if ('kind' in result) throw new Error(result.reason);
    const mqlToSal = result.find((s) => s.step === 'mqlToSal')!;
    expect(mqlToSal).toMatchObject({ from: 0.85, to: 0.9 });
    // 444.44 SAL ÷ 0.90 = 493.83 MQL instead of 522.88; 4,938 inquiries instead of 5,229.
    expect(mqlToSal.needed).toMatchObject({ sal: 444, mql: 494, inquiry: 4938 });
    expect(mqlToSal.change).toMatchObject({ won: 0, sal: 0, mql: -29, inquiry: -291 });
    // A rate already at 100% stays there.
    expect(result.find((s) => s.step === 'sqlToOpportunity')).toMatchObject({ from: 1, to: 1 });
    expect(WATERFALL_STAGES.every((stage) => result[0]!.change[stage] <= 0)).toBe(true);
  });
});
