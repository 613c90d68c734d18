import type { Db } from '../../db/database.ts';
import type { NewStageRow, StageRow, StageUpdate } from '../../db/tables.ts';

export interface StageWithTransitions extends StageRow {
  allowedNext: string[];
}

export async function findStages(db: Db): Promise<StageWithTransitions[]> {
  const [stages, transitions] = await Promise.all([
    db.selectFrom('stages').selectAll().orderBy('position').orderBy('key').execute(),
    db.selectFrom('stage_transitions').selectAll().execute(),
  ]);
  return stages.map((stage) => ({
    ...stage,
    allowedNext: transitions.filter((t) => t.from_key === stage.key).map((t) => t.to_key),
  }));
}

export async function insertStage(db: Db, row: NewStageRow): Promise<void> {
  await db.insertInto('stages').values(row).execute();
}

export async function updateStageRow(db: Db, key: string, patch: StageUpdate): Promise<void> {
  await db.updateTable('stages').set(patch).where('key', '=', key).execute();
}

export async function replaceTransitions(db: Db, fromKey: string, toKeys: readonly string[]): Promise<void> {
  await db.deleteFrom('stage_transitions').where('from_key', '=', fromKey).execute();
  if (toKeys.length === 0) return;
  await db
    .insertInto('stage_transitions')
    .values(toKeys.map((toKey) => ({ from_key: fromKey, to_key: toKey })))
    .execute();
}

/**
 * Every stage change (creation included) of the people who came in during [from, to) (created in
 * it, of some owners only): the cohort the funnel of the period follows.
 */
export async function findCohortMoves(
  db: Db,
  input: { from: string; to: string; ownerIds: readonly string[] | null },
) {
  if (input.ownerIds && input.ownerIds.length === 0) return [];
  let query = db
    .selectFrom('stage_changes as m')
    .innerJoin('contacts as c', 'c.id', 'm.contact_id')
    .select(['m.contact_id', 'm.to_stage', 'm.occurred_at'])
    .where('c.created_at', '>=', input.from)
    .where('c.created_at', '<', input.to);
  if (input.ownerIds) query = query.where('c.owner_id', 'in', input.ownerIds);
  return query.execute();
}

/**
 * Every stage change since `from` of the contacts that changed stage in [from, to) (of some owners
 * only): what the funnel of the period reads.
 */
export async function findStageMovesSince(
  db: Db,
  input: { from: string; to: string; ownerIds: readonly string[] | null },
) {
  if (input.ownerIds && input.ownerIds.length === 0) return [];
  let moved = db
    .selectFrom('stage_changes as m')
    .select('m.contact_id')
    .where('m.occurred_at', '>=', input.from)
    .where('m.occurred_at', '<', input.to);
  if (input.ownerIds)
    moved = moved
      .innerJoin('contacts as c', 'c.id', 'm.contact_id')
      .where('c.owner_id', 'in', input.ownerIds);
  return db
    .selectFrom('stage_changes')
    .select(['contact_id', 'to_stage', 'occurred_at'])
    .where('occurred_at', '>=', input.from)
    .where('contact_id', 'in', moved)
    .execute();
}
