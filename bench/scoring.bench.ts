// What scoring costs, on SQLite with durable commits:
// - ingest_off / ingest_on: events/s through the capture service in batches of 1,000 (as the ingest
//   bench), with no active model, and with the default model active and the scoring thread running
//   beside it on its own connection (as in the server); in alternating rounds, so noise hits both.
//   `scored` counts until the scorer has caught up.
// - rescore: the time to rescore every contact after a model is activated (issue 4: 1M contacts),
//   each contact with two touches in the lookback.
// - baseline: raw better-sqlite3 inserts of touch rows, 1,000 per transaction, in the same run.
// BENCH_EVENTS, BENCH_CONTACTS and BENCH_RESCORE_CONTACTS scale the runs down for a quick look.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { v7 } from 'uuid';
import type { ScoringModelDefinition } from '../src/contract/scoring.ts';
import { defaultScoringModel } from '../src/domain/scoring/default-model.ts';
import { migrateToLatest, openDatabase } from '../src/server/db/database.ts';
import { startScoringThread } from '../src/server/modules/scoring/scoring.thread-host.ts';
import { createTestContext, type TestContext } from '../src/server/testing/world.ts';
import { round, size, smoke } from './measure.ts';

const totalEvents = size('BENCH_EVENTS', 200_000, 2_000);
const totalContacts = size('BENCH_CONTACTS', 20_000, 200);
const rescoreContacts = size('BENCH_RESCORE_CONTACTS', 1_000_000, 2_000);
const batchSize = 1000;
const cli = { kind: 'cli' } as const;
// The scoring thread runs on the system clock, so the stream is dated just before now.
const start = Date.now();

function event(n: number) {
  const person = n % totalContacts;
  return {
    id: `bench-${n}`,
    type: n % 10 === 0 ? 'form_submitted' : 'page_viewed',
    occurredAt: new Date(start - 3_600_000 + (n % 3_600_000)).toISOString(),
    email: `person${person}@company${person % 5000}.nl`,
    channel: 'organic',
    url: `https://www.example.nl/page/${n % 100}`,
  };
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function openContext(
  dir: string,
  name: string,
): Promise<{ context: TestContext; close: () => Promise<void> }> {
  const database = openDatabase({ dialect: 'sqlite', path: join(dir, name) });
  await migrateToLatest(database.db);
  const context = createTestContext(database);
  context.clock.set(new Date(start).toISOString());
  return { context, close: () => database.close() };
}

async function ingestRange(context: TestContext, from: number, to: number): Promise<number> {
  const begin = performance.now();
  for (let b = from; b < to; b++) {
    const events = Array.from({ length: batchSize }, (_, i) => event(b * batchSize + i));
    const outcome = await context.services.capture.ingest(cli, { events }, `batch-${b}`);
    if (outcome.body.accepted !== batchSize)
      throw new Error(`batch ${b}: ${JSON.stringify(outcome.body).slice(0, 300)}`);
  }
  return performance.now() - begin;
}

/**
 * The same stream into two stores, one without scoring and one with the scorer running, in
 * alternating rounds so that a noisy machine slows both alike.
 */
async function ingestion(dir: string) {
  // Alternating rounds even out a noisy machine; a smoke run only has to run (each round starts a thread).
  const rounds = smoke ? 1 : 4;
  const batches = totalEvents / batchSize;
  const off = await openContext(dir, 'off.db');
  const on = await openContext(dir, 'on.db');
  await on.context.services.scoring.ensureDefaultModel();
  let offMs = 0;
  let onMs = 0;
  for (let r = 0; r < rounds; r++) {
    const from = Math.floor((batches * r) / rounds);
    const to = Math.floor((batches * (r + 1)) / rounds);
    offMs += await ingestRange(off.context, from, to);
    const worker = startScoringThread({ dialect: 'sqlite', path: join(dir, 'on.db') }, on.context.events, {
      error: (message) => {
        throw new Error(message);
      },
    });
    await worker.ready;
    onMs += await ingestRange(on.context, from, to);
    await worker.stop();
  }
  // What the scorer had not reached when the last batch was answered, done now to the end.
  const begin = performance.now();
  while ((await on.context.services.scoring.scoreDue(1000)) > 0);
  const scoredMs = onMs + (performance.now() - begin);
  await off.close();
  await on.close();
  return {
    off: totalEvents / (offMs / 1000),
    on: totalEvents / (onMs / 1000),
    scored: totalEvents / (scoredMs / 1000),
  };
}

/** Contacts with two touches each, written straight into the tables: the rescoring run is what is timed. */
function seedContacts(path: string) {
  const raw = new SQLite(path);
  raw.pragma('journal_mode = WAL');
  const contact = raw.prepare(
    `insert into contacts (id, email, first_name, last_name, title, phone, country, account_id, owner_id, stage,
     stage_entered_at, consent_status, is_opted_out, created_at, updated_at, latest_touch_at, activity_version, scored_version)
     values (?, ?, null, null, ?, null, ?, null, null, 'lead', ?, 'unknown', 0, ?, ?, ?, 1, 1)`,
  );
  const touch = raw.prepare(
    `insert into touchpoints (id, client_event_id, type, category, occurred_at, received_at, contact_id, visitor_id,
     user_id, channel, campaign, utm_source, utm_medium, utm_campaign, utm_term, utm_content, url, properties,
     is_lead_creating, source_kind, source_id) values (?, null, ?, 'marketing', ?, ?, ?, null, null, 'organic', null,
     null, null, null, null, null, ?, '{}', 0, 'api', null)`,
  );
  const titles = ['CTO', 'IT Manager', 'Student', 'Director Operations', null];
  const write = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = v7();
      const at = new Date(start - (i % 30) * 86_400_000).toISOString();
      contact.run(
        id,
        `p${i}@c${i % 20_000}.nl`,
        titles[i % titles.length],
        i % 3 ? 'NL' : 'DE',
        at,
        at,
        at,
        at,
      );
      touch.run(v7(), 'page_viewed', at, at, id, '/pricing');
      touch.run(v7(), i % 4 ? 'content_downloaded' : 'form_submitted', at, at, id, '/whitepaper');
    }
  });
  for (let i = 0; i < rescoreContacts; i += 10_000) write(i, Math.min(rescoreContacts, i + 10_000));
  raw.close();
}

