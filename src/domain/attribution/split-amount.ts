/**
 * Splits an amount of money in integer minor units over weights so that the parts sum exactly to
 * the amount (the largest remainder method, also called Hamilton's method).
 *
 * Each part first gets the floor of its exact share; the cents left over go one each to the parts
 * with the largest fractional remainders. **Tie-break**: equal remainders are served in the order
 * the weights are given (for a deal: the earlier touch first), so the result never depends on a
 * sort's stability or on a random draw. Negative amounts (a credit note) are split as their
 * absolute value and negated. Weights must be finite and not negative; when they are all zero the
 * amount is split equally.
 *
 * @example splitAmount(100, [1, 1, 1]) // [34, 33, 33]
 */
export function splitAmount(amountMinor: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError('amountMinor must be a safe integer');
  if (weights.length === 0) {
    if (amountMinor !== 0) throw new RangeError('cannot split a non-zero amount over no parts');
    return [];
  }
  if (amountMinor < 0) return splitAmount(-amountMinor, weights).map((part) => (part === 0 ? 0 : -part));
  for (const w of weights)
    if (!Number.isFinite(w) || w < 0) throw new RangeError('weights must be finite and not negative');
  let total = 0;
  for (const w of weights) total += w;
  const shares = total > 0 ? weights.map((w) => w / total) : weights.map(() => 1 / weights.length);
  const parts = shares.map((s) => Math.floor(amountMinor * s));
  let left = amountMinor;
  for (const p of parts) left -= p;
  if (left === 0) return parts;
  // Positions by descending remainder; equal remainders keep the given order.
  const rests = shares.map((s, i) => amountMinor * s - parts[i]!);
  const order = shares.map((_, i) => i).sort((a, b) => rests[b]! - rests[a]! || a - b);
  // Floating point can leave `left` a little outside 0..n; walk the order as often as needed.
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k]!]! += 1;
  for (let k = order.length - 1; left < 0; k = (k - 1 + order.length) % order.length) {
    const i = order[k]!;
    if (parts[i]! > 0) {
      parts[i]! -= 1;
      left++;
    }
  }
  return parts;
}
