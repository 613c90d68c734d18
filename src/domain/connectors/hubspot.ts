import type { EventType } from '../capture/event-types.ts';

/*
 * What Baton's records are in HubSpot's terms, and HubSpot's activities in Baton's: pure rules the
 * HubSpot connector applies in both directions.
 */

/** Where a field goes: into Baton, out to the CRM, or both ways with one side winning a conflict. */
export type FieldDirection = 'in' | 'out' | 'both';

export interface FieldMapping {
  /** Baton's field. */
  field: 'firstName' | 'lastName' | 'title' | 'phone' | 'company' | 'owner' | 'stage';
  /** The CRM's property. */
  property: string;
  direction: FieldDirection;
  /** Which system wins when both changed. */
  systemOfRecord: 'baton' | 'crm';
}

/**
 * The default mapping: the person's own details come from the CRM (where reps keep them up to
 * date); the owner and the stage are Baton's decisions and go out.
 */
export const hubspotDefaultMapping: readonly FieldMapping[] = [
  { field: 'firstName', property: 'firstname', direction: 'in', systemOfRecord: 'crm' },
  { field: 'lastName', property: 'lastname', direction: 'in', systemOfRecord: 'crm' },
  { field: 'title', property: 'jobtitle', direction: 'in', systemOfRecord: 'crm' },
  { field: 'phone', property: 'phone', direction: 'in', systemOfRecord: 'crm' },
  { field: 'company', property: 'company', direction: 'in', systemOfRecord: 'crm' },
  { field: 'owner', property: 'hubspot_owner_id', direction: 'out', systemOfRecord: 'baton' },
  { field: 'stage', property: 'lifecyclestage', direction: 'out', systemOfRecord: 'baton' },
];

/** HubSpot's default lifecycle stages, in the only order HubSpot lets a record move through them. */
export const hubspotLifecycleOrder = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;

/**
 * A Baton stage as HubSpot's lifecycle stage and lead status (hs_lead_status's default options).
 * HubSpot has no "accepted": an SAL stays a marketing-qualified lead whose status is In progress.
 *
 * @example hubspotStageOf('sal') // { lifecyclestage: 'marketingqualifiedlead', hs_lead_status: 'IN_PROGRESS' }
 */
export function hubspotStageOf(stage: string): { lifecyclestage: string; hs_lead_status: string } | null {
  switch (stage) {
    case 'subscriber':
      return { lifecyclestage: 'subscriber', hs_lead_status: 'NEW' };
    case 'lead':
      return { lifecyclestage: 'lead', hs_lead_status: 'NEW' };
    case 'mql':
      return { lifecyclestage: 'marketingqualifiedlead', hs_lead_status: 'NEW' };
    case 'sal':
      return { lifecyclestage: 'marketingqualifiedlead', hs_lead_status: 'IN_PROGRESS' };
    case 'sql':
      return { lifecyclestage: 'salesqualifiedlead', hs_lead_status: 'CONNECTED' };
    case 'opportunity':
      return { lifecyclestage: 'opportunity', hs_lead_status: 'OPEN_DEAL' };
    case 'customer':
      return { lifecyclestage: 'customer', hs_lead_status: 'OPEN_DEAL' };
    case 'recycled':
      return { lifecyclestage: 'lead', hs_lead_status: 'BAD_TIMING' };
    case 'disqualified':
      return { lifecyclestage: 'other', hs_lead_status: 'UNQUALIFIED' };
    default:
      return null;
  }
}

/** Whether setting `next` over `current` moves the lifecycle back (HubSpot wants it cleared first). */
export function movesLifecycleBack(current: string | null, next: string): boolean {
  if (!current) return false;
  const order: readonly string[] = hubspotLifecycleOrder;
  const from = order.indexOf(current);
  const to = order.indexOf(next);
  return from >= 0 && to >= 0 && to < from;
}

/** The HubSpot activity types Baton reads, with the properties it needs of each. */
export const hubspotActivityTypes = {
  calls: ['hs_timestamp', 'hubspot_owner_id', 'hs_call_title', 'hs_call_status', 'hs_call_direction'],
  meetings: [
    'hs_timestamp',
    'hubspot_owner_id',
    'hs_meeting_title',
    'hs_meeting_outcome',
    'hs_meeting_end_time',
  ],
  emails: ['hs_timestamp', 'hubspot_owner_id', 'hs_email_subject', 'hs_email_direction'],
} as const;
export type HubSpotActivityType = keyof typeof hubspotActivityTypes;

