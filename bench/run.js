#!/usr/bin/env node
// `npm run bench -- NAME [--smoke]` runs bench/NAME.bench.ts and prints its one JSON object on
// stdout. `--smoke` runs it at a tiny size (bench/measure.ts), as CI does for every benchmark.
import { readdirSync } from 'node:fs';
import { register } from 'tsx/esm/api';

const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const name = args.find((a) => !a.startsWith('--'));
const unknown = args.filter((a) => a.startsWith('--') && a !== '--smoke');
if (!name || !available.includes(name) || unknown.length > 0) {
  process.stderr.write(`usage: npm run bench -- NAME [--smoke]\nbenchmarks: ${available.join(', ')}\n`);
  process.exit(name ? 2 : 0);
}
if (smoke) process.env.BATON_BENCH_SMOKE = '1';
register();
const { run } = await import(`./${name}.bench.ts`);
const result = await run();
process.stdout.write(`${JSON.stringify({ bench: name, ...result })}\n`);
