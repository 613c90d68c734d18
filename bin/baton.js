#!/usr/bin/env node
// Entry point of the `baton` command. It runs the compiled build in dist/server (`npm run build`;
// `npm start` builds first) when that is at least as new as every source file, and otherwise the
// TypeScript sources through tsx, so a checkout works without a build step and an edit is never
// hidden behind an old build.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const compiled = new URL('dist/server/baton.js', root);

function newestSource() {
  const src = new URL('src/', root).pathname;
  let newest = 0;
  for (const file of readdirSync(src, { recursive: true })) {
    if (file.endsWith('.ts')) newest = Math.max(newest, statSync(src + file).mtimeMs);
  }
  return newest;
}

function compiledIsFresh() {
  try {
    return statSync(compiled).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

let main;
if (compiledIsFresh()) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
