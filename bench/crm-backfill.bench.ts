// The first sync of a HubSpot connection (issue 22): BENCH_CRM_CONTACTS people (100,000),
// BENCH_CRM_DEALS deals (20,000) and BENCH_CRM_ACTIVITIES calls, meetings and emails (200,000),
// with a company for every 20 people, read from a local HubSpot (src/server/testing/hubspot-fake.ts,
// in a process of its own: bench/crm-fake.ts) through the official client, into Baton on a SQLite
// file with Baton's durability settings. The local HubSpot keeps a Professional portal's budget
// (190 requests per 10 seconds, 5 searches a second), as Baton's connection does.
// - backfill_seconds and peak_rss_mib: the whole backfill, and the most memory Baton's process held;
// - floor_seconds: what the requests made take at the budget's steady rate (19 a second), and
//   backfill_to_floor its ratio: what Baton's own work adds to the wait;
// - baselines measured in the same run: the local HubSpot's list pages read as fast as it answers,
//   with nothing done with them (raw_page_reads_per_second), and the raw SQLite insert rate of the
//   same number of rows in one transaction per page (raw_sqlite_inserts_per_second).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { migrateToLatest, openDatabase } from '../src/server/db/database.ts';
import { createTestContext } from '../src/server/testing/world.ts';
import { round, size } from './measure.ts';

const contacts = size('BENCH_CRM_CONTACTS', 100_000, 2_000);
const deals = size('BENCH_CRM_DEALS', 20_000, 400);
const activities = size('BENCH_CRM_ACTIVITIES', 200_000, 4_000);
const companies = Math.max(10, Math.round(contacts / 20));
/** A Professional portal's private app: 190 requests per rolling 10 seconds. */
const tenSecondBudget = 190;
const cli = { kind: 'cli' } as const;

function next<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>) => {
      if (!(key in message)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null) => reject(new Error(`the local HubSpot exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function run() {
  const child = fork(fileURLToPath(new URL('./crm-fake.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  try {
    const phase = (name: string, since: number) =>
      process.stderr.write(`crm-backfill: ${name} in ${round((performance.now() - since) / 1000, 1)} s\n`);
    let at = performance.now();
    await next(child, 'ready');
    child.send({ fill: { contacts, companies, deals, activities } });
    const { url, token } = await next<{ url: string; token: string }>(child, 'url');
    phase('local HubSpot filled', at);
    at = performance.now();
    const records = contacts + companies + deals + activities;

    // Baseline: the list pages of every type, read as fast as the local HubSpot answers them.
    let pages = 0;
    const readStart = performance.now();
    for (const type of ['companies', 'contacts', 'deals', 'calls', 'meetings', 'emails']) {
      let after: string | null = null;
      do {
        const response: Response = await fetch(
          `${url}/crm/v3/objects/${type}?limit=100&associations=contacts${after ? `&after=${after}` : ''}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        const page = (await response.json()) as { paging?: { next?: { after: string } } };
        after = page.paging?.next?.after ?? null;
        pages += 1;
      } while (after);
    }
    const rawPagesPerSecond = pages / ((performance.now() - readStart) / 1000);
    phase('raw page reads', at);

    // Baseline: the same number of rows into a SQLite file, a transaction per page of 100.
    const raw = new SQLite(join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.exec('create table t (id integer primary key, remote text not null unique, payload text)');
    const insert = raw.prepare('insert into t (remote, payload) values (?, ?)');
    const page = raw.transaction((from: number) => {
      for (let i = from; i < Math.min(from + 100, records); i++) insert.run(`r${i}`, 'x'.repeat(200));
    });
    const insertStart = performance.now();
    for (let from = 0; from < records; from += 100) page(from);
    const rawInsertsPerSecond = records / ((performance.now() - insertStart) / 1000);
    raw.close();

    // Baton: one connection, its first sync, at the portal's budget.
    child.send({ limit: tenSecondBudget, searchLimit: 5 });
    await next(child, 'limited');
    const database = openDatabase({ dialect: 'sqlite', path: join(dir, 'baton.db') });
    await migrateToLatest(database.db);
    const context = createTestContext(database, undefined, {
      connectors: { tenSecondBudget, searchesPerSecond: 5 },
    });
    context.clock.set('2026-12-05T09:00:00.000Z');
    await context.services.scoring.ensureDefaultModel();
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    child.send({ counts: true });
    const before = (await next<{ counts: { requests: number; limited: number } }>(child, 'counts')).counts;
    const connection = await context.services.connectors.create(cli, {
      kind: 'hubspot',
      token,
      baseUrl: url,
    });
    const began = performance.now();
    const synced = await context.services.connectors.syncNow(cli, connection.id);
    const seconds = (performance.now() - began) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    child.send({ counts: true });
    const { counts } = await next<{ counts: { requests: number; limited: number } }>(child, 'counts');

    if (synced.backfill.state !== 'done') throw new Error(`backfill ended ${JSON.stringify(synced)}`);
    const linked = synced.linked;
    if (linked.contact !== contacts || linked.deal !== deals || linked.company !== companies)
      throw new Error(`linked ${JSON.stringify(linked)}`);
    const touches = await database.db
      .selectFrom('touchpoints')
      .where('type', 'in', ['call_logged', 'meeting_held', 'email_sent'])
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(touches.n) !== activities) throw new Error(`${touches.n} of ${activities} activities`);
    await database.close();

    const limited = counts.limited - before.limited;
    const served = counts.requests - before.requests - limited;
    // At the budget's steady rate (the first 10 seconds' share may go at once, which the full size
    // hardly notices).
    const floorSeconds = served / (tenSecondBudget / 10);
    return {
      metrics: {
        backfill_seconds: { value: round(seconds, 1), unit: 's' },
        records_per_second: { value: Math.round(records / seconds), unit: 'records/s' },
        peak_rss_mib: { value: Math.round(peakRss / 1024 / 1024), unit: 'MiB' },
        api_calls: { value: served, unit: 'requests' },
        rate_limited: { value: limited, unit: '429s' },
        floor_seconds: { value: round(floorSeconds, 1), unit: 's' },
        backfill_to_floor: { value: round(seconds / floorSeconds, 2), unit: 'ratio' },
        records: { value: records, unit: 'records' },
      },
      baselines: {
        raw_page_reads_per_second: { value: Math.round(rawPagesPerSecond), unit: 'pages/s' },
        raw_sqlite_inserts_per_second: { value: Math.round(rawInsertsPerSecond), unit: 'rows/s' },
      },
    };
  } finally {
    child.send({ stop: true });
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
