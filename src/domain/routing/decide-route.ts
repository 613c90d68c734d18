import { holds, type Condition, type Facts } from '../scoring/score-contact.ts';

/** Where a rule sends a lead: a pool (a team or named reps) or one user. */
export type RouteTarget = { kind: 'pool'; poolId: string } | { kind: 'user'; userId: string };

export interface RoutingRule {
  id: string;
  label: string;
  /** All must hold (country, region, company size, industry, source, grade…); none: matches every lead. */
  conditions: readonly Condition[];
  target: RouteTarget;
}

export interface RouteSituation {
  /** The owner of the contact's account, if any, and whether they can take a lead now. */
  accountOwner: { userId: string; isAvailable: boolean } | null;
  /** An available account owner keeps the account (configurable, on by default). */
  ownershipFirst: boolean;
  /** In order: the first that matches wins. */
  rules: readonly RoutingRule[];
  fallbackPoolId: string | null;
  facts: Facts;
}

export type RouteDecision =
  | { kind: 'owner'; userId: string }
  | { kind: 'rule'; ruleId: string; target: RouteTarget }
  | { kind: 'fallback'; poolId: string }
  | { kind: 'unassigned'; reason: 'no_matching_rule' };

/**
 * Where a lead goes before a rep is chosen: to its account's owner when ownership comes first and
 * the owner is available, else to the target of the first rule that matches, else to the fallback
 * pool; with none of those it waits in the unassigned queue.
 *
 * @example decideRoute({ accountOwner: null, ownershipFirst: true, rules: [nlRule], fallbackPoolId: null, facts: { country: 'NL' } })
 * // { kind: 'rule', ruleId: 'nl', target: { kind: 'pool', poolId: 'benelux' } }
 */
export function decideRoute(s: RouteSituation): RouteDecision {
  if (s.ownershipFirst && s.accountOwner?.isAvailable)
    return { kind: 'owner', userId: s.accountOwner.userId };
  const rule = s.rules.find((r) => r.conditions.every((c) => holds(c, s.facts)));
  if (rule) return { kind: 'rule', ruleId: rule.id, target: rule.target };
  if (s.fallbackPoolId !== null) return { kind: 'fallback', poolId: s.fallbackPoolId };
  return { kind: 'unassigned', reason: 'no_matching_rule' };
}
