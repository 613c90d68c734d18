// Scale-out on PostgreSQL: the event and queue throughput of one Baton instance (`baton serve`,
// its own process, pinned to core 0 with taskset) against two instances on the same database (one
// on core 0, one on core 1), with PostgreSQL and this load generator sharing both cores. The load
// is closed-loop at a fixed concurrency per instance: three single-event POSTs (with an API key;
// one in 20 a demo request, so MQLs are routed and get clocks) to one read of a rep's SLA queue
// (signed in). Baseline: the same load against a bare Fastify route, one process pinned to core 0
// against two pinned to cores 0 and 1 — what scale-out can give on this machine with this driver.
// One instance and two are measured in alternating turns (three of each, seven seconds each; the
// second instance started for its turn and stopped after it, each turn after two seconds of
// warm-up), as are the bare routes. Measured one after the other for twenty seconds each (the
// first instance just started), the ratio moved between 1.13 and 1.59 across runs of one build on
// this machine; in turns it stayed between 0.98 and 1.04 (six seconds of warm-up: 1.04).
// Needs PostgreSQL: BATON_TEST_DATABASE_URL names a server where it may create a database.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { loadTestSettings } from '../src/server/config.ts';
import { createTestDatabase } from '../src/server/testing/databases.ts';
import { duration, load, round, smoke } from './measure.ts';
import { prepareCompany, startServer, type ServerProcess } from './server-process.ts';

/** Turns of each configuration, their measured seconds, and the warm-up before each. */
const turns = smoke ? 1 : 3;
const turnSeconds = duration(7);
const warmSeconds = duration(2);
const concurrencyPerInstance = smoke ? 4 : 24;
const password = 'scale-out benchmark 2026';

interface Target {
  url: string;
  events: Record<string, string>;
  queue: { path: string; headers: Record<string, string> };
}

/** CPU seconds used so far by processes (utime + stime, from /proc), and by each PostgreSQL process. */
const ticksPerSecond = 100;
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return 0; // gone meanwhile
  }
}
function postgresCpu(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += cpuOf(Number(entry));
    } catch {
      // not ours to read, or gone
    }
  }
  return total;
}

/**
 * Where the CPU went during `work`: cores used on average by the Baton processes, PostgreSQL (its
 * processes that lived through the phase) and this driver.
 */
async function accounted<T>(pids: readonly number[], work: () => Promise<T>) {
  const before = { baton: pids.map(cpuOf), postgres: postgresCpu(), driver: process.cpuUsage() };
  const start = Date.now();
  const result = await work();
  const wall = (Date.now() - start) / 1000;
  const driver = process.cpuUsage(before.driver);
  return {
    result,
    cores: {
      baton: pids.reduce((sum, pid, i) => sum + cpuOf(pid) - before.baton[i]!, 0) / wall,
      postgres: (postgresCpu() - before.postgres) / wall,
      driver: (driver.user + driver.system) / 1e6 / wall,
    },
  };
}

/**
 * Drives the targets in turn at `concurrency` per target for `seconds`: requests per second (after
 * load's short warm-up), and how many of the requests were events and queue reads.
 */
