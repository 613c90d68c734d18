// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// Campaign members: people Marketing put in a campaign (a nurture track, an event's invitees)
// from the contacts list, by the campaign's name. Membership is no touch: it gives no credit.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  const id = pg ? ('uuid' as const) : ('text' as const);
  await db.schema
    .createTable('campaign_members')
    .addColumn('contact_id', id, (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('added_by', id, (c) => c.references('users.id'))
    .addColumn('added_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_members_pk', ['contact_id', 'campaign'])
    .execute();
  await db.schema
    .createIndex('campaign_members_campaign_idx')
    .on('campaign_members')
    .columns(['campaign'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('campaign_members').execute();
}
