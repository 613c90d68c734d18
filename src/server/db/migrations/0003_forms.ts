// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

function typesFor(db: AnyDb) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    id: pg ? ('uuid' as const) : ('text' as const),
    time: pg ? ('timestamptz' as const) : ('text' as const),
    bool: pg ? ('boolean' as const) : ('integer' as const),
  };
}

export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);
  await db.schema
    .createTable('forms')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('field_mapping', 'text', (c) => c.notNull())
    .addColumn('consent_text_en', 'text')
    .addColumn('consent_text_nl', 'text')
    .addColumn('redirect_url', 'text')
    .addColumn('allowed_origins', 'text', (c) => c.notNull())
    .addColumn('is_active', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('consent_records')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('contact_id', t.id, (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('language', 'text')
    .addColumn('occurred_at', t.time, (c) => c.notNull())
    .addColumn('recorded_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('consent_records_contact_idx')
    .on('consent_records')
    .column('contact_id')
    .execute();

  // Emails of contacts merged into another: later events for them reach the survivor.
  await db.schema
    .createTable('contact_aliases')
    .addColumn('email', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', t.id, (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('contact_aliases_contact_idx')
    .on('contact_aliases')
    .column('contact_id')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('contact_aliases').execute();
  await db.schema.dropTable('consent_records').execute();
  await db.schema.dropTable('forms').execute();
}
