import { describe, expect, it } from 'vitest';
import { paceOf } from './pace.ts';

const plan = [
  { month: '2027-01', needed: 100 },
  { month: '2027-02', needed: 100 },
  { month: '2027-03', needed: 200 },
];

describe('paceOf', () => {
  it.each([
    // Halfway through February: 150 planned to date.
    [
      [
        ['2027-01', 90],
        ['2027-02', 30],
      ],
      { plannedToDate: 150, actualToDate: 120, ratio: 0.8, projection: 320, status: 'behind' },
    ],
    [
      [
        ['2027-01', 100],
        ['2027-02', 40],
      ],
      { plannedToDate: 150, actualToDate: 140, projection: 373, status: 'on_track' },
    ],
    [[['2027-01', 160]], { actualToDate: 160, projection: 427, status: 'ahead' }],
  ] as const)('reads %j against the plan to date', (actual, expected) => {
    const pace = paceOf({
      planByMonth: plan,
      actualByMonth: new Map(actual.map(([m, n]) => [m, n])),
      currentMonth: '2027-02',
      fractionOfCurrentMonth: 0.5,
    });
    expect(pace).toMatchObject({ planTotal: 400, ...expected });
  });

  it('has not started before the first planned month, and ignores what lies after today', () => {
    const pace = paceOf({
      planByMonth: plan,
      actualByMonth: new Map([['2027-03', 50]]),
      currentMonth: '2026-12',
      fractionOfCurrentMonth: 0.9,
    });
    expect(pace).toMatchObject({ status: 'not_started', ratio: null, actualToDate: 0 });
  });
});
