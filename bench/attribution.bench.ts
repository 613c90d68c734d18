// Attribution (issue 9) on SQLite:
// - every model, one report each, over BENCH_ATTRIBUTION_DEALS won deals (50k by default)
//   with BENCH_ATTRIBUTION_TOUCHES touchpoints (1M) in 12 channels: the real service call, which
//   reads the deals and their touches from the SQLite file and credits every deal to the cent;
// - the comparison (every model, Markov and Shapley included, in one pass over the same deals);
// - Markov (first order, solved exactly) and Shapley over BENCH_ATTRIBUTION_JOURNEYS journeys
//   (100k) in 12 channels, as the journeys command runs them;
// - baselines from the same run: raw better-sqlite3 inserts of the same touch rows, and a raw
//   select of every touchpoint of those deals (the floor any report over them stands on).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { v7 } from 'uuid';
import { analyseJourneys } from '../src/domain/attribution/analyse-journeys.ts';
import type { Journey } from '../src/domain/attribution/journeys.ts';
import { markovAttribution } from '../src/domain/attribution/markov.ts';
import { attributionModels, ruleModels } from '../src/domain/attribution/rule-models.ts';
import { shapleyAttribution } from '../src/domain/attribution/shapley.ts';
import { migrateToLatest, openDatabase } from '../src/server/db/database.ts';
import { startAttributionThread } from '../src/server/modules/attribution/attribution.thread-host.ts';
import { createTestContext } from '../src/server/testing/world.ts';
import type { Metric } from './measure.ts';
import { round, size } from './measure.ts';

const deals = size('BENCH_ATTRIBUTION_DEALS', 50_000, 200);
const touches = size('BENCH_ATTRIBUTION_TOUCHES', 1_000_000, 4_000);
const journeyCount = size('BENCH_ATTRIBUTION_JOURNEYS', 100_000, 1_000);
const channels = [
  'webinar',
  'email',
  'ads',
  'organic',
  'social',
  'event',
  'referral',
  'direct',
  'partner',
  'display',
  'video',
  'content',
];
const cli = { kind: 'cli' } as const;
const day = 86_400_000;

/** A small deterministic generator (mulberry32), so every run measures the same data. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deals, their people and their touches, written straight into the file. Returns the touch rows' insert time. */
function seed(path: string, raw: SQLite.Database): number {
  const next = random(9);
  const created = new Date('2026-01-01T00:00:00Z').getTime();
  const contact = raw.prepare(
    `insert into contacts (id, email, stage, stage_entered_at, consent_status, is_opted_out, created_at, updated_at)
     values (?, ?, 'customer', ?, 'unknown', 0, ?, ?)`,
  );
  const opportunity = raw.prepare(
    `insert into opportunities (id, name, contact_id, stage, status, amount_minor, currency, closed_on, stage_entered_at, created_at, updated_at)
     values (?, ?, ?, 'won', 'won', ?, 'EUR', ?, ?, ?, ?)`,
  );
  const touch = raw.prepare(
    `insert into touchpoints (id, type, category, occurred_at, received_at, contact_id, channel, campaign, properties, is_lead_creating, source_kind)
     values (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, 'api')`,
  );
  const perDeal = touches / deals;
  let touchMs = 0;
  const write = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const contactId = v7();
      const opened = created + Math.floor(next() * 150) * day;
      const won = opened + (10 + Math.floor(next() * 60)) * day;
      const at = new Date(opened).toISOString();
      contact.run(contactId, `p${i}@bench.example`, at, at, at);
      opportunity.run(
        v7(),
        `Deal ${i}`,
        contactId,
        1_000 + Math.floor(next() * 5_000_000),
        new Date(won).toISOString().slice(0, 10),
        new Date(won).toISOString(),
        at,
        at,
      );
      const t0 = performance.now();
      for (let k = 0; k < perDeal; k++) {
        const when = opened - 200 * day + Math.floor(next() * (won - opened + 200 * day));
        const sales = next() < 0.1;
        touch.run(
          v7(),
          sales ? 'call_logged' : 'page_viewed',
          sales ? 'sales' : 'marketing',
          new Date(when).toISOString(),
          new Date(when).toISOString(),
          contactId,
          sales ? null : channels[Math.floor(next() * channels.length)]!,
          `campaign-${Math.floor(next() * 40)}`,
          k === 0 ? 1 : 0,
        );
      }
      touchMs += performance.now() - t0;
    }
  });
  for (let i = 0; i < deals; i += 1000) write(i, Math.min(deals, i + 1000));
  void path;
  return touchMs;
}

