import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { dialectOf, epochMsSql, utcMonthSql } from '../../db/dialect.ts';
import { dealHistoryOf, type DealHistory } from '../../../domain/planning/deal-history.ts';
import type { TargetsTable } from '../../db/tables.ts';
import type { Insertable, Selectable } from 'kysely';

export type TargetRow = Selectable<TargetsTable>;

export async function findTargets(
  db: Db,
  filter: { periodKind?: string; periodStart?: string; metric?: string },
): Promise<TargetRow[]> {
  let query = db.selectFrom('targets').selectAll();
  if (filter.periodKind) query = query.where('period_kind', '=', filter.periodKind);
  if (filter.periodStart) query = query.where('period_start', '=', filter.periodStart);
  if (filter.metric) query = query.where('metric', '=', filter.metric);
  return query.orderBy('period_start').orderBy('metric').orderBy('owner_kind').orderBy('id').execute();
}

export async function findTargetById(db: Db, id: string): Promise<TargetRow | undefined> {
  return db.selectFrom('targets').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One target per period, metric and owner: a second put for the same replaces the value. */
export async function upsertTarget(db: Db, row: Insertable<TargetsTable>): Promise<TargetRow> {
  await db
    .insertInto('targets')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['period_kind', 'period_start', 'metric', 'owner_kind', 'owner_id']).doUpdateSet({
        value: row.value,
        currency: row.currency ?? null,
        is_joint: row.is_joint,
        note: row.note ?? null,
        updated_at: row.updated_at,
      }),
    )
    .execute();
  return db
    .selectFrom('targets')
    .selectAll()
    .where('period_kind', '=', row.period_kind)
    .where('period_start', '=', row.period_start)
    .where('metric', '=', row.metric)
    .where('owner_kind', '=', row.owner_kind)
    .where('owner_id', '=', row.owner_id)
    .executeTakeFirstOrThrow();
}

export async function deleteTargetRow(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('targets').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function insertPlan(
  db: Db,
  row: {
    id: string;
    name: string;
    period_kind: string;
    period_start: string;
    currency: string;
    inputs: string;
    result: string;
    created_by: string | null;
    created_at: string;
  },
): Promise<void> {
  await db
    .updateTable('plans')
    .set({ is_current: false })
    .where('period_kind', '=', row.period_kind)
    .where('period_start', '=', row.period_start)
    .execute();
  await db
    .insertInto('plans')
    .values({ ...row, is_current: true })
    .execute();
}

export async function findPlans(
  db: Db,
  filter: { periodKind?: string; periodStart?: string; currentOnly?: boolean },
) {
  let query = db.selectFrom('plans').selectAll();
  if (filter.periodKind) query = query.where('period_kind', '=', filter.periodKind);
  if (filter.periodStart) query = query.where('period_start', '=', filter.periodStart);
  if (filter.currentOnly) query = query.where('is_current', '=', true);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

/**
 * Records a plan's daily pace check if no one recorded one since `expectedCheckedOn` (the day the
 * caller saw): of several processes checking at once, one wins. Returns whether this one did.
 */
export async function recordPlanPaceIf(
  db: Db,
  id: string,
  expectedCheckedOn: string | null,
  record: { checkedOn: string; behind: readonly string[] },
): Promise<boolean> {
  const result = await db
    .updateTable('plans')
    .set({ pace_checked_on: record.checkedOn, pace_behind: record.behind.join(',') })
    .where('id', '=', id)
    .where('is_current', '=', true)
    .where((eb) =>
      expectedCheckedOn === null
        ? eb('pace_checked_on', 'is', null)
        : eb('pace_checked_on', '=', expectedCheckedOn),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function findPlanById(db: Db, id: string) {
  return db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The history of the deals closed in [from, to) (days) in a currency, summed by the database
 * exactly as `dealHistory` reads a list of them (the definition; a test holds the two equal on
 * both dialects): how many closed and were won, the won amounts above zero and their count, and
 * the lower middle of the won deals' cycles in days (creation to the closing day's midnight, UTC;
 * negative ones left out). The board reads a year of deals this way rather than as rows.
 */
export async function summariseClosedDeals(
  db: Db,
  input: { from: string; to: string; currency: string },
): Promise<DealHistory> {
  const postgres = dialectOf(db) === 'postgres';
  const closedMs = postgres
    ? sql<number>`(extract(epoch from cast(closed_on as date)) * 1000)::bigint`
    : sql<number>`(unixepoch(closed_on) * 1000)`;
  // A double divided in the database as JavaScript divides it.
  const cycle = sql<number>`cast(${closedMs} - ${epochMsSql(db, sql`created_at`)} as ${sql.raw(
    postgres ? 'double precision' : 'real',
  )}) / 86400000`;
  const { rows } = await sql<{
    closed: number | string;
    won: number | string;
    amount: number | string;
    deals: number | string;
    median: number | string | null;
    cycles: number | string;
  }>`
    with d as materialized (
      select status, amount_minor, case when status = 'won' and closed_on is not null then ${cycle} end as cycle
      from opportunities
      where status in ('won', 'lost') and closed_on >= ${input.from} and closed_on < ${input.to}
        and currency = ${input.currency}
    ),
    c as (select cycle, row_number() over (order by cycle) as n, count(*) over () as k from d where cycle >= 0)
    select count(*) as closed,
      coalesce(sum(case when status = 'won' then 1 else 0 end), 0) as won,
      coalesce(sum(case when status = 'won' and amount_minor > 0 then amount_minor else 0 end), 0) as amount,
      coalesce(sum(case when status = 'won' and amount_minor > 0 then 1 else 0 end), 0) as deals,
      (select cycle from c where n = (k + 1) / 2) as median,
      (select count(*) from c) as cycles
    from d`.execute(db);
  const r = rows[0]!;
  return dealHistoryOf({
    closed: Number(r.closed),
    won: Number(r.won),
    amountMinor: Number(r.amount),
    dealSample: Number(r.deals),
    cycleDays: r.median === null ? null : Number(r.median),
    cycleSample: Number(r.cycles),
  });
}

/**
 * The deals won in [from, to) (days) in a currency and their amounts (nothing counts as zero),
 * summed by the database as `wonInPeriod` (domain, the definition) reads a list of them.
 */
export async function sumWonDeals(
  db: Db,
  input: { from: string; to: string; currency: string },
): Promise<{ count: number; revenueMinor: number }> {
  const row = await db
    .selectFrom('opportunities')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('count'),
      sql<number | string>`coalesce(sum(coalesce(amount_minor, 0)), 0)`.as('revenue'),
    ])
    .where('status', '=', 'won')
    .where('closed_on', '>=', input.from)
    .where('closed_on', '<', input.to)
    .where('currency', '=', input.currency)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), revenueMinor: Number(row.revenue) };
}

