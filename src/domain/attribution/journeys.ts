/**
 * Aggregated customer journeys, as web analytics exports them: a path of channels, how many people
 * who took it converted (and for what value), and how many did not. The channel-level models
 * (first touch, last touch, linear, Markov, Shapley) run on these.
 */

export interface Journey {
  /** The channels touched, in order; repeats allowed. */
  path: readonly string[];
  conversions: number;
  /** Total value of those conversions (any unit; the models split it like the conversions). */
  value: number;
  /** People who took this path and did not convert. */
  nulls: number;
}

/** A channel's credit under one model. */
export interface ChannelCredit {
  channel: string;
  conversions: number;
  value: number;
}

export const journeySeparator = ' > ';

/**
 * Splits a path as written in the common export format (`a > b > c`); blank steps are dropped.
 *
 * @example parsePath('Facebook > Google >  Email') // ['Facebook', 'Google', 'Email']
 */
export function parsePath(text: string): string[] {
  return text
    .split('>')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Every channel that occurs in the journeys, sorted. */
export function channelsOf(journeys: readonly Journey[]): string[] {
  const set = new Set<string>();
  for (const j of journeys) for (const c of j.path) set.add(c);
  return [...set].sort();
}

/**
 * First touch, last touch and linear on journeys: each path's conversions and value go to its first
 * channel, its last, or equally to every step (a channel met twice gets two steps' worth).
 *
 * @example heuristicCredits([{ path: ['a', 'b'], conversions: 2, value: 10, nulls: 0 }]).linear
 * // [{ channel: 'a', conversions: 1, value: 5 }, { channel: 'b', conversions: 1, value: 5 }]
 */
export function heuristicCredits(journeys: readonly Journey[]): {
  firstTouch: ChannelCredit[];
  lastTouch: ChannelCredit[];
  linear: ChannelCredit[];
} {
  const channels = channelsOf(journeys);
  const index = new Map(channels.map((c, i) => [c, i]));
  const make = () => channels.map((channel) => ({ channel, conversions: 0, value: 0 }));
  const first = make();
  const last = make();
  const linear = make();
  for (const j of journeys) {
    if (j.path.length === 0 || (j.conversions === 0 && j.value === 0)) continue;
    const f = first[index.get(j.path[0]!)!]!;
    f.conversions += j.conversions;
    f.value += j.value;
    const l = last[index.get(j.path[j.path.length - 1]!)!]!;
    l.conversions += j.conversions;
    l.value += j.value;
    const n = j.path.length;
    for (const c of j.path) {
      const credit = linear[index.get(c)!]!;
      credit.conversions += j.conversions / n;
      credit.value += j.value / n;
    }
  }
  return { firstTouch: first, lastTouch: last, linear };
}
