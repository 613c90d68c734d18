import type { Contact } from '../../../contract/contacts.ts';
import type { StageChange } from '../../../contract/stages.ts';
import { fromDbBool, fromDbTime, fromDbTimeOrNull } from '../../db/dialect.ts';
import type { ContactRow, StageChangeRow } from '../../db/tables.ts';

const iso = (value: Date | string | null) => fromDbTimeOrNull(value)?.toISOString() ?? null;

export function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    email: row.email,
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
    agreementVersion: row.agreement_version,
  };
}
