// A Baton server as its own process, as people run it (`baton serve`), for the benchmarks that
// measure a server under load from outside: its address, its pid (for its RSS) and a stop.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

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
