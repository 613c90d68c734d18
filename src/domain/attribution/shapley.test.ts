import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Journey } from './journeys.ts';
import { coalitionWorth, shapleyAttribution } from './shapley.ts';

/** The textbook definition: Σ over coalitions S without i of |S|!(n−|S|−1)!/n! · (v(S ∪ i) − v(S)). */
function shapleyByDefinition(journeys: Journey[], channels: string[]): Map<string, number> {
  const n = channels.length;
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const result = new Map<string, number>();
  for (const [i, channel] of channels.entries()) {
    let phi = 0;
    for (let mask = 0; mask < 1 << n; mask++) {
      if (mask & (1 << i)) continue;
      const members = new Set(channels.filter((_, k) => mask & (1 << k)));
      const size = members.size;
      const weight = (factorial(size) * factorial(n - size - 1)) / factorial(n);
      const without = coalitionWorth(journeys, members);
      members.add(channel);
      phi += weight * (coalitionWorth(journeys, members) - without);
    }
    result.set(channel, phi);
  }
  return result;
}

const channelsPool = ['a', 'b', 'c', 'd', 'e', 'f'];
const journeys = fc.array(
  fc.record({
    path: fc.array(fc.constantFrom(...channelsPool), { minLength: 1, maxLength: 6 }),
    conversions: fc.integer({ min: 0, max: 20 }),
    nulls: fc.integer({ min: 0, max: 20 }),
    value: fc.integer({ min: 0, max: 1000 }),
  }),
  { minLength: 1, maxLength: 25 },
);

describe('shapleyAttribution', () => {
  it('equals the textbook definition over every coalition', () => {
    fc.assert(
      fc.property(journeys, (js) => {
        const result = shapleyAttribution(js);
        const channels = result.channels.map((c) => c.channel);
        const expected = shapleyByDefinition(js, channels);
        for (const c of result.channels) expect(c.conversions).toBeCloseTo(expected.get(c.channel)!, 9);
      }),
      { numRuns: 60 },
    );
  });

  it('is efficient: the values sum to the worth of all channels together', () => {
    fc.assert(
      fc.property(journeys, (js) => {
        const result = shapleyAttribution(js);
        const all = new Set(result.channels.map((c) => c.channel));
        expect(result.channels.reduce((s, c) => s + c.conversions, 0)).toBeCloseTo(
          coalitionWorth(js, all),
          9,
        );
        expect(result.channels.reduce((s, c) => s + c.value, 0)).toBeCloseTo(
          js.reduce((s, x) => s + x.value, 0),
          6,
        );
      }),
    );
  });

  it('is symmetric: two channels that always appear together get the same value', () => {
    fc.assert(
      fc.property(journeys, (js) => {
        // 'x' and 'y' are added to the same journeys, in either order.
        const paired = js.map((x, i) => ({
          ...x,
          path: i % 2 ? [...x.path, 'x', 'y'] : ['y', ...x.path, 'x'],
        }));
        const byChannel = new Map(shapleyAttribution(paired).channels.map((c) => [c.channel, c.conversions]));
        expect(byChannel.get('x')).toBeCloseTo(byChannel.get('y')!, 12);
      }),
    );
  });

  it('gives a null player nothing: a channel seen only on journeys that did not convert', () => {
    const result = shapleyAttribution([
      { path: ['a', 'b'], conversions: 3, value: 30, nulls: 1 },
      { path: ['c', 'a'], conversions: 0, value: 0, nulls: 9 },
      { path: ['c'], conversions: 0, value: 0, nulls: 4 },
    ]);
    expect(result.channels).toEqual([
      { channel: 'a', conversions: 1.5, value: 15 },
      { channel: 'b', conversions: 1.5, value: 15 },
      { channel: 'c', conversions: 0, value: 0 },
    ]);
  });

  it('is exact for more than fifteen channels, in one pass', () => {
    const many = Array.from({ length: 40 }, (_, i) => `ch${i}`);
    const result = shapleyAttribution([
      { path: many, conversions: 40, value: 400, nulls: 0 },
      { path: ['ch0'], conversions: 2, value: 20, nulls: 0 },
    ]);
    expect(result.method).toBe('exact');
    expect(result.channels.find((c) => c.channel === 'ch0')!.conversions).toBeCloseTo(3, 12);
    expect(result.channels.find((c) => c.channel === 'ch7')!.conversions).toBeCloseTo(1, 12);
  });
});
