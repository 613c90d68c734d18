/**
 * Crediting a period's deals and adding the result up: the live half of an attribution report,
 * run by the service on its own thread and, for large periods, by a helper thread on the other
 * half of the deals (attribution.thread.ts). Plain data in, plain data out, so both threads can.
 */
import type { AttributionRow } from '../../../contract/attribution.ts';
import {
  creditDeal,
  marketingRole,
  type ChannelShares,
  type Deal,
} from '../../../domain/attribution/credit-deal.ts';
import { selectDealTouches, type AttributionSettings } from '../../../domain/attribution/deal-touches.ts';
import type { Journey } from '../../../domain/attribution/journeys.ts';
import type { AttributionModel, RuleModel } from '../../../domain/attribution/rule-models.ts';
import type { Db } from '../../db/database.ts';
import { fromDbTime } from '../../db/dialect.ts';
import {
  decodeTouches,
  findDealTouches,
  findReportDeals,
  type DealRange,
  type DealRow,
} from './attribution.repository.ts';
import type { LiveCredit } from './live-credits.repository.ts';

/** Which deals: a period's, in one currency, within a range of ids; `nowMs` ends an open deal's window. */
export interface DealsInput {
  from: string;
  to: string;
  currency: string;
  range: DealRange;
  nowMs: number;
}

export interface LiveInput extends Omit<DealsInput, 'range'> {
  model: AttributionModel;
  settings: AttributionSettings;
  shares: ChannelShares;
  groupBy: 'channel' | 'campaign' | 'touch' | 'deal' | 'month';
  /** Won deals whose stored credit the report already counted. */
  stored: string[];
}

export interface TallyData {
  totals: Figures;
  sourced: Figures;
  influenced: Figures;
  rows: Map<string, AttributionRow>;
  campaigns: Map<string, { revenue: number; pipeline: number; wonDeals: number }>;
  unattributedRevenue: number;
  unattributedPipeline: number;
}

/** A deal as the reports read it. */
export interface ReportDeal extends Deal {
  name: string;
  status: 'open' | 'won' | 'lost';
  currency: string;
  ownerId: string | null;
  closedOn: string | null;
}

export function toDeal(row: DealRow, touches: Deal['touches'], now: Date): ReportDeal {
  const wonAt = row.status === 'won' ? fromDbTime(row.stage_entered_at) : null;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    amountMinor: row.amount_minor === null ? 0 : Number(row.amount_minor),
    currency: row.currency,
    ownerId: row.owner_id,
    closedOn: row.closed_on,
    createdAt: fromDbTime(row.created_at),
    wonAt,
    endAt: row.status === 'open' ? now : fromDbTime(row.stage_entered_at),
    primaryContactId: row.contact_id,
    touches,
  };
}

export function inRange(date: string | null, from: string, to: string): boolean {
  return date !== null && date >= from && date <= to;
}

export interface Figures {
  revenueMinor: number;
  wonDeals: number;
  pipelineMinor: number;
  pipelineDeals: number;
}

/** Adds up a report as deals and their credit lines go by (no closure per deal: reports see 50,000). */
export class Tally {
  readonly totals: Figures = { revenueMinor: 0, wonDeals: 0, pipelineMinor: 0, pipelineDeals: 0 };
  readonly sourced: Figures = { revenueMinor: 0, wonDeals: 0, pipelineMinor: 0, pipelineDeals: 0 };
  readonly influenced: Figures = { revenueMinor: 0, wonDeals: 0, pipelineMinor: 0, pipelineDeals: 0 };
  readonly rows = new Map<string, AttributionRow>();
  readonly campaigns = new Map<string, { revenue: number; pipeline: number; wonDeals: number }>();
  unattributedRevenue = 0;
  unattributedPipeline = 0;

  /** Counts a deal (or `deals` deals worth `amount` together, added up by the database). */
  deal(
    amount: number,
    isRevenue: boolean,
    isPipeline: boolean,
    role: { sourced: boolean; influenced: boolean },
    deals = 1,
  ) {
    Tally.count(this.totals, amount, isRevenue, isPipeline, deals);
    if (role.sourced) Tally.count(this.sourced, amount, isRevenue, isPipeline, deals);
    if (role.influenced) Tally.count(this.influenced, amount, isRevenue, isPipeline, deals);
  }

