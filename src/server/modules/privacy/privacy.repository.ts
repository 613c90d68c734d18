import type { Db } from '../../db/database.ts';

/**
 * Every table that holds rows about a person, in the order an export lists them. A test compares
 * this list with the schema (every table whose column references `contacts`, and the logs that
 * name a contact as their subject), so a new table that refers to people cannot be left out.
 */
export const personalTables = [
  'contacts',
  'contact_aliases',
  'visitor_identities',
  'consent_records',
  'touchpoints',
  'contact_scores',
  'stage_changes',
  'assignments',
  'sla_instances',
  'qualifications',
  'opportunities',
  'opportunity_contacts',
  'opportunity_stage_changes',
  'attribution_credits',
  'outbox',
  'events',
  'audit_log',
] as const;
export type PersonalTable = (typeof personalTables)[number];

export type StoredRow = Record<string, unknown>;

/** The rows of each personal table that are about one contact, as stored. */
export async function findRecordsOfContact(
  db: Db,
  contactId: string,
): Promise<Record<PersonalTable, StoredRow[]>> {
  const ofContact = (
    table:
      | 'contact_aliases'
      | 'visitor_identities'
      | 'contact_scores'
      | 'consent_records'
      | 'stage_changes'
      | 'qualifications'
      | 'opportunity_contacts'
      | 'outbox'
      | 'assignments'
      | 'sla_instances',
  ) => db.selectFrom(table).selectAll().where('contact_id', '=', contactId).execute() as Promise<StoredRow[]>;
  const opportunityIds = db
    .selectFrom('opportunities')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('contact_id', '=', contactId),
        eb(
          'id',
          'in',
          eb.selectFrom('opportunity_contacts').select('opportunity_id').where('contact_id', '=', contactId),
        ),
      ]),
    );
  const touchIds = db.selectFrom('touchpoints').select('id').where('contact_id', '=', contactId);
  const events = await db
    .selectFrom('events')
    .selectAll()
    .where('subject_type', '=', 'contact')
    .where('subject_id', '=', contactId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  const audit = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('subject_type', '=', 'contact')
    .where('subject_id', '=', contactId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  return {
    contacts: await db.selectFrom('contacts').selectAll().where('id', '=', contactId).execute(),
    contact_aliases: await ofContact('contact_aliases'),
    visitor_identities: await ofContact('visitor_identities'),
    consent_records: await ofContact('consent_records'),
    touchpoints: await db
      .selectFrom('touchpoints')
      .selectAll()
      .where('contact_id', '=', contactId)
      .orderBy('occurred_at')
      .orderBy('id')
      .execute(),
    contact_scores: await ofContact('contact_scores'),
    stage_changes: await ofContact('stage_changes'),
    assignments: await ofContact('assignments'),
    sla_instances: await ofContact('sla_instances'),
    qualifications: await ofContact('qualifications'),
    opportunities: await db
      .selectFrom('opportunities')
      .selectAll()
      .where('id', 'in', opportunityIds)
      .execute(),
    opportunity_contacts: await ofContact('opportunity_contacts'),
    opportunity_stage_changes: await db
      .selectFrom('opportunity_stage_changes')
      .selectAll()
      .where('opportunity_id', 'in', opportunityIds)
      .orderBy('occurred_at')
      .execute(),
    attribution_credits: await db
      .selectFrom('attribution_credits')
      .selectAll()
      .where('touchpoint_id', 'in', touchIds)
      .execute(),
    outbox: await ofContact('outbox'),
    events,
    audit_log: audit,
  };
}

/** The contacts an address belongs to: as their address, or as another address of theirs (a merged duplicate). */
export async function findContactIdsByAnyEmail(db: Db, email: string): Promise<string[]> {
  const rows = await db
    .selectFrom('contacts')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('email', '=', email),
        eb('id', 'in', eb.selectFrom('contact_aliases').select('contact_id').where('email', '=', email)),
      ]),
    )
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Whether a hash is on the suppression list (an erased person), and since when. */
export async function findSuppression(db: Db, hash: string) {
  return db.selectFrom('suppressions').selectAll().where('email_hash', '=', hash).executeTakeFirst();
}
