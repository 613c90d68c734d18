#!/usr/bin/env node
// Compiles the server, the CLI and the worker threads into dist/server with esbuild: an ES module
// per entry, beside the chunks they share and load when needed. `npm start` builds first and bin/baton.js runs the result; tsx stays for development
// (bin/baton.js falls back to it when a file the build was made from is newer than the build).
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);

/** The bundles, named as src/server/platform/threads.ts and bin/baton.js expect them. */
export const entryPoints = {
  baton: 'src/cli/main.ts',
  'scoring-thread': 'src/server/modules/scoring/scoring.thread.ts',
  'attribution-thread': 'src/server/modules/attribution/attribution.thread.ts',
};

/** The CLI's bundle, relative to the repository's root. */
const cliBundle = 'dist/server/baton.js';
export const compiledCli = new URL(cliBundle, root);

/**
 * What the last build was made from (esbuild's metafile: every file it bundled, under the root),
 * written beside it. A build is stale when one of those is newer than it; an edited test or a new
 * file no entry imports does not make the CLI run its sources through tsx (1.8 s a start, not 0.45).
 */
const inputsFile = 'dist/server/inputs.json';
/** npm rewrites this on every install: a changed dependency makes the bundles stale too. */
const installedPackages = 'node_modules/.package-lock.json';

/**
 * Whether the build in `at` (the repository's root by default) is at least as new as every file
 * it was made from (a few milliseconds to check). Without a record of its inputs (a build by an
 * older version) it is not.
 */
export function isBuildFresh(at = root) {
  try {
    const built = statSync(new URL(cliBundle, at)).mtimeMs;
    const inputs = JSON.parse(readFileSync(new URL(inputsFile, at), 'utf8'));
    // A file the build was made from and that is gone throws: the build is stale.
    if (inputs.some((file) => statSync(new URL(file, at)).mtimeMs > built)) return false;
    const installed = statSync(new URL(installedPackages, at), { throwIfNoEntry: false });
    return !installed || installed.mtimeMs <= built;
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
  // Node's own modules and the external packages are not files; the installed packages are
  // checked as a whole (above).
  const inputs = Object.keys(result.metafile.inputs).filter(
    (path) => !path.startsWith('node_modules/') && !path.includes(':'),
  );
  writeFileSync(new URL(inputsFile, root), `${JSON.stringify(inputs.sort(), null, 1)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
