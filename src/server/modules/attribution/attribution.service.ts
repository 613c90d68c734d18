import { agreementSpans } from '../agreements/agreements.repository.ts';
import { markAllTouchedPeople } from '../capture/touched-people.repository.ts';
import { announcingConfig } from '../shared/config-changed.ts';
/**
 * Attribution: Marketing's share of every deal under the model both heads agreed on, any other
 * model for comparison, sourced versus influenced, campaign returns, and each deal's ledger. A won
 * deal's credit under the agreed model is stored when it is won (in the win's transaction), so
 * history does not move when the settings change later; every other figure is computed on read.
 */
import type { Readable } from 'node:stream';
import type {
  AttributionComparison,
  AttributionComparisonQuery,
  AttributionReport,
  AttributionReportQuery,
  AttributionSettings as SettingsOut,
  CampaignCost,
  CampaignReturn,
  CreateCampaignCostBody,
  DealLedger,
  JourneyAnalysis,
  UpdateAttributionSettingsBody,
} from '../../../contract/attribution.ts';
import { canSee, type Actor } from '../../../domain/access/roles.ts';
import { analyseJourneys } from '../../../domain/attribution/analyse-journeys.ts';
import {
  creditDeal,
  marketingRole,
  sharesFrom,
  type ChannelShares,
} from '../../../domain/attribution/credit-deal.ts';
import { type AttributionSettings } from '../../../domain/attribution/deal-touches.ts';
import type { Journey } from '../../../domain/attribution/journeys.ts';
import { markovAttribution } from '../../../domain/attribution/markov.ts';
import {
  attributionModels,
  ruleModels,
  type AttributionModel,
  type RuleModel,
  type TouchReason,
} from '../../../domain/attribution/rule-models.ts';
import { shapleyAttribution } from '../../../domain/attribution/shapley.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, retryingConflicts, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createKeptReads } from '../shared/kept-reads.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { loadVisibility } from '../shared/visibility.ts';
import {
  countStageEntriesByCampaign,
  deleteCampaignCost,
  findAttributionSettings,
  findCampaignCosts,
  findDealById,
  findDealsByIds,
  decodeTouches,
  findCampaignCostFor,
  findDealTouches,
  updateCampaignCost,
  findMiddleDealId,
  sumSnapshots,
  countReportDeals,
  findSnapshots,
  insertCampaignCost,
  insertSnapshot,
  updateAttributionSettingsRow,
  type AttributionSettingsRow,
  type CampaignCostRow,
  type DealRange,
} from './attribution.repository.ts';
import { readJourneys } from './journeys.reader.ts';
import {
  findSnapshotIds,
  findStaleDeals,
  sumLiveCredits,
  writeLiveCredits,
  type StaleDeal,
} from './live-credits.repository.ts';
import { parse } from 'csv-parse';
import { openCsv } from '../shared/csv-input.ts';
import {
  inRange,
  journeysOf,
  loadDeals,
  Tally,
  tallyLive,
  toDeal,
  toLiveCredit,
  type JourneysInput,
  type LiveInput,
  type TallyData,
} from './attribution.tally.ts';
import { readJson } from '../../db/json-column.ts';
import {
  CustomWeights as CustomWeightsSchema,
  TouchReason as TouchReasonSchema,
} from '../../../contract/attribution.ts';

const defaultCurrency = 'EUR';

export interface CostImport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: { row: number; column: string; reason: string }[];
}

interface Settings extends AttributionSettings {
  model: AttributionModel;
  updatedAt: Date;
}

function toSettings(row: AttributionSettingsRow): Settings {
  return {
    model: row.model as AttributionModel,
    lookbackDays: Number(row.lookback_days),
    includeSalesTouches: fromDbBool(row.is_sales_touches_counted),
    dedupeMinutes: Number(row.dedupe_minutes),
    halfLifeDays: Number(row.half_life_days),
    customWeights: readJson(CustomWeightsSchema, row.custom_weights, 'attribution_settings.custom_weights'),
    updatedAt: fromDbTime(row.updated_at),
  };
}

