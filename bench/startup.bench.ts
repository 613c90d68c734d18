// From `baton serve` (what `npm start` runs after its build) to a healthy /api/health, on a new
// SQLite file, against `node -e` starting a bare Fastify that answers one route: the floor of
// starting Node.js, loading Fastify and listening. Each is started several times, one at a time;
// the medians are reported. The server is built first when its build is stale (not timed), as
// npm start's build does.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildServer, isBuildFresh } from '../bin/build.js';
import { round, size } from './measure.ts';

const root = new URL('..', import.meta.url).pathname;
const starts = size('BENCH_STARTS', 7, 1);

const bareServer = `
const app = require('fastify')();
app.get('/api/health', async () => ({ status: 'ok' }));
app.listen({ port: 0, host: '127.0.0.1' }).then((url) => console.error('running on ' + url));
`;

/** Starts a process and resolves with the time until `url`'s health answers 200; then ends it. */
async function timeToHealthy(args: string[], env: Record<string, string>): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        const match = /running on (http:\/\/[\w.]+:\d+)/.exec(output);
        if (match) resolve(match[1]!.replace('localhost', '127.0.0.1'));
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then(() => reject(new Error(`exited before it started:\n${output}`)));
      setTimeout(() => reject(new Error(`did not start in 60 s:\n${output}`)), 60_000).unref();
    });
    for (;;) {
      const response = await fetch(`${url}/api/health`).catch(() => undefined);
      if (response?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return performance.now() - start;
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run() {
  // Built only when stale: a test run builds it once, and its journeys run the build meanwhile.
  if (!isBuildFresh()) await buildServer();
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-startup-'));
  try {
    const bare: number[] = [];
    const baton: number[] = [];
    const batonAgain: number[] = [];
    for (let i = 0; i < starts; i++) {
      bare.push(await timeToHealthy(['-e', bareServer], {}));
      const env = {
        BATON_SQLITE_PATH: join(dir, `baton-${i}.db`),
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      };
      // A new store (every migration runs), then the same store again (none runs).
      baton.push(await timeToHealthy(['bin/baton.js', 'serve'], env));
      batonAgain.push(await timeToHealthy(['bin/baton.js', 'serve'], env));
    }
    return {
      metrics: {
        start_to_healthy_new_store: { value: round(median(baton)), unit: 'ms' },
        start_to_healthy_existing_store: { value: round(median(batonAgain)), unit: 'ms' },
        ratio_to_bare_fastify: { value: round(median(baton) / median(bare), 2), unit: 'ratio' },
        starts: { value: starts, unit: 'starts' },
      },
      baselines: {
        bare_fastify_start_to_healthy: { value: round(median(bare)), unit: 'ms' },
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
