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

/**
 * SQLite cannot drop a NOT NULL: the contacts table is rebuilt with the email column nullable (the
 * documented twelve-step way, with foreign keys off; Kysely runs SQLite migrations outside a
 * transaction). Its indexes are recreated as they were.
 */
async function makeContactEmailOptional(db: AnyDb, pg: boolean): Promise<void> {
  if (pg) {
    await sql`alter table contacts alter column email drop not null`.execute(db);
    return;
  }
  const { rows } = await sql<{ type: string; name: string; sql: string | null }>`
    select type, name, sql from sqlite_master where tbl_name = 'contacts'`.execute(db);
  const table = rows.find((r) => r.type === 'table')!.sql!;
  if (!table.includes('"email" text not null unique')) return; // optional already (down and up again)
  const rebuilt = table
    .replace(/^CREATE TABLE "contacts"/, 'CREATE TABLE "contacts_rebuilt"')
    .replace('"email" text not null unique', '"email" text unique');
  if (rebuilt === table || !rebuilt.includes('"email" text unique'))
    throw new Error('unexpected contacts table');
  const indexes = rows.filter((r) => r.type === 'index' && r.sql !== null).map((r) => r.sql!);
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql.raw(rebuilt).execute(db);
    await sql`insert into contacts_rebuilt select * from contacts`.execute(db);
    await sql`drop table contacts`.execute(db);
    await sql`alter table contacts_rebuilt rename to contacts`.execute(db);
    for (const index of indexes) await sql.raw(index).execute(db);
    const { rows: broken } = await sql`pragma foreign_key_check`.execute(db);
    if (broken.length > 0) throw new Error(`foreign keys broken by the rebuild: ${JSON.stringify(broken)}`);
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);

  // A contact is known by its email, or (imported from another system without one) by that
  // system's id; custom fields from imports are kept as attributes, and a known outcome as a label.
  await makeContactEmailOptional(db, t.id === 'uuid');
  await db.schema.alterTable('contacts').addColumn('external_id', 'text').execute();
  await db.schema
    .createIndex('contacts_external_id_idx')
    .on('contacts')
    .column('external_id')
    .unique()
    .execute();
  await db.schema
    .alterTable('contacts')
    .addColumn('attributes', t.json, (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.alterTable('contacts').addColumn('outcome', 'text').execute();

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
  await db.schema.alterTable('contacts').dropColumn('outcome').execute();
  await db.schema.alterTable('contacts').dropColumn('attributes').execute();
  await db.schema.dropIndex('contacts_external_id_idx').execute();
  await db.schema.alterTable('contacts').dropColumn('external_id').execute();
  // The email stays optional: contacts without one may exist by now.
}
