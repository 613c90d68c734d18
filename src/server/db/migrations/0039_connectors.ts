// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// Connections to a company's CRM (HubSpot, Pipedrive): the credentials sealed, the field mapping,
// the schedule and the lease of the process syncing it, a cursor per object type, the records
// linked on both sides (with what Baton last wrote, so its own change does not come back), and
// the sync log with what a failed record was, for a replay.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  const id = pg ? ('uuid' as const) : ('text' as const);
  await db.schema
    .createTable('connections')
    .addColumn('id', id, (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text')
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('webhook_secret_sealed', 'text')
    .addColumn('mapping', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('poll_interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('next_sync_at', time, (c) => c.notNull())
    .addColumn('last_synced_at', time)
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', time)
    .addColumn('backfill_state', 'text', (c) => c.notNull())
    .addColumn('backfill_total', 'integer', (c) => c.notNull())
    .addColumn('backfill_done', 'integer', (c) => c.notNull())
    .addColumn('created_by', id, (c) => c.references('users.id'))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('connection_cursors')
    .addColumn('connection_id', id, (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('connection_cursors_pk', ['connection_id', 'object_type'])
    .execute();
  await db.schema
    .createTable('connection_links')
    .addColumn('connection_id', id, (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('remote_id', 'text', (c) => c.notNull())
    .addColumn('local_id', 'text', (c) => c.notNull())
    .addColumn('pushed_hash', 'text')
    .addColumn('pushed_at', time)
    .addColumn('pulled_hash', 'text')
    .addColumn('pulled_at', time)
    .addPrimaryKeyConstraint('connection_links_pk', ['connection_id', 'object_type', 'remote_id'])
    .execute();
  await db.schema
    .createIndex('connection_links_local_idx')
    .on('connection_links')
    .columns(['connection_id', 'object_type', 'local_id'])
    .unique()
    .execute();
  // What changed since a connection last wrote out: people by their last change.
  await db.schema.createIndex('contacts_updated_idx').on('contacts').columns(['updated_at', 'id']).execute();
  await db.schema
    .createTable('connection_log')
    .addColumn('id', id, (c) => c.primaryKey())
    .addColumn('connection_id', id, (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('at', time, (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('remote_id', 'text')
    .addColumn('local_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('payload', 'text')
    .addColumn('replayed_at', time)
    .execute();
  await db.schema
    .createIndex('connection_log_connection_idx')
    .on('connection_log')
    .columns(['connection_id', 'at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('connection_log').execute();
  await db.schema.dropIndex('contacts_updated_idx').execute();
  await db.schema.dropTable('connection_links').execute();
  await db.schema.dropTable('connection_cursors').execute();
  await db.schema.dropTable('connections').execute();
}