  row(
    key: string,
    label: string,
    revenue: number,
    revenueWeight: number,
    pipeline: number,
    pipelineWeight: number,
    touches: number,
  ) {
    let row = this.rows.get(key);
    if (!row) {
      row = { key, label, revenueMinor: 0, pipelineMinor: 0, wonDeals: 0, pipelineDeals: 0, touches: 0 };
      this.rows.set(key, row);
    }
    row.revenueMinor += revenue;
    row.wonDeals += revenueWeight;
    row.pipelineMinor += pipeline;
    row.pipelineDeals += pipelineWeight;
    row.touches += touches;
  }

  campaign(name: string, revenue: number, wonDeals: number, pipeline: number) {
    let c = this.campaigns.get(name);
    if (!c) {
      c = { revenue: 0, pipeline: 0, wonDeals: 0 };
      this.campaigns.set(name, c);
    }
    c.revenue += revenue;
    c.wonDeals += wonDeals;
    c.pipeline += pipeline;
  }

  /** Adds another tally's figures (another thread's half of the deals) to this one. */
  add(other: TallyData) {
    for (const key of ['totals', 'sourced', 'influenced'] as const) {
      this[key].revenueMinor += other[key].revenueMinor;
      this[key].wonDeals += other[key].wonDeals;
      this[key].pipelineMinor += other[key].pipelineMinor;
      this[key].pipelineDeals += other[key].pipelineDeals;
    }
    for (const r of other.rows.values())
      this.row(r.key, r.label, r.revenueMinor, r.wonDeals, r.pipelineMinor, r.pipelineDeals, r.touches);
    for (const [name, c] of other.campaigns) this.campaign(name, c.revenue, c.wonDeals, c.pipeline);
    this.unattributedRevenue += other.unattributedRevenue;
    this.unattributedPipeline += other.unattributedPipeline;
  }

  /** Plain data, to cross from a helper thread (a class does not survive the structured clone). */
  toData(): TallyData {
    return {
      totals: this.totals,
      sourced: this.sourced,
      influenced: this.influenced,
      rows: this.rows,
      campaigns: this.campaigns,
      unattributedRevenue: this.unattributedRevenue,
      unattributedPipeline: this.unattributedPipeline,
    };
  }

  private static count(f: Figures, amount: number, isRevenue: boolean, isPipeline: boolean, deals: number) {
    if (isRevenue) {
      f.revenueMinor += amount;
      f.wonDeals += deals;
    }
    if (isPipeline) {
      f.pipelineMinor += amount;
      f.pipelineDeals += deals;
    }
  }
}

/**
 * The deals of a period in one currency, each with its candidate touches: read for all deals at
 * once, decoded deal by deal as the caller walks them.
 */
export async function loadDeals(conn: Db, input: DealsInput): Promise<Iterable<ReportDeal>> {
  const [rows, touches] = await Promise.all([findReportDeals(conn, input), findDealTouches(conn, input)]);
  const now = new Date(input.nowMs);
  return (function* () {
    for (const row of rows) {
      const encoded = touches.get(row.id);
      // Let the text go once decoded: a year of deals holds a hundred megabytes of it.
      touches.delete(row.id);
      yield toDeal(row, decodeTouches(encoded), now);
    }
  })();
}

/** Credits the deals of a period (within a range of ids) under a model and adds them up. */
export async function tallyLive(conn: Db, input: LiveInput & { range: DealRange }): Promise<TallyData> {
  const tally = new Tally();
  const stored = new Set(input.stored);
  for (const deal of await loadDeals(conn, input)) {
    const isRevenue =
      deal.status === 'won' && inRange(deal.closedOn, input.from, input.to) && !stored.has(deal.id);
    const createdOn = deal.createdAt.toISOString().slice(0, 10);
    const isPipeline = inRange(createdOn, input.from, input.to);
    if (!isRevenue && !isPipeline) continue;
    tally.deal(deal.amountMinor, isRevenue, isPipeline, marketingRole(deal, input.settings));
    const { lines } = creditDeal(deal, input.model, input.settings, input.shares);
    if (lines.length === 0) {
      if (isRevenue) tally.unattributedRevenue += deal.amountMinor;
      if (isPipeline) tally.unattributedPipeline += deal.amountMinor;
      continue;
    }
    for (const line of lines) {
      const revenue = isRevenue ? line.creditMinor : 0;
      const pipeline = isPipeline ? line.creditMinor : 0;
      const revenueWeight = isRevenue ? line.weight : 0;
      const pipelineWeight = isPipeline ? line.weight : 0;
      if (input.groupBy === 'month') {
        // Revenue falls in the month the deal was won, pipeline in the month it was created.
        if (isRevenue)
          tally.row(deal.closedOn!.slice(0, 7), deal.closedOn!.slice(0, 7), revenue, revenueWeight, 0, 0, 1);
        if (isPipeline)
          tally.row(createdOn.slice(0, 7), createdOn.slice(0, 7), 0, 0, pipeline, pipelineWeight, 1);
      } else {
        const key =
          input.groupBy === 'channel'
            ? line.touch.channel
            : input.groupBy === 'campaign'
              ? (line.touch.campaign ?? '(none)')
              : input.groupBy === 'touch'
                ? line.touch.type
                : deal.id;
        tally.row(
          key,
          input.groupBy === 'deal' ? deal.name : key,
          revenue,
          revenueWeight,
          pipeline,
          pipelineWeight,
          1,
        );
      }
      if (line.touch.campaign) tally.campaign(line.touch.campaign, revenue, revenueWeight, pipeline);
    }
  }

  return tally.toData();
}

