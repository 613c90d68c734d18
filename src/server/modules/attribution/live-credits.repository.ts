/**
 * Each deal's credit under the agreed model, kept up to date (migration 0046, ADR 7): which deals
 * are stale, storing a deal's credit, and what a period's deals add up to, summed in the database.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.ts';
import { dialectOf, fromDbBool, toDbTime } from '../../db/dialect.ts';
import { dealInPeriodSql } from './attribution.repository.ts';

/** A deal to credit again, with the count of changes its credit will be worked out from. */
export interface StaleDeal {
  id: string;
  changes: number;
}

/** One deal's credit as stored: its figures, and its lines added up per dimension and key. */
export interface LiveCredit {
  opportunityId: string;
  /** The `changes` read before the deal's facts: a change after that leaves it stale. */
  changes: number;
  validUntil: Date | null;
  currency: string;
  pipelineOn: string;
  revenueOn: string | null;
  amountMinor: number;
  isSourced: boolean;
  isInfluenced: boolean;
  lines: number;
  creditMinor: number;
  weight: number;
  keys: {
    dimension: 'channel' | 'campaign' | 'touch';
    key: string | null;
    creditMinor: number;
    weight: number;
    touches: number;
  }[];
}

/**
 * Deals stale by their changes: a credit older than its deal's facts. PostgreSQL keeps the
 * predicate as a column (migration 0058), whose statistics let it take the partial index on it;
 * SQLite matches 0046's partial index by its expression, term for term.
 */
const staleByChanges = (db: Db) =>
  dialectOf(db) === 'postgres'
    ? sql<boolean>`c.is_stale`
    : sql<boolean>`(c.credited_changes is null or c.credited_changes <> c.changes)`;

/**
 * The stale deals: their credit is missing or older than their facts, or (with `now`) time has
 * moved it. With a period, only the deals a report of it reads: won or lost in it, or created in
 * it, in one currency.
 */
export async function findStaleDeals(
  db: Db,
  filter: { now?: Date; period?: { from: string; to: string; currency: string }; limit?: number },
): Promise<StaleDeal[]> {
  // In the period by the deal's facts now, or by those its stale credit was worked out from (a deal
  // that moved out of the period must leave its sums too).
  const inPeriod = (p: { from: string; to: string; currency: string }) => sql<boolean>`(exists (
    select 1 from opportunities o where o.id = c.opportunity_id and o.currency = ${p.currency}
      and ${dealInPeriodSql(p)})
    or (c.currency = ${p.currency} and ((c.revenue_on >= ${p.from} and c.revenue_on <= ${p.to})
        or (c.pipeline_on >= ${p.from} and c.pipeline_on <= ${p.to}))))`;
  const select = (where: RawBuilder<boolean>) => {
    let q = db
      .selectFrom('attribution_live_credits as c')
      .select(['c.opportunity_id as id', 'c.changes'])
      .where(where);
    if (filter.period) q = q.where(inPeriod(filter.period));
    return q;
  };
  let query = select(staleByChanges(db));
  if (filter.now)
    query = query.union(
      select(sql<boolean>`c.valid_until is not null and c.valid_until <= ${toDbTime(filter.now)}`),
    );
  const rows = await (filter.limit === undefined ? query : query.limit(filter.limit)).execute();
  return rows.map((r) => ({ id: r.id, changes: Number(r.changes) }));
}

/** Which of these deals have a snapshot (their revenue is its credit, not this). */
export async function findSnapshotIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('attribution_snapshots')
    .select('opportunity_id')
    .where('opportunity_id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.opportunity_id));
}

/**
 * Stores deals' credit in one transaction. The deal's row is updated first, which locks it on
 * PostgreSQL, so two writers of the same deal take turns and never leave its lines twice.
 */
