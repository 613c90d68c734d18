import type { Role } from '../access/roles.ts';
import {
  alertKinds,
  type AlertChannel,
  type AlertKind,
  type AlertRoutes,
  type ChatProvider,
} from '../../contract/alerts.ts';

/*
 * Who hears of an alert where: a person's choices of channel per kind of alert, and a team's.
 * Pure: the alerts module stores the choices, the notifications engine follows them.
 */

export type AlertOwner = 'user' | 'team';

/**
 * The channels of every kind, the defaults filled in: a person gets every alert by email until
 * they choose otherwise; a team's channel gets nothing until its manager chooses.
 *
 * @example routesWithDefaults({ 'lead.assigned': ['slack'] }, 'user')['sla.reminder'] // ['email']
 */
export function routesWithDefaults(
  stored: AlertRoutes | null,
  owner: AlertOwner,
): Record<AlertKind, AlertChannel[]> {
  return Object.fromEntries(
    alertKinds.map((kind) => [kind, stored?.[kind] ?? (owner === 'user' ? ['email'] : [])]),
  ) as Record<AlertKind, AlertChannel[]>;
}

/**
 * Who can be sent each kind of alert, by role, as the notifications engine picks its recipients:
 * - a new lead, its reminder and its breach go to whoever owns the lead, and an admin may give a
 *   lead to any active user: every role;
 * - an escalation goes to the owner's manager and their manager, and a lead no one can take to
 *   the managers of the people who could have taken it (else every sales manager, else the
 *   admins): every role that can manage someone (check-manager-chain.ts), never a rep;
 * - the weekly handoff digest goes to each marketer;
 * - the plan falling behind its pace goes to the heads of Marketing and the directors.
 */
const receivers: Record<AlertKind, readonly Role[]> = {
  'lead.assigned': ['admin', 'marketing', 'sales_rep', 'sales_manager', 'director'],
  'sla.reminder': ['admin', 'marketing', 'sales_rep', 'sales_manager', 'director'],
  'sla.breached': ['admin', 'marketing', 'sales_rep', 'sales_manager', 'director'],
  'sla.escalated': ['admin', 'marketing', 'sales_manager', 'director'],
  'lead.unassigned': ['admin', 'marketing', 'sales_manager', 'director'],
  'handoff.digest': ['marketing'],
  'plan.behind': ['marketing', 'director'],
};

/**
 * The kinds of alert a person of `role` can be sent, in the order of `alertKinds`: the ones whose
 * channels they choose. A team's channel carries its members' alerts, so a team has every kind.
 *
 * @example alertKindsOf('sales_rep') // ['lead.assigned', 'sla.reminder', 'sla.breached']
 */
export function alertKindsOf(role: Role | 'team'): AlertKind[] {
  return alertKinds.filter((kind) => role === 'team' || receivers[kind].includes(role));
}

export interface RouteProblem {
  field: string;
  reason: string;
}

/**
 * What is wrong with a choice of channels: a team has no email, and a chat needs its address.
 *
 * @example routeProblems({ 'lead.assigned': ['slack'] }, { owner: 'user', slack: false, teams: true })
 * // [{ field: 'routes.lead.assigned', reason: 'Slack is chosen but has no address; add one first' }]
 */
export function routeProblems(
  routes: AlertRoutes,
  has: { owner: AlertOwner; slack: boolean; teams: boolean },
): RouteProblem[] {
  const problems: RouteProblem[] = [];
  for (const kind of alertKinds) {
    const channels = routes[kind] ?? [];
    const field = `routes.${kind}`;
    if (has.owner === 'team' && channels.includes('email'))
      problems.push({ field, reason: "a team's alerts go to chat; email goes to each person" });
    if (channels.includes('slack') && !has.slack)
      problems.push({ field, reason: 'Slack is chosen but has no address; add one first' });
    if (channels.includes('teams') && !has.teams)
      problems.push({ field, reason: 'Teams is chosen but has no address; add one first' });
  }
  return problems;
}

/**
 * The routes left when a chat's address is removed: that chat is no longer chosen anywhere.
 *
 * @example withoutChannel({ 'lead.assigned': ['email', 'slack'] }, 'slack') // { 'lead.assigned': ['email'] }
 */
export function withoutChannel(routes: AlertRoutes, channel: ChatProvider): AlertRoutes {
  return Object.fromEntries(
    Object.entries(routes).map(([kind, channels]) => [kind, channels.filter((c) => c !== channel)]),
  );
}

/**
 * The kind of alert a step of the follow-up ladder is: the reminder; the miss told to the rep
 * (a breach); or told to their manager or director (an escalation).
 *
 * @example slaAlertKind('breach', false) // 'sla.escalated'
 */
export function slaAlertKind(step: 'reminder' | 'breach', toRep: boolean): AlertKind {
  if (step === 'reminder') return 'sla.reminder';
  return toRep ? 'sla.breached' : 'sla.escalated';
}

/**
 * What a person sees of a stored chat address: its host and last four characters. The address
 * is the secret that lets anyone post to the channel, so it is never shown whole again.
 *
 * @example addressHint('https://hooks.slack.com/services/T0/B0/abcdefgh') // 'hooks.slack.com/…efgh'
 */
export function addressHint(url: string): string {
  let host = '';
  try {
    host = new URL(url).host;
  } catch {
    // a stored address is checked when saved; a broken one shows only its end
  }
  return `${host}/…${url.slice(-4)}`;
}
