// Frozen: a migration never changes once released and never imports live code.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// A plan's pace is checked once a day, like Marketing's commitments: the day of the last check
// (compare-and-set, so one process of several records it) and the stages found behind then (so an
// alert goes out when a stage falls behind, not every day it stays behind).
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('plans').addColumn('pace_checked_on', 'text').execute();
  await db.schema.alterTable('plans').addColumn('pace_behind', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('plans').dropColumn('pace_behind').execute();
  await db.schema.alterTable('plans').dropColumn('pace_checked_on').execute();
}
