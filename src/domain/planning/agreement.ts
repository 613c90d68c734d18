/**
 * The alignment agreement's life: a draft is assembled from the live configuration, proposed with
 * the two heads named who must sign it, signed by the head of Marketing **and** the head of Sales,
 * and in force from its date until a later signed version takes over.
 */
export type AgreementSide = 'marketing' | 'sales';

/** The document's sections, in the order it is read. */
export const AGREEMENT_SECTIONS = [
  'stages',
  'mqlRule',
  'sla',
  'recycle',
  'attribution',
  'targets',
  'bonus',
] as const;
export type AgreementSection = (typeof AGREEMENT_SECTIONS)[number];

export interface AgreementVersion {
  version: number;
  /** Stored states; `signed` becomes in force, superseded or scheduled by date (see statusAt). */
  state: 'draft' | 'proposed' | 'signed' | 'withdrawn';
  /** When it comes into force, ms since the epoch. */
  effectiveFromMs: number;
  marketingSignerId: string | null;
  salesSignerId: string | null;
  marketingSignedAtMs: number | null;
  salesSignedAtMs: number | null;
}

export type AgreementStatus = 'draft' | 'proposed' | 'scheduled' | 'in_force' | 'superseded' | 'withdrawn';

function isSigned(v: AgreementVersion): boolean {
  return v.state === 'signed' && v.marketingSignedAtMs !== null && v.salesSignedAtMs !== null;
}

/**
 * The signed version in force at an instant: the one with the latest start at or before it (a
 * higher version wins a tie), or null when none had started.
 *
 * @example versionInForce(versions, Date.parse('2027-02-15')) // version 2, in force since 1 February
 */
export function versionInForce<V extends AgreementVersion>(versions: readonly V[], atMs: number): V | null {
  let best: V | null = null;
  for (const v of versions) {
    if (!isSigned(v) || v.effectiveFromMs > atMs) continue;
    if (
      !best ||
      v.effectiveFromMs > best.effectiveFromMs ||
      (v.effectiveFromMs === best.effectiveFromMs && v.version > best.version)
    )
      best = v;
  }
  return best;
}

/** A version's status at an instant. */
export function statusAt(
  v: AgreementVersion,
  all: readonly AgreementVersion[],
  atMs: number,
): AgreementStatus {
  if (v.state !== 'signed') return v.state;
  if (v.effectiveFromMs > atMs) return 'scheduled';
  return versionInForce(all, atMs)?.version === v.version ? 'in_force' : 'superseded';
}

export interface AgreementSpan {
  /** null: no signed agreement was in force in this part of the period. */
  version: number | null;
  fromMs: number;
  toMs: number;
}

/**
 * The parts of a period [from, to) and the version in force in each, in order: what a report
 * names so that each figure is read against the agreement of its own time.
 *
 * @example spansOver(versions, q1Start, q2Start) // [{ version: 1, … to 15 Feb }, { version: 2, from 15 Feb … }]
 */
export function spansOver(
  versions: readonly AgreementVersion[],
  fromMs: number,
  toMs: number,
): AgreementSpan[] {
  const starts = versions
    .filter((v) => isSigned(v) && v.effectiveFromMs > fromMs && v.effectiveFromMs < toMs)
    .map((v) => v.effectiveFromMs);
  const cuts = [...new Set([fromMs, ...starts])].sort((a, b) => a - b);
  const spans: AgreementSpan[] = [];
  cuts.forEach((cut, i) => {
    const version = versionInForce(versions, cut)?.version ?? null;
    const end = cuts[i + 1] ?? toMs;
    const last = spans[spans.length - 1];
    if (last && last.version === version) last.toMs = end;
    else spans.push({ version, fromMs: cut, toMs: end });
  });
  return spans;
}

export type SignDecision =
  | { kind: 'signed'; side: AgreementSide; complete: boolean }
  | { kind: 'refused'; reason: 'not_proposed' | 'not_signer' | 'already_signed' };

/**
 * Whether a user may sign a proposed version, and on which side. Only the heads named in the
 * proposal sign; each side signs once; the version is signed when both have.
 *
 * @example decideSignature(proposed, 'head-of-sales') // { kind: 'signed', side: 'sales', complete: false }
 */
export function decideSignature(v: AgreementVersion, userId: string): SignDecision {
  if (v.state !== 'proposed') return { kind: 'refused', reason: 'not_proposed' };
  const side: AgreementSide | null =
    v.marketingSignerId === userId && v.marketingSignedAtMs === null
      ? 'marketing'
      : v.salesSignerId === userId && v.salesSignedAtMs === null
        ? 'sales'
        : null;
  if (!side) {
    const named = v.marketingSignerId === userId || v.salesSignerId === userId;
    return { kind: 'refused', reason: named ? 'already_signed' : 'not_signer' };
  }
  const other = side === 'marketing' ? v.salesSignedAtMs : v.marketingSignedAtMs;
  return { kind: 'signed', side, complete: other !== null };
}

export interface ContentChange {
  /** Where in the document, as dotted keys: `mqlRule.fitThreshold`, `sla.policies[mql-first-response].windowMinutes`. */
  path: string;
  section: string;
  before: unknown;
  after: unknown;
}

/** Items of a list are matched by the first of these fields they have, else by position. */
const ITEM_KEYS = ['key', 'code', 'id'] as const;

function itemKey(item: unknown, index: number): string {
  if (item && typeof item === 'object') {
    for (const k of ITEM_KEYS) {
      const value = (item as Record<string, unknown>)[k];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
    }
  }
  return `#${index + 1}`;
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function walk(before: unknown, after: unknown, path: string, out: ContentChange[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const section = path.split(/[.[]/)[0]!;
  if (isPlain(before) && isPlain(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    for (const k of keys) walk(before[k], after[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const a = new Map(before.map((item, i) => [itemKey(item, i), item]));
    const b = new Map(after.map((item, i) => [itemKey(item, i), item]));
    for (const k of new Set([...a.keys(), ...b.keys()])) walk(a.get(k), b.get(k), `${path}[${k}]`, out);
    return;
  }
  out.push({ path, section, before: before ?? null, after: after ?? null });
}

/**
 * What changed between two versions' documents, field by field; list items (stages, policies,
 * reasons) are matched by their key, so a reordered list is no change and a new item shows as added.
 *
 * @example diffContent({ mqlRule: { threshold: 50 } }, { mqlRule: { threshold: 70 } })
 * // [{ path: 'mqlRule.threshold', section: 'mqlRule', before: 50, after: 70 }]
 */
export function diffContent(before: unknown, after: unknown): ContentChange[] {
  const out: ContentChange[] = [];
  walk(before, after, '', out);
  return out;
}