export async function writeLiveCredits(trx: Db, credits: readonly LiveCredit[]): Promise<void> {
  if (credits.length === 0) return;
  for (const c of credits)
    await trx
      .updateTable('attribution_live_credits')
      .set({
        credited_changes: c.changes,
        valid_until: c.validUntil === null ? null : toDbTime(c.validUntil),
        currency: c.currency,
        pipeline_on: c.pipelineOn,
        revenue_on: c.revenueOn,
        amount_minor: c.amountMinor,
        is_sourced: c.isSourced,
        is_influenced: c.isInfluenced,
        lines: c.lines,
        credit_minor: c.creditMinor,
        weight: c.weight,
      })
      .where('opportunity_id', '=', c.opportunityId)
      .execute();
  await trx
    .deleteFrom('attribution_live_lines')
    .where(
      'opportunity_id',
      'in',
      credits.map((c) => c.opportunityId),
    )
    .execute();
  const lines = credits.flatMap((c) =>
    c.keys.map((k) => ({
      opportunity_id: c.opportunityId,
      dimension: k.dimension,
      key: k.key,
      currency: c.currency,
      pipeline_on: c.pipelineOn,
      revenue_on: c.revenueOn,
      credit_minor: k.creditMinor,
      weight: k.weight,
      touches: k.touches,
    })),
  );
  for (let i = 0; i < lines.length; i += 500)
    await trx
      .insertInto('attribution_live_lines')
      .values(lines.slice(i, i + 500))
      .execute();
}

/** A period's deals in one currency, as the report adds them up. */
export interface LiveFigures {
  revenue: boolean;
  isSourced: boolean;
  isInfluenced: boolean;
  attributed: boolean;
  deals: number;
  amountMinor: number;
}

export interface LiveRow {
  key: string;
  label: string;
  revenueMinor: number;
  revenueWeight: number;
  pipelineMinor: number;
  pipelineWeight: number;
  touches: number;
}

export interface LiveSums {
  figures: LiveFigures[];
  rows: LiveRow[];
  campaigns: { campaign: string; revenueMinor: number; revenueWeight: number; pipelineMinor: number }[];
}

/**
 * What the stored credit of a period's deals adds up to (revenue: won in it without a snapshot;
 * pipeline: created in it), grouped by channel, campaign, touch type, deal or month, in the
 * database. The caller has credited the stale deals of the period first.
 */
