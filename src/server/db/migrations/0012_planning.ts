// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

function typesFor(db: AnyDb) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    pg,
    id: pg ? ('uuid' as const) : ('text' as const),
    time: pg ? ('timestamptz' as const) : ('text' as const),
    bool: pg ? ('boolean' as const) : ('integer' as const),
    json: pg ? ('jsonb' as const) : ('text' as const),
    real: pg ? ('double precision' as const) : ('real' as const),
    money: pg ? ('bigint' as const) : ('integer' as const),
  };
}

export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);

  // A target per period, metric and owner. The owner id is '' for the company, so that one
  // unique index covers every owner kind.
  await db.schema
    .createTable('targets')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('period_kind', 'text', (c) => c.notNull())
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('value', t.money, (c) => c.notNull())
    .addColumn('currency', 'text')
    .addColumn('is_joint', t.bool, (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', t.id)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('targets_unique_idx')
    .on('targets')
    .columns(['period_kind', 'period_start', 'metric', 'owner_kind', 'owner_id'])
    .unique()
    .execute();

  // A saved reverse-waterfall plan: its inputs (and where each rate came from) and the months it
  // asks for. One plan per period is the plan; earlier ones are kept.
  await db.schema
    .createTable('plans')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('period_kind', 'text', (c) => c.notNull())
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('inputs', t.json, (c) => c.notNull())
    .addColumn('result', t.json, (c) => c.notNull())
    .addColumn('is_current', t.bool, (c) => c.notNull())
    .addColumn('created_by', t.id)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('plans_period_idx')
    .on('plans')
    .columns(['period_start', 'is_current'])
    .execute();

  // The joint bonus plan of a period.
  await db.schema
    .createTable('bonus_plans')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('period_kind', 'text', (c) => c.notNull())
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('plan_minor', t.money, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('pool_minor', t.money, (c) => c.notNull())
    .addColumn('marketing_share_pct', t.real, (c) => c.notNull())
    .addColumn('curve', t.json, (c) => c.notNull())
    .addColumn('participants', t.json, (c) => c.notNull())
    .addColumn('created_by', t.id)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('bonus_plans_period_idx')
    .on('bonus_plans')
    .columns(['period_kind', 'period_start'])
    .unique()
    .execute();

  // The alignment agreement, one row per version; the document is frozen once proposed.
  await db.schema
    .createTable('agreements')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('effective_from', t.time, (c) => c.notNull())
    .addColumn('content', t.json, (c) => c.notNull())
    .addColumn('marketing_signer_id', t.id, (c) => c.references('users.id'))
    .addColumn('sales_signer_id', t.id, (c) => c.references('users.id'))
    .addColumn('marketing_signed_at', t.time)
    .addColumn('sales_signed_at', t.time)
    .addColumn('created_by', t.id)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('proposed_at', t.time)
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  // The audit log lists configuration changes by type and time.
  await db.schema.createIndex('events_type_idx').on('events').columns(['type', 'occurred_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('events_type_idx').execute();
  await db.schema.dropTable('agreements').execute();
  await db.schema.dropTable('bonus_plans').execute();
  await db.schema.dropTable('plans').execute();
  await db.schema.dropTable('targets').execute();
}
