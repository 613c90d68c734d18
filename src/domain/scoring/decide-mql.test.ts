import { describe, expect, it } from 'vitest';
import { decideMql, type MqlSituation } from './decide-mql.ts';

const now = new Date('2026-11-27T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

const base: MqlSituation = {
  qualifies: true,
  wasQualified: false,
  stage: 'lead',
  preMqlStages: ['subscriber', 'lead'],
  stageEnteredAt: daysAgo(10),
  latestEngagementAt: daysAgo(0),
  recycleCoolOffDays: 30,
  now,
};

describe('decideMql', () => {
  it.each<{ name: string; patch: Partial<MqlSituation>; expected: ReturnType<typeof decideMql> }>([
    { name: 'a lead crossing the rule moves', patch: {}, expected: { kind: 'move' } },
    {
      name: 'a subscriber crossing the rule moves',
      patch: { stage: 'subscriber' },
      expected: { kind: 'move' },
    },
    {
      name: 'not qualified: stays',
      patch: { qualifies: false },
      expected: { kind: 'stay', reason: 'not_qualified' },
    },
    {
      name: 'qualified already at the last scoring: the same crossing does not fire twice',
      patch: { wasQualified: true },
      expected: { kind: 'stay', reason: 'already_qualified' },
    },
    { name: 'already an MQL: stays', patch: { stage: 'mql' }, expected: { kind: 'stay', reason: 'stage' } },
    { name: 'accepted (SAL): stays', patch: { stage: 'sal' }, expected: { kind: 'stay', reason: 'stage' } },
    {
      name: 'disqualified: stays',
      patch: { stage: 'disqualified' },
      expected: { kind: 'stay', reason: 'stage' },
    },
    {
      name: 'recycled 10 days ago, cool-off 30: stays',
      patch: { stage: 'recycled', stageEnteredAt: daysAgo(10) },
      expected: { kind: 'stay', reason: 'cool_off' },
    },
    {
      name: 'recycled 10 days ago, a demo request since: moves at once, cool-off or not',
      patch: { stage: 'recycled', stageEnteredAt: daysAgo(10), highIntentAt: daysAgo(1) },
      expected: { kind: 'move' },
    },
    {
      name: 'recycled 10 days ago, the demo request that qualifies is from before: stays',
      patch: { stage: 'recycled', stageEnteredAt: daysAgo(10), highIntentAt: daysAgo(12) },
      expected: { kind: 'stay', reason: 'cool_off' },
    },
    {
      name: 'recycled 40 days ago, last engagement during the cool-off: stays',
      patch: { stage: 'recycled', stageEnteredAt: daysAgo(40), latestEngagementAt: daysAgo(15) },
      expected: { kind: 'stay', reason: 'no_new_engagement' },
    },
    {
      name: 'recycled 40 days ago, no engagement at all: stays',
      patch: { stage: 'recycled', stageEnteredAt: daysAgo(40), latestEngagementAt: null },
      expected: { kind: 'stay', reason: 'no_new_engagement' },
    },
    {
      name: 'recycled 40 days ago, new engagement after the cool-off: moves, even if it qualified before',
      patch: {
        stage: 'recycled',
        stageEnteredAt: daysAgo(40),
        latestEngagementAt: daysAgo(5),
        wasQualified: true,
      },
      expected: { kind: 'move' },
    },
    {
      name: 'recycled with cool-off 0: new engagement after the recycle is enough',
      patch: {
        stage: 'recycled',
        stageEnteredAt: daysAgo(2),
        latestEngagementAt: daysAgo(1),
        recycleCoolOffDays: 0,
      },
      expected: { kind: 'move' },
    },
  ])('$name', ({ patch, expected }) => {
    expect(decideMql({ ...base, ...patch })).toEqual(expected);
  });
});
