import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTestSettings } from '../src/server/config.ts';
import { hasDovecot } from '../src/server/testing/dovecot.ts';
import { runNode } from './helpers.ts';

const benchmarks = readdirSync(new URL('../bench/', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();

const metric = expect.objectContaining({ value: expect.any(Number), unit: expect.any(String) });

interface Printed {
  bench?: string;
  metrics: Record<string, unknown>;
  baselines: Record<string, unknown>;
}

/** What every benchmark prints: metrics and the baselines measured in the same run, all numbers. */
function expectShape(printed: Printed) {
  expect(Object.keys(printed.metrics).length).toBeGreaterThan(0);
  expect(Object.keys(printed.baselines).length).toBeGreaterThan(0);
  for (const [name, value] of [...Object.entries(printed.metrics), ...Object.entries(printed.baselines)]) {
    expect(value, name).toEqual(metric);
    expect((value as { value: number }).value, `${name} is a finite number`).toSatisfy(Number.isFinite);
  }
}

// Every benchmark runs at its smoke size, so none can rot: it must finish and give its metrics
// and baselines. One runs as a user runs it (`npm run bench -- NAME --smoke`, a process of its
// own); the others run in this process, through the same `run` (sparing a TypeScript start each).
describe('the benchmarks at their smoke size', () => {
  // The files of this project share their worker's process: the smoke size ends with this file.
  const smokeBefore = process.env.BATON_BENCH_SMOKE;
  afterAll(() => {
    if (smokeBefore === undefined) delete process.env.BATON_BENCH_SMOKE;
    else process.env.BATON_BENCH_SMOKE = smokeBefore;
  });
  it('are all here', () => {
    expect(benchmarks).toEqual(
      expect.arrayContaining([
        'api-reads',
        'crm-backfill',
        'ingest',
        'mail-sync',
        'reports',
        'routing',
        'scaleout',
        'sla',
        'soak',
        'startup',
        'store-writes',
        'webhooks',
      ]),
    );
  });

  it('npm run bench -- store-writes --smoke prints its one object', async () => {
    const result = await runNode(['bench/run.js', 'store-writes', '--smoke'], {}, '', { timeoutMs: 240_000 });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0]!) as Printed;
    expect(printed.bench).toBe('store-writes');
    expectShape(printed);
  });

  // mail-sync reads a real Dovecot: skipped without one (unless BATON_TEST_REQUIRE_DOVECOT).
  // mail-sync needs Dovecot; scaleout PostgreSQL (CI has both, and requires PostgreSQL).
  it.each(
    benchmarks.filter(
      (name) =>
        (hasDovecot || name !== 'mail-sync') && (loadTestSettings().postgresUrl || name !== 'scaleout'),
    ),
  )(
    '%s runs at its smoke size',
    async (name) => {
      // Read by bench/measure.ts when a benchmark module is loaded, as `--smoke` sets it.
      process.env.BATON_BENCH_SMOKE = '1';
      const { run } = (await import(`../bench/${name}.bench.ts`)) as { run: () => Promise<Printed> };
      expectShape(await run());
    },
    300_000,
  );
});
