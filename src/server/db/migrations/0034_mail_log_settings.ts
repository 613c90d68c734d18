// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// The company's domains never logged from mail (private mail providers, a partner's, a law firm's),
// beside its own, which never are.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  const json = pg ? ('jsonb' as const) : ('text' as const);
  await db.schema
    .createTable('mail_log_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('ignored_domains', json, (c) => c.notNull())
    .addColumn('updated_at', time)
    .execute();
  await db
    .insertInto('mail_log_settings')
    .values({ id: 1, ignored_domains: '[]', updated_at: null })
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('mail_log_settings').execute();
}
