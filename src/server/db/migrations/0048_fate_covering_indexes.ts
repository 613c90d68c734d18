// Frozen: a migration never changes once released and never imports live code.
import type { Kysely } from 'kysely';

// The handoff tracker counts the fate of every lead handed over in a period in the database
// (issue 27): each lead's first entry into `mql` in the period, then one step each to its first
// decision out of `mql`, its first SQL and its first opportunity. These indexes hold every column
// those steps read, in the order they are taken (at the same instant, by id), so no row of
// stage_changes or opportunities is visited. Each replaces an index on a prefix of its columns, so a write updates as many
// indexes as before.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('stage_changes_to_stage_idx').execute();
  await db.schema
    .createIndex('stage_changes_to_stage_idx')
    .on('stage_changes')
    .columns(['to_stage', 'occurred_at', 'contact_id'])
    .execute();
  await db.schema.dropIndex('stage_changes_contact_idx').execute();
  await db.schema
    .createIndex('stage_changes_contact_idx')
    .on('stage_changes')
    .columns(['contact_id', 'occurred_at', 'id', 'to_stage', 'from_stage', 'actor_kind'])
    .execute();
  await db.schema.dropIndex('opportunities_contact_idx').execute();
  await db.schema
    .createIndex('opportunities_contact_idx')
    .on('opportunities')
    .columns(['contact_id', 'created_at', 'id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('opportunities_contact_idx').execute();
  await db.schema.createIndex('opportunities_contact_idx').on('opportunities').column('contact_id').execute();
  await db.schema.dropIndex('stage_changes_contact_idx').execute();
  await db.schema
    .createIndex('stage_changes_contact_idx')
    .on('stage_changes')
    .columns(['contact_id', 'occurred_at', 'to_stage'])
    .execute();
  await db.schema.dropIndex('stage_changes_to_stage_idx').execute();
  await db.schema
    .createIndex('stage_changes_to_stage_idx')
    .on('stage_changes')
    .columns(['to_stage', 'occurred_at'])
    .execute();
}
