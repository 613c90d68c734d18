import { describe, expect, it } from 'vitest';
import {
  renderLeadAssigned,
  renderLeadUnassigned,
  renderPaceAlert,
  type LeadContext,
  type Recipient,
} from './notifications.emails.ts';

const lead: LeadContext = {
  name: 'Jan <b>Jansen</b>',
  email: 'jan@acme.nl',
  title: 'CTO',
  phone: '+31 20 123 4567',
  country: 'NL',
  company: { name: 'Acme & Zonen B.V.', industry: 'ICT', employeeCount: 1200, country: 'NL' },
  score: {
    fit: 40,
    engagement: 55.5,
    grade: 'A1',
    reasons: [
      { ruleId: 'demo', label: 'Demo requested', points: 40 },
      { ruleId: 'decision-maker', label: 'Decision maker', points: 20 },
    ],
    byHighIntent: false,
  },
  recentTouches: [
    { type: 'webinar_attended', occurredAt: new Date('2026-11-30T14:00:00Z'), campaign: 'Cloud', url: null },
    {
      type: 'custom_thing',
      occurredAt: new Date('2026-11-29T08:30:00Z'),
      campaign: null,
      url: 'https://acme.nl/p',
    },
  ],
  link: 'https://baton.example.nl/leads/1',
};
const en: Recipient = { name: 'Tom', language: 'en', timeZone: 'Europe/London' };
const nl: Recipient = { name: 'Sanne', language: 'nl', timeZone: 'Europe/Amsterdam' };

