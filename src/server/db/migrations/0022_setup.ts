// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Setting Baton up from the browser. The company (one row): its name, time zone and language, the
// hash of the one-time setup token a fresh store prints in its log, when setup was done, and the
// onboarding steps an admin marked as done by hand. Password tokens: the single-use links of
// invitations and "forgot password", stored only as hashes.
export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  const id = pg ? ('uuid' as const) : ('text' as const);
  await db.schema
    .createTable('company_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('setup_token_hash', 'text')
    .addColumn('setup_token_expires_at', time)
    .addColumn('set_up_at', time)
    .addColumn('confirmed_steps', 'text', (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db
    .insertInto('company_settings')
    .values({
      id: 1,
      time_zone: 'Europe/Amsterdam',
      language: 'en',
      confirmed_steps: '[]',
      updated_at: '1970-01-01T00:00:00.000Z',
    })
    .execute();
  await db.schema
    .createTable('password_tokens')
    .addColumn('id', id, (c) => c.primaryKey())
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('used_at', time)
    .addColumn('created_by', id)
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('password_tokens_user_idx')
    .on('password_tokens')
    .columns(['user_id', 'purpose'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('password_tokens').execute();
  await db.schema.dropTable('company_settings').execute();
}
