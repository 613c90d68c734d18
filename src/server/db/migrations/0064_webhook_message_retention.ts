// Frozen: a migration never changes once released and never imports live code.
import type { Kysely } from 'kysely';

// How long Baton keeps webhook messages (what it sent, with every delivery and attempt): without a
// period they grew for ever, one row per event and endpoint. Like the other retention periods a
// number of days (30 to 3650) or null to keep them; new and existing stores start at 90 days,
// the replay window of the Standard Webhooks services. A message goes only once every delivery
// of it has finished. Messages are found by when their event occurred (the retention run, and a
// replay of a time range), so that gets an index.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('retention_settings').addColumn('webhook_messages_days', 'integer').execute();
  await db.updateTable('retention_settings').set({ webhook_messages_days: 90 }).execute();
  await db.schema
    .createIndex('webhook_messages_occurred_idx')
    .on('webhook_messages')
    .column('occurred_at')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('webhook_messages_occurred_idx').execute();
  await db.schema.alterTable('retention_settings').dropColumn('webhook_messages_days').execute();
}
