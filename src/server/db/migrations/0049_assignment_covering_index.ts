// Frozen: a migration never changes once released and never imports live code.
import type { Kysely } from 'kysely';

// The handoff tracker's step to a lead's first assignment to a person at or after its handover
// (issue 27) reads the person and the decision's id: with both in the index by lead and time, no
// row of assignments is visited. It replaces the index on a prefix of its columns, so a write
// updates as many indexes as before.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('assignments_contact_idx').execute();
  await db.schema
    .createIndex('assignments_contact_idx')
    .on('assignments')
    .columns(['contact_id', 'assigned_at', 'id', 'user_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('assignments_contact_idx').execute();
  await db.schema
    .createIndex('assignments_contact_idx')
    .on('assignments')
    .columns(['contact_id', 'assigned_at'])
    .execute();
}
