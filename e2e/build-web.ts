import { build } from 'vite';

/** Vitest global setup: builds the web app once, so the server processes of the journeys serve it. */
export default async function setup(): Promise<void> {
  await build({ configFile: new URL('../web/vite.config.ts', import.meta.url).pathname, logLevel: 'warn' });
}
