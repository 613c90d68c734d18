import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditDeal, marketingRole, type Deal } from './credit-deal.ts';
import {
  defaultAttributionSettings as settings,
  selectDealTouches,
  type AttributionTouch,
} from './deal-touches.ts';
import { attributionModels, ruleModels, type RuleModel } from './rule-models.ts';

const at = (iso: string) => new Date(iso);

function touch(
  id: string,
  iso: string,
  channel: string,
  extra: Partial<AttributionTouch> = {},
): AttributionTouch {
  return {
    id,
    atMs: Date.parse(iso),
    type: 'form_submitted',
    channel,
    campaign: null,
    category: 'marketing',
    isLeadCreating: false,
    contactId: 'p1',
    ...extra,
  };
}

function deal(touches: AttributionTouch[], over: Partial<Deal> = {}): Deal {
  return {
    id: 'd1',
    amountMinor: 10_000,
    createdAt: at('2026-03-10T12:00:00Z'),
    wonAt: at('2026-04-01T12:00:00Z'),
    endAt: at('2026-04-01T12:00:00Z'),
    primaryContactId: 'p1',
    touches,
    ...over,
  };
}

const one = [touch('t1', '2026-01-05T09:00:00Z', 'webinar', { isLeadCreating: true })];
const two = [
  touch('t1', '2026-01-05T09:00:00Z', 'webinar'),
  touch('t2', '2026-02-01T09:00:00Z', 'email', { isLeadCreating: true }),
];
// First touch, a middle, the lead-creating touch (also the last before the opportunity), and a
// touch after the opportunity was created (the last before the win).
const four = [
  touch('t1', '2026-01-05T09:00:00Z', 'webinar'),
  touch('t2', '2026-02-01T09:00:00Z', 'email'),
  touch('t3', '2026-02-20T09:00:00Z', 'form', { isLeadCreating: true }),
  touch('t4', '2026-03-15T09:00:00Z', 'ads'),
];
const noLead = four.map((t) => ({ ...t, isLeadCreating: false }));

function decay(touches: AttributionTouch[]): number[] {
  const end = at('2026-04-01T12:00:00Z').getTime();
  const raw = touches.map((t) => 0.5 ** ((end - t.atMs) / (7 * 86_400_000)));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => (10_000 * r) / sum);
}

const credits = (touches: AttributionTouch[], model: RuleModel) =>
  creditDeal(deal(touches), model, settings).lines.map((l) => l.creditMinor);

describe('rule models', () => {
  it.each<[RuleModel, number[], number[], number[], number[]]>([
    // model, one touch, two touches, four touches, four without a lead-creating touch
    ['first_touch', [10_000], [10_000, 0], [10_000, 0, 0, 0], [10_000, 0, 0, 0]],
    ['lead_creation', [10_000], [0, 10_000], [0, 0, 10_000, 0], [10_000, 0, 0, 0]],
    ['last_touch', [10_000], [0, 10_000], [0, 0, 0, 10_000], [0, 0, 0, 10_000]],
    ['linear', [10_000], [5000, 5000], [2500, 2500, 2500, 2500], [2500, 2500, 2500, 2500]],
    ['u_shaped', [10_000], [5000, 5000], [4000, 1000, 4000, 1000], [8000, 667, 667, 666]],
    ['w_shaped', [10_000], [3333, 6667], [3000, 500, 6000, 500], [6000, 500, 3000, 500]],
    ['full_path', [10_000], [2500, 7500], [2250, 1000, 4500, 2250], [4500, 1000, 2250, 2250]],
    ['j_shaped', [10_000], [2500, 7500], [2000, 1000, 1000, 6000], [2000, 1000, 1000, 6000]],
    ['inverse_j', [10_000], [7500, 2500], [6000, 1000, 1000, 2000], [6000, 1000, 1000, 2000]],
    ['custom', [10_000], [3333, 6667], [3000, 1000, 4000, 2000], [5000, 1000, 2000, 2000]],
  ])(
    '%s credits one touch, two touches, four touches and a path without a lead-creating touch',
    (model, a, b, c, d) => {
      expect(credits(one, model)).toEqual(a);
      expect(credits(two, model)).toEqual(b);
      expect(credits(four, model)).toEqual(c);
      expect(credits(noLead, model)).toEqual(d);
    },
  );

  it('time decay halves a touch’s weight for every half-life before the deal’s end', () => {
    const got = credits(four, 'time_decay');
    const want = decay(four);
    for (const [i, g] of got.entries()) expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(1);
    expect(got.reduce((s, x) => s + x, 0)).toBe(10_000);
    expect(credits(one, 'time_decay')).toEqual([10_000]);
    const [t1, t2] = creditDeal(deal(four), 'time_decay', { ...settings, halfLifeDays: 1 }).lines;
    expect(t2!.reason.decayWeight! / t1!.reason.decayWeight!).toBeCloseTo(2 ** 27, 0);
  });

  it('explains each share: the milestones a touch stands for and those it stands in for', () => {
    const lines = creditDeal(deal(noLead), 'w_shaped', settings).lines;
    expect(lines[0]!.reason).toMatchObject({
      basis: 'milestone',
      milestones: ['first_touch', 'lead_creation'],
      standsInFor: ['lead_creation'],
    });
    expect(lines[1]!.reason.basis).toBe('rest');
    expect(lines[2]!.reason.milestones).toEqual(['opportunity_creation']);
  });

  it('an open deal has no closed-won touch: the full path gives that share to the last touch', () => {
    const open = creditDeal(
      deal(four, { wonAt: null, endAt: at('2026-04-01T12:00:00Z') }),
      'full_path',
      settings,
    );
    expect(open.milestones?.closedWon).toBeNull();
    expect(open.lines.map((l) => l.creditMinor)).toEqual([2250, 1000, 4500, 2250]);
    expect(open.lines[3]!.reason.standsInFor).toEqual(['closed_won']);
  });

  it('counts the same channel and campaign within the dedupe window once, and keeps the lead-creating mark', () => {
    const repeated = [
      touch('t1', '2026-02-01T09:00:00Z', 'email', { campaign: 'nl-feb' }),
      touch('t2', '2026-02-01T09:10:00Z', 'email', { campaign: 'nl-feb', isLeadCreating: true }),
      touch('t3', '2026-02-01T09:20:00Z', 'email', { campaign: 'other' }),
      touch('t4', '2026-02-01T10:00:00Z', 'email', { campaign: 'nl-feb' }),
    ];
    const path = selectDealTouches(repeated, deal(repeated), settings);
    expect(path.map((t) => t.id)).toEqual(['t1', 't3', 't4']);
    expect(path[0]!.isLeadCreating).toBe(true);
    expect(credits(repeated, 'linear')).toEqual([3334, 3333, 3333]);
    expect(credits(repeated, 'lead_creation')).toEqual([10_000, 0, 0]);
    const keepAll = selectDealTouches(repeated, deal(repeated), { ...settings, dedupeMinutes: 0 });
    expect(keepAll).toHaveLength(4);
  });

  it('counts touches from the lookback window to the win, and sales touches only when switched on', () => {
    const touches = [
      touch('old', '2025-03-01T09:00:00Z', 'webinar'),
      touch('in', '2025-03-20T09:00:00Z', 'webinar'),
      touch('call', '2026-03-01T09:00:00Z', 'phone', { category: 'sales' }),
      touch('late', '2026-04-02T09:00:00Z', 'email'),
    ];
    expect(selectDealTouches(touches, deal(touches), settings).map((t) => t.id)).toEqual(['in']);
    expect(
      selectDealTouches(touches, deal(touches), {
        ...settings,
        includeSalesTouches: true,
        lookbackDays: 400,
      }).map((t) => t.id),
    ).toEqual(['old', 'in', 'call']);
  });

  it('a deal without touches in its window has no ledger lines', () => {
    expect(creditDeal(deal([]), 'u_shaped', settings)).toEqual({ path: [], milestones: null, lines: [] });
  });

  it('prefers the lead-creating touch of the deal’s main person over another person’s at the account', () => {
    const touches = [
      touch('a', '2026-01-05T09:00:00Z', 'webinar', { isLeadCreating: true, contactId: 'colleague' }),
      touch('b', '2026-02-05T09:00:00Z', 'form', { isLeadCreating: true, contactId: 'p1' }),
    ];
    expect(credits(touches, 'lead_creation')).toEqual([0, 10_000]);
    expect(
      creditDeal(deal(touches, { primaryContactId: null }), 'lead_creation', settings).lines[0]!.creditMinor,
    ).toBe(10_000);
  });
});

