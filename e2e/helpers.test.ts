import { describe, expect, it } from 'vitest';
import {
  createStoreEnv,
  isAlive,
  ProcessTimeoutError,
  runCli,
  runningProcesses,
  startServerProcess,
} from './helpers.ts';

// The helpers start real processes; whatever happens to a test, none may outlive it.
describe('the process helpers', () => {
  it('kill a server that did not start in time and leave nothing running', async () => {
    const store = await createStoreEnv('sqlite');
    try {
      const error = await startServerProcess(store.env, { timeoutMs: 20 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProcessTimeoutError);
      const { pid } = error as ProcessTimeoutError;
      expect(pid).toBeGreaterThan(0);
      expect(isAlive(pid!)).toBe(false);
      expect(runningProcesses()).toEqual([]);
    } finally {
      await store.dispose();
    }
  });

  it('kill a command that did not finish in time and leave nothing running', async () => {
    const store = await createStoreEnv('sqlite');
    try {
      // `serve` never finishes by itself.
      const error = await runCli(['serve'], { ...store.env, PORT: '0', HOST: '127.0.0.1' }, '', {
        timeoutMs: 300,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProcessTimeoutError);
      expect(isAlive((error as ProcessTimeoutError).pid!)).toBe(false);
      expect(runningProcesses()).toEqual([]);
    } finally {
      await store.dispose();
    }
  });

  it('report a server that exits before it starts, with what it printed', async () => {
    const error = await startServerProcess({ DATABASE_URL: 'mysql://nope' }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/server exited with 1[\s\S]*DATABASE_URL/);
    expect(runningProcesses()).toEqual([]);
  });

  it('stop a started server and wait until it has exited', async () => {
    const store = await createStoreEnv('sqlite');
    try {
      const server = await startServerProcess(store.env);
      const pid = server.child.pid!;
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
      expect(await server.stop()).toBe(0);
      expect(isAlive(pid)).toBe(false);
      expect(runningProcesses()).toEqual([]);
    } finally {
      await store.dispose();
    }
  });
});
