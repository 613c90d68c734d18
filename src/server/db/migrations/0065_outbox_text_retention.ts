// Frozen: a migration never changes once released and never imports live code.
import { sql, type Kysely } from 'kysely';

// Retention blanks the text of emails sent before its cutoff, once a day. The outbox keeps every
// email and alert for good (who got what, when), so finding the few whose text is still kept read
// the whole table each day (a plan test on PostgreSQL showed a sequential scan). An index of only
// the rows that still hold text, by when they were sent, shrinks as retention does its work.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('outbox_text_kept_idx')
    .on('outbox')
    .column('sent_at')
    .where(sql<boolean>`body_text is not null or body_html is not null`)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('outbox_text_kept_idx').execute();
}
