/**
 * The rule-based attribution models: how a deal's credit is shared over its touch path.
 *
 * Position-based models give fixed shares to milestones and spread a rest over the touches that
 * are no milestone. Three rules make them total on every path:
 * - one touch at several milestones gets the sum of their shares;
 * - a missing milestone is taken by the touch nearest to where it would be: a missing lead
 *   creation (the lead was created before the window or without a touch) or opportunity creation
 *   (no touch before the opportunity) by the first touch, a missing closed-won (an open deal) by
 *   the last touch;
 * - with no touch left for the rest, the rest goes to the milestone touches in proportion to
 *   their shares, so U-shaped on two touches is 50/50 and every model on one touch is 100%.
 */
import type {
  AttributionSettings,
  AttributionTouch,
  CustomWeights,
  DealFacts,
  Milestones,
} from './deal-touches.ts';

export const ruleModels = [
  'first_touch',
  'lead_creation',
  'last_touch',
  'linear',
  'u_shaped',
  'w_shaped',
  'full_path',
  'j_shaped',
  'inverse_j',
  'time_decay',
  'custom',
] as const;
export type RuleModel = (typeof ruleModels)[number];

export const dataDrivenModels = ['markov', 'shapley'] as const;
export type DataDrivenModel = (typeof dataDrivenModels)[number];

export const attributionModels = [...ruleModels, ...dataDrivenModels] as const;
export type AttributionModel = (typeof attributionModels)[number];

export type MilestoneKind =
  'first_touch' | 'lead_creation' | 'opportunity_creation' | 'closed_won' | 'last_touch';

/** Why a touch got its weight. */
export interface TouchReason {
  /** The milestones this touch stands for under the model (possibly standing in for a missing one). */
  milestones: MilestoneKind[];
  /** Milestones it took over because they were missing from the path. */
  standsInFor: MilestoneKind[];
  /** `milestone` share, a part of the `rest`, an `equal` share, a `decay` weight, or a `channel` share. */
  basis: 'milestone' | 'rest' | 'equal' | 'decay' | 'channel';
  /** Time decay: the touch's weight before normalising (1 at the deal's end, ½ one half-life earlier). */
  decayWeight?: number;
}

export interface WeightedTouch {
  /** The touch's share of the deal, 0..1; the shares of a path sum to 1. */
  weight: number;
  reason: TouchReason;
}

// Reasons that many touches share (a report credits a million); never changed once made.
const equalShare: TouchReason = Object.freeze({ milestones: [], standsInFor: [], basis: 'equal' });
const restShare: TouchReason = Object.freeze({ milestones: [], standsInFor: [], basis: 'rest' });
const channelShare: TouchReason = Object.freeze({ milestones: [], standsInFor: [], basis: 'channel' });

type Shares = Partial<Record<MilestoneKind, number>> & { rest: number };

function sharesOf(model: Exclude<RuleModel, 'linear' | 'time_decay'>, custom: CustomWeights): Shares {
  switch (model) {
    case 'first_touch':
      return { first_touch: 1, rest: 0 };
    case 'lead_creation':
      return { lead_creation: 1, rest: 0 };
    case 'last_touch':
      return { last_touch: 1, rest: 0 };
    case 'u_shaped':
      return { first_touch: 0.4, lead_creation: 0.4, rest: 0.2 };
    case 'w_shaped':
      return { first_touch: 0.3, lead_creation: 0.3, opportunity_creation: 0.3, rest: 0.1 };
    case 'full_path':
      return {
        first_touch: 0.225,
        lead_creation: 0.225,
        opportunity_creation: 0.225,
        closed_won: 0.225,
        rest: 0.1,
      };
    case 'j_shaped':
      return { first_touch: 0.2, last_touch: 0.6, rest: 0.2 };
    case 'inverse_j':
      return { first_touch: 0.6, last_touch: 0.2, rest: 0.2 };
    case 'custom':
      return {
        first_touch: custom.firstTouch / 100,
        lead_creation: custom.leadCreation / 100,
        opportunity_creation: custom.opportunityCreation / 100,
        closed_won: custom.closedWon / 100,
        rest: custom.rest / 100,
      };
  }
}

