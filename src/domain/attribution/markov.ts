/**
 * Markov-chain attribution with the removal effect, computed exactly from the absorbing chain
 * (a linear solve), not by simulating random walks.
 *
 * The chain has a start state, one state per channel (order 1) or per run of the last k channels
 * (order k), and two absorbing states, conversion and null. Transition probabilities are the
 * observed frequencies over all journeys, converting or not. The probability of conversion from
 * the start solves (I − Q)·x = r, where Q holds the transitions between transient states and r the
 * probabilities of converting next. A channel's removal effect is the share of that probability
 * lost when every state that ends in the channel leads to null instead; the channels' credits are
 * their removal effects normalised to the total conversions. Values are credited the same way, with
 * the expected conversion value in place of the probability.
 */
import type { ChannelCredit, Journey } from './journeys.ts';
import { channelsOf } from './journeys.ts';

export interface MarkovChannel extends ChannelCredit {
  channel: string;
  /** 1 − P(conversion without the channel) ÷ P(conversion). */
  removalEffect: number;
  /** The same on expected conversion value. */
  removalEffectValue: number;
}

export interface MarkovResult {
  order: number;
  /** P(conversion) from the start state. */
  conversionProbability: number;
  channels: MarkovChannel[];
  /** Order 1 only: the chain's transition probabilities, from `start` to `conversion` and `null`. */
  transitions: { from: string; to: string; probability: number }[];
}

/**
 * Higher orders multiply the states: on the 10,000 published paths over 12 channels, order 3 takes
 * about 5 s to solve exactly on this machine and order 4 over three minutes. Three is where it stops.
 */
export const maxOrder = 3;

const START = 'start';
const CONVERSION = 'conversion';
const NULL = 'null';

/**
 * Computes first-order (or order-k) Markov attribution on journeys.
 *
 * @example markovAttribution([
 *   { path: ['c1', 'c2', 'c3'], conversions: 1, value: 0, nulls: 0 },
 *   { path: ['c1'], conversions: 0, value: 0, nulls: 1 },
 *   { path: ['c2', 'c3'], conversions: 0, value: 0, nulls: 1 },
 * ]).channels.map((c) => c.removalEffect) // [0.5, 1, 1]
 */
export function markovAttribution(
  journeys: readonly Journey[],
  options: { order?: number } = {},
): MarkovResult {
  const order = options.order ?? 1;
  if (!Number.isInteger(order) || order < 1 || order > maxOrder)
    throw new RangeError('order must be 1, 2 or 3');
  const channels = channelsOf(journeys);
  // Transient states: 0 is the start; the others are named by their last `order` channels.
  const names: string[] = [START];
  const lastChannel: (string | null)[] = [null];
  const indexOf = new Map<string, number>([[START, 0]]);
  const out: Map<number, number>[] = [new Map<number, number>()];
  const toConversion: number[] = [0];
  const toNull: number[] = [0];
  const valueOut: number[] = [0];
  const stateOf = (path: readonly string[], i: number): number => {
    const name = path.slice(Math.max(0, i - order + 1), i + 1).join(' > ');
    let s = indexOf.get(name);
    if (s === undefined) {
      s = names.length;
      indexOf.set(name, s);
      names.push(name);
      lastChannel.push(path[i]!);
      out.push(new Map<number, number>());
      toConversion.push(0);
      toNull.push(0);
      valueOut.push(0);
    }
    return s;
  };
  let totalConversions = 0;
  let totalValue = 0;
  for (const j of journeys) {
    const weight = j.conversions + j.nulls;
    if (j.path.length === 0 || weight <= 0) continue;
    totalConversions += j.conversions;
    totalValue += j.value;
    let from = 0;
    for (let i = 0; i < j.path.length; i++) {
      const to = stateOf(j.path, i);
      out[from]!.set(to, (out[from]!.get(to) ?? 0) + weight);
      from = to;
    }
    toConversion[from]! += j.conversions;
    toNull[from]! += j.nulls;
    valueOut[from]! += j.value;
  }
  const m = names.length;
  const totals = names.map((_, s) => {
    let sum = toConversion[s]! + toNull[s]!;
    for (const w of out[s]!.values()) sum += w;
    return sum;
  });

  /** P(conversion) and expected value from the start, with the given channel's states removed. */
  const solve = (removed: string | null): [number, number] => {
    const a: Float64Array[] = [];
    for (let s = 0; s < m; s++) {
      const row = new Float64Array(m + 2);
      row[s] = 1;
      if (removed === null || lastChannel[s] !== removed) {
        const total = totals[s]!;
        if (total > 0) {
          for (const [to, w] of out[s]!) row[to]! -= w / total;
          row[m] = toConversion[s]! / total;
          row[m + 1] = valueOut[s]! / total;
        }
      }
      a.push(row);
    }
    const x = solveLinear(a, m);
    return [x[0]![0]!, x[0]![1]!];
  };

  const [p, v] = solve(null);
  const channelsOut: MarkovChannel[] = channels.map((channel) => {
    const [pWithout, vWithout] = solve(channel);
    return {
      channel,
      removalEffect: p > 0 ? 1 - pWithout / p : 0,
      removalEffectValue: v > 0 ? 1 - vWithout / v : 0,
      conversions: 0,
      value: 0,
    };
  });
  const sumEffect = channelsOut.reduce((s, c) => s + c.removalEffect, 0);
  const sumEffectValue = channelsOut.reduce((s, c) => s + c.removalEffectValue, 0);
  for (const c of channelsOut) {
    c.conversions = sumEffect > 0 ? (c.removalEffect / sumEffect) * totalConversions : 0;
    c.value = sumEffectValue > 0 ? (c.removalEffectValue / sumEffectValue) * totalValue : 0;
  }

  const transitions: MarkovResult['transitions'] = [];
  if (order === 1)
    for (let s = 0; s < m; s++) {
      const total = totals[s]!;
      if (total <= 0) continue;
      for (const [to, w] of out[s]!)
        transitions.push({ from: names[s]!, to: names[to]!, probability: w / total });
      if (toConversion[s]! > 0)
        transitions.push({ from: names[s]!, to: CONVERSION, probability: toConversion[s]! / total });
      if (toNull[s]! > 0) transitions.push({ from: names[s]!, to: NULL, probability: toNull[s]! / total });
    }
  return { order, conversionProbability: p, channels: channelsOut, transitions };
}

/**
 * Solves A·X = B in place by Gaussian elimination with partial pivoting. Each row holds the n
 * coefficients followed by the right-hand sides; the answer is one array of right-hand-side
 * values per unknown.
 */
function solveLinear(rows: Float64Array[], n: number): Float64Array[] {
  const width = rows[0]!.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(rows[r]![col]!) > Math.abs(rows[pivot]![col]!)) pivot = r;
    if (pivot !== col) [rows[col], rows[pivot]] = [rows[pivot]!, rows[col]!];
    const p = rows[col]!;
    const d = p[col]!;
    if (Math.abs(d) < 1e-15) throw new RangeError('the chain has a state from which it never ends');
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = rows[r]!;
      const f = row[col]! / d;
      if (f === 0) continue;
      for (let k = col; k < width; k++) row[k]! -= f * p[k]!;
    }
  }
  return rows.map((row, i) => row.slice(n).map((b) => b / row[i]!));
}
