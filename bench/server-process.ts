// A Baton server as its own process, as people run it (`baton serve`), for the benchmarks that
// measure a server under load from outside: its address, its pid (for its RSS) and a stop.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Database } from '../src/server/db/database.ts';
import { createPasswordHasher } from '../src/server/platform/secrets.ts';
import { allWeekHours, createTestContext } from '../src/server/testing/world.ts';

const bin = new URL('../bin/baton.js', import.meta.url).pathname;
const root = new URL('..', import.meta.url).pathname;

export interface ServerProcess {
  url: string;
  pid: number;
  /** Resident memory of the process now, in MiB (Linux: /proc/PID/status). */
  rssMiB(): number;
  stop(): Promise<void>;
}

/** Starts `baton serve` on a free port of 127.0.0.1 with `env`, optionally under `prefix` (taskset). */
export function startServer(
  env: Record<string, string>,
  options: { prefix?: string[]; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const [command, ...args] = [...(options.prefix ?? []), process.execPath, bin, 'serve'];
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`baton serve did not start in time:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`baton serve exited (${code}):\n${output}`));
    });
    const onData = (data: Buffer) => {
      output = (output + data.toString()).slice(-20_000);
      const match = /running on http:\/\/localhost:(\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      // Keep draining what it writes (the last lines are kept), so that a full pipe never blocks it.
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      resolve({
        url: `http://127.0.0.1:${match[1]}`,
        pid: child.pid!,
        rssMiB: () => {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
        },
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    };
    const keep = (data: Buffer) => (output = (output + data.toString()).slice(-20_000));
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}

/**
 * A company for a server process to serve, written into `database` before the process starts: a
 * manager and `reps` reps in the fallback pool (always at work), with real password hashes so that
 * they can sign in to it, and an API key for Marketing. Closes the database.
 */
export async function prepareCompany(
  database: Database,
  input: { reps: number; password: string; domain: string },
) {
  const cli = { kind: 'cli' } as const;
  const context = createTestContext(database, undefined, { passwords: createPasswordHasher() });
  context.clock.set(new Date(Date.now()));
  await context.services.scoring.ensureDefaultModel();
  const user = (email: string, role: 'sales_manager' | 'sales_rep', managerId?: string) =>
    context.services.users.createUser(cli, {
      email,
      name: email.split('@')[0]!,
      role,
      password: input.password,
      workingHours: allWeekHours,
      ...(managerId && { managerId }),
    });
  const manager = await user(`manager@${input.domain}`, 'sales_manager');
  const reps = [];
  for (let i = 0; i < input.reps; i++)
    reps.push(await user(`rep${i}@${input.domain}`, 'sales_rep', manager.id));
  const pool = await context.services.routing.createPool(cli, {
    name: 'Inside',
    members: reps.map((r) => ({ userId: r.id })),
  });
  await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
  const key = await context.services.apiKeys.createApiKey(cli, { name: 'benchmark', role: 'marketing' });
  await database.close();
  return { manager, reps, apiKey: key.key };
}
