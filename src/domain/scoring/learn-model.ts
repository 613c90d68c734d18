import { auc, fitLogistic, quantileEdges, suggestThreshold } from './calibrate.ts';
import { holds, type Condition, type Facts, type FitRule } from './score-contact.ts';

export interface LearningRow {
  facts: Facts;
  converted: boolean;
}

export interface LearnOptions {
  /** Fields never to learn from: those that leak the outcome (filled in by Sales after contact). */
  exclude: readonly string[];
  /** Fields to learn from even when they look like a leak (an informed override). */
  include?: readonly string[];
  /** A field that alone ranks converters this well (AUC, default 0.9) is taken for a leak. */
  leakAuc?: number;
  /** A value must occur this often to become a rule (default: 1% of rows, at least 20). */
  minSupport?: number;
  /** Points per doubling of the odds (default 20). */
  pointsToDoubleOdds?: number;
  l2?: number;
}

export interface LearnedFit {
  rules: FitRule[];
  /** The fit threshold that best separates converters on the training rows. */
  threshold: number;
  /** Fit at the 80th and 50th percentile of the training rows: grade A and B. */
  gradeA: number;
  gradeB: number;
  candidates: number;
  /**
   * Fields that predict the outcome (nearly) on their own, strongest first: almost always filled
   * in after the fact (Sales' tags, a quality verdict). Left out unless included by name.
   */
  leaks: Leak[];
  /** Strong fields under the leak bar (AUC ≥ 0.75): kept, but worth a look. */
  suspects: Leak[];
}

export interface Leak {
  field: string;
  /** The field's own AUC on the training rows, 0.5–1 (a field that predicts the opposite counts too). */
  auc: number;
  /** Whether learning left it out (false when included by name). */
  excluded: boolean;
}

/** Below the leak bar but this strong on its own: named as a suspect. */
const SUSPECT_AUC = 0.75;

/**
 * How well each field alone separates converters: each value scored by its conversion rate on
 * the rows (rare values pooled, blanks a value of their own), or a number by itself. 0.5 is chance,
 * 1 a perfect split either way round.
 */
export function fieldAucs(
  rows: readonly LearningRow[],
  options: Pick<LearnOptions, 'exclude' | 'minSupport'>,
) {
  const minSupport = options.minSupport ?? Math.max(20, Math.ceil(rows.length * 0.01));
  const excluded = new Set(options.exclude);
  const fields = new Set<string>();
  for (const row of rows)
    for (const [field, value] of Object.entries(row.facts)) if (value !== null) fields.add(field);
  const out: { field: string; auc: number }[] = [];
  for (const field of [...fields].sort()) {
    if (excluded.has(field) || identityFields.has(field)) continue;
    const raw = rows.map((r) => {
      const v = r.facts[field];
      return v === null || v === undefined || String(v).trim() === '' ? '' : String(v).trim();
    });
    const present = raw.filter((v) => v !== '');
    if (present.length < minSupport) continue;
    if (new Set(present).size > present.length * 0.9) continue; // an identifier
    const numbers = present.map(asNumber).filter((n): n is number => n !== null);
    let scores: number[];
    if (numbers.length >= present.length * 0.9) {
      const low = Math.min(...numbers) - 1;
      scores = raw.map((v) => asNumber(v) ?? low);
    } else {
      const counts = new Map<string, number>();
      for (const v of raw) counts.set(v, (counts.get(v) ?? 0) + 1);
      const key = (v: string) => ((counts.get(v) ?? 0) >= minSupport || v === '' ? v : '\u0000other');
      const seen = new Map<string, { n: number; converted: number }>();
      rows.forEach((r, i) => {
        const k = key(raw[i]!);
        const s = seen.get(k) ?? { n: 0, converted: 0 };
        s.n += 1;
        if (r.converted) s.converted += 1;
        seen.set(k, s);
      });
      scores = raw.map((v) => {
        const s = seen.get(key(v))!;
        return s.converted / s.n;
      });
    }
    const value = auc(scores.map((score, i) => ({ score, converted: rows[i]!.converted })));
    if (value !== null) out.push({ field, auc: Math.max(value, 1 - value) });
  }
  return out.sort((a, b) => b.auc - a.auc);
}

/** Fields that name a person or a record rather than describe them. */
const identityFields = new Set(['email', 'emailDomain', 'firstName', 'lastName', 'phone', 'externalId']);

const asNumber = (value: unknown): number | null => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
};

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);

interface Candidate {
  id: string;
  label: string;
  conditions: Condition[];
}

/**
 * The conditions a model could use, found in the data: each frequent value of a text field, and
 * "at least" steps at the quartiles of a numeric field. Fields that identify a record (nearly every
 * value distinct) and excluded fields are skipped.
 */
