// Frozen: a migration never changes once released and never imports live code.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Consent per purpose (GDPR/AVG art. 6 and 7): each record says what it was given or withdrawn
// for (the newsletter, being contacted by Sales) and which version of the text the person saw.
// The records so far came from forms' consent checkbox: marketing email, the newsletter.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('consent_records')
    .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('newsletter'))
    .execute();
  await db.schema.alterTable('consent_records').addColumn('version', 'text').execute();
  await db.schema
    .createIndex('consent_records_purpose_idx')
    .on('consent_records')
    .columns(['contact_id', 'purpose', 'occurred_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('consent_records_purpose_idx').execute();
  await db.schema.alterTable('consent_records').dropColumn('version').execute();
  await db.schema.alterTable('consent_records').dropColumn('purpose').execute();
}
