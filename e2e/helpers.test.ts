import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  createStoreEnv,
  isAlive,
  ProcessTimeoutError,
  runCli,
  runningProcesses,
  startServerProcess,
} from './helpers.ts';
import { hasBrowser, launchChromium, seriousViolations } from './browser.ts';

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

  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    it(`end what they started when the test process is stopped by ${signal}`, async () => {
      const parent = spawn(process.execPath, ['--import', 'tsx', 'e2e/fixtures/leaves-a-child.ts'], {
        cwd: new URL('..', import.meta.url).pathname,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        let output = '';
        parent.stdout.setEncoding('utf8');
        const [childPid] = await new Promise<number[]>((resolve, reject) => {
          parent.stdout.on('data', (chunk: string) => {
            output += chunk;
            if (output.includes('\n')) resolve(JSON.parse(output) as number[]);
          });
          parent.once('exit', (code) => reject(new Error(`the fixture exited with ${code}: ${output}`)));
        });
        expect(isAlive(childPid!)).toBe(true);
        const exited = once(parent, 'exit');
        parent.kill(signal);
        const [code, by] = (await exited) as [number | null, NodeJS.Signals | null];
        // The parent took the signal as it would have, and its child went with it.
        expect([code, by]).toEqual([null, signal]);
        await expect.poll(() => isAlive(childPid!), { timeout: 10_000 }).toBe(false);
      } finally {
        parent.kill('SIGKILL');
      }
    });
});

describe.skipIf(!hasBrowser)('the accessibility check', () => {
  it('names the serious violations of a page (and only those), with where they are', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent(`<!doctype html><html lang="en"><head><title>A page</title></head><body><p>Outside every landmark (moderate)</p><main>
        <h1>A page</h1>
        <p style="color: #bbb; background: #fff" id="faint">Text too faint to read</p>
        <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="unnamed">
        <input id="unlabelled">
        <p style="color: #000; background: #fff">Text that is fine</p>
      </main></body></html>`);
      const violations = await seriousViolations(page);
      expect(violations.map((v) => v.split(' ')[0])).toEqual(
        expect.arrayContaining(['color-contrast', 'image-alt', 'label']),
      );
      expect(violations.map((v) => v.split(' ')[0])).not.toContain('region');
      expect(violations.find((v) => v.startsWith('color-contrast'))).toContain('#faint');
      expect(violations.find((v) => v.startsWith('image-alt'))).toContain('#unnamed');
      await page.setContent(
        `<!doctype html><html lang="en"><head><title>A page</title></head><body><main><h1>A page</h1><p>Fine</p></main></body></html>`,
      );
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
