import { describe, expect, it } from 'vitest';
import { decisionOf, fateOf, rejectionGroupsOf, type StageOrder } from './fate.ts';

const order: StageOrder = {
  position: new Map([
    ['lead', 1],
    ['mql', 2],
    ['sal', 3],
    ['sql', 4],
    ['recycled', 100],
    ['disqualified', 101],
  ]),
  side: new Set(['recycled', 'disqualified']),
};
const at = (day: number) => new Date(Date.UTC(2026, 10, day));

describe('the fate of a handed-over lead', () => {
  it('accepts a move along the main path and rejects one to a side stage or back', () => {
    expect(decisionOf('sal', order)).toBe('accepted');
    expect(decisionOf('recycled', order)).toBe('rejected');
    expect(decisionOf('lead', order)).toBe('rejected');
  });

  it('reads only what happened from the handover on, and only a person’s decision', () => {
    const fate = fateOf(
      {
        mqlAt: at(10),
        assignments: [
          { userId: 'earlier', at: at(9) },
          { userId: null, at: at(10) },
          { userId: 'anna', at: at(11) },
        ],
        changes: [
          { from: 'mql', to: 'recycled', at: at(9), actorKind: 'user', actorId: 'x', reasonCode: 'old' },
          { from: 'mql', to: 'lead', at: at(10), actorKind: 'system', actorId: null, reasonCode: null },
          {
            from: 'mql',
            to: 'recycled',
            at: at(12),
            actorKind: 'user',
            actorId: 'anna',
            reasonCode: 'no_budget',
          },
        ],
        opportunities: [],
      },
      order,
    );
    expect(fate).toMatchObject({
      assignedTo: 'anna',
      decision: 'rejected',
      decidedBy: 'anna',
      reasonCode: 'no_budget',
      rejectedTo: 'recycled',
      sqlAt: null,
      opportunity: null,
    });
  });

  it('groups counts of leads as it groups the leads one by one', () => {
    const groups = rejectionGroupsOf([
      { key: 'Cloud Q4', decision: 'rejected', reasonCode: 'no_budget', count: 3 },
      { key: 'Cloud Q4', decision: 'rejected', reasonCode: null, count: 1 },
      { key: 'Cloud Q4', decision: 'accepted', reasonCode: null, count: 4 },
      { key: null, decision: null, reasonCode: null, count: 2 },
      { key: 'Webinar', decision: 'rejected', reasonCode: 'competitor', count: 5 },
    ]);
    expect(groups).toEqual([
      {
        key: 'Webinar',
        mqls: 5,
        accepted: 0,
        rejected: 5,
        rejectionRate: 1,
        reasons: [{ code: 'competitor', count: 5 }],
      },
      {
        key: 'Cloud Q4',
        mqls: 8,
        accepted: 4,
        rejected: 4,
        rejectionRate: 0.5,
        reasons: [
          { code: 'no_budget', count: 3 },
          { code: 'none', count: 1 },
        ],
      },
      { key: null, mqls: 2, accepted: 0, rejected: 0, rejectionRate: null, reasons: [] },
    ]);
  });
});
