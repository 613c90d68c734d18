/**
 * Choosing the rep inside a pool (PRODUCT.md §3 Routing). Pure: the caller loads who is in the
 * pool, how many leads each has had, and the pool's persistent turn; this decides and explains.
 */

export type Strategy = 'round_robin' | 'weighted' | 'balanced';

export interface PoolSettings {
  strategy: Strategy;
  /** Multiply each rep's share by their follow-up factor (see performanceFactor). */
  performanceAware: boolean;
}

export interface Candidate {
  userId: string;
  /** Members in a fixed order (the pool's); ties and turns follow it. */
  isActive: boolean;
  isAbsent: boolean;
  /** The rep sent this very lead back last time (skipped when the routing settings say so). */
  rejectedThisLead?: boolean;
  isWithinHours: boolean;
  /** Weight in the pool (weighted strategy), 1 by default. */
  weight: number;
  caps: { perDay: number | null; perWeek: number | null };
  assigned: { today: number; thisWeek: number; inPeriod: number };
  /** Days the rep has been in the pool within the balancing period (at least a part of one). */
  daysInPeriod: number;
  /** From the rep's recent follow-up record; 1 when there is none (see performanceFactor). */
  factor: number;
  /** The record the factor came from, shown with the decision; null when there is none. */
  record?: FollowUpRecord | null;
}

/** What the pool remembers between decisions. */
export interface PoolState {
  /** Round robin: who got the last lead. */
  lastUserId: string | null;
  /** Weighted: the smooth weighted round-robin counters, by user. */
  current: Readonly<Record<string, number>>;
}

export type SkipReason =
  'inactive' | 'absent' | 'rejected_this_lead' | 'outside_hours' | 'daily_cap' | 'weekly_cap' | 'zero_weight';

export interface CandidateVerdict {
  userId: string;
  eligible: boolean;
  skipped: SkipReason | null;
  weight: number;
  factor: number;
  /** The share weight actually used: weight × factor when the pool is performance-aware. */
  effectiveWeight: number;
  /** The follow-up record behind the factor (performance-aware pools only). */
  record: FollowUpRecord | null;
  assignedInPeriod: number;
}

export type RepChoice =
  | { kind: 'chosen'; userId: string; candidates: CandidateVerdict[]; state: PoolState }
  | { kind: 'none'; reason: 'no_eligible_rep'; candidates: CandidateVerdict[]; state: PoolState };

function verdictOf(c: Candidate, settings: PoolSettings): CandidateVerdict {
  const skipped: SkipReason | null = !c.isActive
    ? 'inactive'
    : c.isAbsent
      ? 'absent'
      : c.rejectedThisLead
        ? 'rejected_this_lead'
        : !c.isWithinHours
          ? 'outside_hours'
          : c.caps.perDay !== null && c.assigned.today >= c.caps.perDay
            ? 'daily_cap'
            : c.caps.perWeek !== null && c.assigned.thisWeek >= c.caps.perWeek
              ? 'weekly_cap'
              : c.weight <= 0
                ? 'zero_weight'
                : null;
  const factor = settings.performanceAware ? c.factor : 1;
  return {
    userId: c.userId,
    eligible: skipped === null,
    skipped,
    weight: c.weight,
    factor,
    effectiveWeight: c.weight * factor,
    record: settings.performanceAware ? (c.record ?? null) : null,
    assignedInPeriod: c.assigned.inPeriod,
  };
}

/**
 * Picks the rep for one lead among a pool's members, skipping the inactive, absent, off-hours and
 * capped ones and the one who just sent this lead back, and says why for each:
 * - `round_robin`: the next eligible member after the one who got the last lead (a weighted round
 *   robin on the follow-up factors when the pool is performance-aware);
 * - `weighted`: smooth weighted round robin (as nginx), so over any run of leads each rep's count
 *   stays within one lead of their share;
 * - `balanced`: the fewest leads per day in the pool this period, relative to their share, so a
 *   new rep catches up at the pool's pace instead of being flooded.
 * Deterministic: the same inputs give the same choice.
 *
 * @example chooseRep({ strategy: 'round_robin', performanceAware: false }, reps, { lastUserId: 'a', current: {} })
 * // { kind: 'chosen', userId: 'b', … }
 */