export async function sumLiveCredits(
  db: Db,
  period: { from: string; to: string; currency: string },
  /** Null: the figures only, without the lines per key and per campaign (the board's totals). */
  groupBy: 'channel' | 'campaign' | 'touch' | 'deal' | 'month' | null,
): Promise<LiveSums> {
  const { from, to, currency } = period;
  const isRevenue = sql<boolean>`(revenue_on >= ${from} and revenue_on <= ${to})`;
  const isPipeline = sql<boolean>`(pipeline_on >= ${from} and pipeline_on <= ${to})`;
  const when = (test: RawBuilder<boolean>, value: string) =>
    sql<number | string>`sum(case when ${test} then ${sql.ref(value)} else 0 end)`;

  const figures = (side: 'revenue' | 'pipeline') =>
    db
      .selectFrom('attribution_live_credits')
      .select([
        'is_sourced',
        'is_influenced',
        sql<number>`case when lines > 0 then 1 else 0 end`.as('attributed'),
        sql<number | string>`count(*)`.as('deals'),
        sql<number | string>`sum(amount_minor)`.as('amount'),
      ])
      .where('currency', '=', currency)
      .where(side === 'revenue' ? isRevenue : isPipeline)
      .groupBy(['is_sourced', 'is_influenced', sql`case when lines > 0 then 1 else 0 end`])
      .execute()
      .then((rows) =>
        rows.map((r): LiveFigures => ({
          revenue: side === 'revenue',
          isSourced: fromDbBool(r.is_sourced!),
          isInfluenced: fromDbBool(r.is_influenced!),
          attributed: Number(r.attributed) === 1,
          deals: Number(r.deals),
          amountMinor: Number(r.amount),
        })),
      );

  // A period's lines per key: those created in it, then those only won in it, each a range of a
  // covering index (an OR of the two ranges would fetch every row from the table).
  const byKey = (dimension: 'channel' | 'campaign' | 'touch') =>
    db
      .selectFrom((eb) =>
        eb
          .selectFrom('attribution_live_lines')
          .select([
            'key',
            sql<number | string | bigint>`case when ${isRevenue} then credit_minor else 0 end`.as('revenue'),
            sql<number>`case when ${isRevenue} then weight else 0 end`.as('revenue_weight'),
            'credit_minor as pipeline',
            'weight as pipeline_weight',
            'touches',
          ])
          .where('dimension', '=', dimension)
          .where('currency', '=', currency)
          .where(isPipeline)
          .unionAll((u) =>
            u
              .selectFrom('attribution_live_lines')
              .select([
                'key',
                'credit_minor as revenue',
                'weight as revenue_weight',
                sql<number | string | bigint>`0`.as('pipeline'),
                sql<number>`0`.as('pipeline_weight'),
                'touches',
              ])
              .where('dimension', '=', dimension)
              .where('currency', '=', currency)
              .where(isRevenue)
              .where(sql<boolean>`not ${isPipeline}`),
          )
          .as('l'),
      )
      .select([
        'l.key',
        sql<number | string>`sum(l.revenue)`.as('revenue'),
        sql<number | string>`sum(l.revenue_weight)`.as('revenue_weight'),
        sql<number | string>`sum(l.pipeline)`.as('pipeline'),
        sql<number | string>`sum(l.pipeline_weight)`.as('pipeline_weight'),
        sql<number | string>`sum(l.touches)`.as('touches'),
      ])
      .groupBy('l.key')
      .execute();

  const toRow = (r: {
    key: string | null;
    label?: string | null;
    revenue: number | string;
    revenue_weight: number | string;
    pipeline: number | string;
    pipeline_weight: number | string;
    touches: number | string;
  }): LiveRow => ({
    key: r.key ?? '(none)',
    label: r.label ?? r.key ?? '(none)',
    revenueMinor: Number(r.revenue),
    revenueWeight: Number(r.revenue_weight),
    pipelineMinor: Number(r.pipeline),
    pipelineWeight: Number(r.pipeline_weight),
    touches: Number(r.touches),
  });

  const rows = async (): Promise<LiveRow[]> => {
    if (groupBy === null) return [];
    if (groupBy === 'channel' || groupBy === 'touch') return (await byKey(groupBy)).map(toRow);
    if (groupBy === 'campaign') return []; // from the campaigns' own query below
    if (groupBy === 'deal')
      return (
        await db
          .selectFrom('attribution_live_credits as c')
          .innerJoin('opportunities as o', 'o.id', 'c.opportunity_id')
          .select([
            'c.opportunity_id as key',
            'o.name as label',
            when(isRevenue, 'c.credit_minor').as('revenue'),
            when(isRevenue, 'c.weight').as('revenue_weight'),
            when(isPipeline, 'c.credit_minor').as('pipeline'),
            when(isPipeline, 'c.weight').as('pipeline_weight'),
            sql<number | string>`sum(c.lines)`.as('touches'),
          ])
          .where('c.currency', '=', currency)
          .where('c.lines', '>', 0)
          .where(sql<boolean>`(${isRevenue} or ${isPipeline})`)
          .groupBy(['c.opportunity_id', 'o.name'])
          .execute()
      ).map(toRow);
    // By month: revenue in the month the deal was won, pipeline in the month it was created.
    const month = (side: 'revenue' | 'pipeline') =>
      db
        .selectFrom('attribution_live_credits')
        .select([
          sql<string>`substr(${sql.ref(`${side}_on`)}, 1, 7)`.as('key'),
          sql<number | string>`sum(credit_minor)`.as('credit'),
          sql<number | string>`sum(weight)`.as('weight'),
          sql<number | string>`sum(lines)`.as('touches'),
        ])
        .where('currency', '=', currency)
        .where('lines', '>', 0)
        .where(side === 'revenue' ? isRevenue : isPipeline)
        .groupBy(sql`substr(${sql.ref(`${side}_on`)}, 1, 7)`)
        .execute();
    const [revenue, pipeline] = await Promise.all([month('revenue'), month('pipeline')]);
    return [
      ...revenue.map((r) =>
        toRow({
          key: r.key,
          revenue: r.credit,
          revenue_weight: r.weight,
          pipeline: 0,
          pipeline_weight: 0,
          touches: r.touches,
        }),
      ),
      ...pipeline.map((r) =>
        toRow({
          key: r.key,
          revenue: 0,
          revenue_weight: 0,
          pipeline: r.credit,
          pipeline_weight: r.weight,
          touches: r.touches,
        }),
      ),
    ];
  };

  const [revenueFigures, pipelineFigures, grouped, campaignRows] = await Promise.all([
    figures('revenue'),
    figures('pipeline'),
    rows(),
    groupBy === null ? [] : byKey('campaign'),
  ]);
  return {
    figures: [...revenueFigures, ...pipelineFigures],
    rows: groupBy === 'campaign' ? campaignRows.map(toRow) : grouped,
    campaigns: campaignRows
      .filter((r) => r.key !== null)
      .map((r) => ({
        campaign: r.key!,
        revenueMinor: Number(r.revenue),
        revenueWeight: Number(r.revenue_weight),
        pipelineMinor: Number(r.pipeline),
      })),
  };
}
