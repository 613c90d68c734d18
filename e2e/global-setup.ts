import { build } from 'vite';
import { buildServer } from '../bin/build.js';
import { dropStalePostgresTemplates, ensurePostgresTemplate } from '../src/server/testing/databases.ts';
import { loadTestSettings } from '../src/server/config.ts';

/**
 * Vitest global setup, once per run:
 * - builds the web app, so the server processes of the journeys serve it;
 * - compiles the server (dist/server), so every `baton` process a test starts runs compiled
 *   JavaScript instead of compiling TypeScript at each start;
 * - on PostgreSQL, migrates the template database that every test's database is copied from.
 */
export default async function setup(): Promise<void> {
  // Vitest sets NODE_ENV=test, and Vite would then build React's and antd's development code
  // (jsxDEV, the dev-only checks): several times slower in the browser, and not what a user runs.
  // The journeys test the production build that `npm start` serves.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await Promise.all([
      build({
        configFile: new URL('../web/vite.config.ts', import.meta.url).pathname,
        mode: 'production',
        logLevel: 'warn',
      }),
      buildServer(),
    ]);
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  if (loadTestSettings().postgresUrl) {
    await dropStalePostgresTemplates();
    await ensurePostgresTemplate();
  }
}
