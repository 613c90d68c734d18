// Frozen: a migration never changes once released and never imports live code.
import type { Kysely } from 'kysely';

// The funnel reads a period's cohort (the people created in it, of some owners) and every stage
// change of those people. Both indexes now hold every column that read needs, so neither table's
// rows are visited: 1M people and their history at scale (issue 27). Each replaces an index on a
// prefix of its columns, so a write updates as many indexes as before.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('contacts_created_idx').execute();
  await db.schema
    .createIndex('contacts_created_idx')
    .on('contacts')
    .columns(['created_at', 'owner_id', 'id'])
    .execute();
  await db.schema.dropIndex('stage_changes_contact_idx').execute();
  await db.schema
    .createIndex('stage_changes_contact_idx')
    .on('stage_changes')
    .columns(['contact_id', 'occurred_at', 'to_stage'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('stage_changes_contact_idx').execute();
  await db.schema
    .createIndex('stage_changes_contact_idx')
    .on('stage_changes')
    .columns(['contact_id', 'occurred_at'])
    .execute();
  await db.schema.dropIndex('contacts_created_idx').execute();
  await db.schema.createIndex('contacts_created_idx').on('contacts').column('created_at').execute();
}
