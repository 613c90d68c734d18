// Frozen: a migration never changes once released and never imports live code.
import type { Kysely } from 'kysely';

// Follow-up clocks by when they were breached: a CRM connection writes each breach as a task for
// the rep's manager, reading them from a cursor.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('sla_instances_breached_idx')
    .on('sla_instances')
    .columns(['breached_at', 'id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('sla_instances_breached_idx').execute();
}
