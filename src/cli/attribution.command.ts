import { createReadStream, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { analyseJourneys } from '../domain/attribution/analyse-journeys.ts';
import { maxOrder } from '../domain/attribution/markov.ts';
import type { Env } from '../server/config.ts';
import { readJourneys } from '../server/modules/attribution/journeys.reader.ts';
import { withServices } from './context.ts';
import { printTable, UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;

const fixed = (n: number, digits = 2) => n.toFixed(digits);

export function registerAttributionCommand(program: Command, io: Io, env: Env | undefined) {
  const attribution = program
    .command('attribution')
    .description('Marketing’s share of won deals and of journeys, under every model');

  attribution
    .command('journeys')
    .description(
      'Run every channel-level model (first touch, last touch, linear, Markov, Shapley) on aggregated journeys: ' +
        'a CSV with path;total_conversions;total_conversion_value;total_null (channels joined by " > ")',
    )
    .argument('<file>', 'the journeys file')
    .option('--order <k>', `Markov order: 1 (default) to ${maxOrder}`, '1')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { order: string; json?: boolean }) => {
      const order = Number(options.order);
      // The domain's bound, so the check and the model never disagree (4 passed here and failed inside).
      if (!Number.isInteger(order) || order < 1 || order > maxOrder)
        throw new UsageError(`--order: must be a whole number from 1 to ${maxOrder}`);
      if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
      const read = await readJourneys(createReadStream(file));
      for (const e of read.errors) io.err(`row ${e.row}, ${e.column}: ${e.reason} (left out)`);
      const analysis = analyseJourneys(read.journeys, { order });
      if (options.json)
        return io.out(JSON.stringify({ rows: read.rows, errors: read.errors, ...analysis }, null, 2));
      io.err(
        `${read.rows} rows, ${analysis.paths} distinct paths, ${fixed(analysis.conversions)} conversions ` +
          `(value ${fixed(analysis.value)}), ${fixed(analysis.nulls, 0)} without conversion; ` +
          `Markov order ${analysis.markovOrder}, P(conversion) ${fixed(analysis.conversionProbability, 4)}`,
      );
      printTable(
        io,
        analysis.channels.map((c) => ({
          channel: c.channel,
          first_conv: fixed(c.firstTouch.conversions),
          first_value: fixed(c.firstTouch.value),
          last_conv: fixed(c.lastTouch.conversions),
          last_value: fixed(c.lastTouch.value),
          linear_conv: fixed(c.linear.conversions),
          linear_value: fixed(c.linear.value),
          markov_removal: fixed(c.markov.removalEffect, 4),
          markov_conv: fixed(c.markov.conversions),
          markov_value: fixed(c.markov.value),
          shapley_conv: fixed(c.shapley.conversions),
          shapley_value: fixed(c.shapley.value),
        })),
      );
    });

  attribution
    .command('costs')
    .description(
      'Import what campaigns cost: a CSV with campaign, channel, starts_on, ends_on, amount (e.g. 1250.50) and currency; ' +
        'the same campaign, period and currency again replaces the amount',
    )
    .argument('<file>', 'the costs file')
    .option('--dry-run', 'check the file and show what would change, store nothing')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { dryRun?: boolean; json?: boolean }) => {
      if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
      await withServices(env, async (services) => {
        const report = await services.attribution.importCosts(cli, createReadStream(file), {
          dryRun: options.dryRun ?? false,
        });
        if (options.json) return io.out(JSON.stringify(report, null, 2));
        for (const e of report.errors) io.err(`row ${e.row}, ${e.column}: ${e.reason}`);
        io.out(
          `${report.rows} rows: ${report.created} new, ${report.updated} changed, ${report.unchanged} unchanged, ` +
            `${report.errors.length} refused${options.dryRun ? ' (dry run: nothing stored)' : ''}`,
        );
      });
    });
}
