/**
 * Every channel-level model on one set of journeys, side by side per channel.
 */
import { channelsOf, heuristicCredits, type Journey } from './journeys.ts';
import { markovAttribution } from './markov.ts';
import { shapleyAttribution } from './shapley.ts';

export interface ChannelComparison {
  channel: string;
  firstTouch: { conversions: number; value: number };
  lastTouch: { conversions: number; value: number };
  linear: { conversions: number; value: number };
  markov: { removalEffect: number; removalEffectValue: number; conversions: number; value: number };
  shapley: { conversions: number; value: number };
}

export interface JourneyAnalysis {
  paths: number;
  conversions: number;
  value: number;
  nulls: number;
  markovOrder: number;
  conversionProbability: number;
  channels: ChannelComparison[];
}

/**
 * @example analyseJourneys([{ path: ['a'], conversions: 1, value: 10, nulls: 1 }]).channels[0].markov.removalEffect // 1
 */
export function analyseJourneys(
  journeys: readonly Journey[],
  options: { order?: number } = {},
): JourneyAnalysis {
  const heuristics = heuristicCredits(journeys);
  const markov = markovAttribution(journeys, options);
  const shapley = shapleyAttribution(journeys);
  const pick = <T extends { channel: string }>(list: T[], channel: string): T =>
    list.find((c) => c.channel === channel)!;
  const plain = (c: { conversions: number; value: number }) => ({
    conversions: c.conversions,
    value: c.value,
  });
  return {
    paths: journeys.length,
    conversions: journeys.reduce((s, j) => s + j.conversions, 0),
    value: journeys.reduce((s, j) => s + j.value, 0),
    nulls: journeys.reduce((s, j) => s + j.nulls, 0),
    markovOrder: markov.order,
    conversionProbability: markov.conversionProbability,
    channels: channelsOf(journeys).map((channel) => {
      const m = pick(markov.channels, channel);
      return {
        channel,
        firstTouch: plain(pick(heuristics.firstTouch, channel)),
        lastTouch: plain(pick(heuristics.lastTouch, channel)),
        linear: plain(pick(heuristics.linear, channel)),
        markov: {
          removalEffect: m.removalEffect,
          removalEffectValue: m.removalEffectValue,
          conversions: m.conversions,
          value: m.value,
        },
        shapley: plain(pick(shapley.channels, channel)),
      };
    }),
  };
}
