import { sql, type ExpressionBuilder, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import {
  channelOf,
  type AttributionTouch,
  type TouchCategory,
} from '../../../domain/attribution/deal-touches.ts';
import type { Db } from '../../db/database.ts';
import { epochMsSql, fromDbBool, fromDbTime, stringAggSql, toDbTime } from '../../db/dialect.ts';
import type {
  AttributionCreditsTable,
  AttributionSettingsTable,
  AttributionSnapshotsTable,
  CampaignCostsTable,
  DB,
  OpportunitiesTable,
} from '../../db/tables.ts';

export type AttributionSettingsRow = Selectable<AttributionSettingsTable>;
export type CampaignCostRow = Selectable<CampaignCostsTable>;
export type SnapshotRow = Selectable<AttributionSnapshotsTable>;
export type CreditRow = Selectable<AttributionCreditsTable>;
export type DealRow = Pick<
  Selectable<OpportunitiesTable>,
  | 'id'
  | 'name'
  | 'status'
  | 'amount_minor'
  | 'currency'
  | 'contact_id'
  | 'account_id'
  | 'owner_id'
  | 'created_at'
  | 'stage_entered_at'
  | 'closed_on'
>;

const dealColumns = [
  'id',
  'name',
  'status',
  'amount_minor',
  'currency',
  'contact_id',
  'account_id',
  'owner_id',
  'created_at',
  'stage_entered_at',
  'closed_on',
] as const;

/** Ids per query: well inside every dialect's limit on parameters. */
const chunkSize = 500;

export async function findAttributionSettings(db: Db): Promise<AttributionSettingsRow> {
  return db.selectFrom('attribution_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function updateAttributionSettingsRow(
  db: Db,
  values: Updateable<AttributionSettingsTable>,
): Promise<void> {
  await db.updateTable('attribution_settings').set(values).where('id', '=', 1).execute();
}

/**
 * Which deals a report needs: won or lost with a close date in [from, to], and every deal created in
 * [from, to] (its pipeline). Dates are UTC days.
 */
function inPeriod(from: string, to: string) {
  return (eb: ExpressionBuilder<DB, 'opportunities'>) =>
    eb.or([
      eb.and([eb('status', 'in', ['won', 'lost']), eb('closed_on', '>=', from), eb('closed_on', '<=', to)]),
      eb.and([eb('created_at', '>=', `${from}T00:00:00.000Z`), eb('created_at', '<', dayAfter(to))]),
    ]);
}

/**
 * The same as {@link inPeriod}, as SQL on the deals' alias `o`, for raw statements: won or lost
 * with a close date in [from, to], or created in it.
 */
export function dealInPeriodSql(period: { from: string; to: string }): RawBuilder<boolean> {
  return sql<boolean>`((o.status in ('won', 'lost') and o.closed_on >= ${period.from} and o.closed_on <= ${period.to})
    or (o.created_at >= ${`${period.from}T00:00:00.000Z`} and o.created_at < ${dayAfter(period.to)}))`;
}

/** A slice of a report's deals by id: after one id (exclusive) up to another (inclusive); null is open. */
export interface DealRange {
  after: string | null;
  upTo: string | null;
}

/** A report's deals in one currency, within a range of ids. */
export async function findReportDeals(
  db: Db,
  deals: { from: string; to: string; currency: string; range: DealRange },
): Promise<DealRow[]> {
  let query = db
    .selectFrom('opportunities')
    .select(dealColumns)
    .where(inPeriod(deals.from, deals.to))
    .where('currency', '=', deals.currency);
  if (deals.range.after !== null) query = query.where('id', '>', deals.range.after);
  if (deals.range.upTo !== null) query = query.where('id', '<=', deals.range.upTo);
  return query.orderBy('id').execute();
}

/** The id that splits a report's deals in two halves (the last of the first half). */
export async function findMiddleDealId(
  db: Db,
  deals: { from: string; to: string; currency: string },
  count: number,
): Promise<string | null> {
  const row = await db
    .selectFrom('opportunities')
    .select('id')
    .where(inPeriod(deals.from, deals.to))
    .where('currency', '=', deals.currency)
    .orderBy('id')
    .offset(Math.max(0, Math.floor(count / 2) - 1))
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** How many of a report's deals are in each currency. */
export async function countReportDeals(db: Db, from: string, to: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('opportunities')
    .select(['currency', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where(inPeriod(from, to))
    .groupBy('currency')
    .execute();
  return new Map(rows.map((r) => [r.currency, Number(r.count)]));
}

export async function findDealById(db: Db, id: string): Promise<DealRow | undefined> {
  return db.selectFrom('opportunities').select(dealColumns).where('id', '=', id).executeTakeFirst();
}

/** Deals by id (at most a few hundred at a time), in id order. */
export async function findDealsByIds(db: Db, ids: readonly string[]): Promise<DealRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('opportunities').select(dealColumns).where('id', 'in', ids).orderBy('id').execute();
}

const unitSeparator = '\u001f';
const recordSeparator = '\u001e';

/**
 * Every candidate touch of each deal, encoded (see {@link decodeTouches}): those of the people with
 * a role on it, of its main person, and of everyone at its account. The deals are a period's (as
 * {@link findReportDeals}) or given by id.
 *
 * The database joins each deal's touches into one text (group_concat / string_agg), so a report
 * over 50,000 deals reads 50,000 rows instead of a million: on SQLite, turning rows into JavaScript
 * values costs more than the query. Decoding one deal at a time keeps a million touch objects from
 * being alive at once. Free-text fields have the separators replaced; the campaign comes last.
 */
export async function findDealTouches(
  db: Db,
  deals: { from: string; to: string; currency: string; range: DealRange } | { ids: readonly string[] },
): Promise<Map<string, EncodedTouches>> {
  const byDeal = new Map<string, EncodedTouches>();
  if ('ids' in deals && deals.ids.length === 0) return byDeal;
  const filter =
    'ids' in deals
      ? sql`o.id in (${sql.join(deals.ids)})`
      : sql`o.currency = ${deals.currency}
             and ${dealInPeriodSql(deals)}
             and ${deals.range.after === null ? sql`1 = 1` : sql`o.id > ${deals.range.after}`}
             and ${deals.range.upTo === null ? sql`1 = 1` : sql`o.id <= ${deals.range.upTo}`}`;
  const us = unitSeparator;
  const clean = (column: RawBuilder<unknown>) =>
    sql`replace(replace(${column}, ${us}, ' '), ${recordSeparator}, ' ')`;
  const touch = sql`t.id || ${us} || ${epochMsSql(db, sql`t.occurred_at`)} || ${us} || t.category || ${us}
    || case when t.is_lead_creating then '1' else '0' end || ${us} || t.type || ${us} || t.contact_id || ${us}
    || ${clean(sql`coalesce(t.channel, '')`)} || ${us} || ${clean(sql`coalesce(t.utm_medium, '')`)} || ${us}
    || ${clean(sql`coalesce(t.campaign, t.utm_campaign, '')`)}`;
  const result = await sql<{ deal_id: string; path: string }>`
    with d as (select o.id, o.contact_id, o.account_id from opportunities o where ${filter}),
    links as (
      select id as deal_id, contact_id from d where contact_id is not null
      union
      select d.id, oc.contact_id from d join opportunity_contacts oc on oc.opportunity_id = d.id
      union
      select d.id, c.id from d join contacts c on c.account_id = d.account_id
    )
    select l.deal_id, ${stringAggSql(db, touch, recordSeparator)} as path
    from links l join touchpoints t on t.contact_id = l.contact_id
    group by l.deal_id`.execute(db);
  for (const row of result.rows) byDeal.set(row.deal_id, row.path as EncodedTouches);
  return byDeal;
}

/** A deal's touches as {@link findDealTouches} reads them: one text, decoded when needed. */
export type EncodedTouches = string & { readonly encodedTouches: unique symbol };

/**
 * Decodes one deal's touches. It walks the text with indexOf rather than splitting it: a report
 * decodes a million touches, and every array and string saved is garbage not collected.
 */
export function decodeTouches(encoded: EncodedTouches | undefined): AttributionTouch[] {
  if (encoded === undefined || encoded.length === 0) return [];
  const touches: AttributionTouch[] = [];
  const end = encoded.length;
  let start = 0;
  while (start < end) {
    let stop = encoded.indexOf(recordSeparator, start);
    if (stop < 0) stop = end;
    // id · at · category · lead · type · contact · channel · utm medium · campaign
    const idEnd = encoded.indexOf(unitSeparator, start);
    const atEnd = encoded.indexOf(unitSeparator, idEnd + 1);
    const categoryEnd = encoded.indexOf(unitSeparator, atEnd + 1);
    const leadEnd = encoded.indexOf(unitSeparator, categoryEnd + 1);
    const typeEnd = encoded.indexOf(unitSeparator, leadEnd + 1);
    const contactEnd = encoded.indexOf(unitSeparator, typeEnd + 1);
    const channelEnd = encoded.indexOf(unitSeparator, contactEnd + 1);
    const utmEnd = encoded.indexOf(unitSeparator, channelEnd + 1);
    const category: TouchCategory = encoded.charCodeAt(atEnd + 1) === 115 /* s */ ? 'sales' : 'marketing';
    let atMs = 0;
    for (let i = idEnd + 1, negative = encoded.charCodeAt(i) === 45; i < atEnd; i++) {
      if (i === idEnd + 1 && negative) continue;
      atMs = atMs * 10 + (encoded.charCodeAt(i) - 48);
      if (i === atEnd - 1 && negative) atMs = -atMs;
    }
    touches.push({
      id: encoded.slice(start, idEnd),
      atMs,
      category,
      isLeadCreating: encoded.charCodeAt(categoryEnd + 1) === 49 /* 1 */,
      type: encoded.slice(leadEnd + 1, typeEnd),
      contactId: encoded.slice(typeEnd + 1, contactEnd),
      channel: normalisedChannel(
        channelEnd > contactEnd + 1 ? encoded.slice(contactEnd + 1, channelEnd) : null,
        utmEnd > channelEnd + 1 ? encoded.slice(channelEnd + 1, utmEnd) : null,
        category,
      ),
      campaign: stop > utmEnd + 1 ? encoded.slice(utmEnd + 1, stop) : null,
    });
    start = stop + 1;
  }
  return touches;
}

/**
 * channelOf, remembered per named channel (which alone decides it): a report meets the same dozen
 * channels a million times.
 */
const channelsSeen = new Map<string, string>();
function normalisedChannel(
  channel: string | null,
  utmMedium: string | null,
  category: TouchCategory,
): string {
  if (channel !== null) {
    const known = channelsSeen.get(channel);
    if (known !== undefined) return known;
    if (channel.trim() !== '') {
      const named = channelOf({ channel, utmMedium: null, category });
      if (channelsSeen.size >= 10_000) channelsSeen.clear();
      channelsSeen.set(channel, named);
      return named;
    }
  }
  return channelOf({ channel, utmMedium, category });
}

function dayAfter(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + 86_400_000).toISOString();
}

export async function findSnapshots(
  db: Db,
  dealIds: readonly string[],
): Promise<Map<string, { snapshot: SnapshotRow; credits: CreditRow[] }>> {
  const result = new Map<string, { snapshot: SnapshotRow; credits: CreditRow[] }>();
  for (let i = 0; i < dealIds.length; i += chunkSize) {
    const ids = dealIds.slice(i, i + chunkSize);
    const snapshots = await db
      .selectFrom('attribution_snapshots')
      .selectAll()
      .where('opportunity_id', 'in', ids)
      .execute();
    if (snapshots.length === 0) continue;
    for (const s of snapshots) result.set(s.opportunity_id, { snapshot: s, credits: [] });
    const credits = await db
      .selectFrom('attribution_credits')
      .selectAll()
      .where(
        'opportunity_id',
        'in',
        snapshots.map((s) => s.opportunity_id),
      )
      .orderBy('opportunity_id')
      .orderBy('position')
      .execute();
    for (const c of credits) result.get(c.opportunity_id)!.credits.push(c);
  }
  return result;
}

/** What the snapshots of a period's won deals add up to, grouped in the database. */
export interface SnapshotSums {
  deals: { id: string; amountMinor: number; isSourced: boolean; isInfluenced: boolean; lines: number }[];
  rows: { key: string; label: string; creditMinor: number; weight: number; touches: number }[];
  campaigns: { campaign: string; creditMinor: number; weight: number }[];
}

/**
 * Sums the stored credit of the deals won in a period (one currency) by channel, campaign, touch
 * type, deal or month of the win, without reading a line of it into memory.
 */
export async function sumSnapshots(
  db: Db,
  period: { from: string; to: string; currency: string },
  /** Null: the deals only, without the lines per key and per campaign (the board's totals). */
  groupBy: 'channel' | 'campaign' | 'touch' | 'deal' | 'month' | null,
): Promise<SnapshotSums> {
  const won = (eb: ExpressionBuilder<DB, 'opportunities'>) =>
    eb.and([
      eb('opportunities.status', '=', 'won'),
      eb('opportunities.closed_on', '>=', period.from),
      eb('opportunities.closed_on', '<=', period.to),
      eb('opportunities.currency', '=', period.currency),
    ]);
  const key = {
    channel: { key: sql<string>`c.channel`, label: sql<string>`c.channel` },
    campaign: {
      key: sql<string>`coalesce(c.campaign, '(none)')`,
      label: sql<string>`coalesce(c.campaign, '(none)')`,
    },
    touch: { key: sql<string>`c.touch_type`, label: sql<string>`c.touch_type` },
    deal: { key: sql<string>`opportunities.id`, label: sql<string>`opportunities.name` },
    month: {
      key: sql<string>`substr(opportunities.closed_on, 1, 7)`,
      label: sql<string>`substr(opportunities.closed_on, 1, 7)`,
    },
  }[groupBy ?? 'channel'];
  // The period's won deals' stored credit lines; none read for figures only (groupBy null).
  const credits = () =>
    db
      .selectFrom('attribution_credits as c')
      .innerJoin('opportunities', 'opportunities.id', 'c.opportunity_id')
      .where(won);
  const [deals, rows, campaigns] = await Promise.all([
    db
      .selectFrom('attribution_snapshots as s')
      .innerJoin('opportunities', 'opportunities.id', 's.opportunity_id')
      .select((eb) => [
        's.opportunity_id',
        's.amount_minor',
        's.is_sourced',
        's.is_influenced',
        eb
          .selectFrom('attribution_credits as x')
          .select((x) => x.fn.countAll<number | string>().as('n'))
          .whereRef('x.opportunity_id', '=', 's.opportunity_id')
          .as('lines'),
      ])
      .where(won)
      .execute(),
    groupBy === null
      ? []
      : credits()
          .select([
            key.key.as('key'),
            key.label.as('label'),
            sql<number | string>`sum(c.credit_minor)`.as('credit'),
            sql<number>`sum(c.weight)`.as('weight'),
            sql<number | string>`count(*)`.as('touches'),
          ])
          .groupBy([key.key, key.label])
          .execute(),
    groupBy === null
      ? []
      : credits()
          .select([
            'c.campaign',
            sql<number | string>`sum(c.credit_minor)`.as('credit'),
            sql<number>`sum(c.weight)`.as('weight'),
          ])
          .where('c.campaign', 'is not', null)
          .groupBy('c.campaign')
          .execute(),
  ]);
  return {
    deals: deals.map((d) => ({
      id: d.opportunity_id,
      amountMinor: Number(d.amount_minor),
      isSourced: fromDbBool(d.is_sourced),
      isInfluenced: fromDbBool(d.is_influenced),
      lines: Number(d.lines),
    })),
    rows: rows.map((r) => ({
      key: r.key,
      label: r.label,
      creditMinor: Number(r.credit),
      weight: Number(r.weight),
      touches: Number(r.touches),
    })),
    campaigns: campaigns.map((c) => ({
      campaign: c.campaign!,
      creditMinor: Number(c.credit),
      weight: Number(c.weight),
    })),
  };
}

export async function insertSnapshot(
  db: Db,
  snapshot: Selectable<AttributionSnapshotsTable> & { won_at: string; created_at: string },
  credits: (Omit<CreditRow, 'occurred_at' | 'reason'> & { occurred_at: string; reason: string })[],
): Promise<void> {
  await db
    .insertInto('attribution_snapshots')
    .values({
      ...snapshot,
      amount_minor: Number(snapshot.amount_minor),
      is_sourced: fromDbBool(snapshot.is_sourced),
      is_influenced: fromDbBool(snapshot.is_influenced),
      settings: JSON.stringify(snapshot.settings),
    })
    .execute();
  for (let i = 0; i < credits.length; i += 200)
    await db
      .insertInto('attribution_credits')
      .values(credits.slice(i, i + 200).map((c) => ({ ...c, credit_minor: Number(c.credit_minor) })))
      .execute();
}

/**
 * People who entered the MQL and the SQL stage in [from, to], each counted once per stage, by the
 * campaign of the touch that made them a lead (else their original campaign). Read from the kept
 * entries (migration 0055): a person's one entry in the period whose previous entry into the same
 * stage came before it stands for them, so the rows are counted without `distinct`.
 */
export async function countStageEntriesByCampaign(
  db: Db,
  from: string,
  to: string,
): Promise<{ mql: Map<string, number>; sql: Map<string, number> }> {
  const start = `${from}T00:00:00.000Z`;
  const end = new Date(Date.parse(`${to}T00:00:00.000Z`) + 86_400_000).toISOString();
  const rows = await db
    .selectFrom('campaign_stage_entries')
    .select(['stage', 'campaign', (eb) => eb.fn.countAll<number | string>().as('people')])
    .where('campaign', 'is not', null)
    .where('occurred_at', '>=', start)
    .where('occurred_at', '<', end)
    .where((eb) => eb.or([eb('previous_at', 'is', null), eb('previous_at', '<', start)]))
    .groupBy(['stage', 'campaign'])
    .execute();
  const counts = { mql: new Map<string, number>(), sql: new Map<string, number>() };
  for (const r of rows) counts[r.stage as 'mql' | 'sql'].set(r.campaign!, Number(r.people));
  return counts;
}

export async function findCampaignCosts(
  db: Db,
  range?: { from: string; to: string },
): Promise<CampaignCostRow[]> {
  let query = db.selectFrom('campaign_costs').selectAll();
  if (range) query = query.where('starts_on', '<=', range.to).where('ends_on', '>=', range.from);
  return query.orderBy('starts_on', 'desc').orderBy('campaign').execute();
}

export async function insertCampaignCost(db: Db, row: CampaignCostRow): Promise<void> {
  await db
    .insertInto('campaign_costs')
    .values({
      ...row,
      amount_minor: Number(row.amount_minor),
      created_at: toDbTime(fromDbTime(row.created_at)),
      updated_at: toDbTime(fromDbTime(row.updated_at)),
    })
    .execute();
}

/** The cost entered for a campaign over exactly this period in this currency, if any. */
export async function findCampaignCostFor(
  db: Db,
  key: { campaign: string; startsOn: string; endsOn: string; currency: string },
): Promise<CampaignCostRow | undefined> {
  return db
    .selectFrom('campaign_costs')
    .selectAll()
    .where('campaign', '=', key.campaign)
    .where('starts_on', '=', key.startsOn)
    .where('ends_on', '=', key.endsOn)
    .where('currency', '=', key.currency)
    .executeTakeFirst();
}

export async function updateCampaignCost(
  db: Db,
  id: string,
  values: { amount_minor: number; channel: string | null; note: string | null; updated_at: string },
): Promise<void> {
  await db.updateTable('campaign_costs').set(values).where('id', '=', id).execute();
}

export async function deleteCampaignCost(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('campaign_costs').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
