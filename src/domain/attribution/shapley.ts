/**
 * Shapley-value attribution over channels.
 *
 * The game: a coalition S of channels is worth the conversions (and value) of the journeys whose
 * channels all lie in S: v(S) = Σ_{T ⊆ S} conv(T), where conv(T) counts journeys whose set of
 * distinct channels is exactly T. That worth is a sum of unanimity games, one per channel set T,
 * and the Shapley value of a unanimity game gives each member 1/|T|. So the exact Shapley value is
 *
 *   φ_i = Σ_{T ∋ i} conv(T) / |T|
 *
 * (Zhao et al., "Shapley Value Methods for Attribution Modeling in Online Advertising", 2018). It is
 * exact for any number of channels in one pass over the distinct channel sets: no enumeration of
 * 2^n coalitions and no sampling (and so no sampling error) is needed. The tests check it against
 * the textbook definition over every coalition.
 */
import type { ChannelCredit, Journey } from './journeys.ts';
import { channelsOf } from './journeys.ts';

export interface ShapleyResult {
  method: 'exact';
  /** The grand coalition's worth, which the values sum to (efficiency). */
  totalConversions: number;
  totalValue: number;
  channels: ChannelCredit[];
}

/**
 * @example shapleyAttribution([{ path: ['a', 'b'], conversions: 2, value: 10, nulls: 3 }]).channels
 * // [{ channel: 'a', conversions: 1, value: 5 }, { channel: 'b', conversions: 1, value: 5 }]
 */
export function shapleyAttribution(journeys: readonly Journey[]): ShapleyResult {
  const channels = channelsOf(journeys);
  const credit = new Map(channels.map((c) => [c, { channel: c, conversions: 0, value: 0 }]));
  let totalConversions = 0;
  let totalValue = 0;
  for (const j of journeys) {
    if (j.path.length === 0) continue;
    const members = new Set(j.path);
    totalConversions += j.conversions;
    totalValue += j.value;
    for (const c of members) {
      const entry = credit.get(c)!;
      entry.conversions += j.conversions / members.size;
      entry.value += j.value / members.size;
    }
  }
  return { method: 'exact', totalConversions, totalValue, channels: channels.map((c) => credit.get(c)!) };
}

/**
 * The coalition worth v(S) of the game above, for checking: conversions of journeys whose channels
 * all lie in the coalition.
 */
export function coalitionWorth(journeys: readonly Journey[], coalition: ReadonlySet<string>): number {
  let worth = 0;
  for (const j of journeys)
    if (j.path.length > 0 && j.path.every((c) => coalition.has(c))) worth += j.conversions;
  return worth;
}
