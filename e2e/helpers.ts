import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadTestSettings } from '../src/server/config.ts';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/baton.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `baton` as a user would, in its own process, with only the environment given. */
export function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  output(): string;
}

/** Starts `baton serve` on a free port and waits until it answers. */
export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /running on (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          child,
          output: () => output,
          stop: async (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

/** A company website: plain HTML pages on another origin than Baton. */
export function startWebsite(pages: Record<string, string>): Promise<{ server: Server; origin: string }> {
  return new Promise((resolve) => {
    const server = createServer((request, response) => {
      const page = pages[request.url?.split('?')[0] ?? '/'];
      response.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page ?? 'not found');
    });
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
  });
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'baton-e2e-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

const settings = loadTestSettings();

/** Stores to run end-to-end journeys against: a SQLite file, and a fresh PostgreSQL database when configured. */
export const e2eStores = settings.postgresUrl ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

export async function createStoreEnv(
  store: 'sqlite' | 'postgres',
): Promise<{ env: Record<string, string>; dispose(): Promise<void> }> {
  if (store === 'sqlite') {
    const dir = tempDir();
    return {
      env: { BATON_SQLITE_PATH: join(dir.path, 'data', 'baton.db') },
      dispose: async () => dir.remove(),
    };
  }
  const adminUrl = settings.postgresUrl!;
  const name = `baton_e2e_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    dispose: async () => {
      // Not `with (force)`: for a role that is not a superuser that fails when an autovacuum worker is
      // busy in the database (its backend has no role the caller is a member of). End this role's own
      // connections (a killed server's may linger), then drop; PostgreSQL itself stops autovacuum.
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        for (let attempt = 1; ; attempt++) {
          await c.query(
            `select pg_terminate_backend(pid) from pg_stat_activity
              where datname = $1 and pid <> pg_backend_pid() and usename = current_user`,
            [name],
          );
          try {
            await c.query(`drop database if exists ${name}`);
            break;
          } catch (error) {
            // 55006: still being accessed by other users.
            if ((error as { code?: string }).code !== '55006' || attempt >= 10) throw error;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}