describe('marketingRole', () => {
  it('is sourced when the first touch or the lead creation is Marketing’s, influenced when any touch is', () => {
    const call = touch('c', '2026-01-01T09:00:00Z', 'phone', { category: 'sales' });
    const web = touch('w', '2026-02-01T09:00:00Z', 'webinar');
    const webLead = { ...web, isLeadCreating: true };
    const callLead = { ...call, isLeadCreating: true };
    expect(marketingRole(deal([web]), settings)).toEqual({ sourced: true, influenced: true });
    expect(marketingRole(deal([call, webLead]), settings)).toEqual({ sourced: true, influenced: true });
    expect(marketingRole(deal([callLead, web]), settings)).toEqual({ sourced: false, influenced: true });
    expect(marketingRole(deal([callLead]), settings)).toEqual({ sourced: false, influenced: false });
    expect(marketingRole(deal([]), settings)).toEqual({ sourced: false, influenced: false });
  });
});

describe('every model on any deal', () => {
  const arbitraryTouch = fc.record({
    id: fc.uuid(),
    type: fc.constant('page_viewed'),
    atMs: fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2026-04-01T12:00:00Z') }),
    channel: fc.constantFrom('email', 'webinar', 'ads', 'seo', 'phone'),
    campaign: fc.option(fc.constantFrom('a', 'b'), { nil: null }),
    category: fc.constantFrom('marketing' as const, 'sales' as const),
    isLeadCreating: fc.boolean(),
    contactId: fc.constantFrom('p1', 'p2', null),
  });

  it('credits every cent of the amount exactly once, none negative', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryTouch, { maxLength: 40 }),
        fc.integer({ min: 0, max: 5e11 }),
        fc.constantFrom(...attributionModels),
        fc.boolean(),
        fc.integer({ min: 0, max: 120 }),
        (touches, amountMinor, model, includeSalesTouches, dedupeMinutes) => {
          const result = creditDeal(
            deal(touches, { amountMinor }),
            model,
            { ...settings, includeSalesTouches, dedupeMinutes },
            {
              markov: new Map([
                ['email', 0.3],
                ['webinar', 0.5],
              ]),
              shapley: new Map(),
            },
          );
          if (result.path.length === 0) return;
          expect(result.lines.reduce((s, l) => s + l.creditMinor, 0)).toBe(amountMinor);
          expect(result.lines.reduce((s, l) => s + l.weight, 0)).toBeCloseTo(1, 9);
          for (const line of result.lines) expect(line.creditMinor).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('lists every rule model', () => {
    expect(ruleModels).toHaveLength(11);
  });
});
