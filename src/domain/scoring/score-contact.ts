import { allowedClockSkewMs } from '../capture/event-types.ts';
import { isFreeMailDomain } from '../capture/match-account.ts';

/** A fact about a contact or its account, by field name (`title`, `account.industry`, `attributes.Lead Source`). */
export type FactValue = string | number | boolean | null;
export type Facts = Readonly<Record<string, FactValue | undefined>>;

/** One test on a fact. Text compares case-insensitively, ignoring surrounding spaces. */
export type LeafCondition =
  | { op: 'equals'; field: string; value: string | number | boolean }
  | { op: 'in'; field: string; values: readonly (string | number)[] }
  | { op: 'contains'; field: string; value: string }
  /** Both ends inclusive; a missing end is open. */
  | { op: 'range'; field: string; min?: number; max?: number }
  | { op: 'exists'; field: string }
  /** The email address is at a free-mail or ISP domain (the `emailDomain` fact). */
  | { op: 'free_mail' };

/** A test, or a group of tests of which any one must hold (an OR within a rule's AND). */
export type Condition = LeafCondition | { op: 'any'; conditions: readonly LeafCondition[] };

/** The fields a condition reads; free_mail reads the email domain. */
export function fieldsOf(condition: Condition): string[] {
  if (condition.op === 'any') return condition.conditions.flatMap(fieldsOf);
  return condition.op === 'free_mail' ? ['emailDomain'] : [condition.field];
}

/** Fit: who they are. Every condition must hold. Negative points make a negative rule (a student, a competitor). */
export interface FitRule {
  id: string;
  label: string;
  conditions: readonly Condition[];
  points: number;
  group?: string;
}

/** Which touches a rule counts. Every given filter must hold. */
export interface TouchFilter {
  eventTypes: readonly string[];
  /** Case-insensitive substring of the URL (`/careers`). */
  urlContains?: string;
  /** Exact campaign, case-insensitive. */
  campaign?: string;
  /** Properties that must equal these values (as text). */
  properties?: Readonly<Record<string, string>>;
}

/** Engagement: what they did. Points per matching touch, decayed by age, limited per period and in total. */
export interface EngagementRule extends TouchFilter {
  id: string;
  label: string;
  points: number;
  /** Count at most `count` touches per period of `days` (fixed periods from 1970-01-01 UTC). */
  maxPerPeriod?: { count: number; days: number };
  /** The most this rule adds (or, for a negative rule, takes away), after decay. */
  cap?: number;
  group?: string;
  /** False for rules whose weight should not fade (default true). */
  decays?: boolean;
}

export interface MqlRule {
  /** Both thresholds must be met... */
  fitAtLeast: number;
  engagementAtLeast: number;
  /** ...or any of these high-intent touches within `highIntentWithinDays` (a demo request, a contact-sales form). */
  highIntent: readonly TouchFilter[];
  highIntentWithinDays: number;
  /** A recycled lead may become an MQL again only on new engagement after this many days. */
  recycleCoolOffDays: number;
}

export interface ScoringModelDefinition {
  fitRules: readonly FitRule[];
  engagementRules: readonly EngagementRule[];
  /** Engagement halves every this many days; 0 turns decay off. */
  halfLifeDays: number;
  /** Touches older than this are not counted at all. */
  lookbackDays: number;
  /** The most a group of rules adds (or takes away) together, per dimension. */
  groupCaps: Readonly<Record<string, number>>;
  /** Fit letter: A from `a`, B from `b`, else C. Engagement digit: 1 from `one`, 2 from `two`, else 3. */
  grades: { fit: { a: number; b: number }; engagement: { one: number; two: number } };
  mql: MqlRule;
  /** An account's engagement is its contacts' engagement summed, up to this. */
  accountEngagementCap: number;
}

export interface ScoredTouch {
  id: string;
  type: string;
  occurredAt: Date;
  url: string | null;
  campaign: string | null;
  properties: Readonly<Record<string, unknown>>;
}

export interface FitHit {
  ruleId: string;
  label: string;
  points: number;
  group: string | null;
}

export interface EngagementHit {
  ruleId: string;
  label: string;
  /** Touches that matched the filter within the lookback. */
  matched: number;
  /** Touches that counted after the per-period limit. */
  counted: number;
  pointsBeforeDecay: number;
  pointsAfterDecay: number;
  /** Points removed by the rule's cap (0 when it did not bite). */
  cappedBy: number;
  /** What the rule contributes. */
  points: number;
  group: string | null;
}

export interface GroupCapHit {
  dimension: 'fit' | 'engagement';
  group: string;
  cap: number;
  before: number;
  after: number;
}

