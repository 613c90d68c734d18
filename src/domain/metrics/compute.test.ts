import { describe, expect, it } from 'vitest';
import { METRIC_IDS, METRICS } from './catalogue.ts';
import {
  acceptanceRate,
  cac,
  leadWaits,
  newCustomers,
  slaCompliance,
  speedToLead,
  stageEntrants,
  wonInPeriod,
  type ClockFact,
} from './compute.ts';

const at = (iso: string) => new Date(iso);
const clock = (over: Partial<ClockFact>): ClockFact => ({
  contactId: 'a',
  userId: 'u1',
  target: 'first_response',
  status: 'met',
  startedAt: at('2026-12-01T09:00:00Z'),
  respondedAt: null,
  stayStartedAt: at('2026-12-01T08:55:00Z'),
  ...over,
});

describe('the metric catalogue', () => {
  it('defines every metric once, in English and Dutch, with its counting and period rules', () => {
    expect(Object.keys(METRICS).sort()).toEqual([...METRIC_IDS].sort());
    for (const id of METRIC_IDS) {
      const m = METRICS[id];
      expect(m.id).toBe(id);
      for (const text of [m.name, m.definition, m.numerator, m.exclusions, m.period]) {
        expect(text.en.length).toBeGreaterThan(2);
        expect(text.nl.length).toBeGreaterThan(2);
      }
      // The definition itself is translated, not copied.
      expect(m.definition.nl).not.toBe(m.definition.en);
      // A rate has a denominator; a count, sum or duration has none.
      expect(m.denominator === null).toBe(m.unit !== 'percent' && id !== 'cac');
    }
  });
});

describe('the metric functions', () => {
  it('SLA compliance counts met against met and breached, leaving out running and waived clocks', () => {
    expect(
      slaCompliance([
        { status: 'met' },
        { status: 'met' },
        { status: 'breached' },
        { status: 'waived' },
        { status: 'open' },
      ]),
    ).toEqual({ met: 2, breached: 1, measured: 3, value: 2 / 3 });
    expect(slaCompliance([{ status: 'waived' }]).value).toBeNull();
  });

  it('speed to lead waits from each handover to the first response over all of its clocks, and the median falls in the chart’s bucket', () => {
    const waits = leadWaits([
      // Lead a: handed over at 09:00, reassigned at 10:00 and answered at 10:05 by the second rep.
      clock({ contactId: 'a', userId: 'u1', status: 'breached', respondedAt: null }),
      clock({
        contactId: 'a',
        userId: 'u2',
        startedAt: at('2026-12-01T10:00:00Z'),
        respondedAt: at('2026-12-01T10:05:00Z'),
      }),
      // Lead b: answered in 4 minutes; its accept-or-reject clock is no response clock.
      clock({ contactId: 'b', respondedAt: at('2026-12-01T09:04:00Z') }),
      clock({ contactId: 'b', target: 'accept_or_reject', respondedAt: at('2026-12-01T09:01:00Z') }),
      // Lead c: not answered yet.
      clock({ contactId: 'c', status: 'open' }),
      // Lead a again: recycled, and handed over again at 14:00; answered at 14:30 by the first
      // rep. Another handover and another wait; the first response of the first one does not count.
      clock({
        contactId: 'a',
        userId: 'u1',
        stayStartedAt: at('2026-12-01T14:00:00Z'),
        startedAt: at('2026-12-01T14:00:00Z'),
        respondedAt: at('2026-12-01T14:30:00Z'),
      }),
    ]);
    expect(waits.map((w) => [w.contactId, w.userId, w.handedOverAt.toISOString(), w.waitMs])).toEqual([
      ['a', 'u1', '2026-12-01T08:55:00.000Z', 65 * 60_000],
      ['b', 'u1', '2026-12-01T08:55:00.000Z', 4 * 60_000],
      ['c', 'u1', '2026-12-01T08:55:00.000Z', null],
      ['a', 'u1', '2026-12-01T14:00:00.000Z', 30 * 60_000],
    ]);
    const speed = speedToLead(waits);
    expect(speed).toMatchObject({ leads: 4, touched: 3, medianMs: 30 * 60_000, p90Ms: 65 * 60_000 });
    expect(speed.distribution.map((b) => b.leads)).toEqual([1, 0, 1, 1, 0, 0]);
    const bucket = speed.distribution.findIndex((b) => b.upToMs === null || speed.medianMs! <= b.upToMs);
    expect(speed.distribution[bucket]!.leads).toBeGreaterThan(0);
  });

  it('counts a stage’s entrants once each, in the period of their first entry, so months add up to the period', () => {
    const entries = [
      { contactId: 'a', stage: 'mql', at: at('2026-10-05T00:00:00Z') },
      { contactId: 'a', stage: 'mql', at: at('2026-11-20T00:00:00Z') }, // recycled and back
      { contactId: 'b', stage: 'mql', at: at('2026-11-02T00:00:00Z') },
      { contactId: 'b', stage: 'sal', at: at('2026-11-03T00:00:00Z') },
      { contactId: 'c', stage: 'mql', at: at('2026-12-01T00:00:00Z') }, // after the period
    ];
    const quarter = stageEntrants(entries, 'mql', at('2026-10-01T00:00:00Z'), at('2026-12-01T00:00:00Z'));
    expect([...quarter.entries()].map(([id, d]) => [id, d.toISOString().slice(0, 10)])).toEqual([
      ['a', '2026-10-05'],
      ['b', '2026-11-02'],
    ]);
    const oct = stageEntrants(entries, 'mql', at('2026-10-01T00:00:00Z'), at('2026-11-01T00:00:00Z')).size;
    const nov = stageEntrants(entries, 'mql', at('2026-11-01T00:00:00Z'), at('2026-12-01T00:00:00Z')).size;
    // Per month each counts where it entered; a counted twice over the months would be 3.
    expect([oct, nov]).toEqual([1, 2]);
  });

  it('a new customer is an account whose first won deal ever closed in the period; CAC divides cost by them', () => {
    const firstWins = new Map([
      ['acme', '2026-11-10'],
      ['globex', '2025-03-01'], // an existing customer winning again is no new customer
      ['initech', '2026-12-01'],
    ]);
    expect(newCustomers(firstWins, '2026-10-01', '2027-01-01')).toBe(2);
    expect(newCustomers(firstWins, '2026-10-01', '2026-12-01')).toBe(1);
    expect(cac(100_000, 2)).toBe(50_000);
    expect(cac(100_000, 0)).toBeNull();
  });

  it('won deals count and sum the deals won with a close date in the period', () => {
    const deals = [
      { status: 'won', closedOn: '2026-11-30', amountMinor: 500 },
      { status: 'won', closedOn: '2026-12-01', amountMinor: 700 },
      { status: 'lost', closedOn: '2026-11-15', amountMinor: 900 },
      { status: 'won', closedOn: null, amountMinor: 100 },
    ];
    expect(wonInPeriod(deals, '2026-11-01', '2026-12-01')).toEqual({ count: 1, revenueMinor: 500 });
  });

  it('the acceptance rate divides accepted by decided', () => {
    expect(acceptanceRate(['accepted', 'rejected', null, 'accepted'])).toEqual({
      accepted: 2,
      rejected: 1,
      value: 2 / 3,
    });
    expect(acceptanceRate([null]).value).toBeNull();
  });
});
