import { createHash } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import type { FormRow, FormUpdate, NewFormRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';

export async function findForms(db: Db): Promise<FormRow[]> {
  return db.selectFrom('forms').selectAll().orderBy('name').execute();
}

export async function findFormById(db: Db, id: string): Promise<FormRow | undefined> {
  return db.selectFrom('forms').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findFormByKey(db: Db, key: string): Promise<FormRow | undefined> {
  return db.selectFrom('forms').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function insertForm(db: Db, row: NewFormRow): Promise<void> {
  await db.insertInto('forms').values(row).execute();
}

export async function updateFormRow(db: Db, id: string, patch: FormUpdate): Promise<void> {
  await db.updateTable('forms').set(patch).where('id', '=', id).execute();
}

/** Every origin any active form accepts: the company's own websites, where tracking may run. */
export async function findAllowedOrigins(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('forms').select('allowed_origins').where('is_active', '=', true).execute();
  return new Set(rows.flatMap((r) => JSON.parse(r.allowed_origins) as string[]));
}

export async function insertConsentRecord(
  db: Db,
  record: {
    contactId: string;
    status: string;
    source: string;
    text: string | null;
    language: string | null;
    at: Date;
  },
): Promise<void> {
  await db
    .insertInto('consent_records')
    .values({
      id: newId(),
      contact_id: record.contactId,
      // A form's checkbox asks for marketing email; the version names the exact text shown.
      purpose: 'newsletter',
      version: record.text ? createHash('sha256').update(record.text).digest('hex').slice(0, 12) : null,
      status: record.status,
      source: record.source,
      text: record.text,
      language: record.language,
      occurred_at: toDbTime(record.at),
      recorded_at: toDbTime(record.at),
    })
    .execute();
}

/** Sets the contact's current consent, unless they opted out: an opt-out stands until they undo it. */
export async function grantConsentUnlessOptedOut(
  db: Db,
  contactId: string,
  source: string,
  at: Date,
): Promise<void> {
  await db
    .updateTable('contacts')
    .set({
      consent_status: 'granted',
      consent_source: source,
      consent_at: toDbTime(at),
      updated_at: toDbTime(at),
    })
    .where('id', '=', contactId)
    .where('is_opted_out', '=', false)
    .execute();
}
