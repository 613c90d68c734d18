import { describe, expect, it } from 'vitest';
import { heuristicCredits, parsePath } from './journeys.ts';

describe('journeys', () => {
  it('parses the common path format', () => {
    expect(parsePath('Facebook > Google >  Email')).toEqual(['Facebook', 'Google', 'Email']);
    expect(parsePath('a>b')).toEqual(['a', 'b']);
    expect(parsePath(' > ')).toEqual([]);
  });

  it('credits first touch, last touch and linear per step (repeats count)', () => {
    const credits = heuristicCredits([
      { path: ['a', 'b', 'a'], conversions: 3, value: 30, nulls: 7 },
      { path: ['b'], conversions: 1, value: 5, nulls: 0 },
      { path: ['c'], conversions: 0, value: 0, nulls: 9 },
    ]);
    expect(credits.firstTouch).toEqual([
      { channel: 'a', conversions: 3, value: 30 },
      { channel: 'b', conversions: 1, value: 5 },
      { channel: 'c', conversions: 0, value: 0 },
    ]);
    expect(credits.lastTouch.map((c) => c.conversions)).toEqual([3, 1, 0]);
    expect(credits.linear.map((c) => c.conversions)).toEqual([2, 2, 0]);
    expect(credits.linear.map((c) => c.value)).toEqual([20, 15, 0]);
  });
});
