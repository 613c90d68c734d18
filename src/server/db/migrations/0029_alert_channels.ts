// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Alerts can also go to chat: a person or a team keeps a Slack incoming-webhook address and a
// Teams Workflows address (sealed under the server's key), and chooses the channels of each kind of
// alert. An outbox message to chat names the alert channel it goes to.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  const id = pg ? ('uuid' as const) : ('text' as const);
  const json = pg ? ('jsonb' as const) : ('text' as const);
  await db.schema
    .createTable('alert_channels')
    .addColumn('id', id, (c) => c.primaryKey())
    .addColumn('user_id', id, (c) => c.unique().references('users.id').onDelete('cascade'))
    .addColumn('team_id', id, (c) => c.unique().references('teams.id').onDelete('cascade'))
    .addColumn('slack_url', 'text')
    .addColumn('teams_url', 'text')
    .addColumn('routes', json, (c) => c.notNull())
    .addColumn('updated_by', id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', time, (c) => c.notNull())
    .addCheckConstraint('alert_channels_one_owner', sql`(user_id is null) <> (team_id is null)`)
    .execute();
  await db.schema
    .alterTable('outbox')
    .addColumn('alert_channel_id', id, (c) => c.references('alert_channels.id').onDelete('set null'))
    .execute();
  // With no mail server, the dispatcher leases chat alone: found by channel, not by walking every
  // email that waits.
  await db.schema
    .createIndex('outbox_channel_due_idx')
    .on('outbox')
    .columns(['channel', 'next_attempt_at'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('outbox_channel_due_idx').execute();
  await db.schema.alterTable('outbox').dropColumn('alert_channel_id').execute();
  await db.schema.dropTable('alert_channels').execute();
}
