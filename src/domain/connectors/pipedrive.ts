import type { EventType } from '../capture/event-types.ts';
import type { FieldMapping } from './hubspot.ts';

/*
 * What Baton's records are in Pipedrive's terms, and Pipedrive's activities in Baton's: pure rules
 * the Pipedrive connector applies in both directions.
 */

/** The person field Baton keeps its stage in (Pipedrive has no lifecycle stage of its own). */
export const pipedriveStageField = 'Baton stage';

/**
 * The default mapping: the person's own details come from Pipedrive; the owner and Baton's stage go
 * out (the stage into the "Baton stage" field, which Baton adds to the person fields when missing).
 */
export const pipedriveDefaultMapping: readonly FieldMapping[] = [
  { field: 'firstName', property: 'first_name', direction: 'in', systemOfRecord: 'crm' },
  { field: 'lastName', property: 'last_name', direction: 'in', systemOfRecord: 'crm' },
  { field: 'title', property: 'job_title', direction: 'in', systemOfRecord: 'crm' },
  { field: 'phone', property: 'phones', direction: 'in', systemOfRecord: 'crm' },
  { field: 'owner', property: 'owner_id', direction: 'out', systemOfRecord: 'baton' },
  { field: 'stage', property: 'baton_stage', direction: 'out', systemOfRecord: 'baton' },
];

/**
 * A Baton stage as the text of the "Baton stage" field, or null for a stage Baton does not write.
 *
 * @example pipedriveStageOf('sal') // 'SAL – accepted by Sales'
 */
export function pipedriveStageOf(stage: string): string | null {
  switch (stage) {
    case 'mql':
      return 'MQL – handed to Sales';
    case 'sal':
      return 'SAL – accepted by Sales';
    case 'sql':
      return 'SQL – qualified';
    case 'opportunity':
      return 'Opportunity';
    case 'customer':
      return 'Customer';
    case 'recycled':
      return 'Recycled – back to Marketing';
    case 'disqualified':
      return 'Disqualified';
    default:
      return null;
  }
}

/**
 * A Pipedrive activity as a Baton sales event, or null when it is none: one not done yet, or of a
 * type that is no contact with the person (a deadline, a task).
 *
 * @example pipedriveActivityEventOf({ type: 'call', done: true, due_date: '2026-01-05', due_time: '09:00' }, now)
 *   // { type: 'call_logged', at: 2026-01-05T09:00:00Z, subject: null }
 */
export function pipedriveActivityEventOf(
  activity: Readonly<Record<string, unknown>>,
  now: Date,
): { type: EventType; at: Date; subject: string | null } | null {
  if (activity.done !== true) return null;
  const kind = typeof activity.type === 'string' ? activity.type : '';
  const type: EventType | null =
    kind === 'call'
      ? 'call_logged'
      : kind === 'meeting'
        ? 'meeting_held'
        : kind === 'email'
          ? 'email_sent'
          : null;
  if (!type) return null;
  const due =
    typeof activity.due_date === 'string'
      ? `${activity.due_date}T${typeof activity.due_time === 'string' && activity.due_time ? activity.due_time : '00:00'}:00Z`
      : null;
  const at = new Date(due ?? pipedriveTime(activity.marked_as_done_time) ?? '');
  if (Number.isNaN(at.getTime())) return null;
  return {
    type,
    at: at.getTime() > now.getTime() ? now : at,
    subject: typeof activity.subject === 'string' ? activity.subject : null,
  };
}

/**
 * A time as Pipedrive writes it (RFC 3339, or "YYYY-MM-DD HH:MM:SS" in UTC in older answers) as
 * RFC 3339, or null.
 *
 * @example pipedriveTime('2026-01-05 09:00:00') // '2026-01-05T09:00:00Z'
 */
export function pipedriveTime(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const text = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  return Number.isNaN(Date.parse(text)) ? null : text;
}