export function findCandidates(rows: readonly LearningRow[], options: LearnOptions): Candidate[] {
  const minSupport = options.minSupport ?? Math.max(20, Math.ceil(rows.length * 0.01));
  const excluded = new Set(options.exclude);
  const fields = new Set<string>();
  for (const row of rows)
    for (const [field, value] of Object.entries(row.facts)) if (value !== null) fields.add(field);
  const candidates: Candidate[] = [];
  for (const field of [...fields].sort()) {
    if (excluded.has(field) || identityFields.has(field)) continue;
    const values = rows.flatMap((r) => {
      const v = r.facts[field];
      return v === null || v === undefined || v === '' ? [] : [v];
    });
    if (values.length < minSupport) continue;
    const name = field.replace(/^attributes\./, '');
    if (new Set(values.map((v) => String(v).trim())).size > values.length * 0.9) continue; // an identifier
    const numbers = values.map(asNumber).filter((n): n is number => n !== null);
    if (numbers.length >= values.length * 0.9) {
      for (const edge of quantileEdges(numbers, 4)) {
        candidates.push({
          id: `${slug(name)}-${edge}`,
          label: `${name} ≥ ${edge}`,
          conditions: [{ op: 'range', field, min: edge }],
        });
      }
      continue;
    }
    const counts = new Map<string, number>();
    for (const v of values) {
      const key = String(v).trim();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [value, count] of [...counts].sort((a, b) => b[1] - a[1])) {
      if (count < minSupport || count === values.length) continue;
      candidates.push({
        id: `${slug(name)}-${slug(value)}`,
        label: `${name}: ${value}`,
        conditions: [{ op: 'equals', field, value }],
      });
    }
  }
  // Ids must be unique within a model.
  const seen = new Map<string, number>();
  return candidates.map((c) => {
    const n = (seen.get(c.id) ?? 0) + 1;
    seen.set(c.id, n);
    return n === 1 ? c : { ...c, id: `${c.id}-${n}` };
  });
}

/**
 * Learns fit rules from known outcomes: a logistic regression (L2) over the candidate conditions,
 * whose coefficients become points (`pointsToDoubleOdds` points double the odds of converting).
 * Rules worth less than one point are left out. A field that alone predicts the outcome almost
 * perfectly (single-field AUC ≥ `leakAuc`) is taken for a leak and left out unless `include`
 * names it. A human reviews and activates the result.
 *
 * @example learnFit(rows, { exclude: ['attributes.Tags'] }).rules[0] // { id: 'lead-origin-lead-add-form', points: 52, … }
 */
export function learnFit(rows: readonly LearningRow[], options: LearnOptions): LearnedFit {
  const include = new Set(options.include ?? []);
  const bar = options.leakAuc ?? 0.9;
  const strengths = fieldAucs(rows, options);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const leaks = strengths
    .filter((f) => f.auc >= bar)
    .map((f) => ({ field: f.field, auc: round(f.auc), excluded: !include.has(f.field) }));
  const suspects = strengths
    .filter((f) => f.auc >= SUSPECT_AUC && f.auc < bar)
    .map((f) => ({ field: f.field, auc: round(f.auc), excluded: false }));
  const candidates = findCandidates(rows, {
    ...options,
    exclude: [...options.exclude, ...leaks.filter((l) => l.excluded).map((l) => l.field)],
  });
  const matrix = rows.map((row) =>
    candidates.map((c) => (c.conditions.every((k) => holds(k, row.facts)) ? 1 : 0)),
  );
  const fit = fitLogistic(
    matrix,
    rows.map((r) => r.converted),
    { l2: options.l2 ?? 1 },
  );
  const scale = (options.pointsToDoubleOdds ?? 20) / Math.LN2;
  const points = fit.weights.map((w) => Math.max(-1000, Math.min(1000, Math.round(w * scale))));
  const rules: FitRule[] = candidates.flatMap((candidate, i) =>
    points[i] ? [{ ...candidate, points: points[i] }] : [],
  );
  const scores = matrix.map((x) => x.reduce<number>((sum, hit, i) => sum + hit * points[i]!, 0));
  const sorted = [...scores].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const threshold = suggestThreshold(scores.map((score, i) => ({ score, converted: rows[i]!.converted })));
  return {
    rules,
    threshold: threshold?.threshold ?? at(0.5),
    gradeA: at(0.8),
    gradeB: at(0.5),
    candidates: candidates.length,
    leaks,
    suspects,
  };
}

/**
 * Splits rows into a training and a held-out part by a stable hash of their id, so the same
 * contact always lands on the same side.
 *
 * @example isHeldOut('0190…', 0.3) // true for about 30% of ids
 */
export function isHeldOut(id: string, share: number): boolean {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  // Murmur3's finaliser: ids that differ in one character land far apart.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 4294967296 < share;
}
