// Frozen: a migration never changes once released and never imports live code.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The rep's queue and the manager's board ask for the clocks still waiting for a response, by rep
// and deadline; the index holds only those, so its size follows the open work, not the history.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('sla_instances_open_idx')
    .on('sla_instances')
    .columns(['user_id', 'deadline_at'])
    .where(sql<boolean>`status in ('running', 'breached') and responded_at is null and closed_reason is null`)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('sla_instances_open_idx').execute();
}
