// The dashboards at scale (issue 27): a company of BENCH_REPORTS_CONTACTS people (1M) with
// BENCH_REPORTS_TOUCHES touches (10M), BENCH_REPORTS_DEALS deals (100k) and BENCH_REPORTS_CLOCKS
// follow-up clocks (2M), generated into a fresh store (bench/scale-data.ts), on SQLite and, when
// BATON_TEST_DATABASE_URL is set, on PostgreSQL (BENCH_REPORTS_STORES=sqlite or postgres for one).
// Per store: how long the generation took, then the first call and the p95 of the calls after it
// of each dashboard API through the app (routing, session, permission, query, serialisation) as
// the director, for the last month and the last year: the overview's funnel and SLA report, the
// SLA board's queue, the handoff tracker (fates), attribution under the agreed model, and the
// board of the month and of the year.
// Baseline beside each period: the raw `select count(*)` of the period's touches, and of its
// people, on the same store. BENCH_REPORTS_APIS (comma-separated names) measures some APIs only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { loadTestSettings } from '../src/server/config.ts';
import { migrateToLatest, openDatabase, type Database } from '../src/server/db/database.ts';
import { createTestDatabase } from '../src/server/testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn } from '../src/server/testing/world.ts';
import { round, size, smoke } from './measure.ts';
import { postgresSink, sqliteSink, writeScaleCompany, type RowSink } from './scale-data.ts';

const sizes = {
  contacts: size('BENCH_REPORTS_CONTACTS', 1_000_000, 2_000),
  touches: size('BENCH_REPORTS_TOUCHES', 10_000_000, 20_000),
  deals: size('BENCH_REPORTS_DEALS', 100_000, 200),
  clocks: size('BENCH_REPORTS_CLOCKS', 2_000_000, 4_000),
};
const calls = smoke ? 2 : 10;
/** BENCH_REPORTS_APIS=funnel,sla_report measures some of the APIs only (a quicker look at one). */
const only = (
  process.env.BENCH_REPORTS_APIS ?? 'funnel,sla_report,sla_queue,handoff_fates,attribution,board'
).split(',');
/** An API slower than this in total stops being called (its p95 is of the calls made). */
const budgetMs = 60_000;
const now = new Date('2026-12-01T12:00:00.000Z');
const day = 86_400_000;

const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
};

