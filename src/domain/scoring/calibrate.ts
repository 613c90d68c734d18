/** A contact whose outcome is known: its score under a model, and whether it converted. */
export interface Labelled {
  score: number;
  converted: boolean;
}

const rate = (converted: number, contacts: number) => (contacts === 0 ? null : converted / contacts);

/**
 * The area under the ROC curve: the chance that a converted contact scores higher than one that did
 * not (ties count half). 0.5 is a coin toss, 1 is perfect. Null without both outcomes.
 *
 * @example auc([{ score: 9, converted: true }, { score: 3, converted: false }]) // 1
 */
export function auc(points: readonly Labelled[]): number | null {
  const positives = points.filter((p) => p.converted).length;
  const negatives = points.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...points].sort((a, b) => a.score - b.score);
  // Mann–Whitney U with average ranks over ties.
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k]!.converted) rankSum += averageRank;
    i = j;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface Band {
  from: number | null;
  to: number | null;
  contacts: number;
  converted: number;
  rate: number | null;
}

/**
 * Conversion per score band, cut at `edges` (a band holds from ≤ score < to).
 *
 * @example conversionByBand(points, [20, 40]) // [{ from: null, to: 20, … }, { from: 20, to: 40, … }, { from: 40, to: null, … }]
 */
export function conversionByBand(points: readonly Labelled[], edges: readonly number[]): Band[] {
  const cuts = [...edges].sort((a, b) => a - b);
  const bands: Band[] = [null, ...cuts].map((from, i) => ({
    from,
    to: cuts[i] ?? null,
    contacts: 0,
    converted: 0,
    rate: null,
  }));
  for (const p of points) {
    let index = cuts.findIndex((edge) => p.score < edge);
    if (index === -1) index = cuts.length;
    const band = bands[index]!;
    band.contacts++;
    if (p.converted) band.converted++;
  }
  return bands.map((b) => ({ ...b, rate: rate(b.converted, b.contacts) }));
}

/** Score edges that split the contacts into `count` bands of about equal size. */
export function quantileEdges(scores: readonly number[], count: number): number[] {
  const sorted = [...scores].sort((a, b) => a - b);
  const edges = new Set<number>();
  for (let i = 1; i < count; i++) {
    const value = sorted[Math.floor((i * sorted.length) / count)];
    if (value !== undefined && value > sorted[0]!) edges.add(value);
  }
  return [...edges];
}

export interface RuleLift {
  ruleId: string;
  withRule: { contacts: number; rate: number | null };
  withoutRule: { contacts: number; rate: number | null };
  /** Conversion with the rule ÷ conversion without it (null when either side is empty or zero). */
  lift: number | null;
}

/**
 * For each rule: conversion of the contacts it fired for against those it did not. A positive rule
 * with a lift below 1, or a negative one above 1, is pointing the wrong way.
 *
 * @example ruleLift([{ rules: ['a'], converted: true }, { rules: [], converted: false }], ['a']) // lift null (0 without)
 */
export function ruleLift(
  rows: readonly { rules: readonly string[]; converted: boolean }[],
  ruleIds: readonly string[],
): RuleLift[] {
  return ruleIds.map((ruleId) => {
    let withN = 0;
    let withC = 0;
    let withoutN = 0;
    let withoutC = 0;
    for (const row of rows) {
      if (row.rules.includes(ruleId)) {
        withN++;
        if (row.converted) withC++;
      } else {
        withoutN++;
        if (row.converted) withoutC++;
      }
    }
    const withRate = rate(withC, withN);
    const withoutRate = rate(withoutC, withoutN);
    return {
      ruleId,
      withRule: { contacts: withN, rate: withRate },
      withoutRule: { contacts: withoutN, rate: withoutRate },
      lift: withRate !== null && withoutRate ? withRate / withoutRate : null,
    };
  });
}

export interface Threshold {
  threshold: number;
  /** Share of converters at or above the threshold. */
  truePositiveRate: number;
  /** Share of non-converters at or above it. */
  falsePositiveRate: number;
  /** Conversion among those at or above it. */
  precision: number;
  /** Share of all contacts at or above it (the MQL volume it would give). */
  share: number;
}

