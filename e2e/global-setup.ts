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
  await Promise.all([
    build({ configFile: new URL('../web/vite.config.ts', import.meta.url).pathname, logLevel: 'warn' }),
    buildServer(),
  ]);
  if (loadTestSettings().postgresUrl) {
    await dropStalePostgresTemplates();
    await ensurePostgresTemplate();
  }
}
