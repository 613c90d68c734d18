import { expect, it } from 'vitest';
import { amountInMinor } from './attribution.service.ts';

it.each([
  ['1250', 125_000],
  ['1250.50', 125_050],
  ['1.250,50', 125_050],
  ['1,250.50', 125_050],
  ['2.000', 200_000],
  ['1,5', 150],
  ['1,250,000.5', 125_000_050],
  ['ten', NaN],
  ['1.2.3', NaN],
  ['1.250.50', NaN],
  ['-5', NaN],
])('reads the amount %s as %d cents', (text, cents) => {
  expect(amountInMinor(text)).toBe(cents);
});
