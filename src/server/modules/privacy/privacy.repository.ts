import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import { forgetLeadInDigests } from '../contacts/contacts.repository.ts';
import { blankWrittenTextInWebhooks } from '../webhooks/webhooks.repository.ts';

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
  'action_links',
  'webhook_messages',
  'mail_meetings',
  'tasks',
  'campaign_members',
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
      | 'sla_instances'
      | 'action_links'
      | 'webhook_messages'
      | 'mail_meetings'
      | 'tasks'
      | 'campaign_members',
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
    action_links: await ofContact('action_links'),
    webhook_messages: await ofContact('webhook_messages'),
    mail_meetings: await ofContact('mail_meetings'),
    tasks: await ofContact('tasks'),
    campaign_members: await ofContact('campaign_members'),
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

export async function findRetentionSettings(db: Db) {
  return db.selectFrom('retention_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function updateRetentionSettings(
  db: Db,
  settings: {
    anonymousTouchesDays: number | null;
    unconvertedLeadsDays: number | null;
    emailBodiesDays: number | null;
    webhookMessagesDays: number | null;
    at: Date;
  },
): Promise<void> {
  await db
    .updateTable('retention_settings')
    .set({
      anonymous_touches_days: settings.anonymousTouchesDays,
      unconverted_leads_days: settings.unconvertedLeadsDays,
      email_bodies_days: settings.emailBodiesDays,
      webhook_messages_days: settings.webhookMessagesDays,
      updated_at: toDbTime(settings.at),
    })
    .where('id', '=', 1)
    .execute();
}

/** Touches of visitors never identified, older than the cutoff: they will never join a person. */
export async function deleteAnonymousTouchesBefore(db: Db, cutoff: Date, dryRun: boolean): Promise<number> {
  if (dryRun) {
    const row = await db
      .selectFrom('touchpoints')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('contact_id', 'is', null)
      .where('occurred_at', '<', toDbTime(cutoff))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  const result = await db
    .deleteFrom('touchpoints')
    .where('contact_id', 'is', null)
    .where('occurred_at', '<', toDbTime(cutoff))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Blanks the text of emails delivered before the cutoff; who got what kind of email, and when, stays. */
export async function blankEmailBodiesBefore(db: Db, cutoff: Date, dryRun: boolean): Promise<number> {
  if (dryRun) {
    const row = await db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'sent')
      .where('sent_at', '<', toDbTime(cutoff))
      .where((eb) => eb.or([eb('body_text', 'is not', null), eb('body_html', 'is not', null)]))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  const result = await db
    .updateTable('outbox')
    .set({ body_text: null, body_html: null, params: null })
    .where('status', '=', 'sent')
    .where('sent_at', '<', toDbTime(cutoff))
    .where((eb) => eb.or([eb('body_text', 'is not', null), eb('body_html', 'is not', null)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Leads that never became customers and have been quiet since the cutoff: not anonymised yet, not a
 * customer, no won deal, no touch, change or stage since then. In id order, after `after` when given
 * (where the batch before ended).
 */
export async function findUnconvertedLeadsBefore(
  db: Db,
  cutoff: Date,
  limit: number,
  after: string | null = null,
): Promise<string[]> {
  const before = toDbTime(cutoff);
  const rows = await db
    .selectFrom('contacts')
    .select('id')
    .$if(after !== null, (q) => q.where('id', '>', after!))
    .where('anonymised_at', 'is', null)
    .where('stage', '<>', 'customer')
    .where('updated_at', '<', before)
    .where('stage_entered_at', '<', before)
    .where((eb) => eb.or([eb('latest_touch_at', 'is', null), eb('latest_touch_at', '<', before)]))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('opportunities')
            .select('opportunities.id')
            .where('opportunities.status', '=', 'won')
            .where((o) =>
              o.or([
                o('opportunities.contact_id', '=', eb.ref('contacts.id')),
                o.exists(
                  o
                    .selectFrom('opportunity_contacts')
                    .select('opportunity_contacts.contact_id')
                    .whereRef('opportunity_contacts.opportunity_id', '=', 'opportunities.id')
                    .whereRef('opportunity_contacts.contact_id', '=', 'contacts.id'),
                ),
              ]),
            ),
        ),
      ),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Anonymises a contact: its personal fields go blank, its other addresses, visitor ids and consent
 * records go, its touches lose their pages and form fields, the emails about it their text, and the
 * logs their details, the webhook events about it the notes and reasons people wrote. What the
 * figures count stays: the contact row with its stage, dates, sources and account, its stage
 * history and its touches' channels and campaigns.
 */
export async function anonymiseContact(db: Db, contactId: string, at: Date): Promise<void> {
  await db
    .updateTable('contacts')
    .set({
      email: null,
      first_name: null,
      last_name: null,
      title: null,
      phone: null,
      external_id: null,
      attributes: '{}',
      consent_status: 'unknown',
      consent_source: null,
      consent_at: null,
      anonymised_at: toDbTime(at),
      updated_at: toDbTime(at),
    })
    .where('id', '=', contactId)
    .execute();
  await db.deleteFrom('contact_aliases').where('contact_id', '=', contactId).execute();
  await db.deleteFrom('visitor_identities').where('contact_id', '=', contactId).execute();
  await db.deleteFrom('consent_records').where('contact_id', '=', contactId).execute();
  // The CRM's record of them would name them again.
  await db
    .deleteFrom('connection_links')
    .where('object_type', '=', 'contact')
    .where('local_id', '=', contactId)
    .execute();
  // What was to be done with the person says things about them; the lead is gone as a lead.
  await db.deleteFrom('tasks').where('contact_id', '=', contactId).execute();
  await db
    .updateTable('touchpoints')
    .set({ url: null, properties: '{}', visitor_id: null })
    .where('contact_id', '=', contactId)
    .execute();
  await db
    .updateTable('outbox')
    .set({ body_text: null, body_html: null, params: null })
    .where('contact_id', '=', contactId)
    .execute();
  await forgetLeadInDigests(db, contactId);
  await db.updateTable('qualifications').set({ note: null }).where('contact_id', '=', contactId).execute();
  await blankWrittenTextInWebhooks(db, contactId);
}