/**
 * Per month of [from, to) and lifecycle stage, how many contacts entered the stage: each contact
 * once per stage, in the month of its first entry in [from, to) (the catalogue's rule for `leads`,
 * `mqls`, `sals` and `sqls`, so the months add up to the period's count).
 */
export async function countStageEntriesByMonth(
  db: Db,
  input: { from: string; to: string; stages: readonly string[] },
): Promise<{ month: string; stage: string; count: number }[]> {
  const firsts = db
    .selectFrom('stage_changes')
    .select(['contact_id', 'to_stage', (eb) => eb.fn.min('occurred_at').as('first_at')])
    .where('occurred_at', '>=', input.from)
    .where('occurred_at', '<', input.to)
    .where('to_stage', 'in', input.stages)
    .groupBy(['contact_id', 'to_stage'])
    .as('f');
  const month = utcMonthSql(db, sql.ref('f.first_at'));
  const rows = await db
    .selectFrom(firsts)
    .select([month.as('month'), 'f.to_stage as stage', sql<number | string>`count(*)`.as('count')])
    .groupBy([month, 'f.to_stage'])
    .execute();
  return rows.map((r) => ({ month: r.month, stage: r.stage, count: Number(r.count) }));
}

/** Per month: opportunities created, and deals won with their revenue, in one currency. */
export async function countDealsByMonth(db: Db, input: { from: string; to: string; currency: string }) {
  const created = utcMonthSql(db, sql.ref('created_at'));
  const [opened, won] = await Promise.all([
    db
      .selectFrom('opportunities')
      .select([created.as('month'), sql<number | string>`count(*)`.as('count')])
      .where('created_at', '>=', input.from)
      .where('created_at', '<', input.to)
      .groupBy(created)
      .execute(),
    db
      .selectFrom('opportunities')
      .select([
        sql<string>`substr(closed_on, 1, 7)`.as('month'),
        sql<number | string>`count(*)`.as('count'),
        sql<number | string | null>`sum(amount_minor)`.as('revenue'),
      ])
      .where('status', '=', 'won')
      .where('currency', '=', input.currency)
      .where('closed_on', '>=', input.from.slice(0, 10))
      .where('closed_on', '<', input.to.slice(0, 10))
      .groupBy(sql`substr(closed_on, 1, 7)`)
      .execute(),
  ]);
  return {
    opened: opened.map((r) => ({ month: r.month, count: Number(r.count) })),
    won: won.map((r) => ({ month: r.month, count: Number(r.count), revenue: Number(r.revenue ?? 0) })),
  };
}
