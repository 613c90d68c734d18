// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// A webhook message about a person names the contact it is about, so that erasing the person
// removes the messages (and their deliveries and attempts) with them, and their export shows them.
export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? ('uuid' as const) : ('text' as const);
  await db.schema
    .alterTable('webhook_messages')
    .addColumn('contact_id', id, (c) => c.references('contacts.id').onDelete('cascade'))
    .execute();
  await db.schema
    .createIndex('webhook_messages_contact_idx')
    .on('webhook_messages')
    .column('contact_id')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('webhook_messages_contact_idx').execute();
  await db.schema.alterTable('webhook_messages').dropColumn('contact_id').execute();
}
