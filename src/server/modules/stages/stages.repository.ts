import { sql } from 'kysely';
import type { CohortSummary } from '../../../domain/lifecycle/funnel.ts';
import type { Db } from '../../db/database.ts';
import { withSortMemory } from '../../db/dialect.ts';
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
 * The funnel of the people who came in during [from, to) (created in it, of some owners only), in
 * brief (see CohortSummary), from the kept cohort tables (migration 0057): the people grouped by
 * the set of stages they entered, mapped onto the path as it is now, and per stage of the path the
 * count of stays and the nearest-rank median (the ⌈n/2⌉th shortest), read in order with an offset.
 */
export async function summariseCohortFunnel(
  db: Db,
  input: { from: string; to: string; ownerIds: readonly string[] | null; path: readonly string[] },
): Promise<CohortSummary> {
  const furthest = new Map<string, number>();
  const stays = new Map<string, { left: number; medianMs: number | null }>();
  if ((input.ownerIds && input.ownerIds.length === 0) || input.path.length === 0) return { furthest, stays };
  const { from, to, ownerIds } = input;
  const cohort = sql<boolean>`created_at >= ${from} and created_at < ${to}${
    ownerIds ? sql` and owner_id in (${sql.join(ownerIds)})` : sql``
  }`;
  // On PostgreSQL the statements run side by side on the pool's connections; SQLite takes them in turn.
  const [sets, counts] = await Promise.all([
    db
      .selectFrom('funnel_people')
      .select(['stages', (eb) => eb.fn.countAll<number | string>().as('people')])
      .where(cohort)
      .where('stages', '<>', '')
      .groupBy('stages')
      .execute(),
    db
      .selectFrom('funnel_stays')
      .select(['stage', (eb) => eb.fn.countAll<number | string>().as('people')])
      .where('stage', 'in', input.path)
      .where(cohort)
      .groupBy('stage')
      .execute(),
  ]);
  const position = new Map(input.path.map((key, i) => [key, i]));
  for (const set of sets) {
    const far = Math.max(...set.stages.split(',').map((key) => position.get(key) ?? -1));
    if (far >= 0) furthest.set(input.path[far]!, (furthest.get(input.path[far]!) ?? 0) + Number(set.people));
  }
  const middles = await Promise.all(
    counts.map(({ stage, people }) =>
      withSortMemory(db, (conn) =>
        conn
          .selectFrom('funnel_stays')
          .select('stay_ms')
          .where('stage', '=', stage)
          .where(cohort)
          .orderBy('stay_ms')
          .limit(1)
          .offset(Math.ceil(Number(people) / 2) - 1)
          .executeTakeFirstOrThrow(),
      ),
    ),
  );
  counts.forEach(({ stage, people }, i) =>
    stays.set(stage, { left: Number(people), medianMs: Number(middles[i]!.stay_ms) }),
  );
  return { furthest, stays };
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
