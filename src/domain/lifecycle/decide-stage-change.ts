/** A lifecycle stage as the rules see it. */
export interface StageRule {
  key: string;
  /** Order along the main path; side stages have a position too but it is not compared. */
  position: number;
  /** Side stages (`recycled`, `disqualified`) sit off the main path. */
  isSide: boolean;
  /** Stages a contact may move to from this one. */
  allowedNext: readonly string[];
}

export type StageDirection = 'initial' | 'forward' | 'backward' | 'side' | 'return';

export type StageChangeDecision =
  | { kind: 'allowed'; direction: StageDirection }
  | { kind: 'refused'; reason: 'unknown_stage' | 'same_stage' | 'initial_side_stage' | 'not_allowed' }
  | { kind: 'refused'; reason: 'reason_required'; direction: StageDirection };

export interface StageChangeRequest {
  /** The current stage, or null for a contact that has none yet. */
  from: string | null;
  to: string;
  reasonCode: string | null;
}

/**
 * Decides whether a contact may move between two lifecycle stages (PRODUCT.md §3): the move must be
 * listed in the stage's allowed transitions, and moving backwards or to a side stage needs a
 * reason code. Leaving a side stage for the main path (a recycled lead re-engaging) does not.
 *
 * @example
 * decideStageChange({ from: 'sql', to: 'sal', reasonCode: null }, stages)
 * // { kind: 'refused', reason: 'reason_required', direction: 'backward' }
 */
export function decideStageChange(
  request: StageChangeRequest,
  stages: readonly StageRule[],
): StageChangeDecision {
  const target = stages.find((s) => s.key === request.to);
  if (!target) return { kind: 'refused', reason: 'unknown_stage' };

  if (request.from === null) {
    if (target.isSide) return { kind: 'refused', reason: 'initial_side_stage' };
    return { kind: 'allowed', direction: 'initial' };
  }

  if (request.from === request.to) return { kind: 'refused', reason: 'same_stage' };
  const current = stages.find((s) => s.key === request.from);
  // A contact whose stage was removed from the configuration may move anywhere on the main path.
  if (current && !current.allowedNext.includes(target.key)) return { kind: 'refused', reason: 'not_allowed' };

  const direction = directionOf(current ?? null, target);
  const needsReason = direction === 'backward' || direction === 'side';
  if (needsReason && !request.reasonCode) return { kind: 'refused', reason: 'reason_required', direction };
  return { kind: 'allowed', direction };
}

function directionOf(current: StageRule | null, target: StageRule): StageDirection {
  if (target.isSide) return 'side';
  if (!current) return 'forward';
  if (current.isSide) return 'return';
  return target.position < current.position ? 'backward' : 'forward';
}

export interface StageEntry {
  to: string;
  occurredAt: Date;
}

/**
 * For each stage a contact has been in, when it last entered it (a recycled lead that becomes an
 * MQL again has entered `mql` twice; the latest entry is what stage durations are measured from).
 *
 * @example stageEntryTimes([{ to: 'lead', occurredAt: t1 }, { to: 'mql', occurredAt: t2 }]) // { lead: t1, mql: t2 }
 */
export function stageEntryTimes(history: readonly StageEntry[]): Record<string, Date> {
  const entered: Record<string, Date> = {};
  for (const entry of history) {
    const previous = entered[entry.to];
    if (!previous || entry.occurredAt >= previous) entered[entry.to] = entry.occurredAt;
  }
  return entered;
}
