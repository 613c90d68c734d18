import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Journey } from './journeys.ts';
import { markovAttribution } from './markov.ts';

const j = (path: string[], conversions: number, nulls: number, value = conversions): Journey => ({
  path,
  conversions,
  value,
  nulls,
});

describe('markovAttribution', () => {
  it('gives the published three-journey example its removal effects 0.5 / 1 / 1 and credit 0.2 / 0.4 / 0.4', () => {
    const result = markovAttribution([j(['c1', 'c2', 'c3'], 1, 0), j(['c1'], 0, 1), j(['c2', 'c3'], 0, 1)]);
    expect(result.conversionProbability).toBeCloseTo(1 / 3, 12);
    const byChannel = Object.fromEntries(result.channels.map((c) => [c.channel, c]));
    expect(byChannel.c1!.removalEffect).toBeCloseTo(0.5, 12);
    expect(byChannel.c2!.removalEffect).toBeCloseTo(1, 12);
    expect(byChannel.c3!.removalEffect).toBeCloseTo(1, 12);
    expect(byChannel.c1!.conversions).toBeCloseTo(0.2, 12);
    expect(byChannel.c2!.conversions).toBeCloseTo(0.4, 12);
    expect(byChannel.c3!.conversions).toBeCloseTo(0.4, 12);
  });

  it('gives the second published example its transition probabilities', () => {
    const result = markovAttribution([
      j(['google ads'], 2, 1),
      j(['mailing'], 1, 0),
      j(['google ads', 'mailing'], 1, 0),
    ]);
    const p = (from: string, to: string) =>
      result.transitions.find((t) => t.from === from && t.to === to)?.probability ?? 0;
    expect(p('start', 'google ads')).toBeCloseTo(0.8, 12);
    expect(p('start', 'mailing')).toBeCloseTo(0.2, 12);
    expect(p('google ads', 'conversion')).toBeCloseTo(0.5, 12);
    expect(p('google ads', 'mailing')).toBeCloseTo(0.25, 12);
    expect(p('google ads', 'null')).toBeCloseTo(0.25, 12);
    expect(p('mailing', 'conversion')).toBeCloseTo(1, 12);
    expect(result.conversionProbability).toBeCloseTo(0.8, 12);
  });

  it('credits values by the removal effect on the expected value', () => {
    const result = markovAttribution([j(['a'], 1, 0, 100), j(['b'], 1, 0, 300)]);
    const byChannel = Object.fromEntries(result.channels.map((c) => [c.channel, c]));
    expect(byChannel.a!.removalEffect).toBeCloseTo(0.5, 12);
    expect(byChannel.a!.removalEffectValue).toBeCloseTo(0.25, 12);
    expect(byChannel.a!.value).toBeCloseTo(100, 9);
    expect(byChannel.b!.value).toBeCloseTo(300, 9);
  });

  it('handles loops and repeats, and higher orders give the same credit where one channel follows another alone', () => {
    const journeys = [j(['a', 'b', 'a', 'b'], 3, 2), j(['b', 'b', 'c'], 1, 4), j(['c'], 0, 3)];
    const first = markovAttribution(journeys);
    expect(first.channels.reduce((s, c) => s + c.conversions, 0)).toBeCloseTo(4, 9);
    const second = markovAttribution(journeys, { order: 2 });
    expect(second.order).toBe(2);
    expect(second.channels.reduce((s, c) => s + c.conversions, 0)).toBeCloseTo(4, 9);
    expect(second.transitions).toEqual([]);
    expect(() => markovAttribution(journeys, { order: 4 })).toThrow(RangeError);
  });

  it('credits the total conversions and value over the channels, each removal effect between 0 and 1', () => {
    const journey = fc.record({
      path: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 8 }),
      conversions: fc.integer({ min: 0, max: 50 }),
      nulls: fc.integer({ min: 0, max: 50 }),
      value: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(journey, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 3 }),
        (journeys, order) => {
          const fixed = journeys.map((x) => ({ ...x, value: x.conversions > 0 ? x.value : 0 }));
          const result = markovAttribution(fixed, { order });
          const conversions = fixed.reduce(
            (s, x) => s + (x.conversions + x.nulls > 0 ? x.conversions : 0),
            0,
          );
          const value = fixed.reduce((s, x) => s + (x.conversions + x.nulls > 0 ? x.value : 0), 0);
          if (conversions === 0) return;
          expect(result.channels.reduce((s, c) => s + c.conversions, 0)).toBeCloseTo(conversions, 6);
          if (value > 0) expect(result.channels.reduce((s, c) => s + c.value, 0)).toBeCloseTo(value, 4);
          for (const c of result.channels) {
            expect(c.removalEffect).toBeGreaterThanOrEqual(-1e-9);
            expect(c.removalEffect).toBeLessThanOrEqual(1 + 1e-9);
          }
        },
      ),
    );
  });
});
