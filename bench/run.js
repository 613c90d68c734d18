#!/usr/bin/env node
// `npm run bench -- NAME [--smoke]` runs bench/NAME.bench.ts and prints its one JSON object on
// stdout. `--smoke` runs it at a tiny size (bench/measure.ts), as CI does for every benchmark.
import { readdirSync } from 'node:fs';
import { register } from 'tsx/esm/api';

const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
// `npm run bench -- soak -- --minutes 30` passes the second `--` through: it is skipped.
const args = process.argv.slice(2).filter((a) => a !== '--');
const smoke = args.includes('--smoke');
// Options with a value, each read by its benchmark from the environment.
const valued = { '--minutes': 'BENCH_SOAK_MINUTES' };
const rest = [];
for (let i = 0; i < args.length; i++) {
  const variable = valued[args[i]];
  if (variable && args[i + 1] !== undefined && Number.isFinite(Number(args[i + 1]))) {
    process.env[variable] = args[i + 1];
    i += 1;
  } else rest.push(args[i]);
}
const name = rest.find((a) => !a.startsWith('--'));
const unknown = rest.filter((a) => a.startsWith('--') && a !== '--smoke');
if (!name || !available.includes(name) || unknown.length > 0) {
  process.stderr.write(
    `usage: npm run bench -- NAME [--smoke] [--minutes N (soak)]\nbenchmarks: ${available.join(', ')}\n`,
  );
  process.exit(name ? 2 : 0);
}
if (smoke) process.env.BATON_BENCH_SMOKE = '1';
register();
const { run } = await import(`./${name}.bench.ts`);
const result = await run();
process.stdout.write(`${JSON.stringify({ bench: name, ...result })}\n`);
