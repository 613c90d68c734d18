import { describe, expect, it } from 'vitest';
import { addressHint, routeProblems, routesWithDefaults, slaAlertKind, withoutChannel } from './alerts.ts';

describe('alert routes', () => {
  it('fill in email for a person and nothing for a team', () => {
    expect(routesWithDefaults({ 'lead.assigned': ['slack'] }, 'user')).toMatchObject({
      'lead.assigned': ['slack'],
      'sla.escalated': ['email'],
      'plan.behind': ['email'],
    });
    expect(routesWithDefaults(null, 'team')['lead.unassigned']).toEqual([]);
  });

  it('name each kind whose chat has no address, and email chosen for a team', () => {
    expect(
      routeProblems(
        { 'lead.assigned': ['slack', 'teams'], 'sla.reminder': ['email'] },
        { owner: 'team', slack: true, teams: false },
      ),
    ).toEqual([
      { field: 'routes.lead.assigned', reason: 'Teams is chosen but has no address; add one first' },
      { field: 'routes.sla.reminder', reason: "a team's alerts go to chat; email goes to each person" },
    ]);
    expect(
      routeProblems({ 'lead.assigned': ['email', 'slack'] }, { owner: 'user', slack: true, teams: false }),
    ).toEqual([]);
  });

  it('drop a chat everywhere when its address goes', () => {
    expect(
      withoutChannel({ 'lead.assigned': ['email', 'slack'], 'sla.reminder': ['slack'] }, 'slack'),
    ).toEqual({
      'lead.assigned': ['email'],
      'sla.reminder': [],
    });
  });

  it('tell a breach to the rep from an escalation to their manager', () => {
    expect([
      slaAlertKind('reminder', true),
      slaAlertKind('breach', true),
      slaAlertKind('breach', false),
    ]).toEqual(['sla.reminder', 'sla.breached', 'sla.escalated']);
  });

  it('show only the host and the end of an address', () => {
    expect(addressHint('https://hooks.slack.com/services/T0/B0/abcdefgh')).toBe('hooks.slack.com/…efgh');
    expect(addressHint('not an address')).toBe('/…ress');
  });
});
