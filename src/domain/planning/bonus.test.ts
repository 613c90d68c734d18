import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calculateBonus,
  DEFAULT_CURVE,
  payoutPct,
  type BonusParticipant,
  type BonusPlanInput,
  type BonusResult,
} from './bonus.ts';

const team: BonusParticipant[] = [
  { userId: 'm1', name: 'Fenna (marketing)', side: 'marketing', weight: 2, components: [] },
  { userId: 'm2', name: 'Sem (marketing)', side: 'marketing', weight: 1, components: [] },
  {
    userId: 's1',
    name: 'Daan (rep)',
    side: 'sales',
    weight: 1,
    components: [
      { key: 'own', label: 'Own bookings', amountAtPlan: 500_000, target: 40_000_000, actual: 30_000_000 },
    ],
  },
  { userId: 's2', name: 'Emma (rep)', side: 'sales', weight: 1, components: [] },
  { userId: 's3', name: 'Jesse (rep)', side: 'sales', weight: 1, components: [] },
];

/** €2,000,000 of bookings planned, a pool of €100,000 at plan, Marketing's share 30%. */
function bonus(actual: number, participants = team): BonusResult {
  const input: BonusPlanInput = {
    plan: 200_000_000,
    actual,
    poolAtPlan: 10_000_000,
    marketingSharePct: 30,
    curve: DEFAULT_CURVE,
    participants,
  };
  const result = calculateBonus(input);
  if ('kind' in result) throw new Error(`${result.field}: ${result.reason}`);
  return result;
}

function sumOf(result: BonusResult) {
  return result.statements.reduce((a, s) => a + s.total, 0);
}

describe('the payout curve', () => {
  it.each([
    [0, 0, 'below_threshold'],
    [69.99, 0, 'below_threshold'],
    [70, 50, 'to_plan'],
    [85, 75, 'to_plan'],
    [100, 100, 'to_plan'],
    [110, 120, 'accelerated'],
    [150, 200, 'capped'],
    [400, 200, 'capped'],
  ])('pays at %d%% of plan %d%% (%s)', (attainment, pct, band) => {
    expect(payoutPct(DEFAULT_CURVE, attainment)).toEqual({ pct, band });
  });
});

describe('calculateBonus', () => {
  it('pays nothing of the shared pool just below the threshold', () => {
    const result = bonus(139_999_999);
    expect(result).toMatchObject({ band: 'below_threshold', payoutPct: 0, sharedPayout: 0 });
    // Daan's own component is judged on its own attainment (75%): it pays 58.33% of €5,000.
    expect(result.statements.find((s) => s.userId === 's1')!.components[0]).toMatchObject({
      payout: 291_667,
    });
    expect(sumOf(result)).toBe(result.total);
    expect(result.total).toBe(291_667);
  });

  it('pays the threshold payout at the threshold, split 30/70 and by weight', () => {
    const result = bonus(140_000_000); // exactly 70% of plan
    expect(result).toMatchObject({ band: 'to_plan', payoutPct: 50, sharedPayout: 5_000_000 });
    expect(result.marketingAmount).toBe(1_500_000);
    expect(result.salesAmount).toBe(3_500_000);
    const shared = Object.fromEntries(result.statements.map((s) => [s.userId, s.shared.payout]));
    // Marketing: 2:1 of €15,000; Sales: three equal parts of €35,000 (the odd cent to the first).
    expect(shared).toEqual({ m1: 1_000_000, m2: 500_000, s1: 1_166_667, s2: 1_166_667, s3: 1_166_666 });
    expect(sumOf(result)).toBe(result.total);
    expect(result.total).toBe(5_000_000 + 291_667);
  });

  it('pays the pool in full at plan', () => {
    const result = bonus(200_000_000);
    expect(result).toMatchObject({ band: 'to_plan', payoutPct: 100, sharedPayout: 10_000_000 });
    expect(result.marketingAmount + result.salesAmount).toBe(10_000_000);
    expect(sumOf(result)).toBe(result.total);
  });

  it('accelerates above plan: 112% of plan pays 124% of the pool', () => {
    const result = bonus(224_000_000);
    expect(result).toMatchObject({ band: 'accelerated', sharedPayout: 12_400_000 });
    expect(result.payoutPct).toBeCloseTo(124, 9);
    expect(result.statements.find((s) => s.userId === 'm1')!.shared.payout).toBe(2_480_000);
    expect(sumOf(result)).toBe(result.total);
  });

  it('keeps a side with nobody on it out of the statements and says so', () => {
    const result = bonus(
      200_000_000,
      team.filter((p) => p.side === 'sales'),
    );
    expect(result.unallocated).toBe(3_000_000);
    expect(sumOf(result)).toBe(result.total);
    expect(result.total).toBe(7_000_000 + 291_667);
  });

  it('adds up to the total for any attainment, pool, share and team', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000 }),
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(
          fc.record({
            side: fc.constantFrom<'marketing' | 'sales'>('marketing', 'sales'),
            weight: fc.integer({ min: 1, max: 5 }),
            own: fc.option(fc.integer({ min: 0, max: 1_000_000 })),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        (actual, plan, poolAtPlan, marketingSharePct, people) => {
          const result = calculateBonus({
            plan,
            actual,
            poolAtPlan,
            marketingSharePct,
            curve: DEFAULT_CURVE,
            participants: people.map((p, i) => ({
              userId: `u${i}`,
              name: `P${i}`,
              side: p.side,
              weight: p.weight,
              components:
                p.own === null
                  ? []
                  : [{ key: 'own', label: 'Own', amountAtPlan: 100_000, target: 1_000_000, actual: p.own }],
            })),
          });
          if ('kind' in result) throw new Error(result.reason);
          expect(sumOf(result)).toBe(result.total);
          expect(result.marketingAmount + result.salesAmount).toBe(result.sharedPayout);
          const shared = result.statements.reduce((a, s) => a + s.shared.payout, 0);
          expect(shared + result.unallocated).toBe(result.sharedPayout);
          for (const s of result.statements) expect(Number.isSafeInteger(s.total)).toBe(true);
        },
      ),
    );
  });

  it.each([
    [{ plan: 0 }, 'plan'],
    [{ marketingSharePct: 120 }, 'marketingSharePct'],
    [{ curve: { ...DEFAULT_CURVE, capPct: 50 } }, 'curve.capPct'],
    [{ curve: { ...DEFAULT_CURVE, thresholdPct: 101 } }, 'curve.thresholdPct'],
  ] as [Partial<BonusPlanInput>, string][])('refuses %o naming %s', (change, field) => {
    expect(
      calculateBonus({
        plan: 100,
        actual: 100,
        poolAtPlan: 100,
        marketingSharePct: 30,
        curve: DEFAULT_CURVE,
        participants: [],
        ...change,
      }),
    ).toMatchObject({ kind: 'invalid', field });
  });
});
