import type { ScoreExplanation, ScoringModelDefinition } from './score-contact.ts';

/**
 * An explanation as stored with every score: rule ids and numbers only. Labels, groups and the MQL
 * thresholds come back from the model version the score names (an active model never changes), so
 * a score row stays small enough to rewrite for every touch.
 */
export interface CompactExplanation {
  /** [ruleId, points] */
  f: [string, number][];
  /** [ruleId, matched, counted, pointsBeforeDecay, pointsAfterDecay, cappedBy, points] */
  e: [string, number, number, number, number, number, number][];
  /** [dimension, group, cap, before, after] */
  g: ['fit' | 'engagement', string, number, number, number][];
  /** [how the MQL rule held, the high-intent touch] */
  m: [ScoreExplanation['mql']['by'], string | null];
}

/** @example compactExplanation(score.explanation) // { f: [['nl', 20]], e: [], g: [], m: [null, null] } */
export function compactExplanation(explanation: ScoreExplanation): CompactExplanation {
  return {
    f: explanation.fit.map((h) => [h.ruleId, h.points]),
    e: explanation.engagement.map((h) => [
      h.ruleId,
      h.matched,
      h.counted,
      h.pointsBeforeDecay,
      h.pointsAfterDecay,
      h.cappedBy,
      h.points,
    ]),
    g: explanation.groupCaps.map((c) => [c.dimension, c.group, c.cap, c.before, c.after]),
    m: [explanation.mql.by, explanation.mql.highIntentTouchId],
  };
}

/**
 * The full explanation of a stored score, with labels and thresholds from its model.
 *
 * @example expandExplanation(stored, model).fit // [{ ruleId: 'nl', label: 'In the Netherlands', points: 20, group: null }]
 */
export function expandExplanation(
  stored: CompactExplanation,
  model: ScoringModelDefinition,
): ScoreExplanation {
  const fitRules = new Map(model.fitRules.map((r) => [r.id, r]));
  const engagementRules = new Map(model.engagementRules.map((r) => [r.id, r]));
  return {
    fit: stored.f.map(([ruleId, points]) => ({
      ruleId,
      label: fitRules.get(ruleId)?.label ?? ruleId,
      points,
      group: fitRules.get(ruleId)?.group ?? null,
    })),
    engagement: stored.e.map(
      ([ruleId, matched, counted, pointsBeforeDecay, pointsAfterDecay, cappedBy, points]) => ({
        ruleId,
        label: engagementRules.get(ruleId)?.label ?? ruleId,
        matched,
        counted,
        pointsBeforeDecay,
        pointsAfterDecay,
        cappedBy,
        points,
        group: engagementRules.get(ruleId)?.group ?? null,
      }),
    ),
    groupCaps: stored.g.map(([dimension, group, cap, before, after]) => ({
      dimension,
      group,
      cap,
      before,
      after,
    })),
    halfLifeDays: model.halfLifeDays,
    mql: {
      fitAtLeast: model.mql.fitAtLeast,
      engagementAtLeast: model.mql.engagementAtLeast,
      qualifies: stored.m[0] !== null,
      by: stored.m[0],
      highIntentTouchId: stored.m[1],
    },
  };
}
