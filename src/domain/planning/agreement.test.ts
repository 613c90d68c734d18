import { describe, expect, it } from 'vitest';
import {
  decideSignature,
  diffContent,
  spansOver,
  statusAt,
  versionInForce,
  type AgreementVersion,
} from './agreement.ts';

const at = (iso: string) => Date.parse(iso);

function version(n: number, change: Partial<AgreementVersion> = {}): AgreementVersion {
  return {
    version: n,
    state: 'signed',
    effectiveFromMs: at('2027-01-01T00:00:00Z'),
    marketingSignerId: 'fenna',
    salesSignerId: 'diana',
    marketingSignedAtMs: at('2026-12-20T10:00:00Z'),
    salesSignedAtMs: at('2026-12-21T10:00:00Z'),
    ...change,
  };
}

describe('the version in force', () => {
  const v1 = version(1);
  const v2 = version(2, { effectiveFromMs: at('2027-02-15T00:00:00Z') });
  const unsigned = version(3, {
    state: 'proposed',
    salesSignedAtMs: null,
    effectiveFromMs: at('2027-01-10T00:00:00Z'),
  });
  const all = [v1, v2, unsigned];

  it.each([
    ['2026-12-31T23:59:59Z', null],
    ['2027-01-01T00:00:00Z', 1],
    ['2027-02-14T23:59:59Z', 1],
    ['2027-02-15T00:00:00Z', 2],
    ['2027-06-01T00:00:00Z', 2],
  ])('at %s is %s (a version without both signatures never is)', (instant, expected) => {
    expect(versionInForce(all, at(instant))?.version ?? null).toBe(expected);
  });

  it('is never a version signed by one head only, even when its state says signed', () => {
    const half = version(4, { marketingSignedAtMs: null, effectiveFromMs: at('2027-03-01T00:00:00Z') });
    expect(versionInForce([v1, half], at('2027-04-01T00:00:00Z'))?.version).toBe(1);
  });

  it('names each status', () => {
    const now = at('2027-02-01T00:00:00Z');
    expect(statusAt(v1, all, now)).toBe('in_force');
    expect(statusAt(v2, all, now)).toBe('scheduled');
    expect(statusAt(unsigned, all, now)).toBe('proposed');
    expect(statusAt(v1, all, at('2027-03-01T00:00:00Z'))).toBe('superseded');
  });

  it('splits a quarter into the parts each version governed', () => {
    expect(spansOver(all, at('2027-01-01T00:00:00Z'), at('2027-04-01T00:00:00Z'))).toEqual([
      { version: 1, fromMs: at('2027-01-01T00:00:00Z'), toMs: at('2027-02-15T00:00:00Z') },
      { version: 2, fromMs: at('2027-02-15T00:00:00Z'), toMs: at('2027-04-01T00:00:00Z') },
    ]);
    expect(spansOver(all, at('2026-12-01T00:00:00Z'), at('2027-01-15T00:00:00Z'))).toEqual([
      { version: null, fromMs: at('2026-12-01T00:00:00Z'), toMs: at('2027-01-01T00:00:00Z') },
      { version: 1, fromMs: at('2027-01-01T00:00:00Z'), toMs: at('2027-01-15T00:00:00Z') },
    ]);
  });
});

describe('decideSignature', () => {
  const proposed = version(2, { state: 'proposed', marketingSignedAtMs: null, salesSignedAtMs: null });

  it('takes the named heads, one signature per side, complete with the second', () => {
    expect(decideSignature(proposed, 'diana')).toEqual({ kind: 'signed', side: 'sales', complete: false });
    const halfSigned = { ...proposed, salesSignedAtMs: at('2027-01-02T00:00:00Z') };
    expect(decideSignature(halfSigned, 'diana')).toEqual({ kind: 'refused', reason: 'already_signed' });
    expect(decideSignature(halfSigned, 'fenna')).toEqual({
      kind: 'signed',
      side: 'marketing',
      complete: true,
    });
  });

  it('refuses anyone not named, and anything not proposed', () => {
    expect(decideSignature(proposed, 'daan')).toEqual({ kind: 'refused', reason: 'not_signer' });
    expect(decideSignature({ ...proposed, state: 'draft' }, 'diana')).toEqual({
      kind: 'refused',
      reason: 'not_proposed',
    });
    expect(decideSignature(version(1), 'diana')).toEqual({ kind: 'refused', reason: 'not_proposed' });
  });

  it('lets one person who heads both sides sign twice, once per side', () => {
    const both = { ...proposed, marketingSignerId: 'cro', salesSignerId: 'cro' };
    expect(decideSignature(both, 'cro')).toMatchObject({ side: 'marketing', complete: false });
    expect(decideSignature({ ...both, marketingSignedAtMs: 1 }, 'cro')).toMatchObject({
      side: 'sales',
      complete: true,
    });
  });
});

describe('diffContent', () => {
  it('lists changed fields by path, matching list items by key', () => {
    const before = {
      mqlRule: { model: 'Default', version: 1, fitThreshold: 50 },
      sla: {
        policies: [
          { key: 'mql-response', minutes: 240 },
          { key: 'sal', minutes: 2400 },
        ],
      },
      recycle: { reasons: [{ code: 'no_budget', label: 'No budget' }] },
    };
    const after = {
      mqlRule: { model: 'Default', version: 2, fitThreshold: 70 },
      sla: {
        policies: [
          { key: 'sal', minutes: 2400 },
          { key: 'mql-response', minutes: 120 },
        ],
      },
      recycle: {
        reasons: [
          { code: 'no_budget', label: 'No budget' },
          { code: 'timing', label: 'Bad timing' },
        ],
      },
    };
    expect(diffContent(before, after)).toEqual([
      { path: 'mqlRule.version', section: 'mqlRule', before: 1, after: 2 },
      { path: 'mqlRule.fitThreshold', section: 'mqlRule', before: 50, after: 70 },
      { path: 'sla.policies[mql-response].minutes', section: 'sla', before: 240, after: 120 },
      {
        path: 'recycle.reasons[timing]',
        section: 'recycle',
        before: null,
        after: { code: 'timing', label: 'Bad timing' },
      },
    ]);
    expect(diffContent(after, after)).toEqual([]);
  });
});