/**
 * A HubSpot activity as a Baton sales event, or null when it is none: a call that was not made
 * (cancelled, failed, queued), a meeting that did not take place (cancelled, no show, or still
 * ahead), a forwarded email.
 *
 * @example activityEventOf('calls', { hs_timestamp: '2026-01-05T09:00:00Z', hs_call_status: 'COMPLETED' }, now)
 *   // { type: 'call_logged', at: 2026-01-05T09:00:00Z, subject: null }
 */
export function activityEventOf(
  type: HubSpotActivityType,
  properties: Readonly<Record<string, string | null | undefined>>,
  now: Date,
): { type: EventType; at: Date; subject: string | null } | null {
  const at = new Date(properties.hs_timestamp ?? '');
  if (Number.isNaN(at.getTime())) return null;
  if (type === 'calls') {
    const status = properties.hs_call_status ?? 'COMPLETED';
    if (['CANCELED', 'FAILED', 'QUEUED', 'CALLING_CRM_USER', 'CONNECTING', 'RINGING'].includes(status))
      return null;
    return { type: 'call_logged', at, subject: properties.hs_call_title ?? null };
  }
  if (type === 'meetings') {
    const outcome = properties.hs_meeting_outcome ?? 'COMPLETED';
    if (['CANCELED', 'NO_SHOW', 'RESCHEDULED'].includes(outcome)) return null;
    if (at.getTime() > now.getTime()) return null;
    return { type: 'meeting_held', at, subject: properties.hs_meeting_title ?? null };
  }
  const direction = properties.hs_email_direction ?? 'EMAIL';
  if (direction === 'EMAIL') return { type: 'email_sent', at, subject: properties.hs_email_subject ?? null };
  if (direction === 'INCOMING_EMAIL')
    return { type: 'email_received', at, subject: properties.hs_email_subject ?? null };
  return null;
}

/** A stage of a CRM's deal pipeline, as its API describes it. */
export interface RemoteDealStage {
  id: string;
  label: string;
  /** Closed won or closed lost. */
  isClosed: boolean;
  /** The chance of a win in this stage, 0 to 1 (1 with isClosed is won). */
  probability: number;
}

export interface LocalDealStage {
  key: string;
  names: readonly string[];
  outcome: 'open' | 'won' | 'lost';
  probability: number;
}

/**
 * The Baton stage a CRM's deal stage means: the one of the same name (or a known synonym), else by
 * what the CRM says of it: closed with certainty is won, closed otherwise lost, and an open stage
 * the open one with the nearest chance of a win. Null only when Baton has no stage of that kind.
 *
 * @example dealStageFor({ id: 'closedwon', label: 'Closed won', isClosed: true, probability: 1 }, stages) // 'won'
 */
export function dealStageFor(
  remote: RemoteDealStage,
  stages: readonly LocalDealStage[],
  byName: (label: string) => string | null,
): string | null {
  const named = byName(remote.label) ?? byName(remote.id);
  const found = named ? stages.find((s) => s.key === named) : undefined;
  const outcome = remote.isClosed ? (remote.probability >= 1 ? 'won' : 'lost') : 'open';
  if (found && found.outcome === outcome) return found.key;
  const candidates = stages.filter((s) => s.outcome === outcome);
  if (candidates.length === 0) return null;
  return candidates.reduce((best, s) =>
    Math.abs(s.probability - remote.probability) < Math.abs(best.probability - remote.probability) ? s : best,
  ).key;
}

/** The deal properties Baton reads. */
export const hubspotDealProperties = [
  'dealname',
  'amount',
  'deal_currency_code',
  'dealstage',
  'pipeline',
  'closedate',
  'createdate',
  'hubspot_owner_id',
  'hs_v2_date_entered_current_stage',
  'hs_lastmodifieddate',
] as const;

/** The company properties Baton reads. */
export const hubspotCompanyProperties = [
  'name',
  'domain',
  'industry',
  'numberofemployees',
  'country',
  'hubspot_owner_id',
  'hs_lastmodifieddate',
] as const;

/**
 * An amount as HubSpot keeps it (a decimal string in major units) in minor units, or null.
 *
 * @example amountMinorOf('12500.5') // 1250050
 */
export function amountMinorOf(amount: string | null | undefined): number | null {
  if (amount === null || amount === undefined || amount.trim() === '') return null;
  const value = Number(amount);
  return Number.isFinite(value) && value >= 0 ? Math.round(value * 100) : null;
}