async function drive(targets: readonly Target[], eventBody: () => string, seconds: number) {
  const dispatcher = new Agent({ connections: concurrencyPerInstance * targets.length, pipelining: 1 });
  let turn = 0;
  let events = 0;
  let reads = 0;
  const result = await load(
    async () => {
      const target = targets[turn % targets.length]!;
      const isRead = Math.floor(turn / targets.length) % 4 === 3;
      turn += 1;
      const response = isRead
        ? await request(`${target.url}${target.queue.path}`, { headers: target.queue.headers, dispatcher })
        : await request(`${target.url}/api/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...target.events },
            body: eventBody(),
            dispatcher,
          });
      if (response.statusCode !== 200)
        throw new Error(`status ${response.statusCode}: ${(await response.body.text()).slice(0, 300)}`);
      await response.body.dump();
      if (isRead) reads += 1;
      else events += 1;
    },
    { seconds, concurrency: concurrencyPerInstance * targets.length },
  );
  await dispatcher.close();
  const eventShare = events / Math.max(1, events + reads);
  return {
    perSecond: result.perSecond,
    eventsPerSecond: result.perSecond * eventShare,
    readsPerSecond: result.perSecond * (1 - eventShare),
    p99: result.p99,
  };
}

type Driven = Awaited<ReturnType<typeof drive>>;
type Cores = { baton: number; postgres: number; driver: number };

/** Turns of equal length: the mean of their rates is the rate, the p99 is the worst turn's. */
function combine(runs: readonly { result: Driven; cores?: Cores }[]) {
  const mean = (of: (r: (typeof runs)[number]) => number) =>
    runs.reduce((sum, r) => sum + of(r), 0) / runs.length;
  return {
    perSecond: mean((r) => r.result.perSecond),
    eventsPerSecond: mean((r) => r.result.eventsPerSecond),
    readsPerSecond: mean((r) => r.result.readsPerSecond),
    p99: Math.max(...runs.map((r) => r.result.p99)),
    cores: {
      baton: mean((r) => r.cores?.baton ?? 0),
      postgres: mean((r) => r.cores?.postgres ?? 0),
      driver: mean((r) => r.cores?.driver ?? 0),
    },
  };
}

/** A bare Fastify route in a process of its own, pinned to `core`. */
function bareServer(core: number): Promise<{ url: string; stop: () => void }> {
  const code = `
    import Fastify from 'fastify';
    const app = Fastify();
    app.post('/api/v1/events', async () => ({ accepted: 1, duplicates: 0, rejected: 0 }));
    app.get('/queue', async () => ({ data: [] }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    console.log('listening ' + url);`;
  const child = spawn('taskset', ['-c', String(core), process.execPath, '--input-type=module', '-e', code], {
    cwd: new URL('..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare server exited (${code})`)));
    child.stdout.on('data', (data: Buffer) => {
      const match = /listening (http:\/\/[\d.:]+)/.exec(data.toString());
      if (match) resolve({ url: match[1]!, stop: () => child.kill('SIGKILL') });
    });
  });
}

