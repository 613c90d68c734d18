#!/usr/bin/env node
// Compiles the server, the CLI and the worker threads into dist/server with esbuild: an ES module
// per entry, beside the chunks they share and load when needed. `npm start` builds first and bin/baton.js runs the result; tsx stays for development
// and tests (bin/baton.js falls back to it when the sources are newer than the build).
import { readdirSync, rmSync, statSync } from 'node:fs';

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
  const result = await build({
    absWorkingDir: root.pathname,
    entryPoints,
    outdir: 'dist/server',
    bundle: true,
    format: 'esm',
    // Code the entries share, and what is imported only when used (the CRMs' and IMAP's clients,
    // 13 MB of the 25 the CLI was), in chunks of their own: a start parses only what it runs.
    // They sit in dist/server itself, as code that finds files beside itself (the threads'
    // bundles, package.json two folders up) expects.
    splitting: true,
    chunkNames: 'chunk-[name]-[hash]',
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
    metafile: true,
    logLevel: 'warning',
  });
  // The chunks of earlier builds (named by their content's hash) go.
  const out = new URL('dist/server/', root);
  const made = new Set(Object.keys(result.metafile.outputs).map((path) => path.split('/').pop()));
  for (const file of readdirSync(out))
    if (file.startsWith('chunk-') && !made.has(file)) rmSync(new URL(file, out));
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