describe('the notification emails', () => {
  it.each([
    [
      en,
      'New lead for you: Jan <b>Jansen</b> (Acme & Zonen B.V.)',
      [
        'Hello Tom,',
        'Attended a webinar',
        '30 Nov 2026, 14:00',
        '1,200 employees',
        'Fit 40, engagement 55.5, grade A1.',
        'Demo requested (+40)',
        'Routing rule "Benelux", pool "Inside".',
      ],
    ],
    [
      nl,
      'Nieuwe lead voor jou: Jan <b>Jansen</b> (Acme & Zonen B.V.)',
      [
        'Hallo Sanne,',
        'Webinar bijgewoond',
        '30 nov 2026, 15:00',
        '1.200 medewerkers',
        'Fit 40, betrokkenheid 55,5, klasse A1.',
        // The default model's label in Dutch; a label the company wrote as written.
        'Demo aangevraagd (+40)',
        'Decision maker (+20)',
        'Routeringsregel "Benelux", pool "Inside".',
      ],
    ],
  ] as const)(
    'writes the assignment in the recipient language and time zone (%#)',
    (recipient, subject, lines) => {
      const email = renderLeadAssigned({
        recipient,
        lead,
        by: { kind: 'rule', ruleName: 'Benelux', poolName: 'Inside' },
      });
      expect(email.subject).toBe(subject);
      for (const line of lines) expect(email.text).toContain(line);
      // An event type Baton has no label for is shown readably rather than dropped.
      expect(email.text).toContain('custom thing · https://acme.nl/p');
      expect(email.text).toContain('https://baton.example.nl/leads/1');
    },
  );

  it('escapes every value in the HTML body', () => {
    const email = renderLeadAssigned({
      recipient: en,
      lead,
      by: { kind: 'manual', byName: '<i>Mark</i>', reason: '"x" & y' },
    });
    expect(email.html).not.toContain('<b>Jansen</b>');
    expect(email.html).toContain('Jan &#60;b&#62;Jansen&#60;/b&#62;');
    expect(email.html).toContain('Acme &#38; Zonen B.V.');
    expect(email.html).toContain('by &#60;i&#62;Mark&#60;/i&#62;');
    expect(email.html).toContain('Reason: &#34;x&#34; &#38; y');
    expect(email.html).toContain('<a href="https://baton.example.nl/leads/1"');
  });

  it('says why no one took a lead, counting the reasons', () => {
    const email = renderLeadUnassigned({
      recipient: nl,
      lead: { ...lead, company: null, score: null, recentTouches: [] },
      skipped: { absent: 2, daily_cap: 1, outside_hours: 0 },
      hadTarget: true,
      queueLink: 'https://baton.example.nl/queue/unassigned',
    });
    expect(email.subject).toBe('Niemand kon een lead aannemen: Jan <b>Jansen</b>');
    expect(email.text).toContain('2 verkopers afwezig');
    expect(email.text).toContain('1 verkoper dagmaximum bereikt');
    expect(email.text).not.toContain('buiten werktijd');
    expect(email.text).toContain('Nog geen contactmomenten vastgelegd.');
    expect(email.text).toContain(
      'Open de wachtrij zonder eigenaar: https://baton.example.nl/queue/unassigned',
    );
  });

  it("tells the heads that Marketing's commitment is behind, in their language, weakest point first", () => {
    const pace = {
      period: 'month' as const,
      startsOn: '2026-12-01',
      missed: false,
      mqlTarget: 110,
      minAcceptanceRate: 0.6,
      delivered: 6,
      expectedToDate: 15,
      projected: 44,
      openDays: { total: 22, completed: 3 },
      link: 'https://baton.example.nl/commitments/c1',
    };
    const volume = renderPaceAlert({ ...pace, recipient: nl, reasons: ['volume'], accepted: 0, rejected: 0 });
    expect(volume.subject).toBe('Marketing loopt achter op de MQL-afspraak voor december 2026');
    expect(volume.text).toContain("6 van 110 MQL's geleverd.");
    expect(volume.text).toContain(
      'Bij een gelijkmatig tempo waren het er nu 15 geweest (3 van 22 werkdagen).',
    );
    expect(volume.text).toContain('In dit tempo eindigt de periode op ongeveer 44.');
    expect(volume.text).toContain('te weinig MQL');
    expect(volume.text).toContain('Open de afspraak in Baton: https://baton.example.nl/commitments/c1');
    expect(volume.text.indexOf('Aantal')).toBeLessThan(volume.text.indexOf('Kwaliteit'));

    const quality = renderPaceAlert({
      ...pace,
      recipient: en,
      period: 'quarter',
      startsOn: '2026-10-01',
      reasons: ['acceptance'],
      accepted: 4,
      rejected: 8,
    });
    expect(quality.subject).toBe('Marketing is behind on its MQL commitment for Q4 2026');
    expect(quality.text).toContain(
      'Sales accepted 33% of the MQLs they decided on (4 of 12); the commitment is at least 60%.',
    );
    expect(quality.text.indexOf('Quality')).toBeLessThan(quality.text.indexOf('Volume'));

    const missed = renderPaceAlert({
      ...pace,
      recipient: en,
      missed: true,
      reasons: ['volume'],
      accepted: 1,
      rejected: 0,
    });
    expect(missed.subject).toBe('Marketing missed its MQL commitment for December 2026');
    expect(missed.text).toContain('The period December 2026 has ended');
    expect(missed.text).not.toContain('even pace');
  });

  it('tells a manager that a lead rejected again and again waits for them, in Dutch', () => {
    const email = renderLeadUnassigned({
      recipient: nl,
      lead: { ...lead, score: null, recentTouches: [] },
      skipped: {},
      hadTarget: false,
      queueLink: 'https://baton.example.nl/queue/unassigned',
      heldAfterRejections: 3,
    });
    expect(email.subject).toBe('Wacht op jouw besluit: Jan <b>Jansen</b> (Acme & Zonen B.V.)');
    expect(email.text).toContain('Sales heeft deze lead 3 keer afgewezen');
    expect(email.text).not.toContain('Geen regel paste');
    expect(email.html).toContain('Jan &#60;b&#62;Jansen&#60;/b&#62;');
  });
});
