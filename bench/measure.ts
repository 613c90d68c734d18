import { performance } from 'node:perf_hooks';

/**
 * `npm run bench -- NAME --smoke` runs the benchmark at a tiny size, in seconds rather than
 * minutes: CI runs every benchmark that way (e2e/bench.test.ts), so none can rot. Its figures mean
 * nothing; only that it runs and prints its object.
 */
export const smoke = process.env.BATON_BENCH_SMOKE === '1';

/** A size: the environment's value when set, else the full size, or the smoke size under --smoke. */
export function size(envName: string, full: number, smokeSize: number): number {
  const given = process.env[envName];
  if (given) return Number(given);
  return smoke ? smokeSize : full;
}

/** How long a timed loop runs: as given, or a fifth of a second under --smoke. */
export const duration = (seconds: number) => (smoke ? 0.2 : seconds);

export interface Metric {
  value: number;
  unit: string;
}

/** Runs `work` repeatedly for `seconds` (after a short warm-up) and returns operations per second. */
export async function opsPerSecond(work: () => unknown, seconds = duration(3)): Promise<number> {
  const warmUntil = performance.now() + (smoke ? 50 : 300);
  while (performance.now() < warmUntil) await work();
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  // Each loop measures at least one operation, so a machine paused past `end` still gives a rate.
  do {
    await work();
    count += 1;
  } while (performance.now() < end);
  return count / ((performance.now() - start) / 1000);
}

/** Runs `work` from `concurrency` loops for `seconds`; returns throughput and latency percentiles. */
export async function load(
  work: () => Promise<unknown>,
  { seconds = duration(3), concurrency = 16 } = {},
): Promise<{ perSecond: number; p50: number; p99: number }> {
  const warmUntil = performance.now() + (smoke ? 50 : 300);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < warmUntil) await work();
    }),
  );
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      do {
        const t = performance.now();
        await work();
        latencies.push(performance.now() - t);
      } while (performance.now() < end);
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
