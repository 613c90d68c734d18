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
    json: pg ? ('jsonb' as const) : ('text' as const),
  };
}

/** A frozen copy of the company-name key of 2026-11, to fill the new column for existing accounts. */
function companyKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/ (b v|bv|n v|nv|gmbh|ltd|inc|llc|plc|ag|sa)$/g, '')
    .trim();
}

export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);

  await db.schema.alterTable('accounts').addColumn('name_key', 'text').execute();
  for (const row of (await db.selectFrom('accounts').select(['id', 'name']).execute()) as {
    id: string;
    name: string;
  }[]) {
    await db
      .updateTable('accounts')
      .set({ name_key: companyKey(row.name) })
      .where('id', '=', row.id)
      .execute();
  }
  await db.schema.createIndex('accounts_name_key_idx').on('accounts').column('name_key').execute();

  for (const [column, type] of [
    ['original_touch_id', t.id],
    ['original_touch_at', t.time],
    ['original_source', 'text'],
    ['original_campaign', 'text'],
    ['latest_touch_id', t.id],
    ['latest_touch_at', t.time],
    ['latest_source', 'text'],
    ['latest_campaign', 'text'],
    ['lead_touch_id', t.id],
  ] as const) {
    await db.schema.alterTable('contacts').addColumn(column, type).execute();
  }

  await db.schema
    .createTable('touchpoints')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('client_event_id', 'text', (c) => c.unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('occurred_at', t.time, (c) => c.notNull())
    .addColumn('received_at', t.time, (c) => c.notNull())
    .addColumn('contact_id', t.id, (c) => c.references('contacts.id').onDelete('cascade'))
    .addColumn('visitor_id', 'text')
    .addColumn('user_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('channel', 'text')
    .addColumn('campaign', 'text')
    .addColumn('utm_source', 'text')
    .addColumn('utm_medium', 'text')
    .addColumn('utm_campaign', 'text')
    .addColumn('utm_term', 'text')
    .addColumn('utm_content', 'text')
    .addColumn('url', 'text')
    .addColumn('properties', t.json, (c) => c.notNull())
    .addColumn('is_lead_creating', t.bool, (c) => c.notNull())
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text')
    .execute();
  await db.schema
    .createIndex('touchpoints_contact_idx')
    .on('touchpoints')
    .columns(['contact_id', 'occurred_at'])
    .execute();
  await db.schema.createIndex('touchpoints_visitor_idx').on('touchpoints').column('visitor_id').execute();

  await db.schema
    .createTable('visitor_identities')
    .addColumn('visitor_id', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', t.id, (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('identified_at', t.time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('response_body', 'text', (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
    .execute();
  await db.schema
    .createIndex('idempotency_keys_created_idx')
    .on('idempotency_keys')
    .column('created_at')
    .execute();

  await db.schema
    .createTable('suppressions')
    .addColumn('email_hash', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('suppressions').execute();
  await db.schema.dropTable('idempotency_keys').execute();
  await db.schema.dropTable('visitor_identities').execute();
  await db.schema.dropTable('touchpoints').execute();
  for (const column of [
    'lead_touch_id',
    'latest_campaign',
    'latest_source',
    'latest_touch_at',
    'latest_touch_id',
    'original_campaign',
    'original_source',
    'original_touch_at',
    'original_touch_id',
  ]) {
    await db.schema.alterTable('contacts').dropColumn(column).execute();
  }
  await db.schema.dropIndex('accounts_name_key_idx').execute();
  await db.schema.alterTable('accounts').dropColumn('name_key').execute();
}
