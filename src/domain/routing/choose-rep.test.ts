import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chooseRep,
  performanceFactor,
  type Candidate,
  type PoolSettings,
  type PoolState,
  type Strategy,
} from './choose-rep.ts';

const rep = (userId: string, patch: Partial<Candidate> = {}): Candidate => ({
  userId,
  isActive: true,
  isAbsent: false,
  isWithinHours: true,
  weight: 1,
  caps: { perDay: null, perWeek: null },
  assigned: { today: 0, thisWeek: 0, inPeriod: 0 },
  daysInPeriod: 30,
  factor: 1,
  ...patch,
});

const start: PoolState = { lastUserId: null, current: {} };

/** Routes `leads` leads one after another, counting each assignment as the store would. */
function simulate(settings: PoolSettings, members: Candidate[], leads: number) {
  let state = start;
  const pool = members.map((m) => ({ ...m, assigned: { ...m.assigned } }));
  const chosen: (string | null)[] = [];
  for (let i = 0; i < leads; i++) {
    const choice = chooseRep(settings, pool, state);
    state = choice.state;
    if (choice.kind === 'none') {
      chosen.push(null);
      continue;
    }
    chosen.push(choice.userId);
    const member = pool.find((m) => m.userId === choice.userId)!;
    member.assigned.today++;
    member.assigned.thisWeek++;
    member.assigned.inPeriod++;
  }
  const counts = new Map(
    pool.map((m) => [
      m.userId,
      m.assigned.inPeriod - members.find((x) => x.userId === m.userId)!.assigned.inPeriod,
    ]),
  );
  return { chosen, counts, pool };
}

const strategies: Strategy[] = ['round_robin', 'weighted', 'balanced'];
const ids = (n: number) => Array.from({ length: n }, (_, i) => `rep${i}`);

describe('chooseRep, for many generated pools', () => {
  it('with equal weights and no caps, counts differ by at most one', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...strategies),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 200 }),
        (strategy, size, leads) => {
          const { counts } = simulate(
            { strategy, performanceAware: false },
            ids(size).map((id) => rep(id)),
            leads,
          );
          const values = [...counts.values()];
          expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('respects weights: each rep within one lead of their share after any number of leads (weighted)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 300 }),
        (weights, leads) => {
          const members = weights.map((weight, i) => rep(`rep${i}`, { weight }));
          const { counts } = simulate({ strategy: 'weighted', performanceAware: false }, members, leads);
          const total = weights.reduce((a, b) => a + b, 0);
          weights.forEach((weight, i) => {
            expect(Math.abs(counts.get(`rep${i}`)! - (leads * weight) / total)).toBeLessThan(1 + 1e-9);
          });
        },
      ),
    );
  });

  it('respects weights within 5% of all leads when balancing by count', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 6 }), (weights) => {
        const leads = 400;
        const members = weights.map((weight, i) => rep(`rep${i}`, { weight }));
        const { counts } = simulate({ strategy: 'balanced', performanceAware: false }, members, leads);
        const total = weights.reduce((a, b) => a + b, 0);
        weights.forEach((weight, i) => {
          expect(Math.abs(counts.get(`rep${i}`)! - (leads * weight) / total)).toBeLessThanOrEqual(
            leads * 0.05,
          );
        });
      }),
    );
  });

  it('never exceeds a cap, and never chooses an inactive, absent or off-hours rep, or one who sent the lead back', () => {
    const member = fc.record({
      isActive: fc.boolean(),
      isAbsent: fc.boolean(),
      rejectedThisLead: fc.boolean(),
      isWithinHours: fc.boolean(),
      weight: fc.integer({ min: 0, max: 5 }),
      perDay: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }),
      perWeek: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
      today: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...strategies),
        fc.boolean(),
        fc.array(member, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 60 }),
        (strategy, performanceAware, specs, leads) => {
          const members = specs.map((s, i) =>
            rep(`rep${i}`, {
              isActive: s.isActive,
              isAbsent: s.isAbsent,
              rejectedThisLead: s.rejectedThisLead,
              isWithinHours: s.isWithinHours,
              weight: s.weight,
              caps: { perDay: s.perDay, perWeek: s.perWeek },
              assigned: { today: s.today, thisWeek: s.today, inPeriod: s.today },
              factor: 0.5 + (i % 3) * 0.5,
            }),
          );
          const { chosen, pool } = simulate({ strategy, performanceAware }, members, leads);
          for (const userId of chosen) {
            if (userId === null) continue;
            const m = members.find((x) => x.userId === userId)!;
            expect(m.isActive && !m.isAbsent && !m.rejectedThisLead && m.isWithinHours && m.weight > 0).toBe(
              true,
            );
          }
          for (const [i, m] of pool.entries()) {
            const before = members[i]!.assigned.today;
            const { perDay, perWeek } = m.caps;
            if (perDay !== null) expect(m.assigned.today).toBeLessThanOrEqual(Math.max(perDay, before));
            if (perWeek !== null) expect(m.assigned.thisWeek).toBeLessThanOrEqual(Math.max(perWeek, before));
          }
        },
      ),
    );
  });

  it('gives the same choices for the same inputs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...strategies),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }),
        (strategy, weights) => {
          const members = weights.map((weight, i) => rep(`rep${i}`, { weight }));
          const a = simulate({ strategy, performanceAware: false }, members, 50).chosen;
          const b = simulate({ strategy, performanceAware: false }, members, 50).chosen;
          expect(a).toEqual(b);
        },
      ),
      { seed: 42 },
    );
  });
});

