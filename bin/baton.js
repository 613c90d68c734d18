#!/usr/bin/env node
// Entry point of the `baton` command. It runs the compiled build in dist/server (`npm run build`;
// `npm start` builds first) when no file it was made from is newer (bin/build.js, isBuildFresh),
// and otherwise the TypeScript sources through tsx, so a checkout works without a build step and
// an edit is never hidden behind an old build.
import { compiledCli, isBuildFresh } from './build.js';

let main;
if (isBuildFresh()) {
  ({ main } = await import(compiledCli.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
