// Issue 9's journey acceptance: `baton attribution journeys` on aggregated journeys — the published
// three-journey example always, and the public ChannelAttribution paths (../shared/data/attribution)
// where present (BATON_PATHS_CSV overrides the path; absent, that part is skipped and says so).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JourneyAnalysis } from '../src/domain/attribution/analyse-journeys.ts';
import { runCli, tempDir } from './helpers.ts';

const paths =
  process.env.BATON_PATHS_CSV ?? resolve(import.meta.dirname, '../../shared/data/attribution/paths.csv');
const present = existsSync(paths);
if (!present) process.stderr.write(`attribution paths acceptance skipped: no ${paths}\n`);

const dir = tempDir();
afterAll(() => dir.remove());

async function analyse(file: string, ...args: string[]) {
  const result = await runCli(['attribution', 'journeys', file, '--json', ...args], {});
  expect(result.code, result.stderr).toBe(0);
  return { ...(JSON.parse(result.stdout) as JourneyAnalysis & { rows: number }), stderr: result.stderr };
}

describe('baton attribution journeys', () => {
  it('gives the published example its removal effects and credit, as JSON and as a table', async () => {
    const file = join(dir.path, 'example.csv');
    writeFileSync(
      file,
      'path;total_conversions;total_conversion_value;total_null\nc1 > c2 > c3;1;10;0\nc1;0;0;1\nc2 > c3;0;0;1\nc4;x;0;1\n',
    );
    const json = await analyse(file);
    expect(json.stderr).toContain('row 5, total_conversions: must be a number, 0 or more');
    expect(json.rows).toBe(4);
    const byChannel = Object.fromEntries(json.channels.map((c) => [c.channel, c]));
    expect(byChannel.c1!.markov.removalEffect).toBeCloseTo(0.5, 9);
    expect(byChannel.c2!.markov.removalEffect).toBeCloseTo(1, 9);
    expect(byChannel.c3!.markov.conversions).toBeCloseTo(0.4, 9);
    expect(byChannel.c3!.lastTouch).toEqual({ conversions: 1, value: 10 });

    const table = await runCli(['attribution', 'journeys', file], {});
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual([
      'channel',
      'first_conv',
      'first_value',
      'last_conv',
      'last_value',
      'linear_conv',
      'linear_value',
      'markov_removal',
      'markov_conv',
      'markov_value',
      'shapley_conv',
      'shapley_value',
    ]);
    expect(rows[0]!.split(/\s+/).slice(0, 2)).toEqual(['c1', '1.00']);
  });

  it('says what is wrong with a file it cannot use', async () => {
    const file = join(dir.path, 'bad.csv');
    writeFileSync(file, 'journey,count\na > b,1\n');
    const bad = await runCli(['attribution', 'journeys', file], {});
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('path and total_conversions');
    const missing = await runCli(['attribution', 'journeys', join(dir.path, 'nope.csv')], {});
    expect(missing.code).toBe(2);
    // One above the highest order the model computes is refused as usage, before any reading.
    for (const given of ['9', '4', '0', '1.5']) {
      const order = await runCli(['attribution', 'journeys', file, '--order', given], {});
      expect(order.code, given).toBe(2);
      expect(order.stderr).toContain('--order: must be a whole number from 1 to 3');
    }
  });

  it.runIf(present)(
    'reports every channel of the public paths under every model',
    { timeout: 300_000 },
    async () => {
      const json = await analyse(paths);
      // An independent count straight from the file: first and last touch per channel.
      const first = new Map<string, number>();
      const last = new Map<string, number>();
      let conversions = 0;
      for (const line of readFileSync(paths, 'utf8').trim().split('\n').slice(1)) {
        const [path, conv] = line.split(';');
        const steps = path!.split('>').map((s) => s.trim());
        const n = Number(conv);
        conversions += n;
        first.set(steps[0]!, (first.get(steps[0]!) ?? 0) + n);
        last.set(steps.at(-1)!, (last.get(steps.at(-1)!) ?? 0) + n);
      }
      expect(json.rows).toBe(10_000);
      expect(json.channels).toHaveLength(12);
      expect(json.conversions).toBe(conversions);
      for (const c of json.channels) {
        expect(c.firstTouch.conversions).toBe(first.get(c.channel) ?? 0);
        expect(c.lastTouch.conversions).toBe(last.get(c.channel) ?? 0);
        expect(c.markov.removalEffect).toBeGreaterThan(0);
      }
      for (const model of ['linear', 'markov', 'shapley'] as const)
        expect(json.channels.reduce((s, c) => s + c[model].conversions, 0)).toBeCloseTo(conversions, 4);
    },
  );
});
