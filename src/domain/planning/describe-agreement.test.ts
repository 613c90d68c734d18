import { describe, expect, it } from 'vitest';
import { describeAgreement } from './describe-agreement.ts';

describe('describeAgreement', () => {
  const content = {
    stages: [
      {
        key: 'mql',
        name: { en: 'MQL', nl: 'MQL' },
        definition: { en: 'Ready for Sales.', nl: 'Klaar voor Sales.' },
        isSide: false,
      },
    ],
    mqlRule: {
      name: 'Baton default',
      version: 3,
      fitAtLeast: 20,
      engagementAtLeast: 40,
      highIntent: [{ eventTypes: ['demo_requested'] }],
      highIntentWithinDays: 30,
      recycleCoolOffDays: 30,
    },
    sla: {
      policies: [
        {
          key: 'a',
          name: { en: 'MQL: first response', nl: 'MQL: eerste reactie' },
          windowSeconds: 14_400,
          reminderAt: 0.5,
          escalations: 2,
          reassign: true,
          active: true,
        },
        {
          key: 'b',
          name: { en: 'Off', nl: 'Uit' },
          windowSeconds: 60,
          reminderAt: 0.5,
          escalations: 0,
          reassign: false,
          active: false,
        },
      ],
      commitments: [{ period: 'quarter', startsOn: '2027-01-01', mqlTarget: 500, minAcceptanceRate: 0.6 }],
    },
    recycle: {
      settings: { pingPongLimit: 3, qualificationChecklist: [] },
      reasons: [
        {
          code: 'no_budget',
          label: { en: 'No budget', nl: 'Geen budget' },
          outcome: 'recycle',
          active: true,
        },
      ],
    },
    attribution: { model: 'w_shaped', lookbackDays: 365, dedupeMinutes: 30, includeSalesTouches: false },
    targets: {
      targets: [
        {
          metric: 'revenue',
          periodKind: 'year',
          periodStart: '2027-01',
          value: 200_000_000,
          currency: 'EUR',
          owner: { kind: 'company' },
          joint: true,
        },
      ],
      plans: [],
    },
    bonus: [],
  };

  it('reads every section in both languages, in the agreement’s order', () => {
    const document = describeAgreement(content);
    expect(document.map((s) => s.key)).toEqual([
      'stages',
      'mqlRule',
      'sla',
      'recycle',
      'attribution',
      'targets',
      'bonus',
    ]);
    const line = (key: string, item = 0, n = 0) =>
      document.find((s) => s.key === key)!.items[item]!.lines[n]!;
    expect(line('mqlRule')).toEqual({
      en: 'An MQL has a fit score of at least 20 and an engagement score of at least 40.',
      nl: 'Een MQL heeft een fitscore van minstens 20 en een engagementscore van minstens 40.',
    });
    expect(line('mqlRule', 0, 1).en).toBe('Or a high-intent action within 30 days: demo requested.');
    expect(line('mqlRule', 0, 1).nl).toBe(
      'Of een actie met hoge intentie binnen 30 dagen: demo aangevraagd.',
    );
    // Inactive policies are not part of what was agreed; commitments follow the policies.
    expect(document.find((s) => s.key === 'sla')!.items.map((i) => i.title.en)).toEqual([
      'MQL: first response',
      'Marketing: quarter from 2027-01-01',
    ]);
    expect(line('sla').en).toBe(
      'Within 4 h of business time; a reminder at 50% of it; 2 escalation(s) up the chain, then the lead is reassigned.',
    );
    expect(line('sla', 1).nl).toBe('500 MQL’s, waarvan minstens 60% door Sales geaccepteerd.');
    expect(document.find((s) => s.key === 'attribution')!.items[0]!.title).toEqual({
      en: 'W-shaped',
      nl: 'W-vormig',
    });
    expect(document.find((s) => s.key === 'targets')!.items[0]!.title).toEqual({
      en: 'New revenue, year from 2027-01: EUR 2,000,000.00',
      nl: 'Nieuwe omzet, jaar vanaf 2027-01: EUR 2.000.000,00',
    });
    expect(document.find((s) => s.key === 'bonus')!.items).toEqual([]);
  });
});
