import { describe, expect, it } from 'vitest';
import { funnelOf, type FunnelMove } from './funnel.ts';

const path = ['lead', 'mql', 'sal', 'sql'];
const from = new Date('2026-11-01T00:00:00Z');
const to = new Date('2026-12-01T00:00:00Z');
const move = (contactId: string, stage: string, at: string): FunnelMove => ({
  contactId,
  to: stage,
  at: new Date(at),
});

describe('the funnel of a period', () => {
  it('counts who entered each stage in the period, who went further since, and how long they stayed', () => {
    const moves = [
      // a: lead → mql → sal within the period, sql after it (still counts as advanced from sal).
      move('a', 'lead', '2026-11-02T09:00:00Z'),
      move('a', 'mql', '2026-11-03T09:00:00Z'),
      move('a', 'sal', '2026-11-03T15:00:00Z'),
      move('a', 'sql', '2026-12-05T09:00:00Z'),
      // b: lead → mql → recycled (a side stage: it left mql without advancing).
      move('b', 'lead', '2026-11-10T09:00:00Z'),
      move('b', 'mql', '2026-11-12T09:00:00Z'),
      move('b', 'recycled', '2026-11-14T09:00:00Z'),
      // c: entered before the period; only its mql entry inside it counts, and it is still there.
      move('c', 'mql', '2026-11-20T09:00:00Z'),
      // d: entered mql after the period: not counted.
      move('d', 'lead', '2026-12-02T09:00:00Z'),
    ];
    const day = 24 * 3600_000;
    expect(funnelOf([...moves].reverse(), path, from, to)).toEqual([
      { key: 'lead', entered: 2, advanced: 2, conversion: 1, left: 2, medianMsInStage: day },
      { key: 'mql', entered: 3, advanced: 1, conversion: 1 / 3, left: 2, medianMsInStage: 6 * 3600_000 },
      {
        key: 'sal',
        entered: 1,
        advanced: 1,
        conversion: 1,
        left: 1,
        medianMsInStage: 32 * day - 6 * 3600_000,
      },
      { key: 'sql', entered: 0, advanced: 0, conversion: null, left: 0, medianMsInStage: null },
    ]);
  });

  it('counts a contact once per stage even when it comes back to it', () => {
    const moves = [
      move('a', 'mql', '2026-11-02T09:00:00Z'),
      move('a', 'recycled', '2026-11-03T09:00:00Z'),
      move('a', 'mql', '2026-11-20T09:00:00Z'),
      move('a', 'sal', '2026-11-21T09:00:00Z'),
    ];
    expect(funnelOf(moves, path, from, to)[1]).toMatchObject({ entered: 1, advanced: 1, left: 1 });
  });
});
