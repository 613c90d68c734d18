// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

function typesFor(db: AnyDb) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    id: pg ? ('uuid' as const) : ('text' as const),
    time: pg ? ('timestamptz' as const) : ('text' as const),
    json: pg ? ('jsonb' as const) : ('text' as const),
  };
}

export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);

  // Messages to send, written in the same transaction as the change they tell about, and sent
  // later by the dispatcher. A message is rendered when it is queued, or — when many are queued at
  // once (the SLA sweeper) — from its template and params just before it is sent; either way
  // what was sent is on record.
  await db.schema
    .createTable('outbox')
    .addColumn('id', t.id, (c) => c.primaryKey())
    // What happened and to whom, so that the same message is never queued twice.
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('recipient_user_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('body_text', 'text')
    .addColumn('body_html', 'text')
    .addColumn('template', 'text')
    .addColumn('params', t.json)
    .addColumn('contact_id', t.id, (c) => c.references('contacts.id').onDelete('cascade'))
    // pending → sent, or dead after the last attempt or a permanent refusal; cancelled by hand.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', t.time, (c) => c.notNull())
    // A dispatcher holds a message while it sends it; another may take it after the lease.
    .addColumn('leased_by', 'text')
    .addColumn('leased_until', t.time)
    .addColumn('last_error', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('sent_at', t.time)
    .execute();
  // The dispatcher's question — what is due? — is answered from the pending rows alone.
  await db.schema
    .createIndex('outbox_due_idx')
    .on('outbox')
    .column('next_attempt_at')
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema.createIndex('outbox_contact_idx').on('outbox').column('contact_id').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('outbox').execute();
}
