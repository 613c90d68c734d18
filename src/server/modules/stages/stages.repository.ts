import { sql } from 'kysely';
import type { CohortSummary } from '../../../domain/lifecycle/funnel.ts';
import type { Db } from '../../db/database.ts';
import { dialectOf, withSortMemory } from '../../db/dialect.ts';
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

/** A cohort: the people created in [from, to), of some owners only (null: all), and the funnel's path. */
type CohortInput = { from: string; to: string; ownerIds: readonly string[] | null; path: readonly string[] };

/**
 * The funnel of the people who came in during [from, to) (created in it, of some owners only), in
 * brief (see CohortSummary), from the kept cohort tables (migration 0057): the people counted by
 * the set of stages they entered, mapped onto the path as it is now, and per stage of the path the
 * count of stays and the nearest-rank median (the ⌈n/2⌉th shortest).
 */
export async function summariseCohortFunnel(db: Db, input: CohortInput): Promise<CohortSummary> {
  const furthest = new Map<string, number>();
  const stays = new Map<string, { left: number; medianMs: number | null }>();
  if ((input.ownerIds && input.ownerIds.length === 0) || input.path.length === 0) return { furthest, stays };
  const [sets, middles] =
    dialectOf(db) === 'postgres'
      ? // Side by side on two connections of the pool.
        await Promise.all([countPeopleBySet(db, input), staysByStagePostgres(db, input)])
      : [await countPeopleBySet(db, input), await staysByStageSqlite(db, input)];
  const position = new Map(input.path.map((key, i) => [key, i]));
  for (const set of sets) {
    const far = Math.max(...set.stages.split(',').map((key) => position.get(key) ?? -1));
    if (far >= 0) furthest.set(input.path[far]!, (furthest.get(input.path[far]!) ?? 0) + Number(set.people));
  }
  for (const m of middles) stays.set(m.stage, { left: Number(m.people), medianMs: Number(m.stay_ms) });
  return { furthest, stays };
}

/** The cohort's condition on a kept table's copy of the person's creation and owner. */
function inCohort(table: string, { from, to, ownerIds }: CohortInput) {
  const created = sql.ref(`${table}.created_at`);
  return sql<boolean>`${created} >= ${from} and ${created} < ${to}${
    ownerIds ? sql` and ${sql.ref(`${table}.owner_id`)} in (${sql.join(ownerIds)})` : sql``
  }`;
}

/** The cohort's people with each set of stages (none counts no one). */
async function countPeopleBySet(db: Db, input: CohortInput) {
  if (dialectOf(db) === 'postgres')
    // PostgreSQL reads a short period as a range of the index by creation, and a long one whole
    // (in parallel): both faster there than counting each set's range of the index.
    return db
      .selectFrom('funnel_people as p')
      .select(['p.stages', (eb) => eb.fn.countAll<number | string>().as('people')])
      .where(inCohort('p', input))
      .where('p.stages', '<>', '')
      .groupBy('p.stages')
      .execute();
  // SQLite's index is ordered by set. The sets are few: found by skipping through the index from
  // one to the next, each is then one range of it. A year: 97–111 ms, against 285–345 ms grouping
  // the period's million entries by set.
  const { rows } = await sql<{ stages: string; people: number | string }>`
    with recursive sets (stages) as (
      select min(stages) from funnel_people
      union all
      select (select min(n.stages) from funnel_people n where n.stages > sets.stages)
      from sets where sets.stages is not null
    )
    select p.stages, count(*) as people from funnel_people p
    where p.stages in (select stages from sets where stages is not null and stages <> '') and ${inCohort('p', input)}
    group by p.stages`.execute(db);
  return rows;
}

/** Per stage of the path: how many of the cohort left it, and the nearest-rank median stay. */
async function staysByStagePostgres(db: Db, input: CohortInput) {
  // percentile_disc(0.5) is the first stay whose rank reaches half the count: the ⌈n/2⌉th shortest.
  return withSortMemory(db, (conn) =>
    conn
      .selectFrom('funnel_stays as s')
      .select([
        's.stage',
        (eb) => eb.fn.countAll<number | string>().as('people'),
        sql<number | string>`percentile_disc(0.5) within group (order by s.stay_ms)`.as('stay_ms'),
      ])
      .where('s.stage', 'in', input.path)
      .where(inCohort('s', input))
      .groupBy('s.stage')
      .execute(),
  );
}

/** The same on SQLite: each stage's count, then its median read in order with an offset. */
async function staysByStageSqlite(db: Db, input: CohortInput) {
  const counts = await db
    .selectFrom('funnel_stays as s')
    .select(['s.stage', (eb) => eb.fn.countAll<number | string>().as('people')])
    .where('s.stage', 'in', input.path)
    .where(inCohort('s', input))
    .groupBy('s.stage')
    .execute();
  const middles = [];
  for (const { stage, people } of counts) {
    const middle = await db
      .selectFrom('funnel_stays as s')
      .select('s.stay_ms')
      .where('s.stage', '=', stage)
      .where(inCohort('s', input))
      .orderBy('s.stay_ms')
      .limit(1)
      .offset(Math.ceil(Number(people) / 2) - 1)
      .executeTakeFirstOrThrow();
    middles.push({ stage, people, stay_ms: middle.stay_ms });
  }
  return middles;
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
