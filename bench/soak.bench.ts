// A long run of one Baton server (`baton serve`, its own process, SQLite with durable commits) under
// a fixed mixed load, as a company's day looks to it, to see whether it stays flat:
// - every second: 40 single events (one in 20 a demo request, so leads become MQLs, are routed and
//   get clocks), one batch of 100 events, 10 reads of a rep's queue, one accept of a lead in it,
//   and one dashboard report as the manager (funnel, SLA report, handoff fates, attribution for the
//   year, the board of the month, in turn);
// - each minute it prints to stderr the server's RSS and the p50/p99 of every request of that
//   minute; the object on stdout has the RSS growth per minute after the warm-up (a least-squares
//   slope over the per-minute RSS), and the p99 of the last five minutes against the first five
//   after the warm-up;
// - baselines: the same request rate against a bare Fastify route (its p50/p99), and the server's
//   RSS when it started.
// `npm run bench -- soak -- --minutes 30` sets the length (BENCH_SOAK_MINUTES); the warm-up is
// 5 minutes (a sixth of a shorter run) and each window 5 minutes (or what is left).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { migrateToLatest, openDatabase } from '../src/server/db/database.ts';
import { round, smoke } from './measure.ts';
import { prepareCompany, startServer } from './server-process.ts';

const minutes = Number(process.env.BENCH_SOAK_MINUTES ?? (smoke ? 0.1 : 30));
const warmup = Math.min(5, minutes / 6);
const window = Math.min(5, (minutes - warmup) / 2);
const password = 'soak benchmark 2026';

interface Sample {
  at: number;
  ms: number;
  ok: boolean;
}

const percentile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** The least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/** A company in a fresh SQLite file: a manager, three reps, an API key for Marketing. */
async function prepare(path: string) {
  const database = openDatabase({ dialect: 'sqlite', path });
  await migrateToLatest(database.db);
  return prepareCompany(database, { reps: 3, password, domain: 'soak.example' });
}

/**
 * Fires `perSecond` of each kind of request, spread over each second, without waiting for the
 * answers (a fixed load: a slow server gets more requests in flight, as it would in life).
 */