function journeys(): Journey[] {
  const next = random(17);
  const list: Journey[] = [];
  for (let i = 0; i < journeyCount; i++) {
    const length = 1 + Math.floor(next() * next() * 10);
    const path = Array.from({ length }, () => channels[Math.floor(next() * next() * channels.length)]!);
    const converted = next() < 0.05 + 0.03 * new Set(path).size;
    list.push({
      path,
      conversions: converted ? 1 : 0,
      value: converted ? 100 + Math.floor(next() * 900) : 0,
      nulls: converted ? 0 : 1,
    });
  }
  return list;
}

async function time<T>(work: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-attribution-'));
  try {
    const path = join(dir, 'baton.db');
    const migrated = openDatabase({ dialect: 'sqlite', path });
    await migrateToLatest(migrated.db);
    await migrated.db.destroy();
    const raw = new SQLite(path);
    raw.pragma('journal_mode = WAL');
    const touchInsertMs = seed(path, raw);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();

    const database = openDatabase({ dialect: 'sqlite', path });
    // As the server runs it: a helper thread credits half of a large report's deals.
    const helper = startAttributionThread(
      { dialect: 'sqlite', path },
      { error: (m) => process.stderr.write(`${m}\n`) },
    );
    await helper.ready;
    const context = createTestContext(database, undefined, { reactions: false, attributionHelper: helper });
    context.clock.set('2026-12-01T00:00:00.000Z');
    const period = { from: '2026-01-01', to: '2026-12-31' };
    const metrics: Record<string, Metric> = {};
    let slowest = 0;
    let slowestDataDriven = 0;
    for (const model of attributionModels) {
      const { ms, result } = await time(() => context.services.attribution.report(cli, { ...period, model }));
      if (result.totals.wonDeals !== deals)
        throw new Error(`${model}: ${result.totals.wonDeals} deals reported`);
      const credited =
        result.rows.reduce((s, r) => s + r.revenueMinor, 0) + result.totals.unattributedRevenueMinor;
      if (credited !== result.totals.revenueMinor)
        throw new Error(`${model}: credits do not sum to the revenue`);
      metrics[`report_${model}`] = { value: round(ms), unit: 'ms' };
      if ((ruleModels as readonly string[]).includes(model)) slowest = Math.max(slowest, ms);
      else slowestDataDriven = Math.max(slowestDataDriven, ms);
    }
    metrics.slowest_rule_model = { value: round(slowest), unit: 'ms' };
    metrics.slowest_data_driven_model = { value: round(slowestDataDriven), unit: 'ms' };
    const comparison = await time(() => context.services.attribution.compare(cli, period));
    metrics.comparison_all_13_models = { value: round(comparison.ms), unit: 'ms' };
    await helper.stop();
    await database.db.destroy();

    // The floor: every touchpoint of those deals selected raw (after the reports, so that its
    // million rows do not crowd their heap).
    const reopened = new SQLite(path, { readonly: true });
    const rawSelect = await time(
      () =>
        reopened
          .prepare(
            `select o.id, t.id, t.type, t.category, t.occurred_at, t.contact_id, t.channel, t.campaign, t.is_lead_creating
             from opportunities o join touchpoints t on t.contact_id = o.contact_id`,
          )
          .all().length,
    );
    reopened.close();

    const list = journeys();
    const markov = await time(() => markovAttribution(list));
    const shapley = await time(() => shapleyAttribution(list));
    const all = await time(() => analyseJourneys(list));
    metrics.markov_journeys = { value: round(markov.ms), unit: 'ms' };
    metrics.shapley_journeys = { value: round(shapley.ms), unit: 'ms' };
    metrics.all_channel_models_journeys = { value: round(all.ms), unit: 'ms' };
    metrics.peak_rss = { value: round(process.resourceUsage().maxRSS / 1024), unit: 'MB' };
    return {
      metrics,
      baselines: {
        raw_touch_inserts: { value: round(touches / (touchInsertMs / 1000), 0), unit: 'rows/s' },
        raw_select_all_touches: { value: round(rawSelect.ms), unit: 'ms' },
      },
      setup: { deals, touches, journeys: journeyCount, channels: channels.length },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