async function rescore(dir: string) {
  const path = join(dir, 'rescore.db');
  const setup = openDatabase({ dialect: 'sqlite', path });
  await migrateToLatest(setup.db);
  await setup.close();
  seedContacts(path);
  const { context, close } = await openContext(dir, 'rescore.db');
  await context.services.scoring.ensureDefaultModel();
  const definition = structuredClone(defaultScoringModel) as ScoringModelDefinition;
  const draft = await context.services.scoring.createModel(cli, {
    name: 'Recalibrated',
    definition: { ...definition, mql: { ...definition.mql, engagementAtLeast: 35 } },
  });
  const begin = performance.now();
  const { run } = await context.services.scoring.activateModel(cli, draft.id);
  while ((await context.services.scoring.advanceRuns(1000)) > 0);
  const seconds = (performance.now() - begin) / 1000;
  const finished = await context.services.scoring.getRun(cli, run.id);
  if (finished.status !== 'done' || finished.done !== rescoreContacts)
    throw new Error(`rescore ended ${JSON.stringify(finished)}`);
  await close();
  return { seconds, perSecond: rescoreContacts / seconds };
}

function rawBaseline(dir: string): number {
  const raw = new SQLite(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec(`create table touchpoints (id text primary key, client_event_id text unique, type text not null,
    occurred_at text not null, email text not null, url text)`);
  const insert = raw.prepare('insert into touchpoints values (?, ?, ?, ?, ?, ?)');
  const write = raw.transaction((from: number) => {
    for (let n = from; n < from + batchSize; n++) {
      const e = event(n);
      insert.run(v7(), e.id, e.type, e.occurredAt, e.email, e.url);
    }
  });
  const begin = performance.now();
  for (let b = 0; b < totalEvents / batchSize; b++) write(b * batchSize);
  const rate = totalEvents / ((performance.now() - begin) / 1000);
  raw.close();
  return rate;
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-scoring-'));
  try {
    const raw = rawBaseline(dir);
    const ingest = await ingestion(dir);
    const again = await rescore(dir);
    clearInterval(sampler);
    return {
      metrics: {
        ingest_scoring_off: { value: round(ingest.off), unit: 'events/s' },
        ingest_scoring_on: { value: round(ingest.on), unit: 'events/s' },
        ingest_scoring_on_until_scored: { value: round(ingest.scored), unit: 'events/s' },
        ingest_ratio_on_to_off: { value: round(ingest.on / ingest.off, 3), unit: 'ratio' },
        ingest_ratio_scored_to_off: { value: round(ingest.scored / ingest.off, 3), unit: 'ratio' },
        rescore_seconds: { value: round(again.seconds, 1), unit: 's' },
        rescore_contacts_per_second: { value: round(again.perSecond), unit: 'contacts/s' },
        rescore_contacts: { value: rescoreContacts, unit: 'contacts' },
        events: { value: totalEvents, unit: 'events' },
        contacts: { value: totalContacts, unit: 'contacts' },
        peak_rss: { value: round(peakRss / 1024 / 1024), unit: 'MiB' },
      },
      baselines: {
        raw_sqlite_touch_inserts_per_second: { value: round(raw), unit: 'rows/s' },
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
