#!/usr/bin/env node
// Compiles the server, the CLI and the worker threads into dist/server with esbuild: one ES module
// per entry. `npm start` builds first and bin/baton.js runs the result; tsx stays for development
// and tests (bin/baton.js falls back to it when the sources are newer than the build).
import { readdirSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);

/** The bundles, named as src/server/platform/threads.ts and bin/baton.js expect them. */
export const entryPoints = {
  baton: 'src/cli/main.ts',
  'scoring-thread': 'src/server/modules/scoring/scoring.thread.ts',
  'attribution-thread': 'src/server/modules/attribution/attribution.thread.ts',
};

export const compiledCli = new URL('dist/server/baton.js', root);

function newestSource() {
  const src = new URL('src/', root).pathname;
  let newest = 0;
  for (const file of readdirSync(src, { recursive: true })) {
    if (file.endsWith('.ts')) newest = Math.max(newest, statSync(src + file).mtimeMs);
  }
  return newest;
}

/** Whether dist/server is at least as new as every source file (a few milliseconds to check). */
export function isBuildFresh() {
  try {
    return statSync(compiledCli).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

export async function buildServer() {
  const { build } = await import('esbuild');
  await build({
    absWorkingDir: root.pathname,
    entryPoints,
    outdir: 'dist/server',
    // Not split into shared chunks: code that finds files beside itself (the threads' bundles,
    // package.json two folders up) must sit in dist/server itself.
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    // Packages are bundled too: loading one file is much faster than resolving a few thousand
    // (typebox and kysely alone are hundreds of modules). Left in node_modules: native addons,
    // and packages that read files beside their own code.
    external: ['better-sqlite3', 'pg-native', 'pdfkit', '@fastify/swagger-ui', '@fastify/static'],
    // Bundled CommonJS packages call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __batonRequire } from 'node:module'; const require = __batonRequire(import.meta.url);",
    },
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