/**
 * The threshold that best separates converters from the rest (the largest Youden's J:
 * true-positive rate minus false-positive rate), and what it would mean. Null without both outcomes.
 *
 * @example suggestThreshold(points) // { threshold: 35, truePositiveRate: 0.8, falsePositiveRate: 0.2, … }
 */
export function suggestThreshold(points: readonly Labelled[]): Threshold | null {
  const positives = points.filter((p) => p.converted).length;
  const negatives = points.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...points].sort((a, b) => b.score - a.score);
  let best: Threshold | null = null;
  let bestJ = -Infinity;
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length;) {
    const score = sorted[i]!.score;
    while (i < sorted.length && sorted[i]!.score === score) {
      if (sorted[i]!.converted) tp++;
      else fp++;
      i++;
    }
    const j = tp / positives - fp / negatives;
    if (j > bestJ) {
      bestJ = j;
      best = {
        threshold: score,
        truePositiveRate: tp / positives,
        falsePositiveRate: fp / negatives,
        precision: tp / (tp + fp),
        share: (tp + fp) / points.length,
      };
    }
  }
  return best;
}

export interface LogisticFit {
  intercept: number;
  weights: number[];
  iterations: number;
}

/**
 * Fits a logistic regression with an L2 penalty by Newton's method (iteratively reweighted least
 * squares). Features are numbers (0/1 for conditions); `l2` keeps rare features from running off.
 *
 * @example fitLogistic([[1], [1], [0], [0]], [true, true, false, true]) // { weights: [~0.7], intercept: ~0.5, … }
 */
export function fitLogistic(
  features: readonly (readonly number[])[],
  outcomes: readonly boolean[],
  options: { l2?: number; maxIterations?: number } = {},
): LogisticFit {
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const n = features.length;
  const d = (features[0]?.length ?? 0) + 1; // the intercept is column 0
  const beta = new Float64Array(d);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const gradient = new Float64Array(d);
    const hessian = Array.from({ length: d }, () => new Float64Array(d));
    for (let i = 0; i < n; i++) {
      const x = features[i]!;
      let z = beta[0]!;
      for (let k = 1; k < d; k++) z += beta[k]! * x[k - 1]!;
      const p = 1 / (1 + Math.exp(-z));
      const residual = (outcomes[i] ? 1 : 0) - p;
      const w = p * (1 - p);
      for (let a = 0; a < d; a++) {
        const xa = a === 0 ? 1 : x[a - 1]!;
        if (xa === 0) continue;
        gradient[a] = gradient[a]! + residual * xa;
        const row = hessian[a]!;
        for (let b = a; b < d; b++) {
          const xb = b === 0 ? 1 : x[b - 1]!;
          if (xb !== 0) row[b] = row[b]! + w * xa * xb;
        }
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) hessian[a]![b] = hessian[b]![a]!;
      if (a > 0) {
        gradient[a] = gradient[a]! - l2 * beta[a]!;
        hessian[a]![a] = hessian[a]![a]! + l2;
      }
    }
    const step = solve(hessian, gradient);
    let largest = 0;
    for (let a = 0; a < d; a++) {
      beta[a] = beta[a]! + step[a]!;
      largest = Math.max(largest, Math.abs(step[a]!));
    }
    if (largest < 1e-8) {
      iterations++;
      break;
    }
  }
  return { intercept: beta[0]!, weights: Array.from(beta.slice(1)), iterations };
}

/** Solves A·x = b for a symmetric positive-definite A by Gaussian elimination with partial pivoting. */
function solve(matrix: Float64Array[], vector: Float64Array): Float64Array {
  const n = vector.length;
  const a = matrix.map((row) => Float64Array.from(row));
  const b = Float64Array.from(vector);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    const diagonal = a[col]![col]!;
    if (Math.abs(diagonal) < 1e-12) continue;
    for (let r = col + 1; r < n; r++) {
      const factor = a[r]![col]! / diagonal;
      if (factor === 0) continue;
      for (let c = col; c < n; c++) a[r]![c] = a[r]![c]! - factor * a[col]![c]!;
      b[r] = b[r]! - factor * b[col]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let sum = b[r]!;
    for (let c = r + 1; c < n; c++) sum -= a[r]![c]! * x[c]!;
    const diagonal = a[r]![r]!;
    x[r] = Math.abs(diagonal) < 1e-12 ? 0 : sum / diagonal;
  }
  return x;
}