export async function run() {
  if (!loadTestSettings().postgresUrl)
    throw new Error('bench scaleout needs PostgreSQL: set BATON_TEST_DATABASE_URL (see the README)');
  const database = await createTestDatabase('postgres');
  const servers: ServerProcess[] = [];
  try {
    const { reps, apiKey } = await prepareCompany(database, { reps: 4, password, domain: 'scale.example' });

    let n = 0;
    const eventBody = () => {
      n += 1;
      const person = n % 50_000;
      return JSON.stringify({
        id: `scale-${n}`,
        type: n % 20 === 0 ? 'demo_requested' : 'page_viewed',
        occurredAt: new Date().toISOString(),
        email: `person${person}@company${person % 5000}.nl`,
        channel: 'organic',
      });
    };
    const env = { DATABASE_URL: database.url!, BATON_PG_POOL_MAX: '10' };
    const targetOf = async (server: ServerProcess, rep: number): Promise<Target> => {
      const login = await request(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: reps[rep]!.email, password }),
      });
      await login.body.dump();
      const cookie = [login.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('baton_session='));
      if (!cookie) throw new Error(`sign-in: ${login.statusCode}`);
      return {
        url: server.url,
        events: { authorization: `Bearer ${apiKey}` },
        queue: {
          path: `/api/v1/sla/queue?userId=${reps[rep]!.id}&limit=50`,
          headers: { cookie: cookie.split(';')[0]! },
        },
      };
    };

    // One instance on core 0 throughout; the second, on core 1, started for each of its turns.
    const first = await startServer(env, { prefix: ['taskset', '-c', '0'] });
    servers.push(first);
    const oneTurns: { result: Driven; cores: Cores }[] = [];
    const twoTurns: { result: Driven; cores: Cores }[] = [];
    for (let turn = 0; turn < turns; turn++) {
      const oneTarget = [await targetOf(first, 0)];
      await drive(oneTarget, eventBody, warmSeconds);
      oneTurns.push(await accounted([first.pid], () => drive(oneTarget, eventBody, turnSeconds)));
      const second = await startServer(env, { prefix: ['taskset', '-c', '1'] });
      servers.push(second);
      const twoTargets = [await targetOf(first, 0), await targetOf(second, 1)];
      await drive(twoTargets, eventBody, warmSeconds);
      twoTurns.push(
        await accounted([first.pid, second.pid], () => drive(twoTargets, eventBody, turnSeconds)),
      );
      await second.stop();
      servers.pop();
    }
    const one = combine(oneTurns);
    const two = combine(twoTurns);

    // The same load against bare routes, one process and two, in turns as well.
    const bare0 = await bareServer(0);
    const bare1 = await bareServer(1);
    const bareTarget = (url: string): Target => ({ url, events: {}, queue: { path: '/queue', headers: {} } });
    const bareOneTurns: { result: Driven }[] = [];
    const bareTwoTurns: { result: Driven }[] = [];
    for (let turn = 0; turn < turns; turn++) {
      bareOneTurns.push({ result: await drive([bareTarget(bare0.url)], eventBody, turnSeconds) });
      bareTwoTurns.push({
        result: await drive([bareTarget(bare0.url), bareTarget(bare1.url)], eventBody, turnSeconds),
      });
    }
    bare0.stop();
    bare1.stop();
    const bareOne = combine(bareOneTurns);
    const bareTwo = combine(bareTwoTurns);

    return {
      metrics: {
        one_instance_requests_per_second: { value: round(one.perSecond), unit: 'requests/s' },
        one_instance_events_per_second: { value: round(one.eventsPerSecond), unit: 'events/s' },
        one_instance_queue_reads_per_second: { value: round(one.readsPerSecond), unit: 'requests/s' },
        two_instances_requests_per_second: { value: round(two.perSecond), unit: 'requests/s' },
        two_instances_events_per_second: { value: round(two.eventsPerSecond), unit: 'events/s' },
        two_instances_queue_reads_per_second: { value: round(two.readsPerSecond), unit: 'requests/s' },
        two_to_one: { value: round(two.perSecond / one.perSecond, 2), unit: 'ratio' },
        // Each pair of turns alone, in the order run: how much the ratio moves within one run.
        ...Object.fromEntries(
          oneTurns.map((o, i) => [
            `two_to_one_turn_${i + 1}`,
            { value: round(twoTurns[i]!.result.perSecond / o.result.perSecond, 2), unit: 'ratio' },
          ]),
        ),
        one_instance_p99: { value: round(one.p99, 1), unit: 'ms' },
        two_instances_p99: { value: round(two.p99, 1), unit: 'ms' },
        // Where the time goes: cores used on average by each part, one instance and then two.
        one_instance_cores_baton: { value: round(one.cores.baton, 2), unit: 'cores' },
        one_instance_cores_postgres: { value: round(one.cores.postgres, 2), unit: 'cores' },
        one_instance_cores_driver: { value: round(one.cores.driver, 2), unit: 'cores' },
        two_instances_cores_baton: { value: round(two.cores.baton, 2), unit: 'cores' },
        two_instances_cores_postgres: { value: round(two.cores.postgres, 2), unit: 'cores' },
        two_instances_cores_driver: { value: round(two.cores.driver, 2), unit: 'cores' },
      },
      baselines: {
        bare_one_process_requests_per_second: { value: round(bareOne.perSecond), unit: 'requests/s' },
        bare_two_processes_requests_per_second: { value: round(bareTwo.perSecond), unit: 'requests/s' },
        bare_two_to_one: { value: round(bareTwo.perSecond / bareOne.perSecond, 2), unit: 'ratio' },
      },
    };
  } finally {
    for (const server of servers) await server.stop().catch(() => undefined);
    await database.dispose();
  }
}
