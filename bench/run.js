#!/usr/bin/env node
// `npm run bench -- NAME` runs bench/NAME.bench.ts and prints its one JSON object on stdout.
import { readdirSync } from 'node:fs';
import { register } from 'tsx/esm/api';

const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- NAME\nbenchmarks: ${available.join(', ')}\n`);
  process.exit(name ? 2 : 0);
}
register();
const { run } = await import(`./${name}.bench.ts`);
const result = await run();
process.stdout.write(`${JSON.stringify({ bench: name, ...result })}\n`);
