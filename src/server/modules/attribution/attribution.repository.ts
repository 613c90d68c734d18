import type { Selectable, Updateable } from 'kysely';
import {
  channelOf,
  type AttributionTouch,
  type TouchCategory,
} from '../../../domain/attribution/deal-touches.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type {
  AttributionCreditsTable,
  AttributionSettingsTable,
  AttributionSnapshotsTable,
  CampaignCostsTable,
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
 * The deals a report needs: won or lost with a close date in [from, to], and every deal created in
 * [from, to] (its pipeline). Dates are UTC days.
 */
export async function findReportDeals(db: Db, from: string, to: string): Promise<DealRow[]> {
  const start = `${from}T00:00:00.000Z`;
  const end = new Date(Date.parse(`${to}T00:00:00.000Z`) + 86_400_000).toISOString();
  return db
    .selectFrom('opportunities')
    .select(dealColumns)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', 'in', ['won', 'lost']), eb('closed_on', '>=', from), eb('closed_on', '<=', to)]),
        eb.and([eb('created_at', '>=', start), eb('created_at', '<', end)]),
      ]),
    )
    .orderBy('id')
    .execute();
}

export async function findDealById(db: Db, id: string): Promise<DealRow | undefined> {
  return db.selectFrom('opportunities').select(dealColumns).where('id', '=', id).executeTakeFirst();
}

/**
 * Every candidate touch of each deal: those of the people with a role on it, of its main person,
 * and of everyone at its account. One query per chunk of deals.
 */
export async function findDealTouches(
  db: Db,
  dealIds: readonly string[],
): Promise<Map<string, AttributionTouch[]>> {
  const byDeal = new Map<string, AttributionTouch[]>();
  for (let i = 0; i < dealIds.length; i += chunkSize) {
    const ids = dealIds.slice(i, i + chunkSize);
    const links = db
      .selectFrom('opportunity_contacts')
      .select(['opportunity_id as deal_id', 'contact_id'])
      .where('opportunity_id', 'in', ids)
      .union(
        db
          .selectFrom('opportunities')
          .select(['id as deal_id', 'contact_id'])
          .where('id', 'in', ids)
          .where('contact_id', 'is not', null)
          .$narrowType<{ contact_id: string }>(),
      )
      .union(
        db
          .selectFrom('opportunities as o')
          .innerJoin('contacts as c', 'c.account_id', 'o.account_id')
          .select(['o.id as deal_id', 'c.id as contact_id'])
          .where('o.id', 'in', ids),
      );
    const rows = await db
      .selectFrom(links.as('l'))
      .innerJoin('touchpoints as t', 't.contact_id', 'l.contact_id')
      .select([
        'l.deal_id',
        't.id',
        't.type',
        't.category',
        't.occurred_at',
        't.contact_id',
        't.channel',
        't.utm_medium',
        't.campaign',
        't.utm_campaign',
        't.is_lead_creating',
      ])
      .execute();
    for (const r of rows) {
      const touch: AttributionTouch = {
        id: r.id,
        occurredAt: fromDbTime(r.occurred_at),
        type: r.type,
        channel: channelOf({ channel: r.channel, utmMedium: r.utm_medium, category: r.category }),
        campaign: r.campaign ?? r.utm_campaign ?? null,
        category: r.category as TouchCategory,
        isLeadCreating: fromDbBool(r.is_lead_creating),
        contactId: r.contact_id,
      };
      const list = byDeal.get(r.deal_id);
      if (list) list.push(touch);
      else byDeal.set(r.deal_id, [touch]);
    }
  }
  return byDeal;
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
 * People who entered a stage in [from, to], counted by the campaign of the touch that made them a
 * lead (else their original campaign).
 */
export async function countStageEntriesByCampaign(
  db: Db,
  stage: string,
  from: string,
  to: string,
): Promise<Map<string, number>> {
  const start = `${from}T00:00:00.000Z`;
  const end = new Date(Date.parse(`${to}T00:00:00.000Z`) + 86_400_000).toISOString();
  const rows = await db
    .selectFrom('stage_changes as s')
    .innerJoin('contacts as c', 'c.id', 's.contact_id')
    .leftJoin('touchpoints as t', 't.id', 'c.lead_touch_id')
    .select(['c.id', 't.campaign', 't.utm_campaign', 'c.original_campaign'])
    .distinct()
    .where('s.to_stage', '=', stage)
    .where('s.occurred_at', '>=', start)
    .where('s.occurred_at', '<', end)
    .execute();
  const counts = new Map<string, number>();
  for (const r of rows) {
    const campaign = r.campaign ?? r.utm_campaign ?? r.original_campaign;
    if (campaign) counts.set(campaign, (counts.get(campaign) ?? 0) + 1);
  }
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

export async function deleteCampaignCost(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('campaign_costs').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
