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

  // One row: how attribution is computed, and the model both heads agreed on for recognition.
  await db.schema
    .createTable('attribution_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('lookback_days', 'integer', (c) => c.notNull())
    .addColumn('is_sales_touches_counted', t.bool, (c) => c.notNull())
    .addColumn('dedupe_minutes', 'integer', (c) => c.notNull())
    .addColumn('half_life_days', t.real, (c) => c.notNull())
    .addColumn('custom_weights', t.json, (c) => c.notNull())
    .addColumn('updated_by', t.id)
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db
    .insertInto('attribution_settings')
    .values({
      id: 1,
      model: 'w_shaped',
      lookback_days: 365,
      is_sales_touches_counted: t.pg ? false : 0,
      dedupe_minutes: 30,
      half_life_days: 7,
      custom_weights: JSON.stringify({
        firstTouch: 30,
        leadCreation: 20,
        opportunityCreation: 20,
        closedWon: 20,
        rest: 10,
      }),
      updated_by: null,
      updated_at: new Date(0).toISOString(),
    })
    .execute();

  // What a campaign cost over a period, entered or imported; ROI and cost per MQL, SQL and win.
  await db.schema
    .createTable('campaign_costs')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('amount_minor', t.money, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', t.id)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('campaign_costs_campaign_idx')
    .on('campaign_costs')
    .columns(['campaign', 'starts_on'])
    .execute();

  // The credit of a won deal under the agreed model at the moment it was won: history that does not
  // move when the settings change later. One row per deal, one line per touch.
  await db.schema
    .createTable('attribution_snapshots')
    .addColumn('opportunity_id', t.id, (c) =>
      c.primaryKey().references('opportunities.id').onDelete('cascade'),
    )
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('settings', t.json, (c) => c.notNull())
    .addColumn('amount_minor', t.money, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('is_sourced', t.bool, (c) => c.notNull())
    .addColumn('is_influenced', t.bool, (c) => c.notNull())
    .addColumn('won_at', t.time, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('attribution_credits')
    .addColumn('opportunity_id', t.id, (c) =>
      c.notNull().references('attribution_snapshots.opportunity_id').onDelete('cascade'),
    )
    .addColumn('touchpoint_id', t.id, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('occurred_at', t.time, (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('campaign', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('touch_type', 'text', (c) => c.notNull())
    .addColumn('weight', t.real, (c) => c.notNull())
    .addColumn('credit_minor', t.money, (c) => c.notNull())
    .addColumn('reason', t.json, (c) => c.notNull())
    .addPrimaryKeyConstraint('attribution_credits_pk', ['opportunity_id', 'touchpoint_id'])
    .execute();

  // Reports select won deals by their close date and pipeline by creation.
  await db.schema
    .createIndex('opportunities_closed_idx')
    .on('opportunities')
    .columns(['status', 'closed_on'])
    .execute();
  await db.schema.createIndex('opportunities_created_idx').on('opportunities').column('created_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('opportunities_created_idx').execute();
  await db.schema.dropIndex('opportunities_closed_idx').execute();
  await db.schema.dropTable('attribution_credits').execute();
  await db.schema.dropTable('attribution_snapshots').execute();
  await db.schema.dropTable('campaign_costs').execute();
  await db.schema.dropTable('attribution_settings').execute();
}