export function chooseRep(
  settings: PoolSettings,
  members: readonly Candidate[],
  state: PoolState,
): RepChoice {
  const candidates = members.map((c) => verdictOf(c, settings));
  const eligible = candidates.filter((c) => c.eligible && c.effectiveWeight > 0);
  if (eligible.length === 0) return { kind: 'none', reason: 'no_eligible_rep', candidates, state };

  const strategy =
    settings.strategy === 'round_robin' && settings.performanceAware ? 'weighted' : settings.strategy;
  switch (strategy) {
    case 'round_robin': {
      const order = members.map((m) => m.userId);
      const last = state.lastUserId === null ? -1 : order.indexOf(state.lastUserId);
      const eligibleIds = new Set(eligible.map((c) => c.userId));
      for (let step = 1; step <= order.length; step++) {
        const userId = order[(last + step + order.length) % order.length]!;
        if (eligibleIds.has(userId))
          return { kind: 'chosen', userId, candidates, state: { ...state, lastUserId: userId } };
      }
      throw new Error('unreachable: an eligible member exists');
    }
    case 'weighted': {
      // Smooth weighted round robin: every eligible rep gains its weight, the highest is chosen and
      // pays back the total. Counters of reps not eligible now are kept as they are.
      const current: Record<string, number> = { ...state.current };
      const total = eligible.reduce((sum, c) => sum + c.effectiveWeight, 0);
      let best: CandidateVerdict | undefined;
      for (const c of eligible) {
        current[c.userId] = (current[c.userId] ?? 0) + c.effectiveWeight;
        if (!best || current[c.userId]! > current[best.userId]!) best = c;
      }
      current[best!.userId] = current[best!.userId]! - total;
      return {
        kind: 'chosen',
        userId: best!.userId,
        candidates,
        state: { lastUserId: best!.userId, current },
      };
    }
    case 'balanced': {
      const daysOf = new Map(members.map((m) => [m.userId, Math.max(m.daysInPeriod, 1)]));
      const load = (c: CandidateVerdict) => c.assignedInPeriod / daysOf.get(c.userId)! / c.effectiveWeight;
      let best = eligible[0]!;
      for (const c of eligible) if (load(c) < load(best)) best = c;
      return {
        kind: 'chosen',
        userId: best.userId,
        candidates,
        state: { ...state, lastUserId: best.userId },
      };
    }
  }
}

export interface FollowUpRecord {
  /** Leads whose SLA was measured in the window. */
  measured: number;
  /** Of those, met without a waiver-less breach. */
  met: number;
}

/** Bounds and minimum record of the follow-up factor; shown to reps and managers with the formula. */
export const performanceFactorRule = { min: 0.5, max: 1.5, minimumMeasured: 5, windowDays: 30 } as const;

/** The rule in words, as every decision of a performance-aware pool shows it. */
export const performanceFactorFormula =
  'share = weight × factor; factor = 0.5 + SLA compliance (met ÷ measured leads, last 30 days), ' +
  'kept within 0.5–1.5; 1 with fewer than 5 measured leads';

/**
 * A rep's share multiplier from their follow-up record over the last 30 days:
 * `0.5 + compliance`, bounded to [0.5, 1.5], where compliance = met ÷ measured. With fewer than 5
 * measured leads (or no record: before the SLA exists) it is 1, so nobody is judged on too little.
 *
 * @example performanceFactor({ measured: 20, met: 19 }) // 1.45
 */
export function performanceFactor(record: FollowUpRecord | null): number {
  if (!record || record.measured < performanceFactorRule.minimumMeasured) return 1;
  const value = 0.5 + record.met / record.measured;
  return Math.min(performanceFactorRule.max, Math.max(performanceFactorRule.min, value));
}
