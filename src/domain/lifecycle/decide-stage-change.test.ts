import { describe, expect, it } from 'vitest';
import { decideStageChange, stageEntryTimes, type StageRule } from './decide-stage-change.ts';

const main = ['subscriber', 'lead', 'mql', 'sal', 'sql', 'opportunity', 'customer'];
const stages: StageRule[] = [
  ...main.map((key, position) => ({
    key,
    position,
    isSide: false,
    allowedNext: [...main.filter((k) => k !== key), 'recycled', 'disqualified'],
  })),
  { key: 'recycled', position: 100, isSide: true, allowedNext: ['lead', 'mql', 'disqualified'] },
  { key: 'disqualified', position: 101, isSide: true, allowedNext: ['lead'] },
];

describe('decideStageChange', () => {
  it.each([
    { from: null, to: 'lead', reasonCode: null, expected: { kind: 'allowed', direction: 'initial' } },
    {
      from: null,
      to: 'recycled',
      reasonCode: 'x',
      expected: { kind: 'refused', reason: 'initial_side_stage' },
    },
    { from: 'lead', to: 'mql', reasonCode: null, expected: { kind: 'allowed', direction: 'forward' } },
    { from: 'lead', to: 'customer', reasonCode: null, expected: { kind: 'allowed', direction: 'forward' } },
    {
      from: 'sql',
      to: 'sal',
      reasonCode: null,
      expected: { kind: 'refused', reason: 'reason_required', direction: 'backward' },
    },
    { from: 'sql', to: 'sal', reasonCode: 'no_budget', expected: { kind: 'allowed', direction: 'backward' } },
    {
      from: 'mql',
      to: 'recycled',
      reasonCode: null,
      expected: { kind: 'refused', reason: 'reason_required', direction: 'side' },
    },
    { from: 'mql', to: 'recycled', reasonCode: 'not_now', expected: { kind: 'allowed', direction: 'side' } },
    { from: 'recycled', to: 'mql', reasonCode: null, expected: { kind: 'allowed', direction: 'return' } },
    { from: 'recycled', to: 'sql', reasonCode: 'x', expected: { kind: 'refused', reason: 'not_allowed' } },
    {
      from: 'disqualified',
      to: 'mql',
      reasonCode: null,
      expected: { kind: 'refused', reason: 'not_allowed' },
    },
    { from: 'mql', to: 'mql', reasonCode: null, expected: { kind: 'refused', reason: 'same_stage' } },
    { from: 'mql', to: 'won', reasonCode: null, expected: { kind: 'refused', reason: 'unknown_stage' } },
    // A stage removed from the configuration does not trap its contacts.
    { from: 'legacy', to: 'mql', reasonCode: null, expected: { kind: 'allowed', direction: 'forward' } },
  ])('$from → $to with reason $reasonCode is $expected.kind', ({ from, to, reasonCode, expected }) => {
    expect(decideStageChange({ from, to, reasonCode }, stages)).toEqual(expected);
  });
});

describe('stageEntryTimes', () => {
  it('keeps the latest entry into a stage that was entered twice', () => {
    const t = (iso: string) => new Date(iso);
    expect(
      stageEntryTimes([
        { to: 'lead', occurredAt: t('2026-01-01T10:00:00Z') },
        { to: 'mql', occurredAt: t('2026-01-02T10:00:00Z') },
        { to: 'recycled', occurredAt: t('2026-01-03T10:00:00Z') },
        { to: 'mql', occurredAt: t('2026-02-01T10:00:00Z') },
      ]),
    ).toEqual({
      lead: t('2026-01-01T10:00:00Z'),
      mql: t('2026-02-01T10:00:00Z'),
      recycled: t('2026-01-03T10:00:00Z'),
    });
  });
});