async function drive(
  kinds: { perSecond: number; send: () => Promise<boolean> }[],
  durationMs: number,
  onSample: (sample: Sample) => void,
): Promise<void> {
  const tickMs = 100;
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  const owed = kinds.map(() => 0);
  for (let tick = 0; performance.now() - start < durationMs; tick++) {
    for (const [i, kind] of kinds.entries()) {
      owed[i]! += (kind.perSecond * tickMs) / 1000;
      for (; owed[i]! >= 1; owed[i]! -= 1) {
        const t = performance.now();
        const done: Promise<void> = kind
          .send()
          .catch((error: unknown) => {
            process.stderr.write(`request failed: ${String(error)}\n`);
            return false;
          })
          .then((ok) => onSample({ at: t - start, ms: performance.now() - t, ok }))
          .finally(() => inFlight.delete(done));
        inFlight.add(done);
      }
    }
    const next = start + (tick + 1) * tickMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await Promise.all(inFlight);
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-soak-'));
  const dispatcher = new Agent({ connections: 64, pipelining: 1 });
  /** An answer; a failure (not 2xx, nor a conflict) is written to stderr, the first few, with its reason. */
  let told = 0;
  const answer = async (url: string, response: Awaited<ReturnType<typeof request>>) => {
    const text = await response.body.text();
    if (response.statusCode >= 300 && response.statusCode !== 409 && told++ < 5)
      process.stderr.write(
        `${response.statusCode} ${url.replace(/^http:\/\/[^/]+/, '')}: ${text.slice(0, 300)}\n`,
      );
    return { status: response.statusCode, text };
  };
  const post = async (url: string, headers: Record<string, string>, body: unknown) =>
    answer(
      url,
      await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        dispatcher,
      }),
    );
  const get = async (url: string, headers: Record<string, string>) =>
    answer(url, await request(url, { headers, dispatcher }));
  try {
    // Baseline: the same request rate against a bare route.
    const bare = Fastify();
    bare.post('/events', async () => ({ accepted: 1 }));
    bare.get('/read', async () => ({ data: [] }));
    const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
    const bareSamples: number[] = [];
    await drive(
      [
        { perSecond: 41, send: async () => (await post(`${bareUrl}/events`, {}, { a: 1 })).status === 200 },
        { perSecond: 12, send: async () => (await get(`${bareUrl}/read`, {})).status === 200 },
      ],
      smoke ? 1000 : Math.min(60_000, window * 60_000),
      (s) => bareSamples.push(s.ms),
    );
    await bare.close();
    bareSamples.sort((a, b) => a - b);

    const path = join(dir, 'baton.db');
    const company = await prepare(path);
    const server = await startServer({ BATON_SQLITE_PATH: path });
    const rssAtStart = server.rssMiB();
    const signIn = async (email: string) => {
      const response = await request(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
        dispatcher,
      });
      await response.body.dump();
      const cookie = [response.headers['set-cookie'] ?? []]
        .flat()
        .find((c) => c.startsWith('baton_session='));
      if (response.statusCode !== 200 || !cookie)
        throw new Error(`sign-in of ${email}: ${response.statusCode}`);
      return { cookie: cookie.split(';')[0]! };
    };
    const asManager = await signIn('manager@soak.example');
    const asReps = await Promise.all(company.reps.map((r) => signIn(r.email)));
    const asMarketing = { authorization: `Bearer ${company.apiKey}` };
    const api = `${server.url}/api/v1`;

    let n = 0;
    const event = () => {
      n += 1;
      const person = n % 20_000;
      return {
        id: `soak-${n}`,
        type: n % 20 === 0 ? 'demo_requested' : 'page_viewed',
        occurredAt: new Date().toISOString(),
        email: `person${person}@company${person % 2000}.nl`,
        channel: ['organic', 'email', 'ads', 'webinar'][n % 4],
        url: `https://www.example.nl/page/${n % 50}`,
      };
    };
    // Leads in the reps' queues, as the queue reads find them: the accepts take from here.
    const waiting: { id: string; rep: number }[] = [];
    let queueTurn = 0;
    let accepted = 0;
    let reportTurn = 0;
    const today = new Date();
    const isoDay = (d: Date) => d.toISOString().slice(0, 10);
    const yearAgo = new Date(today.getTime() - 365 * 86_400_000);
    const month = isoDay(today).slice(0, 7);
    const reports = [
      `/funnel?from=${yearAgo.toISOString()}&to=${today.toISOString()}`,
      `/sla/report?from=${yearAgo.toISOString()}&to=${today.toISOString()}`,
      `/handoff/fates?from=${yearAgo.toISOString()}&to=${today.toISOString()}`,
      `/attribution/report?from=${isoDay(yearAgo)}&to=${isoDay(today)}`,
      `/board?periodKind=month&periodStart=${month}`,
    ];
    const kinds = [
      {
        perSecond: 40,
        send: async () => (await post(`${api}/events`, asMarketing, event())).status === 200,
      },
      {
        perSecond: 1,
        send: async () =>
          (await post(`${api}/events`, asMarketing, { events: Array.from({ length: 100 }, event) }))
            .status === 200,
      },
      {
        perSecond: 10,
        send: async () => {
          const rep = queueTurn++ % asReps.length;
          const answer = await get(`${api}/sla/queue?userId=${company.reps[rep]!.id}&limit=50`, asReps[rep]!);
          if (answer.status !== 200) return false;
          const queue = JSON.parse(answer.text) as { data: { contact: { id: string; stage: string } }[] };
          const mql = queue.data.find((item) => item.contact.stage === 'mql');
          if (mql && waiting.length < 100 && !waiting.some((w) => w.id === mql.contact.id))
            waiting.push({ id: mql.contact.id, rep });
          return true;
        },
      },
      {
        perSecond: 1,
        send: async () => {
          const lead = waiting.shift();
          if (!lead) return true;
          const answer = await post(`${api}/contacts/${lead.id}/accept`, asReps[lead.rep]!, {});
          if (answer.status === 200) accepted += 1;
          // Taken by another read already, or reassigned meanwhile: a conflict, not a failure.
          return answer.status === 200 || answer.status === 409;
        },
      },
      {
        perSecond: 1,
        send: async () =>
          (await get(`${api}${reports[reportTurn++ % reports.length]!}`, asManager)).status === 200,
      },
    ];

    const perMinute: { minute: number; rss: number }[] = [];
    const samples: Sample[] = [];
    let failures = 0;
    const runMs = minutes * 60_000;
    const reportEvery = smoke ? runMs / 6 : 60_000;
    let reported = 0;
    await drive(kinds, runMs, (s) => {
      samples.push(s);
      if (!s.ok) failures += 1;
      // One line per minute (per sixth under --smoke), as the minute ends.
      while (s.at >= (reported + 1) * reportEvery) {
        const from = reported * reportEvery;
        const latencies = samples
          .filter((x) => x.at >= from && x.at < from + reportEvery)
          .map((x) => x.ms)
          .sort((a, b) => a - b);
        const line = {
          minute: round(((reported + 1) * reportEvery) / 60_000, 2),
          rss_mib: round(server.rssMiB()),
          requests: latencies.length,
          p50_ms: round(percentile(latencies, 0.5), 1),
          p99_ms: round(percentile(latencies, 0.99), 1),
        };
        perMinute.push({ minute: line.minute, rss: line.rss_mib });
        process.stderr.write(`${JSON.stringify(line)}\n`);
        reported += 1;
      }
    });
    await server.stop();

    const p99Between = (fromMin: number, toMin: number) =>
      percentile(
        samples
          .filter((s) => s.at >= fromMin * 60_000 && s.at < toMin * 60_000)
          .map((s) => s.ms)
          .sort((a, b) => a - b),
        0.99,
      );
    const early = p99Between(warmup, warmup + window);
    const late = p99Between(minutes - window, minutes);
    const growth = slope(perMinute.filter((m) => m.minute > warmup).map((m) => ({ x: m.minute, y: m.rss })));
    const all = samples.map((s) => s.ms).sort((a, b) => a - b);
    return {
      metrics: {
        rss_growth_after_warmup: { value: round(growth, 2), unit: 'MiB/min' },
        rss_at_end: { value: round(perMinute.at(-1)?.rss ?? 0), unit: 'MiB' },
        p99_first_window: { value: round(early, 1), unit: 'ms' },
        p99_last_window: { value: round(late, 1), unit: 'ms' },
        p99_last_to_first: { value: round(early > 0 ? late / early : 0, 2), unit: 'ratio' },
        p50: { value: round(percentile(all, 0.5), 1), unit: 'ms' },
        requests: { value: samples.length, unit: 'requests' },
        failed: { value: failures, unit: 'requests' },
        leads_accepted: { value: accepted, unit: 'leads' },
        minutes: { value: minutes, unit: 'min' },
        warmup: { value: round(warmup, 2), unit: 'min' },
      },
      baselines: {
        bare_fastify_p50: { value: round(percentile(bareSamples, 0.5), 2), unit: 'ms' },
        bare_fastify_p99: { value: round(percentile(bareSamples, 0.99), 2), unit: 'ms' },
        server_rss_at_start: { value: round(rssAtStart), unit: 'MiB' },
      },
    };
  } finally {
    await dispatcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
