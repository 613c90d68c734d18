// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Retention per kind of data: after how many days Baton deletes anonymous visitors' touches,
// anonymises leads that never became customers, and blanks the bodies of delivered emails. Null
// keeps the data (the default: a company chooses its periods). An anonymised contact keeps its
// stages, dates and sources, so figures already reported stay the same; it is marked so.
export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  await db.schema
    .createTable('retention_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('anonymous_touches_days', 'integer')
    .addColumn('unconverted_leads_days', 'integer')
    .addColumn('email_bodies_days', 'integer')
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db
    .insertInto('retention_settings')
    .values({ id: 1, updated_at: '1970-01-01T00:00:00.000Z' })
    .execute();
  await db.schema.alterTable('contacts').addColumn('anonymised_at', time).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('contacts').dropColumn('anonymised_at').execute();
  await db.schema.dropTable('retention_settings').execute();
}
