// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

function typesFor(db: AnyDb) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    id: pg ? ('uuid' as const) : ('text' as const),
    time: pg ? ('timestamptz' as const) : ('text' as const),
    real: pg ? ('double precision' as const) : ('real' as const),
  };
}

export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);
  // Marketing's side of the SLA: a volume of MQLs per period at a minimum acceptance rate,
  // tracked day by day; the pace last checked is kept so that an alert goes out once.
  await db.schema
    .createTable('marketing_commitments')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('period', 'text', (c) => c.notNull())
    // Local dates ('YYYY-MM-DD') in the calendar's time zone, both included.
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('mql_target', 'integer', (c) => c.notNull())
    .addColumn('min_acceptance_rate', t.real, (c) => c.notNull())
    .addColumn('tolerance', t.real, (c) => c.notNull())
    // The head of marketing who answers for it; alerts go to them and the directors.
    .addColumn('owner_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('calendar_id', t.id, (c) => c.references('sla_calendars.id').onDelete('set null'))
    .addColumn('note', 'text')
    .addColumn('pace_status', 'text')
    .addColumn('pace_checked_on', 'text')
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addUniqueConstraint('marketing_commitments_period_key', ['period', 'starts_on'])
    .execute();
  // Who entered a stage in a period (the MQLs delivered; the funnel of later reports).
  await db.schema
    .createIndex('stage_changes_to_stage_idx')
    .on('stage_changes')
    .columns(['to_stage', 'occurred_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('stage_changes_to_stage_idx').execute();
  await db.schema.dropTable('marketing_commitments').execute();
}
