/**
 * A deal's credit ledger under one model: each counted touch's share of the amount, in minor
 * units, with the reason. The lines of a deal with at least one touch sum exactly to its amount.
 */
import { splitAmount } from './split-amount.ts';
import {
  byTime,
  findMilestones,
  selectDealTouches,
  type AttributionSettings,
  type AttributionTouch,
  type DealFacts,
  type Milestones,
} from './deal-touches.ts';
import {
  ruleModels,
  weighByChannel,
  weighTouches,
  type AttributionModel,
  type RuleModel,
  type TouchReason,
} from './rule-models.ts';

export interface Deal extends DealFacts {
  id: string;
  amountMinor: number;
  /** Every candidate touch: the people on the deal and everyone at its account. */
  touches: readonly AttributionTouch[];
}

export interface CreditLine {
  touch: AttributionTouch;
  weight: number;
  creditMinor: number;
  reason: TouchReason;
}

export interface DealCredit {
  /** The touches that count, oldest first. Empty when no touch falls in the window. */
  path: AttributionTouch[];
  milestones: Milestones | null;
  lines: CreditLine[];
}

/** Per data-driven model, each channel's share (any scale; only ratios matter). */
export type ChannelShares = Partial<Record<'markov' | 'shapley', ReadonlyMap<string, number>>>;

function isRuleModel(model: AttributionModel): model is RuleModel {
  return (ruleModels as readonly string[]).includes(model);
}

/**
 * Credits a deal under a model. Data-driven models need the channel shares computed over all
 * journeys (see markov.ts and shapley.ts); without them the deal is split equally.
 *
 * @example creditDeal(deal, 'w_shaped', settings).lines.map((l) => l.creditMinor)
 */
export function creditDeal(
  deal: Deal,
  model: AttributionModel,
  settings: AttributionSettings,
  shares: ChannelShares = {},
): DealCredit {
  const path = selectDealTouches(deal.touches, deal, settings);
  if (path.length === 0) return { path, milestones: null, lines: [] };
  const milestones = findMilestones(path, deal);
  const weighted = isRuleModel(model)
    ? weighTouches(model, path, milestones, deal, settings)
    : weighByChannel(path, shares[model] ?? new Map());
  const credits = splitAmount(
    deal.amountMinor,
    weighted.map((w) => w.weight),
  );
  return {
    path,
    milestones,
    lines: path.map((touch, i) => ({
      touch,
      weight: weighted[i]!.weight,
      creditMinor: credits[i]!,
      reason: weighted[i]!.reason,
    })),
  };
}

/**
 * Whether Marketing sourced or influenced a deal: sourced when its first touch or the touch that
 * created the lead is a marketing touch; influenced when any touch in the window is. Judged on every
 * touch in the lookback window, sales touches included and none collapsed as a repeat, whatever
 * the model counts: a lead Sales found by calling is not Marketing-sourced because calls are left
 * out of the credit.
 *
 * @example marketingRole(deal, settings) // { sourced: true, influenced: true }
 */
export function marketingRole(
  deal: Deal,
  settings: AttributionSettings,
): { sourced: boolean; influenced: boolean } {
  const from = deal.createdAt.getTime() - settings.lookbackDays * 86_400_000;
  const to = deal.endAt.getTime();
  let first: AttributionTouch | null = null;
  let lead: AttributionTouch | null = null;
  let leadIsPrimary = false;
  let influenced = false;
  for (const t of deal.touches) {
    if (t.atMs < from || t.atMs > to) continue;
    if (t.category === 'marketing') influenced = true;
    if (first === null || byTime(t, first) < 0) first = t;
    if (!t.isLeadCreating) continue;
    // As findMilestones: the main person's lead-creating touch, else the earliest.
    const primary = deal.primaryContactId !== null && t.contactId === deal.primaryContactId;
    if (lead === null || (primary && !leadIsPrimary) || (primary === leadIsPrimary && byTime(t, lead) < 0)) {
      lead = t;
      leadIsPrimary = primary;
    }
  }
  return {
    sourced: first?.category === 'marketing' || lead?.category === 'marketing',
    influenced,
  };
}

/** Turns a data-driven model's channel credits into shares for {@link creditDeal}. */
export function sharesFrom(
  channels: readonly { channel: string; conversions: number }[],
): Map<string, number> {
  return new Map(channels.map((c) => [c.channel, Math.max(0, c.conversions)]));
}
