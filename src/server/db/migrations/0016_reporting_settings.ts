// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The company's reporting settings: the one default period every report page opens with, so the
// same metric never reads differently on two pages because each had its own default.
export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('reporting_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('default_period', 'text', (c) => c.notNull())
    .addColumn('updated_at', pg ? 'timestamptz' : 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('reporting_settings')
    .values({ id: 1, default_period: 'this_quarter', updated_at: '1970-01-01T00:00:00.000Z' })
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('reporting_settings').execute();
}
