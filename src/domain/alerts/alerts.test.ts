import { describe, expect, it } from 'vitest';
import { roles } from '../access/roles.ts';
import { checkManagerChain } from '../people/check-manager-chain.ts';
import {
  addressHint,
  alertKindsOf,
  routeProblems,
  routesWithDefaults,
  slaAlertKind,
  withoutChannel,
} from './alerts.ts';

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

describe('the kinds of alert a role is sent', () => {
  it('are a new lead, its reminder and its breach for a rep; every kind for a team', () => {
    expect(alertKindsOf('sales_rep')).toEqual(['lead.assigned', 'sla.reminder', 'sla.breached']);
    expect(alertKindsOf('team')).toHaveLength(7);
    expect(alertKindsOf('marketing')).toContain('handoff.digest');
    expect(alertKindsOf('director')).not.toContain('handoff.digest');
  });

  it('include escalations and waiting leads for every role that may manage someone, and only those', () => {
    const mayManage = roles.filter((manager) =>
      roles.some(
        (role) =>
          checkManagerChain('u', role, { id: 'm', role: manager, isActive: true, chainAbove: [] }).kind ===
          'ok',
      ),
    );
    for (const role of roles) {
      expect(alertKindsOf(role).includes('sla.escalated'), role).toBe(mayManage.includes(role));
      expect(alertKindsOf(role).includes('lead.unassigned'), role).toBe(mayManage.includes(role));
    }
  });
});
