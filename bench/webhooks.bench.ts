// Outgoing webhooks on SQLite (durable commits), against a local receiver in a process of its own
// (so that it has the other core), answering 204 at once:
// - fanout: BENCH_WEBHOOK_EVENTS events (10,000 by default, as issue 20 asks) queued, then fanned
//   out to 3 endpoints and delivered by the dispatcher, signed, each outcome and attempt recorded:
//   deliveries per second from the first fan-out to the last delivery recorded;
// - queue_added_p99: what queueing one webhook adds to a deciding transaction (an event log row
//   and an audit-free change), p99 with against p99 without, alternating so noise hits both;
// - baseline raw_insert_and_mark: the store's floor for a delivery, raw better-sqlite3 inserting a
//   delivery row and marking it delivered with its attempt row, in transactions of 100;
// - baseline raw_http_posts: bare keep-alive POSTs of the same body to the same receiver, as many
//   at once as the dispatcher sends (3 endpoints × its batch).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { v7 } from 'uuid';
import { migrateToLatest, openDatabase } from '../src/server/db/database.ts';
import { insertEvent } from '../src/server/modules/shared/events.repository.ts';
import { queueWebhooks, webhookEvent } from '../src/server/modules/webhooks/webhooks.usecases.ts';
import { startWebhookDispatcher } from '../src/server/platform/webhook-dispatcher.ts';
import { createWebhookSender } from '../src/server/platform/webhook-sender.ts';
import { createTestContext } from '../src/server/testing/world.ts';
import { round, size } from './measure.ts';

const events = size('BENCH_WEBHOOK_EVENTS', 10_000, 300);
const samples = size('BENCH_WEBHOOK_SAMPLES', 3_000, 100);
const endpointCount = 3;
const batch = 100;
const cli = { kind: 'cli' } as const;

/** The receiver, in a child process: answers every POST with 204 once its body has arrived. */
async function startReceiver(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => r.writeHead(204).end()); });
       s.keepAliveTimeout = 60000; s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) =>
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

/** The lead the events are about: a real contact, as a message about a person names one. */
let benchContact = v7();
const sampleData = (i: number) => ({
  contactId: benchContact,
  assignmentId: v7(),
  ownerId: v7(),
  previousOwnerId: null,
  kind: 'rule',
  reason: i % 2 ? null : 'routed by the bench',
});

async function fanout(dir: string, receiverUrl: string) {
  const database = openDatabase({ dialect: 'sqlite', path: join(dir, 'fanout.db') });
  await migrateToLatest(database.db);
  const context = createTestContext(database, undefined, { reactions: false });
  const { webhooks } = context.services;
  await webhooks.updateSettings(cli, { allowPrivateTargets: true });
  const lead = await context.services.capture.ingest(
    cli,
    { type: 'page_viewed', email: 'bench@initech.nl', occurredAt: context.clock.now().toISOString() },
    undefined,
  );
  benchContact = lead.body.results[0]!.contactId!;
  for (let e = 0; e < endpointCount; e++)
    await webhooks.createEndpoint(cli, { url: `${receiverUrl}/e${e}`, eventTypes: ['lead.assigned'] });
  for (let i = 0; i < events; i += 500)
    await database.db.transaction().execute((trx) =>
      queueWebhooks(
        trx,
        Array.from({ length: Math.min(500, events - i) }, (_, k) =>
          webhookEvent('lead.assigned', context.clock.now(), sampleData(i + k)),
        ),
      ),
    );
  const sender = createWebhookSender({ timeoutMs: 10_000, maxBodyBytes: 4096 });
  const total = events * endpointCount;
  const count = async () =>
    Number(
      (
        await database.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'delivered')
          .executeTakeFirstOrThrow()
      ).n,
    );
  const errors: unknown[] = [];
  const start = performance.now();
  const dispatcher = startWebhookDispatcher(
    {
      fanOut: () => webhooks.fanOut(),
      dueEndpoints: () => webhooks.dueEndpoints(),
      deliver: (id) => webhooks.deliver(sender, 'bench', id),
    },
    context.events,
    { intervalMs: 5, fanOutBatch: 500, wakeOn: [], onError: (error) => errors.push(error) },
  );
  while ((await count()) < total) {
    if (errors.length > 0) throw errors[0];
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - start) / 1000;
  await dispatcher.stop();
  sender.close();

  // What queueing one webhook adds to a deciding transaction.
  const decide = (withWebhook: boolean, i: number) =>
    database.db.transaction().execute(async (trx) => {
      await insertEvent(trx, {
        type: 'lead.assigned',
        occurredAt: context.clock.now(),
        actor: { kind: 'system', id: null },
        subject: { type: 'contact', id: v7() },
        payload: { userId: v7(), kind: 'rule' },
      });
      if (withWebhook)
        await queueWebhooks(trx, [webhookEvent('lead.assigned', context.clock.now(), sampleData(i))]);
    });
  const bare: number[] = [];
  const withHook: number[] = [];
  for (let i = 0; i < 50; i++) await decide(i % 2 === 0, i);
  for (let i = 0; i < samples; i++) {
    for (const [list, flag] of [
      [bare, false],
      [withHook, true],
    ] as const) {
      const t = performance.now();
      await decide(flag, i);
      list.push(performance.now() - t);
    }
  }
  await database.close();
  return {
    perSecond: total / seconds,
    seconds,
    bareP99: percentile(bare, 0.99),
    withP99: percentile(withHook, 0.99),
  };
}

