import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadTestSettings } from '../src/server/config.ts';
import { createPostgresDatabase, dropTestDatabase } from '../src/server/testing/databases.ts';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/baton.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every process a helper started and that has not exited yet. */
const running = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

// However the test file ends (passed, failed, timed out, or the worker is told to stop), what it
// started ends with it: a `baton serve` left behind would hold its port and its database.
const endAll = () => {
  for (const child of running) child.kill('SIGKILL');
};
process.once('exit', endAll);
// A signal ends a process without its 'exit' handlers: end the children, then take the signal as
// it would have been taken.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
  process.once(signal, () => {
    endAll();
    process.kill(process.pid, signal);
  });

/** The processes helpers started that are still running (tests of the helpers check it is empty). */
export function runningProcesses(): number[] {
  return [...running].map((c) => c.pid!).filter(Boolean);
}

/** Whether a process with this id is still alive (and not a zombie we could still reap). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A process a helper started did not finish (or start) in time; it has been killed. */
export class ProcessTimeoutError extends Error {
  constructor(
    message: string,
    readonly pid: number | undefined,
  ) {
    super(message);
    this.name = 'ProcessTimeoutError';
  }
}

/** Kills a child and waits until it has exited (SIGKILL after `graceMs` if the signal is ignored). */
async function end(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL', graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Runs `baton` as a user would, in its own process, with only the environment given. It is killed
 * if it has not finished in `timeoutMs` (the promise then rejects with a ProcessTimeoutError).
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
  options: RunOptions = {},
): Promise<CliResult> {
  return runNode([bin, ...args], env, stdin, options);
}

/**
 * Runs `baton` in this process, through the same `main` the binary calls, with the environment
 * given as its whole environment: the command's own behaviour (output, exit code, the store)
 * without starting Node.js again. A few tests spawn the real binary (runCli) to cover that path.
 */
export async function runCliInProcess(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<CliResult> {
  const { main } = await import('../src/cli/main.ts');
  const { lineIo } = await import('../src/cli/output.ts');
  let stdout = '';
  let stderr = '';
  const io = lineIo(
    { out: (text) => void (stdout += text), err: (text) => void (stderr += text) },
    { isTerminal: false, readStdin: async () => stdin ?? '' },
  );
  const code = await main(args, io, { LOG_LEVEL: 'warn', ...env });
  return { code, stdout, stderr };
}

export interface RunOptions {
  /** How long it may run (300 s by default), or with `quietFor`, how long it may go without output. */
  timeoutMs?: number;
  /**
   * The limit counts from its last output, not its start: for a long run that reports progress
   * (the demo prints each simulated month), so that a slow, loaded machine is not taken for a hang.
   */
  quietFor?: boolean;
}

/** Runs a Node.js script of the project (args[0]) in its own process, as runCli does `baton`. */
export function runNode(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
  options: RunOptions = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, args, {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timeoutMs = options.timeoutMs ?? 300_000;
    const expire = () => {
      timedOut = true;
      void end(child);
    };
    let timer = setTimeout(expire, timeoutMs);
    const heard = () => {
      if (!options.quietFor || timedOut) return;
      clearTimeout(timer);
      timer = setTimeout(expire, timeoutMs);
    };
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      heard();
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      heard();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // Reported once the process is gone, so a caller never sees a timeout while it still runs.
      if (timedOut)
        reject(
          new ProcessTimeoutError(
            `baton ${args.join(' ')} ${options.quietFor ? 'printed nothing for' : 'did not finish in'} ${timeoutMs} ms:\n${stderr}`,
            child.pid,
          ),
        );
      else resolve({ code, stdout, stderr });
    });
    child.stdin!.end(stdin ?? '');
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  output(): string;
}

/**
 * Starts `baton serve` on a free port and waits until it answers. If it has not started within
 * `timeoutMs`, or exits first, it is killed and the promise rejects with what it printed.
 */
export function startServerProcess(
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [bin, 'serve'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let output = '';
    let started = false;
    let timedOut = false;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const timer = setTimeout(() => {
      timedOut = true;
      void end(child);
    }, timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /running on (http:\/\/localhost:\d+)/.exec(output);
      if (match && !started) {
        started = true;
        clearTimeout(timer);
        resolve({
          // The address it listens on (HOST above), not "localhost": resolving that name tries
          // ::1 and 127.0.0.1 in turn with a quarter-second limit each (Node's and Chromium's
          // happy eyeballs), which a busy machine misses, and the server looks down.
          url: match[1]!.replace('//localhost:', '//127.0.0.1:'),
          child,
          output: () => output,
          stop: async (signal = 'SIGTERM') => {
            await end(child, signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    // Reported once the process is gone, so a caller never sees a failed start while it still runs.
    void exited.then((code) => {
      clearTimeout(timer);
      if (started) return;
      reject(
        timedOut
          ? new ProcessTimeoutError(`server did not start in ${timeoutMs} ms:\n${output}`, child.pid)
          : new Error(`server exited with ${code}:\n${output}`),
      );
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
  const name = `baton_e2e_${Math.random().toString(36).slice(2, 10)}`;
  await createPostgresDatabase(name);
  const url = new URL(settings.postgresUrl!);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    dispose: () => dropTestDatabase(name),
  };
}

/** A port nobody listens on now, so an address that must be known before a server starts can be. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Signs in through the API of a running Baton and returns a caller with that session, which
 * fails the test on any answer from 300 up (naming the request and the answer).
 */
export async function apiSession(baseUrl: string, email: string, password: string) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200)
    throw new Error(`sign-in as ${email} failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  return async <T>(method: string, path: string, body?: object): Promise<T> => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { cookie, ...(body && { 'content-type': 'application/json' }) },
      ...(body && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
}

/**
 * A running server's company with one rep, Ruud, who takes every lead (the fallback pool and
 * every hour of the week), and a lead, Jan, routed to him as an MQL; resolves once Jan's
 * first-response clock runs. `call` is the admin's session.
 */
export async function repWithRoutedLead(
  call: Awaited<ReturnType<typeof apiSession>>,
  rep = { email: 'ruud@nordwind.nl', password: 'ruud his own password' },
) {
  const allWeek = Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [['00:00', '24:00']]]),
  );
  const user = await call<{ id: string; email: string }>('POST', '/users', {
    email: rep.email,
    name: 'Ruud Rep',
    role: 'sales_rep',
    workingHours: allWeek,
    password: rep.password,
  });
  const pool = await call<{ id: string }>('POST', '/routing/pools', {
    name: 'Inside',
    members: [{ userId: user.id }],
  });
  await call('PATCH', '/routing/settings', { fallbackPoolId: pool.id });
  const ingested = await call<{ results: { contactId: string }[] }>('POST', '/events', {
    type: 'page_viewed',
    occurredAt: new Date().toISOString(),
    email: 'jan@klant.nl',
    firstName: 'Jan',
  });
  const lead = ingested.results[0]!.contactId;
  await call('POST', `/contacts/${lead}/stage-changes`, { to: 'mql' });
  const firstResponse = async () =>
    (await call<{ data: { target: string; status: string }[] }>('GET', `/contacts/${lead}/sla`)).data.find(
      (c) => c.target === 'first_response',
    );
  // Routing reacts to the MQL after it is stored.
  await expect.poll(async () => (await firstResponse())?.status, { timeout: 30_000 }).toBe('running');
  return { rep: user, lead, firstResponse };
}
