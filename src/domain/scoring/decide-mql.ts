export interface MqlSituation {
  /** The MQL rule holds now. */
  qualifies: boolean;
  /** It already held at the previous scoring (the latch that keeps one crossing from firing twice). */
  wasQualified: boolean;
  stage: string;
  /** Stages before `mql` from which the rule may move a contact (`subscriber`, `lead`). */
  preMqlStages: readonly string[];
  /** When the contact entered its current stage (for a recycled lead: when it was recycled). */
  stageEnteredAt: Date;
  /** When the contact's latest marketing touch happened, if any. */
  latestEngagementAt: Date | null;
  recycleCoolOffDays: number;
  /** When the high-intent touch that qualifies the contact happened (a demo request), if one does. */
  highIntentAt?: Date | null;
  now: Date;
}

export type MqlDecision =
  | { kind: 'move' }
  | {
      kind: 'stay';
      reason: 'not_qualified' | 'already_qualified' | 'stage' | 'cool_off' | 'no_new_engagement';
    };

const dayMs = 86_400_000;

/**
 * Whether the MQL rule moves a contact to `mql` now. It fires on a crossing (not qualified at the
 * previous scoring, qualified now) from a stage before `mql`, so one crossing never fires twice. A
 * recycled lead becomes an MQL again only on new engagement after the cool-off (PRODUCT.md §3),
 * or at once on a new high-intent touch (a demo request made after it was recycled).
 *
 * @example
 * decideMql({ qualifies: true, wasQualified: false, stage: 'lead', preMqlStages: ['subscriber', 'lead'], … })
 * // { kind: 'move' }
 */
export function decideMql(s: MqlSituation): MqlDecision {
  if (!s.qualifies) return { kind: 'stay', reason: 'not_qualified' };
  if (s.preMqlStages.includes(s.stage)) {
    return s.wasQualified ? { kind: 'stay', reason: 'already_qualified' } : { kind: 'move' };
  }
  if (s.stage !== 'recycled') return { kind: 'stay', reason: 'stage' };
  if (s.highIntentAt && s.highIntentAt.getTime() >= s.stageEnteredAt.getTime()) return { kind: 'move' };
  const coolOffEnds = s.stageEnteredAt.getTime() + s.recycleCoolOffDays * dayMs;
  if (s.now.getTime() < coolOffEnds) return { kind: 'stay', reason: 'cool_off' };
  if (!s.latestEngagementAt || s.latestEngagementAt.getTime() < coolOffEnds)
    return { kind: 'stay', reason: 'no_new_engagement' };
  return { kind: 'move' };
}
