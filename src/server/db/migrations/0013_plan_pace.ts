// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const timeType = (db: AnyDb) =>
  db.getExecutor().adapter instanceof PostgresAdapter ? ('timestamptz' as const) : ('text' as const);

// A plan's pace is checked once a day, like Marketing's commitments: the day of the last check
// (compare-and-set, so one process of several records it) and the stages found behind then (so an
// alert goes out when a stage falls behind, not every day it stays behind).
//
// The unassigned queue is retried in turns: a queued lead's decision keeps when it was last tried,
// so a sweep takes the leads tried longest ago first and a long queue cannot starve newer leads.
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('plans').addColumn('pace_checked_on', 'text').execute();
  await db.schema.alterTable('plans').addColumn('pace_behind', 'text').execute();
  await db.schema.alterTable('assignments').addColumn('retried_at', timeType(db)).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('assignments').dropColumn('retried_at').execute();
  await db.schema.alterTable('plans').dropColumn('pace_behind').execute();
  await db.schema.alterTable('plans').dropColumn('pace_checked_on').execute();
}