export interface ScoreExplanation {
  fit: FitHit[];
  engagement: EngagementHit[];
  groupCaps: GroupCapHit[];
  halfLifeDays: number;
  mql: {
    fitAtLeast: number;
    engagementAtLeast: number;
    qualifies: boolean;
    by: 'thresholds' | 'high_intent' | null;
    highIntentTouchId: string | null;
  };
}

export interface ContactScore {
  fit: number;
  engagement: number;
  grade: string;
  qualifies: boolean;
  explanation: ScoreExplanation;
}

const dayMs = 86_400_000;

const round2 = (n: number) => Math.round(n * 100) / 100 + 0;
const text = (v: unknown) => String(v).trim().toLowerCase();

function asNumber(value: FactValue | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim().replace(',', '.'));
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

const present = (value: FactValue | undefined): value is string | number | boolean =>
  value !== null && value !== undefined && !(typeof value === 'string' && value.trim() === '');

function sameValue(fact: FactValue | undefined, expected: string | number | boolean): boolean {
  if (!present(fact)) return false;
  if (typeof expected === 'number') return asNumber(fact) === expected;
  if (typeof expected === 'boolean') return fact === expected || text(fact) === String(expected);
  return text(fact) === text(expected);
}

/**
 * Whether a condition holds for these facts. Missing facts never match (except that `exists` says so).
 *
 * @example holds({ op: 'in', field: 'country', values: ['NL', 'BE'] }, { country: 'nl' }) // true
 */
export function holds(condition: Condition, facts: Facts): boolean {
  switch (condition.op) {
    case 'equals':
      return sameValue(facts[condition.field], condition.value);
    case 'in':
      return condition.values.some((v) => sameValue(facts[condition.field], v));
    case 'contains': {
      const fact = facts[condition.field];
      return present(fact) && text(fact).includes(text(condition.value));
    }
    case 'range': {
      const n = asNumber(facts[condition.field]);
      if (n === null) return false;
      return (
        (condition.min === undefined || n >= condition.min) &&
        (condition.max === undefined || n <= condition.max)
      );
    }
    case 'exists':
      return present(facts[condition.field]);
    case 'free_mail': {
      const domain = facts.emailDomain;
      return typeof domain === 'string' && domain !== '' && isFreeMailDomain(domain);
    }
    case 'any':
      return condition.conditions.some((c) => holds(c, facts));
  }
}

/**
 * Whether a touch passes a filter.
 *
 * @example matchesTouch({ eventTypes: ['page_viewed'], urlContains: '/careers' }, touch) // true for a careers page view
 */
export function matchesTouch(filter: TouchFilter, touch: ScoredTouch): boolean {
  if (!filter.eventTypes.includes(touch.type)) return false;
  if (
    filter.urlContains !== undefined &&
    !(touch.url ?? '').toLowerCase().includes(filter.urlContains.toLowerCase())
  )
    return false;
  if (filter.campaign !== undefined && text(touch.campaign ?? '') !== text(filter.campaign)) return false;
  if (filter.properties) {
    for (const [key, value] of Object.entries(filter.properties)) {
      const actual = touch.properties[key];
      if (actual === undefined || actual === null || text(actual) !== text(value)) return false;
    }
  }
  return true;
}

/** Limits a total to ±cap and says how much the cap took off. */
function clamp(total: number, cap: number | undefined): { value: number; removed: number } {
  if (cap === undefined) return { value: total, removed: 0 };
  const limit = Math.abs(cap);
  const value = Math.max(-limit, Math.min(limit, total));
  return { value, removed: Math.abs(total - value) };
}

function applyGroupCaps<T extends { points: number; group: string | null }>(
  dimension: 'fit' | 'engagement',
  hits: T[],
  caps: Readonly<Record<string, number>>,
  applied: GroupCapHit[],
): number {
  let total = 0;
  const groups = new Map<string, number>();
  for (const hit of hits) {
    if (hit.group !== null && caps[hit.group] !== undefined)
      groups.set(hit.group, (groups.get(hit.group) ?? 0) + hit.points);
    else total += hit.points;
  }
  for (const [group, before] of groups) {
    const cap = caps[group]!;
    const { value, removed } = clamp(before, cap);
    if (removed > 0) applied.push({ dimension, group, cap, before: round2(before), after: round2(value) });
    total += value;
  }
  return total;
}

/**
 * The grade: a fit letter (A best) and an engagement digit (1 best).
 *
 * @example gradeOf(72, 12, { fit: { a: 60, b: 30 }, engagement: { one: 60, two: 30 } }) // 'A3'
 */