async function measureStore(
  dialect: 'sqlite' | 'postgres',
  database: Database,
  sink: () => Promise<{ sink: RowSink; count: (sql: string, params: string[]) => Promise<number> }>,
) {
  const context = createTestContext(database);
  context.clock.set(now);
  const director = await addUser(context, 'director');
  const manager = await addUser(context, 'sales_manager', { managerId: director.id });
  const reps = [];
  for (let i = 0; i < 10; i++) reps.push(await addUser(context, 'sales_rep', { managerId: manager.id }));
  // The reps are a team, as in a company: the SLA report gives the team a line of its own.
  await context.services.teams.createTeam(
    { kind: 'cli' },
    { name: 'Inside sales', managerId: manager.id, memberIds: reps.map((r) => r.id) },
  );
  const policies = await context.services.sla.listPolicies({ kind: 'cli' });
  const policy = (key: string) => policies.find((p) => p.key === key)!.id;

  const target = await sink();
  const generation = performance.now();
  await writeScaleCompany(
    target.sink,
    sizes,
    {
      managerId: manager.id,
      repIds: reps.map((r) => r.id),
      policyIds: {
        firstResponse: policy('mql-first-response'),
        acceptOrReject: policy('mql-accept-or-reject'),
      },
    },
    now.getTime(),
  );
  // The planner's statistics as the product gathers them: SQLite's `pragma optimize` at start
  // and hourly (Database.optimize), PostgreSQL's autovacuum (a VACUUM ANALYZE here: the
  // statistics, and the visibility map that index-only scans need). Again after the credit below.
  const gatherStatistics = async () => {
    if (database.optimize) database.optimize();
    else await target.count('vacuum analyze', []);
  };
  await gatherStatistics();
  const generationSeconds = (performance.now() - generation) / 1000;
  process.stderr.write(`${dialect}: generated in ${round(generationSeconds, 1)} s\n`);
  // Attribution's kept credit, worked out as the server's background does after new deals and
  // touches (lead-flow.ts): every deal of the data set is new here.
  const refresh = performance.now();
  let credited = 0;
  for (let n; (n = await context.services.attribution.refreshCredit(1_000)) > 0;) credited += n;
  const refreshSeconds = (performance.now() - refresh) / 1000;
  process.stderr.write(`${dialect}: credited ${credited} deals in ${round(refreshSeconds, 1)} s\n`);
  // The handoff tracker's kept fates, the same way: every handover of the data set is new here.
  const keeping = performance.now();
  let kept = 0;
  for (let n; (n = await context.services.handoff.refreshFates(1_000)) > 0;) kept += n;
  const keepSeconds = (performance.now() - keeping) / 1000;
  process.stderr.write(`${dialect}: kept the fates of ${kept} leads in ${round(keepSeconds, 1)} s\n`);
  await gatherStatistics();

  const app = await createTestApp(context);
  const cookie = await signIn(app, director.email);
  const month = { from: new Date(now.getTime() - 30 * day), to: now };
  const year = { from: new Date(now.getTime() - 365 * day), to: now };
  const day10 = (d: Date) => d.toISOString().slice(0, 10);
  const apis = (p: { from: Date; to: Date }, kind: 'month' | 'year') => ({
    funnel: `/api/v1/funnel?from=${p.from.toISOString()}&to=${p.to.toISOString()}`,
    sla_report: `/api/v1/sla/report?from=${p.from.toISOString()}&to=${p.to.toISOString()}`,
    sla_queue: `/api/v1/sla/queue?limit=200`,
    handoff_fates: `/api/v1/handoff/fates?from=${p.from.toISOString()}&to=${p.to.toISOString()}`,
    attribution: `/api/v1/attribution/report?from=${day10(p.from)}&to=${day10(p.to)}`,
    board: `/api/v1/board?periodKind=${kind}&periodStart=${kind === 'month' ? '2026-11' : '2026-01'}`,
  });
  const metrics: Record<string, { value: number; unit: string }> = {
    [`${dialect}_generation_seconds`]: { value: round(generationSeconds, 1), unit: 's' },
    [`${dialect}_credit_refresh_seconds`]: { value: round(refreshSeconds, 1), unit: 's' },
    [`${dialect}_fates_refresh_seconds`]: { value: round(keepSeconds, 1), unit: 's' },
  };
  const baselines: Record<string, { value: number; unit: string }> = {};
  for (const [kind, period] of [
    ['month', month],
    ['year', year],
  ] as const) {
    for (const [name, url] of Object.entries(apis(period, kind)).filter(([name]) => only.includes(name))) {
      const call = async () => {
        const start = performance.now();
        const response = await app.inject({ method: 'GET', url, headers: { cookie } });
        if (response.statusCode !== 200)
          throw new Error(`${dialect} ${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
        return performance.now() - start;
      };
      // The first call of an API finds cold caches (the store's pages, the statements, the JIT):
      // reported on its own, and the p95 is of the calls after it.
      const first = await call();
      metrics[`${dialect}_${name}_${kind}_first`] = { value: round(first, 1), unit: 'ms' };
      const times: number[] = [];
      for (let i = 0; i < calls && first + times.reduce((a, b) => a + b, 0) < budgetMs; i++)
        times.push(await call());
      const value = times.length > 0 ? round(p95(times), 1) : round(first, 1);
      metrics[`${dialect}_${name}_${kind}_p95`] = { value, unit: 'ms' };
      // As it goes, on stderr: a long run shows where it is.
      process.stderr.write(
        `${dialect} ${name} ${kind}: first ${round(first, 1)} ms, p95 ${value} ms of ${times.length}\n`,
      );
      if (times.length < calls)
        metrics[`${dialect}_${name}_${kind}_calls`] = { value: times.length, unit: 'calls' };
    }
    const timed = async (sql: string) => {
      const times: number[] = [];
      for (let i = 0; i < calls; i++) {
        const start = performance.now();
        await target.count(sql, [period.from.toISOString(), period.to.toISOString()]);
        times.push(performance.now() - start);
      }
      return p95(times);
    };
    const placeholders = dialect === 'sqlite' ? ['?', '?'] : ['$1', '$2'];
    baselines[`${dialect}_count_touches_${kind}_p95`] = {
      value: round(
        await timed(
          `select count(*) as n from touchpoints where occurred_at >= ${placeholders[0]} and occurred_at < ${placeholders[1]}`,
        ),
        2,
      ),
      unit: 'ms',
    };
    baselines[`${dialect}_count_contacts_${kind}_p95`] = {
      value: round(
        await timed(
          `select count(*) as n from contacts where created_at >= ${placeholders[0]} and created_at < ${placeholders[1]}`,
        ),
        2,
      ),
      unit: 'ms',
    };
  }
  await app.close();
  return { metrics, baselines };
}

export async function run() {
  const stores = (process.env.BENCH_REPORTS_STORES ?? 'sqlite,postgres').split(',');
  const metrics: Record<string, { value: number; unit: string }> = {};
  const baselines: Record<string, { value: number; unit: string }> = {};
  const merge = (result: { metrics: typeof metrics; baselines: typeof baselines }) => {
    Object.assign(metrics, result.metrics);
    Object.assign(baselines, result.baselines);
  };
  if (stores.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'baton-bench-reports-'));
    const path = join(dir, 'baton.db');
    const database = openDatabase({ dialect: 'sqlite', path });
    await migrateToLatest(database.db);
    try {
      merge(
        await measureStore('sqlite', database, async () => {
          const raw = new SQLite(path);
          raw.pragma('journal_mode = WAL');
          return {
            sink: sqliteSink(raw),
            count: async (sql, params) => {
              raw.prepare(sql).get(...params);
              return 0;
            },
          };
        }),
      );
    } finally {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (stores.includes('postgres') && loadTestSettings().postgresUrl) {
    const database = await createTestDatabase('postgres');
    const client = new pg.Client({ connectionString: database.url });
    try {
      await client.connect();
      merge(
        await measureStore('postgres', database, async () => ({
          sink: postgresSink(client),
          count: async (sql, params) => {
            await client.query(sql, params);
            return 0;
          },
        })),
      );
    } finally {
      await client.end();
      await database.dispose();
    }
  }
  metrics.contacts = { value: sizes.contacts, unit: 'contacts' };
  metrics.touches = { value: sizes.touches, unit: 'touches' };
  metrics.deals = { value: sizes.deals, unit: 'deals' };
  metrics.clocks = { value: sizes.clocks, unit: 'clocks' };
  return { metrics, baselines };
}
