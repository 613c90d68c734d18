import { describe, expect, it } from 'vitest';
import {
  renderLeadAssigned,
  renderLeadUnassigned,
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
      { label: 'Demo requested', points: 40 },
      { label: 'Decision maker', points: 20 },
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
        'Fit 40, betrokkenheid 55.5, klasse A1.',
        'Demo requested (+40)',
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
});