export function gradeOf(fit: number, engagement: number, grades: ScoringModelDefinition['grades']): string {
  const letter = fit >= grades.fit.a ? 'A' : fit >= grades.fit.b ? 'B' : 'C';
  const digit = engagement >= grades.engagement.one ? '1' : engagement >= grades.engagement.two ? '2' : '3';
  return letter + digit;
}

function scoreEngagementRule(
  rule: EngagementRule,
  touches: readonly ScoredTouch[],
  now: Date,
  halfLifeDays: number,
): EngagementHit | null {
  const matching = touches.filter((t) => matchesTouch(rule, t));
  if (matching.length === 0) return null;
  let counted = matching;
  if (rule.maxPerPeriod) {
    const periodMs = rule.maxPerPeriod.days * dayMs;
    const perPeriod = new Map<number, number>();
    counted = matching.filter((t) => {
      const bucket = Math.floor(t.occurredAt.getTime() / periodMs);
      const n = (perPeriod.get(bucket) ?? 0) + 1;
      perPeriod.set(bucket, n);
      return n <= rule.maxPerPeriod!.count;
    });
  }
  const decays = rule.decays !== false && halfLifeDays > 0;
  let after = 0;
  for (const t of counted) {
    const ageDays = (now.getTime() - t.occurredAt.getTime()) / dayMs;
    after += rule.points * (decays ? 0.5 ** (ageDays / halfLifeDays) : 1);
  }
  const { value, removed } = clamp(after, rule.cap);
  return {
    ruleId: rule.id,
    label: rule.label,
    matched: matching.length,
    counted: counted.length,
    pointsBeforeDecay: round2(rule.points * counted.length),
    pointsAfterDecay: round2(after),
    cappedBy: round2(removed),
    points: value,
    group: rule.group ?? null,
  };
}

/**
 * Scores one contact under a model at `now`: fit from its facts, engagement from its touches (decayed
 * by age, limited per period, capped per rule and per group), the grade, whether the MQL rule holds,
 * and an explanation a rep can read ("why is this an MQL").
 *
 * @example
 * scoreContact(model, { title: 'CTO', emailDomain: 'acme.nl' }, touches, new Date('2026-11-27T12:00:00Z'))
 * // { fit: 40, engagement: 23.5, grade: 'B3', qualifies: false, explanation: { … } }
 */
export function scoreContact(
  model: ScoringModelDefinition,
  facts: Facts,
  touches: readonly ScoredTouch[],
  now: Date,
): ContactScore {
  const from = now.getTime() - model.lookbackDays * dayMs;
  // A touch stamped a little ahead (a client's clock drifting, within the skew capture accepts)
  // happened now: it counts at once, or it would count only once something else rescored the contact.
  const inWindow = touches
    .filter(
      (t) => t.occurredAt.getTime() <= now.getTime() + allowedClockSkewMs && t.occurredAt.getTime() >= from,
    )
    .map((t) => (t.occurredAt.getTime() > now.getTime() ? { ...t, occurredAt: now } : t))
    .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : 1));

  const fitHits: FitHit[] = model.fitRules
    .filter((rule) => rule.conditions.every((c) => holds(c, facts)))
    .map((rule) => ({ ruleId: rule.id, label: rule.label, points: rule.points, group: rule.group ?? null }));
  const engagementHits = model.engagementRules
    .map((rule) => scoreEngagementRule(rule, inWindow, now, model.halfLifeDays))
    .filter((hit): hit is EngagementHit => hit !== null);

  const groupCaps: GroupCapHit[] = [];
  const fit = round2(applyGroupCaps('fit', fitHits, model.groupCaps, groupCaps));
  const engagement = round2(applyGroupCaps('engagement', engagementHits, model.groupCaps, groupCaps));

  const intentFrom = now.getTime() - model.mql.highIntentWithinDays * dayMs;
  const intent = [...inWindow]
    .reverse()
    .find(
      (t) => t.occurredAt.getTime() >= intentFrom && model.mql.highIntent.some((f) => matchesTouch(f, t)),
    );
  const byThresholds = fit >= model.mql.fitAtLeast && engagement >= model.mql.engagementAtLeast;
  const by = byThresholds ? 'thresholds' : intent ? 'high_intent' : null;

  return {
    fit,
    engagement,
    grade: gradeOf(fit, engagement, model.grades),
    qualifies: by !== null,
    explanation: {
      fit: fitHits,
      engagement: engagementHits.map((hit) => ({ ...hit, points: round2(hit.points) })),
      groupCaps,
      halfLifeDays: model.halfLifeDays,
      mql: {
        fitAtLeast: model.mql.fitAtLeast,
        engagementAtLeast: model.mql.engagementAtLeast,
        qualifies: by !== null,
        by,
        highIntentTouchId: intent?.id ?? null,
      },
    },
  };
}