function presentSettings(s: Settings): SettingsOut {
  return {
    model: s.model,
    lookbackDays: s.lookbackDays,
    includeSalesTouches: s.includeSalesTouches,
    dedupeMinutes: s.dedupeMinutes,
    halfLifeDays: s.halfLifeDays,
    customWeights: s.customWeights,
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** How many days of [startsOn, endsOn] fall inside [from, to]. */
function overlapDays(
  startsOn: string,
  endsOn: string,
  from: string,
  to: string,
): { overlap: number; total: number } {
  const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
  const total = day(endsOn) - day(startsOn) + 1;
  const overlap = Math.max(0, Math.min(day(endsOn), day(to)) - Math.max(day(startsOn), day(from)) + 1);
  return { overlap, total };
}

/**
 * An amount in major units as spreadsheets write it, in cents: "1250", "1250.50", "1.250,50" and
 * "1,250.50" alike (the last separator followed by one or two digits is the decimal one). NaN when
 * it is none of these.
 */
export function amountInMinor(text: string): number {
  const match = /^(\d{1,3}(?:([.,])\d{3})*|\d+)(?:([.,])(\d{1,2}))?$/.exec(text);
  if (!match || (match[2] !== undefined && match[2] === match[3])) return NaN;
  const whole = Number(match[1]!.replace(/[.,]/g, ''));
  const cents = match[4] === undefined ? 0 : Number(match[4].padEnd(2, '0'));
  return whole * 100 + cents;
}

function toCost(row: CampaignCostRow): CampaignCost {
  return {
    id: row.id,
    campaign: row.campaign,
    channel: row.channel,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
    note: row.note,
    createdAt: fromDbTime(row.created_at).toISOString(),
  };
}

/**
 * A thread beside the one serving requests, with its own connection to the store, that credits one
 * half of a large report's deals while this thread credits the other (attribution.thread-host.ts).
 */
export interface AttributionHelper {
  /** Reports with fewer deals are credited on one thread: below this, two are no quicker. */
  minDeals: number;
  tally(input: LiveInput & { range: DealRange }): Promise<TallyData>;
  journeys(input: JourneysInput): Promise<Journey[]>;
}

const wholePeriod: DealRange = { after: null, upTo: null };

/** Deals credited per transaction when stale credit is brought up to date. */
const creditBatch = 250;

/** Whether a model's credit is kept per deal: a rule model's is; a data-driven one learns from each report's period. */
function isKept(model: AttributionModel): model is RuleModel {
  return (ruleModels as readonly string[]).includes(model);
}

export function createAttributionService(
  deps: ServiceDeps,
  options: {
    helper?: AttributionHelper | undefined;
    /** Reports sum each deal's kept credit (default); false credits every deal on each report. */
    keptCredit?: boolean;
  } = {},
) {
  const { helper } = options;
  const keptCredit = options.keptCredit ?? true;
  const { db, clock } = deps;
  // How many deals of each currency a period has changes only when a deal does: kept between
  // calls while the deals' version stays (43-54 ms of a year's report on the full-size company).
  // A read inside a transaction reads its own snapshot instead.
  const deals = createKeptReads(db, 'opportunities');
  const reportDeals = (conn: Db, from: string, to: string) =>
    conn === db
      ? deals.read(`report deals ${from} ${to}`, () => countReportDeals(db, from, to))
      : countReportDeals(conn, from, to);

  /**
   * Credits stale deals again under the agreed model and stores it. The settings are read after
   * the deals' counts of changes, so a change of settings in between leaves them stale.
   */
  async function creditStale(stale: readonly StaleDeal[], now: Date): Promise<void> {
    if (stale.length === 0) return;
    const settings = await loadSettings(db);
    const model = settings.model;
    if (!isKept(model)) return;
    for (let i = 0; i < stale.length; i += creditBatch) {
      const batch = stale.slice(i, i + creditBatch);
      const ids = batch.map((d) => d.id);
      const [rows, touches, snapshots] = await Promise.all([
        findDealsByIds(db, ids),
        findDealTouches(db, { ids }),
        findSnapshotIds(db, ids),
      ]);
      const changes = new Map(batch.map((d) => [d.id, d.changes]));
      const credits = rows.map((row) =>
        toLiveCredit(toDeal(row, decodeTouches(touches.get(row.id)), now), {
          model,
          settings,
          hasSnapshot: snapshots.has(row.id),
          changes: changes.get(row.id)!,
          now,
        }),
      );
      await retryingConflicts(() => db.transaction().execute((trx) => writeLiveCredits(trx, credits)));
    }
  }

  async function loadSettings(conn: Db): Promise<Settings> {
    return toSettings(await findAttributionSettings(conn));
  }

  /** Which currency a period's report is in (the one given, else the one most deals are in), and how many deals it leaves out. */
  async function currencyOf(conn: Db, from: string, to: string, given: string | undefined) {
    if (from > to) throw fieldError('http.validation_failed', 'to', 'is before from');
    const counts = await reportDeals(conn, from, to);
    let chosen = given ?? defaultCurrency;
    if (!given) {
      let most = 0;
      for (const [c, n] of counts)
        if (n > most || (n === most && c === defaultCurrency)) [chosen, most] = [c, n];
    }
    let other = 0;
    for (const [c, n] of counts) if (c !== chosen) other += n;
    return { currency: chosen, otherCurrencyDeals: other, count: counts.get(chosen) ?? 0 };
  }

  /**
   * Channel shares for the data-driven models, learned from the period's closed deals: won ones
   * convert (worth their amount), lost ones are the journeys that did not.
   */
  async function countDeals(conn: Db, period: { from: string; to: string; currency: string }) {
    return (await reportDeals(conn, period.from, period.to)).get(period.currency) ?? 0;
  }

  async function learnShares(
    conn: Db,
    period: { from: string; to: string; currency: string },
    settings: AttributionSettings,
    models: readonly AttributionModel[],
  ): Promise<ChannelShares> {
    const wanted = models.filter((m) => m === 'markov' || m === 'shapley');
    if (wanted.length === 0) return {};
    const input = { ...period, settings, nowMs: clock.now().getTime() };
    // A large period's deals are read in two halves side by side, as a report's are.
    const middle =
      helper && conn === db ? await findMiddleDealId(conn, period, await countDeals(conn, period)) : null;
    const journeys =
      middle === null
        ? await journeysOf(conn, { ...input, range: wholePeriod })
        : (
            await Promise.all([
              journeysOf(conn, { ...input, range: { after: null, upTo: middle } }),
              helper!
                .journeys({ ...input, range: { after: middle, upTo: null } })
                .catch(() => journeysOf(conn, { ...input, range: { after: middle, upTo: null } })),
            ])
          ).flat();
    const shares: ChannelShares = {};
    if (journeys.some((j) => j.conversions > 0)) {
      if (wanted.includes('markov')) shares.markov = sharesFrom(markovAttribution(journeys).channels);
      if (wanted.includes('shapley')) shares.shapley = sharesFrom(shapleyAttribution(journeys).channels);
    }
    return shares;
  }

  /** The year of closed deals up to `end`: what a single deal's data-driven credit is learned from. */
  function yearBefore(end: Date, currency: string) {
    const to = end.toISOString().slice(0, 10);
    const from = new Date(Date.parse(`${to}T00:00:00Z`) - 365 * 86_400_000).toISOString().slice(0, 10);
    return { from, to, currency };
  }

  /**
   * Credits a period's deals now, in two halves side by side when a helper thread is there and the
   * period is large: any model, any settings (the deals won with a snapshot are in `stored`).
   */
  async function tallyLiveDeals(
    tally: Tally,
    input: {
      period: { from: string; to: string; currency: string };
      settings: Settings;
      model: AttributionModel;
      groupBy: LiveInput['groupBy'];
      stored: ReadonlySet<string>;
      /** How many deals the period has in its currency. */
      count: number;
    },
  ): Promise<void> {
    const { period, settings, model, groupBy } = input;
    const shares = await learnShares(db, period, settings, [model]);
    const live: LiveInput = {
      ...period,
      model,
      settings,
      shares,
      groupBy,
      stored: [...input.stored],
      nowMs: clock.now().getTime(),
    };
    const { count } = input;
    const middle = helper && count >= helper.minDeals ? await findMiddleDealId(db, period, count) : null;
    if (middle === null) tally.add(await tallyLive(db, { ...live, range: wholePeriod }));
    else {
      const second = { ...live, range: { after: middle, upTo: null } };
      const [theirs, ours] = await Promise.all([
        // Should the helper fail, this thread credits its half too.
        helper!.tally(second).catch(() => tallyLive(db, second)),
        tallyLive(db, { ...live, range: { after: null, upTo: middle } }),
      ]);
      tally.add(theirs);
      tally.add(ours);
    }
  }

  async function snapshotIn(trx: Db, opportunityId: string): Promise<void> {
    const row = await findDealById(trx, opportunityId);
    if (!row || row.status !== 'won') return;
    if ((await findSnapshots(trx, [opportunityId])).has(opportunityId)) return;
    const settings = await loadSettings(trx);
    const touches = decodeTouches((await findDealTouches(trx, { ids: [opportunityId] })).get(opportunityId));
    const deal = toDeal(row, touches, clock.now());
    // Data-driven models learn from the year of closed deals before this win.
    const shares = await learnShares(trx, yearBefore(deal.wonAt!, deal.currency), settings, [settings.model]);
    const credit = creditDeal(deal, settings.model, settings, shares);
    const role = marketingRole(deal, settings);
    const now = toDbTime(clock.now());
    await insertSnapshot(
      trx,
      {
        opportunity_id: deal.id,
        model: settings.model,
        settings: {
          lookbackDays: settings.lookbackDays,
          includeSalesTouches: settings.includeSalesTouches,
          dedupeMinutes: settings.dedupeMinutes,
          halfLifeDays: settings.halfLifeDays,
          customWeights: settings.customWeights,
        },
        amount_minor: deal.amountMinor,
        currency: deal.currency,
        is_sourced: role.sourced,
        is_influenced: role.influenced,
        won_at: toDbTime(deal.wonAt!),
        created_at: now,
      },
      credit.lines.map((l, position) => ({
        opportunity_id: deal.id,
        touchpoint_id: l.touch.id,
        position,
        occurred_at: new Date(l.touch.atMs).toISOString(),
        channel: l.touch.channel,
        campaign: l.touch.campaign,
        category: l.touch.category,
        touch_type: l.touch.type,
        weight: l.weight,
        credit_minor: l.creditMinor,
        reason: JSON.stringify(l.reason),
      })),
    );
  }

  return {
    async getSettings(actor: Actor | null): Promise<SettingsOut> {
      authorize(actor, 'attribution.read');
      return presentSettings(await loadSettings(db));
    },

    async updateSettings(actor: Actor | null, input: UpdateAttributionSettingsBody): Promise<SettingsOut> {
      const who = authorize(actor, 'attribution.configure');
      if (input.customWeights) {
        const w = input.customWeights;
        const sum = w.firstTouch + w.leadCreation + w.opportunityCreation + w.closedWon + w.rest;
        if (Math.abs(sum - 100) > 1e-9)
          throw fieldError('http.validation_failed', 'customWeights', `must sum to 100 (they sum to ${sum})`);
      }
      const now = clock.now();
      return announcingConfig(
        deps.events,
        'attribution',
        now,
        db.transaction().execute(async (trx) => {
          const before = await loadSettings(trx);
          await updateAttributionSettingsRow(trx, {
            ...(input.model !== undefined && { model: input.model }),
            ...(input.lookbackDays !== undefined && { lookback_days: input.lookbackDays }),
            ...(input.includeSalesTouches !== undefined && {
              is_sales_touches_counted: input.includeSalesTouches,
            }),
            ...(input.dedupeMinutes !== undefined && { dedupe_minutes: input.dedupeMinutes }),
            ...(input.halfLifeDays !== undefined && { half_life_days: input.halfLifeDays }),
            ...(input.customWeights !== undefined && { custom_weights: JSON.stringify(input.customWeights) }),
            updated_by: who.kind === 'user' ? who.userId : null,
            updated_at: toDbTime(now),
          });
          await insertEvent(trx, {
            type: 'attribution.settings_changed',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'attribution_settings', id: '1' },
            payload: { before: presentSettings(before), changes: { ...input } },
          });
          return presentSettings(await loadSettings(trx));
        }),
      );
    },

    /**
     * Revenue (deals won in the period) and pipeline (deals created in it) credited under a model,
     * grouped; sourced versus influenced; and each campaign's cost and return. Without a model the
     * agreed one is used and won deals are read from their snapshots where they have one.
     */
    report: (actor: Actor | null, query: AttributionReportQuery) => build(actor, query, 'report'),

    /**
     * The report's totals and Marketing's sourced and influenced figures under the agreed model,
     * and the campaigns' cost in the period, without each campaign's return (the board's): the
     * same tally and the same costs as the report's.
     */
    async summary(actor: Actor | null, query: Pick<AttributionReportQuery, 'from' | 'to' | 'currency'>) {
      const report = await build(actor, query, 'totals');
      const costs = await campaignCosts(db, query.from, query.to, report.currency);
      return {
        model: report.model,
        currency: report.currency,
        totals: report.totals,
        marketing: report.marketing,
        campaignCostMinor: [...costs.values()].reduce((a, c) => a + c, 0),
      };
    },

    /** Channels × models: revenue and pipeline per channel under every model, computed now. */
    async compare(actor: Actor | null, query: AttributionComparisonQuery): Promise<AttributionComparison> {
      authorize(actor, 'attribution.read');
      const settings = await loadSettings(db);
      const { currency } = await currencyOf(db, query.from, query.to, query.currency);
      const models = [...attributionModels];
      const shares = await learnShares(db, { from: query.from, to: query.to, currency }, settings, models);
      const channels = new Map<
        string,
        { revenue: Record<string, number>; pipeline: Record<string, number> }
      >();
      for (const deal of await loadDeals(db, {
        from: query.from,
        to: query.to,
        currency,
        range: wholePeriod,
        nowMs: clock.now().getTime(),
      })) {
        const isRevenue = deal.status === 'won' && inRange(deal.closedOn, query.from, query.to);
        const isPipeline = inRange(deal.createdAt.toISOString().slice(0, 10), query.from, query.to);
        if (!isRevenue && !isPipeline) continue;
        for (const model of models)
          for (const line of creditDeal(deal, model, settings, shares).lines) {
            let c = channels.get(line.touch.channel);
            if (!c) {
              c = {
                revenue: Object.fromEntries(models.map((m) => [m, 0])),
                pipeline: Object.fromEntries(models.map((m) => [m, 0])),
              };
              channels.set(line.touch.channel, c);
            }
            if (isRevenue) c.revenue[model]! += line.creditMinor;
            if (isPipeline) c.pipeline[model]! += line.creditMinor;
          }
      }
      return {
        from: query.from,
        to: query.to,
        currency,
        models,
        channels: [...channels.entries()]
          .map(([channel, c]) => ({ channel, revenueMinor: c.revenue, pipelineMinor: c.pipeline }))
          .sort(
            (a, b) =>
              b.revenueMinor[settings.model]! - a.revenueMinor[settings.model]! ||
              a.channel.localeCompare(b.channel),
          ),
      };
    },

    /** One deal's ledger: every counted touch's credit under every model, and the stored snapshot. */
    async ledger(actor: Actor | null, opportunityId: string): Promise<DealLedger> {
      const who = authorize(actor, 'attribution.read');
      const [row, visibility] = await Promise.all([findDealById(db, opportunityId), loadVisibility(db, who)]);
      if (!row || !canSee(visibility, row.owner_id)) throw createError('opportunities.not_found');
      const settings = await loadSettings(db);
      const touches = decodeTouches((await findDealTouches(db, { ids: [row.id] })).get(row.id));
      const deal = toDeal(row, touches, clock.now());
      const models = [...attributionModels];
      const shares = await learnShares(
        db,
        yearBefore(deal.wonAt ?? clock.now(), deal.currency),
        settings,
        models,
      );
      const credits = models.map((m) => creditDeal(deal, m, settings, shares));
      const path = credits[0]!.path;
      const role = marketingRole(deal, settings);
      const stored = (await findSnapshots(db, [row.id])).get(row.id);
      return {
        opportunity: {
          id: row.id,
          name: row.name,
          status: row.status,
          amountMinor: deal.amountMinor,
          currency: row.currency,
          createdAt: deal.createdAt.toISOString(),
          wonAt: deal.wonAt?.toISOString() ?? null,
        },
        agreedModel: settings.model,
        sourced: role.sourced,
        influenced: role.influenced,
        touches: path.map((t, i) => ({
          touchId: t.id,
          occurredAt: new Date(t.atMs).toISOString(),
          type: t.type,
          channel: t.channel,
          campaign: t.campaign,
          category: t.category,
          contactId: t.contactId,
          credits: Object.fromEntries(
            models.map((m, k) => {
              const line = credits[k]!.lines[i]!;
              return [m, { creditMinor: line.creditMinor, weight: line.weight, reason: line.reason }];
            }),
          ),
        })),
        snapshot: stored
          ? {
              model: stored.snapshot.model as AttributionModel,
              createdAt: fromDbTime(stored.snapshot.created_at).toISOString(),
              lines: stored.credits.map((c) => {
                const saved = readJson(TouchReasonSchema, c.reason, 'attribution_credits.reason');
                const reason: TouchReason = {
                  milestones: saved.milestones,
                  standsInFor: saved.standsInFor,
                  basis: saved.basis,
                  ...(saved.decayWeight !== undefined && { decayWeight: saved.decayWeight }),
                };
                return {
                  touchId: c.touchpoint_id,
                  occurredAt: fromDbTime(c.occurred_at).toISOString(),
                  channel: c.channel,
                  campaign: c.campaign,
                  creditMinor: Number(c.credit_minor),
                  weight: Number(c.weight),
                  reason,
                };
              }),
            }
          : null,
      };
    },

    /** Every channel-level model on an uploaded journeys file; nothing is stored. */
    async analyseJourneys(actor: Actor | null, file: Readable, order: number): Promise<JourneyAnalysis> {
      authorize(actor, 'attribution.read');
      const read = await readJourneys(file);
      return { rows: read.rows, errors: read.errors, ...analyseJourneys(read.journeys, { order }) };
    },

    async listCosts(actor: Actor | null): Promise<CampaignCost[]> {
      authorize(actor, 'attribution.read');
      return (await findCampaignCosts(db)).map(toCost);
    },

    async createCost(actor: Actor | null, input: CreateCampaignCostBody): Promise<CampaignCost> {
      const who = authorize(actor, 'attribution.costs');
      if (input.endsOn < input.startsOn)
        throw fieldError('http.validation_failed', 'endsOn', 'is before startsOn');
      const now = toDbTime(clock.now());
      const row: CampaignCostRow = {
        id: newId(),
        campaign: input.campaign.trim(),
        channel: input.channel?.trim().toLowerCase() ?? null,
        starts_on: input.startsOn,
        ends_on: input.endsOn,
        amount_minor: input.amountMinor,
        currency: input.currency ?? defaultCurrency,
        note: input.note ?? null,
        created_by: who.kind === 'user' ? who.userId : null,
        created_at: now,
        updated_at: now,
      };
      await insertCampaignCost(db, row);
      return toCost(row);
    },

    /**
     * Imports campaign costs from CSV (campaign, channel, starts_on, ends_on, amount in major units
     * with "." or "," for cents, currency). A cost for the same campaign, period and currency is
     * replaced, so importing a file again changes nothing. Rows that cannot be read are reported.
     */
    async importCosts(
      actor: Actor | null,
      file: Readable,
      options: { dryRun: boolean },
    ): Promise<CostImport> {
      const who = authorize(actor, 'attribution.costs');
      const { text: stream, delimiter } = await openCsv(file);
      const parser = stream.pipe(
        parse({
          delimiter,
          columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
          bom: true,
          trim: true,
          skip_empty_lines: true,
          relax_column_count: true,
        }),
      );
      const report: CostImport = { rows: 0, created: 0, updated: 0, unchanged: 0, errors: [] };
      let line = 1;
      for await (const record of parser as AsyncIterable<Record<string, string | undefined>>) {
        line++;
        report.rows++;
        const fail = (column: string, reason: string) => report.errors.push({ row: line, column, reason });
        const campaign = record.campaign?.trim() ?? '';
        const startsOn = record.starts_on ?? '';
        const endsOn = record.ends_on ?? '';
        const amountText = (record.amount ?? '').replace(/\s/g, '');
        const currency = (record.currency || defaultCurrency).toUpperCase();
        const isDate = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d));
        const amount = amountInMinor(amountText);
        if (!campaign) fail('campaign', 'is required');
        else if (!isDate(startsOn)) fail('starts_on', 'must be a date, YYYY-MM-DD');
        else if (!isDate(endsOn) || endsOn < startsOn)
          fail('ends_on', 'must be a date, YYYY-MM-DD, not before starts_on');
        else if (!Number.isSafeInteger(amount)) fail('amount', 'must be an amount such as 1250 or 1250.50');
        else if (!/^[A-Z]{3}$/.test(currency)) fail('currency', 'must be a currency code such as EUR');
        else {
          const channel = record.channel?.trim().toLowerCase() || null;
          const known = await findCampaignCostFor(db, { campaign, startsOn, endsOn, currency });
          if (known && Number(known.amount_minor) === amount && known.channel === channel) report.unchanged++;
          else if (known) {
            report.updated++;
            if (!options.dryRun)
              await updateCampaignCost(db, known.id, {
                amount_minor: amount,
                channel,
                note: known.note,
                updated_at: toDbTime(clock.now()),
              });
          } else {
            report.created++;
            if (!options.dryRun)
              await this.createCost(who, {
                campaign,
                channel,
                startsOn,
                endsOn,
                amountMinor: amount,
                currency,
              });
          }
        }
      }
      return report;
    },

    async deleteCost(actor: Actor | null, id: string): Promise<void> {
      authorize(actor, 'attribution.costs');
      if (!(await deleteCampaignCost(db, id))) throw createError('attribution.campaign_cost_not_found');
    },

    /** Stores a won deal's credit under the agreed model; called in the win's transaction. */
    snapshotIn,

    /**
     * Brings the kept credit of up to `limit` stale deals up to date (the background's share of
     * the work; a report credits its own period's stale deals before it reads). How many it did.
     */
    async refreshCredit(limit = 2_000): Promise<number> {
      if (!keptCredit) return 0;
      await markAllTouchedPeople(db);
      if (!isKept((await loadSettings(db)).model)) return 0;
      const stale = await findStaleDeals(db, { limit });
      await creditStale(stale, clock.now());
      return stale.length;
    },
  };

  /** The report (see `report`); `returns`: with each campaign's return (else no campaigns). */
  async function build(
    actor: Actor | null,
    query: AttributionReportQuery,
    /** 'totals': the totals and Marketing's share only, without rows, campaigns or returns. */
    scope: 'report' | 'totals',
  ): Promise<AttributionReport> {
    authorize(actor, 'attribution.read');
    const groupBy = query.groupBy ?? 'channel';
    const settings = await loadSettings(db);
    const model = query.model ?? settings.model;
    const recognised = query.model === undefined;
    const { currency, otherCurrencyDeals, count } = await currencyOf(
      db,
      query.from,
      query.to,
      query.currency,
    );
    const period = { from: query.from, to: query.to, currency };
    const tally = new Tally();

    // Won deals with a snapshot: their stored credit, summed by the database.
    const stored = new Set<string>();
    if (recognised) {
      const sums = await sumSnapshots(db, period, scope === 'report' ? groupBy : null);
      for (const d of sums.deals) {
        stored.add(d.id);
        tally.deal(d.amountMinor, true, false, { sourced: d.isSourced, influenced: d.isInfluenced });
        if (d.lines === 0) tally.unattributedRevenue += d.amountMinor;
      }
      for (const r of sums.rows) tally.row(r.key, r.label, r.creditMinor, r.weight, 0, 0, r.touches);
      for (const c of sums.campaigns) tally.campaign(c.campaign, c.creditMinor, c.weight, 0);
    }

    if (recognised && keptCredit && isKept(model)) {
      // Every other deal of the period: its kept credit, brought up to date and summed by the database.
      const now = clock.now();
      await markAllTouchedPeople(db);
      await creditStale(await findStaleDeals(db, { now, period }), now);
      const sums = await sumLiveCredits(db, period, scope === 'report' ? groupBy : null);
      for (const f of sums.figures) {
        const role = { sourced: f.isSourced, influenced: f.isInfluenced };
        tally.deal(f.amountMinor, f.revenue, !f.revenue, role, f.deals);
        if (f.attributed) continue;
        if (f.revenue) tally.unattributedRevenue += f.amountMinor;
        else tally.unattributedPipeline += f.amountMinor;
      }
      for (const r of sums.rows)
        tally.row(
          r.key,
          r.label,
          r.revenueMinor,
          r.revenueWeight,
          r.pipelineMinor,
          r.pipelineWeight,
          r.touches,
        );
      for (const c of sums.campaigns)
        tally.campaign(c.campaign, c.revenueMinor, c.revenueWeight, c.pipelineMinor);
    } else await tallyLiveDeals(tally, { period, settings, model, groupBy, stored, count });

    const campaigns =
      scope === 'report' ? await campaignReturns(db, query.from, query.to, currency, tally.campaigns) : [];
    const dayAfter = new Date(Date.parse(`${query.to}T00:00:00.000Z`) + 86_400_000);
    return {
      agreements: await agreementSpans(db, new Date(`${query.from}T00:00:00.000Z`), dayAfter),
      model,
      agreedModel: settings.model,
      recognised,
      from: query.from,
      to: query.to,
      currency,
      groupBy,
      totals: {
        ...tally.totals,
        unattributedRevenueMinor: tally.unattributedRevenue,
        unattributedPipelineMinor: tally.unattributedPipeline,
        otherCurrencyDeals,
      },
      marketing: { sourced: tally.sourced, influenced: tally.influenced },
      rows: [...tally.rows.values()].sort(
        (a, b) =>
          (groupBy === 'month' ? a.key.localeCompare(b.key) : 0) ||
          b.revenueMinor - a.revenueMinor ||
          b.pipelineMinor - a.pipelineMinor ||
          a.key.localeCompare(b.key),
      ),
      campaigns,
    };
  }

  /**
   * Each campaign's cost in the period and currency: a cost spread over a longer period counts for
   * the days inside this one.
   */
  async function campaignCosts(
    conn: Db,
    from: string,
    to: string,
    currency: string,
  ): Promise<Map<string, number>> {
    const costOf = new Map<string, number>();
    for (const c of await findCampaignCosts(conn, { from, to })) {
      if (c.currency !== currency) continue;
      const { overlap, total } = overlapDays(c.starts_on, c.ends_on, from, to);
      costOf.set(
        c.campaign,
        (costOf.get(c.campaign) ?? 0) + Math.round((Number(c.amount_minor) * overlap) / total),
      );
    }
    return costOf;
  }

  async function campaignReturns(
    conn: Db,
    from: string,
    to: string,
    currency: string,
    credited: Map<string, { revenue: number; pipeline: number; wonDeals: number }>,
  ): Promise<CampaignReturn[]> {
    const [costOf, { mql: mqls, sql: sqls }] = await Promise.all([
      campaignCosts(conn, from, to, currency),
      countStageEntriesByCampaign(conn, from, to),
    ]);
    const names = new Set([...costOf.keys(), ...credited.keys(), ...mqls.keys(), ...sqls.keys()]);
    const per = (cost: number, n: number) => (cost > 0 && n > 0 ? Math.round(cost / n) : null);
    return [...names]
      .map((campaign) => {
        const cost = costOf.get(campaign) ?? 0;
        const c = credited.get(campaign) ?? { revenue: 0, pipeline: 0, wonDeals: 0 };
        const m = mqls.get(campaign) ?? 0;
        const s = sqls.get(campaign) ?? 0;
        return {
          campaign,
          costMinor: cost,
          revenueMinor: c.revenue,
          pipelineMinor: c.pipeline,
          roi: cost > 0 ? (c.revenue - cost) / cost : null,
          mqls: m,
          sqls: s,
          wonDeals: c.wonDeals,
          costPerMqlMinor: per(cost, m),
          costPerSqlMinor: per(cost, s),
          costPerWonDealMinor: per(cost, c.wonDeals),
        };
      })
      .sort(
        (a, b) =>
          b.revenueMinor - a.revenueMinor ||
          b.costMinor - a.costMinor ||
          a.campaign.localeCompare(b.campaign),
      );
  }
}

export type AttributionService = ReturnType<typeof createAttributionService>;
