import { describe, expect, it } from 'vitest';
import { dealHistory, median } from './deal-history.ts';

const at = (iso: string) => Date.parse(iso);

describe('dealHistory', () => {
  it('reads win rate, average won deal and the median cycle', () => {
    expect(
      dealHistory([
        { status: 'won', amountMinor: 1000, createdAtMs: at('2027-01-01T12:00:00Z'), closedOn: '2027-01-31' },
        { status: 'won', amountMinor: 3000, createdAtMs: at('2027-01-01T00:00:00Z'), closedOn: '2027-03-02' },
        { status: 'won', amountMinor: 0, createdAtMs: at('2027-01-01T00:00:00Z'), closedOn: '2027-01-11' },
        {
          status: 'lost',
          amountMinor: 9000,
          createdAtMs: at('2027-01-01T00:00:00Z'),
          closedOn: '2027-01-05',
        },
      ]),
    ).toEqual({
      closed: 4,
      won: 3,
      winRate: 0.75,
      averageDealMinor: 2000,
      dealSample: 2,
      cycleDays: 29.5,
      cycleSample: 3,
    });
    expect(dealHistory([])).toMatchObject({ winRate: null, averageDealMinor: null, cycleDays: null });
  });

  it.each([
    [[], null],
    [[3], 3],
    [[4, 1, 3, 2], 2],
    [[5, 1, 3], 3],
  ])('takes the median of %j as %j', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});