function positionOf(kind: MilestoneKind, m: Milestones): { at: number; missing: boolean } {
  switch (kind) {
    case 'first_touch':
      return { at: m.firstTouch, missing: false };
    case 'last_touch':
      return { at: m.lastTouch, missing: false };
    case 'lead_creation':
      return m.leadCreation === null
        ? { at: m.firstTouch, missing: true }
        : { at: m.leadCreation, missing: false };
    case 'opportunity_creation':
      return m.opportunityCreation === null
        ? { at: m.firstTouch, missing: true }
        : { at: m.opportunityCreation, missing: false };
    case 'closed_won':
      return m.closedWon === null ? { at: m.lastTouch, missing: true } : { at: m.closedWon, missing: false };
  }
}

const milestoneOrder: MilestoneKind[] = [
  'first_touch',
  'lead_creation',
  'opportunity_creation',
  'closed_won',
  'last_touch',
];

/**
 * Weighs each touch of a deal's path under a rule model. The weights sum to 1.
 *
 * @example weighTouches('u_shaped', path, findMilestones(path, deal), deal, settings).map((t) => t.weight)
 * // [0.4, 0.1, 0.4, 0.1] when the third of four touches created the lead
 */
export function weighTouches(
  model: RuleModel,
  path: readonly AttributionTouch[],
  milestones: Milestones,
  deal: DealFacts,
  settings: AttributionSettings,
): WeightedTouch[] {
  const n = path.length;
  if (n === 0) return [];
  if (model === 'linear') return path.map(() => ({ weight: 1 / n, reason: equalShare }));
  if (model === 'time_decay') {
    const halfLifeMs = settings.halfLifeDays * 86_400_000;
    const end = deal.endAt.getTime();
    const raw = path.map((t) => Math.pow(2, -Math.max(0, end - t.atMs) / halfLifeMs));
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((r) => ({
      weight: sum > 0 ? r / sum : 1 / n,
      reason: { milestones: [], standsInFor: [], basis: 'decay', decayWeight: r },
    }));
  }
  const shares = sharesOf(model, settings.customWeights);
  const weights = new Array<number>(n).fill(0);
  // Touches between the milestones share one reason; a milestone touch gets its own.
  const reasons: TouchReason[] = path.map(() => restShare);
  const isMilestone = new Array<boolean>(n).fill(false);
  for (const kind of milestoneOrder) {
    const share = shares[kind];
    if (share === undefined) continue;
    const { at, missing } = positionOf(kind, milestones);
    weights[at]! += share;
    isMilestone[at] = true;
    if (reasons[at] === restShare) reasons[at] = { milestones: [], standsInFor: [], basis: 'milestone' };
    reasons[at]!.milestones.push(kind);
    if (missing) reasons[at]!.standsInFor.push(kind);
  }
  const middle: number[] = [];
  for (let i = 0; i < n; i++) if (!isMilestone[i]) middle.push(i);
  if (middle.length > 0) {
    for (const i of middle) weights[i] = shares.rest / middle.length;
  } else if (shares.rest > 0) {
    const held = weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < n; i++)
      weights[i] = held > 0 ? weights[i]! + (shares.rest * weights[i]!) / held : 1 / n;
  }
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w, i) => ({ weight: total > 0 ? w / total : 1 / n, reason: reasons[i]! }));
}

/**
 * Weighs a deal's path by channel shares from a data-driven model: each channel present gets its
 * share of the channels present (renormalised), split equally over its touches. A path whose
 * channels have no share at all falls back to equal weights.
 *
 * @example weighByChannel(path, new Map([['email', 0.2], ['webinar', 0.8]]))
 */
export function weighByChannel(
  path: readonly AttributionTouch[],
  channelShares: ReadonlyMap<string, number>,
): WeightedTouch[] {
  const count = new Map<string, number>();
  for (const t of path) count.set(t.channel, (count.get(t.channel) ?? 0) + 1);
  let total = 0;
  for (const channel of count.keys()) total += Math.max(0, channelShares.get(channel) ?? 0);
  return path.map((t) => ({
    weight:
      total > 0
        ? Math.max(0, channelShares.get(t.channel) ?? 0) / total / count.get(t.channel)!
        : 1 / path.length,
    reason: total > 0 ? channelShare : equalShare,
  }));
}
