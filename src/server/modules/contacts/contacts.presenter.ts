import type { ConsentRecord, Consents, Contact, Touchpoint } from '../../../contract/contacts.ts';
import { currentConsents } from '../../../domain/capture/consent.ts';
import type { StageChange } from '../../../contract/stages.ts';
import { Message } from '../../../contract/common.ts';
import { fromDbBool, fromDbTime, fromDbTimeOrNull } from '../../db/dialect.ts';
import type { ConsentRecordRow, ContactRow, StageChangeRow, TouchpointRow } from '../../db/tables.ts';
import { readJson } from '../../db/json-column.ts';
import { StoredAttributes, TouchProperties } from '../../../contract/contacts.ts';

const iso = (value: Date | string | null) => fromDbTimeOrNull(value)?.toISOString() ?? null;

export function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    email: row.email,
    externalId: row.external_id,
    attributes: readJson(StoredAttributes, row.attributes, 'contacts.attributes') ?? {},
    outcome: row.outcome,
    firstName: row.first_name,
    lastName: row.last_name,
    title: row.title,
    phone: row.phone,
    country: row.country,
    accountId: row.account_id,
    ownerId: row.owner_id,
    stage: row.stage,
    stageEnteredAt: fromDbTime(row.stage_entered_at).toISOString(),
    consent: {
      status: row.consent_status as Contact['consent']['status'],
      source: row.consent_source,
      at: iso(row.consent_at),
    },
    optOut: { isOptedOut: fromDbBool(row.is_opted_out), source: row.opt_out_source, at: iso(row.opt_out_at) },
    originalSource:
      row.original_touch_id && row.original_touch_at
        ? {
            touchId: row.original_touch_id,
            channel: row.original_source,
            campaign: row.original_campaign,
            at: fromDbTime(row.original_touch_at).toISOString(),
          }
        : null,
    latestSource:
      row.latest_touch_id && row.latest_touch_at
        ? {
            touchId: row.latest_touch_id,
            channel: row.latest_source,
            campaign: row.latest_campaign,
            at: fromDbTime(row.latest_touch_at).toISOString(),
          }
        : null,
    leadTouchId: row.lead_touch_id,
    createdAt: fromDbTime(row.created_at).toISOString(),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
  };
}

export function toStageChange(row: StageChangeRow): StageChange {
  return {
    id: row.id,
    contactId: row.contact_id,
    from: row.from_stage,
    to: row.to_stage,
    occurredAt: fromDbTime(row.occurred_at).toISOString(),
    actor: {
      kind: row.actor_kind as StageChange['actor']['kind'],
      id: row.actor_id,
      label: row.actor_label,
    },
    reasonCode: row.reason_code,
    note: row.note,
    noteMessage:
      row.note_message === null || row.note_message === undefined
        ? legacyNoteMessage(row.note)
        : readJson(Message, row.note_message, 'stage_changes.note_message'),
    agreementVersion: row.agreement_version,
  };
}

/**
 * The message of a note Baton wrote before notes kept their message, read from the English
 * Baton wrote then (its own fixed wording); a note a person wrote has none.
 */
function legacyNoteMessage(note: string | null): Message | null {
  if (note === null) return null;
  const number = '(-?[\\d.]+)';
  const thresholds = new RegExp(
    `^MQL rule of scoring model v(\\d+): fit ${number} ≥ ${number} and engagement ${number} ≥ ${number}\\.`,
  ).exec(note);
  if (thresholds) {
    const [, version, fit, fitAtLeast, engagement, engagementAtLeast] = thresholds.map(Number);
    return {
      code: 'mql_thresholds',
      params: {
        version: version!,
        fit: fit!,
        fitAtLeast: fitAtLeast!,
        engagement: engagement!,
        engagementAtLeast: engagementAtLeast!,
      },
    };
  }
  const intent = new RegExp(
    `^MQL rule of scoring model v(\\d+): a high-intent touch \\(fit ${number}, engagement ${number}\\)`,
  ).exec(note);
  if (intent) {
    const [, version, fit, engagement] = intent.map(Number);
    return { code: 'mql_intent', params: { version: version!, fit: fit!, engagement: engagement! } };
  }
  const deal = /^(Opportunity|Won) "(.*)"$/s.exec(note);
  if (deal)
    return {
      code: deal[1] === 'Won' ? 'opportunity_won' : 'opportunity_created',
      params: { name: deal[2]! },
    };
  if (note === 'imported') return { code: 'imported', params: {} };
  return null;
}

export function toTouchpoint(row: TouchpointRow): Touchpoint {
  return {
    id: row.id,
    type: row.type,
    category: row.category as Touchpoint['category'],
    occurredAt: fromDbTime(row.occurred_at).toISOString(),
    channel: row.channel,
    campaign: row.campaign,
    utm: {
      source: row.utm_source,
      medium: row.utm_medium,
      campaign: row.utm_campaign,
      term: row.utm_term,
      content: row.utm_content,
    },
    url: row.url,
    properties: readJson(TouchProperties, row.properties, 'touchpoints.properties'),
    isLeadCreating: fromDbBool(row.is_lead_creating),
    visitorId: row.visitor_id,
    userId: row.user_id,
    eventId: row.client_event_id,
  };
}

export function toConsentRecord(row: ConsentRecordRow): ConsentRecord {
  return {
    purpose: row.purpose as ConsentRecord['purpose'],
    status: row.status,
    source: row.source,
    version: row.version,
    text: row.text,
    language: row.language,
    occurredAt: fromDbTime(row.occurred_at).toISOString(),
  };
}

/** Where each purpose stands (the latest record of it), and the records, oldest first. */
export function presentConsents(rows: ConsentRecordRow[]): Consents {
  return {
    purposes: currentConsents(rows.map((r) => ({ ...r, occurredAt: fromDbTime(r.occurred_at) }))).map(
      (c) => ({
        ...c,
        at: c.at?.toISOString() ?? null,
      }),
    ),
    records: rows.map(toConsentRecord),
  };
}
