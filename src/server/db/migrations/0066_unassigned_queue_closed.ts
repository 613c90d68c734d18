// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// The unassigned queue is the unassigned decisions that are still a lead's latest. The automatic
// retry read every unassigned decision ever made (through their partial index) and dropped those a
// later decision had replaced: a read that grew with the install's history, every minute. A
// decision now records when a later one replaced it (`queue_closed_at`), set by a trigger on
// every new decision on both dialects (no writer can forget it), and the queue's index holds only
// the decisions not yet replaced. The queue's other conditions (the lead still in its stage, no
// later decision) are still checked by the query, so the flag only ever leaves out what the query
// would leave out.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .alterTable('assignments')
    .addColumn('queue_closed_at', pg ? 'timestamptz' : 'text')
    .execute();
  await sql`update assignments set queue_closed_at = (
      select min(later.assigned_at) from assignments later
       where later.contact_id = assignments.contact_id and later.id > assignments.id)
    where kind = 'unassigned'
      and exists (select 1 from assignments later
                   where later.contact_id = assignments.contact_id and later.id > assignments.id)`.execute(
    db,
  );
  const close = (row: string) =>
    `update assignments set queue_closed_at = ${row}.assigned_at
      where contact_id = ${row}.contact_id and kind = 'unassigned' and queue_closed_at is null
        and id < ${row}.id;`;
  if (pg) {
    await sql
      .raw(
        `create function assignments_close_queue() returns trigger language plpgsql as $$
        begin ${close('new')} return null; end $$`,
      )
      .execute(db);
    await sql`create trigger assignments_close_queue after insert on assignments
      for each row execute function assignments_close_queue()`.execute(db);
  } else {
    await sql
      .raw(`create trigger assignments_close_queue after insert on assignments begin ${close('new')} end`)
      .execute(db);
  }
  await db.schema.dropIndex('assignments_unassigned_idx').execute();
  await db.schema
    .createIndex('assignments_queue_idx')
    .on('assignments')
    .column('assigned_at')
    .where(sql<boolean>`kind = 'unassigned' and queue_closed_at is null`)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.dropIndex('assignments_queue_idx').execute();
  await db.schema
    .createIndex('assignments_unassigned_idx')
    .on('assignments')
    .column('assigned_at')
    .where(sql<boolean>`kind = 'unassigned'`)
    .execute();
  if (pg) {
    await sql`drop trigger assignments_close_queue on assignments`.execute(db);
    await sql`drop function assignments_close_queue()`.execute(db);
  } else await sql`drop trigger assignments_close_queue`.execute(db);
  await db.schema.alterTable('assignments').dropColumn('queue_closed_at').execute();
}
