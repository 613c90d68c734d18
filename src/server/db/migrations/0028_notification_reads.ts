// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// The in-app notifications are the alerts Baton queues for a person (the outbox); a person has read
// everything up to an instant, and what came after is unread.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  const id = pg ? ('uuid' as const) : ('text' as const);
  await db.schema
    .createTable('notification_reads')
    .addColumn('user_id', id, (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('read_up_to', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('outbox_recipient_created_idx')
    .on('outbox')
    .columns(['recipient_user_id', 'created_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('outbox_recipient_created_idx').execute();
  await db.schema.dropTable('notification_reads').execute();
}