/** The store's floor for one delivery: its row inserted, then marked delivered with an attempt row. */
function rawInsertAndMark(dir: string, total: number): number {
  const raw = new SQLite(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.exec(`create table d (id text primary key, m text not null, status text not null, at text);
            create table a (id text primary key, d text not null, at text not null, status integer)`);
  const insert = raw.prepare(`insert into d (id, m, status) values (?, ?, 'pending')`);
  const mark = raw.prepare(`update d set status = 'delivered', at = ? where id = ?`);
  const attempt = raw.prepare(`insert into a (id, d, at, status) values (?, ?, ?, 204)`);
  const ids = Array.from({ length: total }, () => v7());
  const start = performance.now();
  const write = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert.run(ids[i], `msg_${i}`);
  });
  const record = raw.transaction((from: number, to: number) => {
    const at = new Date(0).toISOString();
    for (let i = from; i < to; i++) {
      mark.run(at, ids[i]);
      attempt.run(v7(), ids[i], at);
    }
  });
  for (let i = 0; i < total; i += 500) write(i, Math.min(total, i + 500));
  for (let i = 0; i < total; i += batch) record(i, Math.min(total, i + batch));
  const seconds = (performance.now() - start) / 1000;
  raw.close();
  return total / seconds;
}

/** Bare keep-alive POSTs to the receiver, as many in flight as the dispatcher has. */
async function rawHttpPosts(receiverUrl: string, total: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const body = JSON.stringify({
    type: 'lead.assigned',
    timestamp: new Date(0).toISOString(),
    data: sampleData(0),
  });
  const post = (path: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(`${receiverUrl}${path}`, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: endpointCount * 32 }, async (_, lane) => {
      while (next < total) {
        next += 1;
        await post(`/e${lane % endpointCount}`);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return total / seconds;
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-webhooks-'));
  const receiver = await startReceiver();
  try {
    const measured = await fanout(dir, receiver.url);
    const floorStore = rawInsertAndMark(dir, events * endpointCount);
    const floorHttp = await rawHttpPosts(receiver.url, events * endpointCount);
    return {
      metrics: {
        fanout_deliveries: { value: round(measured.perSecond), unit: 'deliveries/s' },
        fanout_seconds: {
          value: round(measured.seconds, 2),
          unit: `s for ${events} events × ${endpointCount} endpoints`,
        },
        fanout_ratio_to_http_floor: { value: round(measured.perSecond / floorHttp, 3), unit: 'ratio' },
        queue_added_p99: { value: round(measured.withP99 - measured.bareP99, 3), unit: 'ms' },
        decision_with_webhook_p99: { value: round(measured.withP99, 3), unit: 'ms' },
      },
      baselines: {
        raw_insert_and_mark: { value: round(floorStore), unit: 'deliveries/s' },
        raw_http_posts: { value: round(floorHttp), unit: 'posts/s' },
        decision_without_webhook_p99: { value: round(measured.bareP99, 3), unit: 'ms' },
      },
    };
  } finally {
    receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
