// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// A person's own mailbox, synced over IMAP: the server and login, the password or OAuth token
// sealed under the server's key, the sync's state and lease, and a cursor (UIDVALIDITY and the
// last UID read) per folder. Whether an excerpt of a body is kept is the company's choice.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  const id = pg ? ('uuid' as const) : ('text' as const);
  const bool = pg ? ('boolean' as const) : ('integer' as const);
  await db.schema
    .createTable('mailbox_connections')
    .addColumn('user_id', id, (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('security', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('last_synced_at', time)
    .addColumn('next_sync_at', time, (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', time)
    .addColumn('messages_read', 'bigint', (c) => c.notNull())
    .addColumn('activities_logged', 'bigint', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('mailbox_connections_next_sync')
    .on('mailbox_connections')
    .column('next_sync_at')
    .execute();
  await db.schema
    .createTable('mailbox_cursors')
    .addColumn('user_id', id, (c) =>
      c.notNull().references('mailbox_connections.user_id').onDelete('cascade'),
    )
    .addColumn('folder', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('uid_validity', 'text', (c) => c.notNull())
    .addColumn('last_uid', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('mailbox_cursors_pk', ['user_id', 'folder'])
    .execute();
  await db.schema
    .alterTable('mail_log_settings')
    .addColumn('store_excerpt', bool, (c) => c.notNull().defaultTo(pg ? sql`false` : 0))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('mail_log_settings').dropColumn('store_excerpt').execute();
  await db.schema.dropTable('mailbox_cursors').execute();
  await db.schema.dropTable('mailbox_connections').execute();
}
