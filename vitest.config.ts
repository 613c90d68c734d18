import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './e2e/sequencer.ts';

/**
 * Three projects run side by side:
 * - domain: pure rules, no I/O, so one worker's module cache serves every file (no isolation);
 * - server: services and routes on a real database; much of their time is spent waiting on
 *   PostgreSQL rather than on the CPU, so more workers than cores. Not isolated either: each test
 *   makes its own database and app and nothing mocks a module, so the files of a worker share its
 *   loaded modules (and the compiled route schemas and the migrated SQLite image);
 * - e2e: whole journeys with their own processes, browser and SMTP server.
 * Timeouts are generous because a timeout must hold on a loaded machine, not because tests are
 * slow: a test that waits for something polls, it does not sleep.
 */
const workers = Number(process.env.BATON_TEST_WORKERS) || Math.max(2, availableParallelism() + 1);

export default defineConfig({
  test: {
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: workers,
    sequence: { sequencer: LongestFirstSequencer },
    reporters: process.env.CI ? ['verbose'] : ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'domain', include: ['src/domain/**/*.test.ts'], pool: 'threads', isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'server',
          include: ['src/**/*.test.ts'],
          exclude: ['src/domain/**'],
          pool: 'forks',
          isolate: false,
        },
      },
      {
        extends: true,
        // Journeys start servers, browsers and kill -9s: minutes on a loaded machine, where a
        // quiet one takes seconds. Each polls for what it waits on; the limit only ends a hang.
        // Not isolated either: each file starts and ends its own servers, browser and stores, and
        // a fresh process per file cost its start and imports again (Playwright's among them).
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          pool: 'forks',
          isolate: false,
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
