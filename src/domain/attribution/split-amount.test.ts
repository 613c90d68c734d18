import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAmount } from './split-amount.ts';

describe('splitAmount', () => {
  it.each([
    { amount: 100, weights: [1, 1, 1], parts: [34, 33, 33] },
    { amount: 100, weights: [1, 1, 1, 1, 1, 1], parts: [17, 17, 17, 17, 16, 16] },
    { amount: 1000, weights: [0.4, 0.2, 0.4], parts: [400, 200, 400] },
    { amount: 1, weights: [0.5, 0.5], parts: [1, 0] },
    { amount: 2, weights: [0.1, 0.45, 0.45], parts: [0, 1, 1] },
    { amount: 7, weights: [0, 0], parts: [4, 3] },
    { amount: -100, weights: [1, 1, 1], parts: [-34, -33, -33] },
    { amount: 0, weights: [3, 1], parts: [0, 0] },
  ])('splits $amount over $weights as $parts', ({ amount, weights, parts }) => {
    expect(splitAmount(amount, weights)).toEqual(parts);
  });

  it('gives the left-over cents to the largest remainders before earlier positions', () => {
    // Exact shares 33.33…, 33.33…, 33.33… → the first gets the cent; 10.6, 60.4, 29 → the first.
    expect(splitAmount(100, [0.106, 0.604, 0.29])).toEqual([11, 60, 29]);
  });

  it('refuses amounts that are no integer and negative weights', () => {
    expect(() => splitAmount(1.5, [1])).toThrow(RangeError);
    expect(() => splitAmount(10, [1, -1])).toThrow(RangeError);
    expect(() => splitAmount(10, [])).toThrow(RangeError);
  });

  it('always sums exactly to the amount, never gives a part more than a cent away from its share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (amount, weights) => {
          const parts = splitAmount(amount, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(amount);
          const total = weights.reduce((a, b) => a + b, 0);
          for (const [i, part] of parts.entries()) {
            expect(Number.isInteger(part)).toBe(true);
            const share = total > 0 ? (amount * weights[i]!) / total : amount / weights.length;
            expect(Math.abs(part - share)).toBeLessThan(1 + Math.abs(amount) * 1e-9);
          }
        },
      ),
    );
  });
});