describe('chooseRep: the explanation and the unassigned case', () => {
  it('says why each rep was skipped, and who was chosen', () => {
    const choice = chooseRep(
      { strategy: 'round_robin', performanceAware: false },
      [
        rep('ann', { isAbsent: true }),
        rep('bob', { caps: { perDay: 3, perWeek: null }, assigned: { today: 3, thisWeek: 3, inPeriod: 3 } }),
        rep('cas', { isActive: false }),
        rep('dee', { isWithinHours: false }),
        rep('eve'),
      ],
      start,
    );
    expect(choice.kind).toBe('chosen');
    expect(choice.kind === 'chosen' && choice.userId).toBe('eve');
    expect(choice.candidates.map((c) => [c.userId, c.skipped])).toEqual([
      ['ann', 'absent'],
      ['bob', 'daily_cap'],
      ['cas', 'inactive'],
      ['dee', 'outside_hours'],
      ['eve', null],
    ]);
  });

  it('finds no one when nobody is eligible', () => {
    const choice = chooseRep(
      { strategy: 'balanced', performanceAware: false },
      [rep('ann', { isAbsent: true })],
      start,
    );
    expect(choice).toMatchObject({ kind: 'none', reason: 'no_eligible_rep' });
  });

  it('lets a new rep catch up at the pool’s daily pace instead of taking every lead', () => {
    const veterans = ['ann', 'bob'].map((id) =>
      rep(id, { assigned: { today: 2, thisWeek: 10, inPeriod: 60 }, daysInPeriod: 30 }),
    );
    const newcomer = rep('new', { daysInPeriod: 1 });
    const { chosen } = simulate(
      { strategy: 'balanced', performanceAware: false },
      [...veterans, newcomer],
      9,
    );
    // 2 leads a day is the pool's pace: the newcomer gets the first two, then takes turns.
    expect(chosen.slice(0, 2)).toEqual(['new', 'new']);
    expect(chosen.filter((c) => c === 'new').length).toBeLessThanOrEqual(5);
  });
});

describe('performance-aware shares', () => {
  it('shifts the share by the documented factor, from a (fake) SLA record', () => {
    const good = performanceFactor({ measured: 20, met: 20 }); // 1.5
    const poor = performanceFactor({ measured: 20, met: 5 }); // 0.75
    expect([good, poor]).toEqual([1.5, 0.75]);
    const members = [rep('good', { factor: good }), rep('poor', { factor: poor })];
    const aware = simulate({ strategy: 'round_robin', performanceAware: true }, members, 90).counts;
    expect(aware.get('good')).toBe(60); // 1.5 / (1.5 + 0.75) of 90
    expect(aware.get('poor')).toBe(30);
    const blind = simulate({ strategy: 'round_robin', performanceAware: false }, members, 90).counts;
    expect([blind.get('good'), blind.get('poor')]).toEqual([45, 45]);
  });

  it.each([
    { record: null, factor: 1 },
    { record: { measured: 4, met: 0 }, factor: 1 },
    { record: { measured: 10, met: 0 }, factor: 0.5 },
    { record: { measured: 10, met: 5 }, factor: 1 },
    { record: { measured: 20, met: 19 }, factor: 1.45 },
  ])('factor of $record is $factor', ({ record, factor }) => {
    expect(performanceFactor(record)).toBeCloseTo(factor, 10);
  });
});