/**
 * A deal's credit under a rule model as it is kept (live-credits.repository.ts): its figures and
 * its lines added up per channel, campaign and touch type. `changes` is the count of changes read
 * before the deal's facts. An open deal's window ends now, so its credit holds until the first of
 * its touches dated ahead of now, or, under time decay, only now.
 */
export function toLiveCredit(
  deal: ReportDeal,
  input: {
    model: RuleModel;
    settings: AttributionSettings;
    hasSnapshot: boolean;
    changes: number;
    now: Date;
  },
): LiveCredit {
  const { lines } = creditDeal(deal, input.model, input.settings);
  const role = marketingRole(deal, input.settings);
  type Key = LiveCredit['keys'][number];
  const keys = {
    channel: new Map<string | null, Key>(),
    campaign: new Map<string | null, Key>(),
    touch: new Map<string | null, Key>(),
  };
  let credit = 0;
  let weight = 0;
  for (const line of lines) {
    credit += line.creditMinor;
    weight += line.weight;
    for (const [dimension, key] of [
      ['channel', line.touch.channel],
      ['campaign', line.touch.campaign],
      ['touch', line.touch.type],
    ] as const) {
      let k = keys[dimension].get(key);
      if (!k) {
        k = { dimension, key, creditMinor: 0, weight: 0, touches: 0 };
        keys[dimension].set(key, k);
      }
      k.creditMinor += line.creditMinor;
      k.weight += line.weight;
      k.touches += 1;
    }
  }
  let validUntil: Date | null = null;
  if (deal.status === 'open') {
    if (input.model === 'time_decay') validUntil = input.now;
    else {
      let next = Infinity;
      for (const t of deal.touches) if (t.atMs > input.now.getTime() && t.atMs < next) next = t.atMs;
      if (next !== Infinity) validUntil = new Date(next);
    }
  }
  return {
    opportunityId: deal.id,
    changes: input.changes,
    validUntil,
    currency: deal.currency,
    pipelineOn: deal.createdAt.toISOString().slice(0, 10),
    revenueOn: deal.status === 'won' && !input.hasSnapshot ? deal.closedOn : null,
    amountMinor: deal.amountMinor,
    isSourced: role.sourced,
    isInfluenced: role.influenced,
    lines: lines.length,
    creditMinor: credit,
    weight,
    keys: [...keys.channel.values(), ...keys.campaign.values(), ...keys.touch.values()],
  };
}

export interface JourneysInput extends DealsInput {
  settings: AttributionSettings;
}

/**
 * The channel paths of a period's closed deals (within a range of ids), for the data-driven models
 * to learn from: a won deal converts (worth its amount), a lost one is a journey that did not.
 */
export async function journeysOf(conn: Db, input: JourneysInput): Promise<Journey[]> {
  const journeys: Journey[] = [];
  for (const d of await loadDeals(conn, input)) {
    if (d.status === 'open') continue;
    const path = selectDealTouches(d.touches, d, input.settings).map((t) => t.channel);
    if (path.length === 0) continue;
    const won = d.status === 'won';
    journeys.push({ path, conversions: won ? 1 : 0, value: won ? d.amountMinor : 0, nulls: won ? 0 : 1 });
  }
  return journeys;
}
