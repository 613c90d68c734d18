#!/usr/bin/env node
// Compiles the server, the CLI and the worker threads into dist/server with esbuild: one ES module
// per entry, packages left to node_modules. `npm start` builds first and bin/baton.js runs the
// result; tsx stays for development and tests (bin/baton.js falls back to it when the sources are
// newer than the build).
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

/** The bundles, named as src/server/platform/threads.ts and bin/baton.js expect them. */
export const entryPoints = {
  baton: 'src/cli/main.ts',
  'scoring-thread': 'src/server/modules/scoring/scoring.thread.ts',
  'attribution-thread': 'src/server/modules/attribution/attribution.thread.ts',
};

export async function buildServer() {
  await build({
    absWorkingDir: root,
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
    banner: { js: "import { createRequire as __batonRequire } from 'node:module'; const require = __batonRequire(import.meta.url);" },
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
