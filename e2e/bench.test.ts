import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runNode } from './helpers.ts';

const benchmarks = readdirSync(new URL('../bench/', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();

const metric = expect.objectContaining({ value: expect.any(Number), unit: expect.any(String) });

// Every benchmark runs at its smoke size, as `npm run bench -- NAME --smoke`, so none can rot: it
// must finish and print the one object with its metrics and the baselines measured in the run.
describe('the benchmarks at their smoke size', () => {
  it('are all here', () => {
    expect(benchmarks).toEqual(
      expect.arrayContaining(['api-reads', 'ingest', 'routing', 'sla', 'startup', 'store-writes']),
    );
  });

  it.each(benchmarks)(
    'npm run bench -- %s --smoke prints its object',
    async (name) => {
      const result = await runNode(['bench/run.js', name, '--smoke'], {}, '', { timeoutMs: 240_000 });
      expect(result.stderr).not.toMatch(/Error/);
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const printed = JSON.parse(lines[0]!) as {
        bench: string;
        metrics: Record<string, unknown>;
        baselines: Record<string, unknown>;
      };
      expect(printed.bench).toBe(name);
      expect(Object.keys(printed.metrics).length).toBeGreaterThan(0);
      expect(Object.keys(printed.baselines).length).toBeGreaterThan(0);
      for (const value of [...Object.values(printed.metrics), ...Object.values(printed.baselines)]) {
        expect(value).toEqual(metric);
        expect(Number.isFinite((value as { value: number }).value)).toBe(true);
      }
    },
    300_000,
  );
});
