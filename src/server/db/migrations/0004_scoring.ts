// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

function typesFor(db: AnyDb) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    id: pg ? ('uuid' as const) : ('text' as const),
    time: pg ? ('timestamptz' as const) : ('text' as const),
    bool: pg ? ('boolean' as const) : ('integer' as const),
    json: pg ? ('jsonb' as const) : ('text' as const),
    real: pg ? ('double precision' as const) : ('real' as const),
  };
}

export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);

  await db.schema
    .createTable('scoring_models')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('definition', t.json, (c) => c.notNull())
    .addColumn('based_on_id', t.id, (c) => c.references('scoring_models.id').onDelete('set null'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addColumn('activated_at', t.time)
    .execute();
  // At most one model is active at a time.
  await db.schema
    .createIndex('scoring_models_one_active_idx')
    .on('scoring_models')
    .column('status')
    .unique()
    .where(sql.ref('status'), '=', 'active')
    .execute();

  // Every stored score names the model version it came from.
  await db.schema
    .createTable('contact_scores')
    .addColumn('contact_id', t.id, (c) => c.primaryKey().references('contacts.id').onDelete('cascade'))
    .addColumn('model_id', t.id, (c) => c.notNull().references('scoring_models.id'))
    .addColumn('fit', t.real, (c) => c.notNull())
    .addColumn('engagement', t.real, (c) => c.notNull())
    .addColumn('grade', 'text', (c) => c.notNull())
    .addColumn('qualifies', t.bool, (c) => c.notNull())
    .addColumn('explanation', t.json, (c) => c.notNull())
    .addColumn('scored_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_scores_model_idx').on('contact_scores').column('model_id').execute();
  // Scores fade with time: the oldest are refreshed first.
  await db.schema
    .createIndex('contact_scores_scored_at_idx')
    .on('contact_scores')
    .column('scored_at')
    .execute();

  // A contact is due for scoring while its activity version is ahead of the version last scored.
  // Capture and edits raise the first; the scorer sets the second to what it read.
  await db.schema
    .alterTable('contacts')
    .addColumn('activity_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('contacts')
    .addColumn('scored_version', 'integer', (c) => c.notNull().defaultTo(-1))
    .execute();
  await db.schema
    .createIndex('contacts_score_due_idx')
    .on('contacts')
    .column('id')
    .where(sql.ref('scored_version'), '<', sql.ref('activity_version'))
    .execute();

  // Rescoring every contact after a model is activated: resumable from its cursor.
  await db.schema
    .createTable('scoring_runs')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('model_id', t.id, (c) => c.notNull().references('scoring_models.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull())
    .addColumn('cursor', 'text')
    // The newest contact when the run started; later contacts are scored as they arrive.
    .addColumn('last_contact_id', 'text')
    .addColumn('started_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addColumn('finished_at', t.time)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('scoring_runs').execute();
  await db.schema.dropIndex('contacts_score_due_idx').execute();
  await db.schema.alterTable('contacts').dropColumn('scored_version').execute();
  await db.schema.alterTable('contacts').dropColumn('activity_version').execute();
  await db.schema.dropTable('contact_scores').execute();
  await db.schema.dropTable('scoring_models').execute();
}
