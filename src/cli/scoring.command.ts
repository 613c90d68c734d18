import { readFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import {
  CreateScoringModelBody,
  LearnModelBody,
  type CalibrationReport,
  type ScoringModel,
} from '../contract/scoring.ts';
import type { Env } from '../server/config.ts';
import { withServices } from './context.ts';
import { checkInput, printTable, UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const modelRow = (m: ScoringModel) => ({
  id: m.id,
  version: String(m.version),
  name: m.name,
  status: m.status,
  origin: m.origin,
  fitRules: String(m.definition.fitRules.length),
  engagementRules: String(m.definition.engagementRules.length),
});

const pct = (n: number | null) => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);

function holdoutOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0 && n <= 0.9)) throw new UsageError('--holdout: a share between 0 and 0.9, e.g. 0.3');
  return n;
}

function printCalibration(io: Io, report: CalibrationReport) {
  io.out(
    `Model v${report.modelVersion}, ${report.scope === 'all' ? 'all' : 'held-out'} contacts with a known outcome: ` +
      `${report.contacts} (${report.converted} converted).`,
  );
  io.out(
    `AUC: score ${report.auc.score ?? '-'}, fit ${report.auc.fit ?? '-'}, engagement ${report.auc.engagement ?? '-'}.`,
  );
  const t = report.suggestedThreshold;
  if (t)
    io.out(
      `Suggested threshold on fit + engagement: ${t.threshold} (catches ${pct(t.truePositiveRate)} of converters, ` +
        `${pct(t.falsePositiveRate)} of the rest; ${pct(t.share)} of contacts, converting at ${pct(t.precision)}).`,
    );
  io.out('');
  printTable(
    io,
    report.bands.map((b) => ({
      band: `${b.from ?? '…'} – ${b.to ?? '…'}`,
      contacts: String(b.contacts),
      converted: String(b.converted),
      rate: pct(b.rate),
    })),
  );
  io.out('');
  printTable(
    io,
    report.rules
      .filter((r) => r.withRule.contacts > 0)
      .map((r) => ({
        rule: r.label,
        points: String(r.points),
        contacts: String(r.withRule.contacts),
        with: pct(r.withRule.rate),
        without: pct(r.withoutRule.rate),
        lift: r.lift === null ? '-' : r.lift.toFixed(2),
      })),
  );
}

export function registerScoringCommand(program: Command, io: Io, env: Env | undefined) {
  const scoring = program
    .command('scoring')
    .description('Scoring models: list, create, activate, calibrate, learn');

  scoring
    .command('models')
    .description('List scoring models, newest version first')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withServices(env, async (services) => {
        const models = await services.scoring.listModels(cli);
        if (options.json) io.out(JSON.stringify(models, null, 2));
        else printTable(io, models.map(modelRow));
      });
    });

  scoring
    .command('create')
    .description('Create a draft model from a JSON definition (or a copy of the built-in model)')
    .requiredOption('--name <name>', 'a name for the model')
    .option('--file <file>', 'a JSON file with the model definition')
    .option('--json', 'print JSON')
    .action(async (options: { name: string; file?: string; json?: boolean }) => {
      let definition: unknown;
      if (options.file !== undefined) {
        if (!existsSync(options.file)) throw new UsageError(`--file: no file ${options.file}`);
        try {
          definition = JSON.parse(readFileSync(options.file, 'utf8'));
        } catch (error) {
          throw new UsageError(`--file: not JSON (${(error as Error).message})`);
        }
      }
      const input = checkInput(
        CreateScoringModelBody,
        { name: options.name, ...(definition !== undefined && { definition }) },
        { name: '--name', definition: '--file' },
      );
      await withServices(env, async (services) => {
        const model = await services.scoring.createModel(cli, input);
        if (options.json) return io.out(JSON.stringify(model, null, 2));
        io.out(model.id);
        io.err(`Draft model v${model.version} "${model.name}" created.`);
      });
    });

  scoring
    .command('activate')
    .description('Activate a draft model; every contact is rescored in the background by the server')
    .argument('<id>', 'id of a draft model')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      if (!uuid.test(id)) throw new UsageError('<id>: the id of a model, as `baton scoring models` shows it');
      await withServices(env, async (services) => {
        const result = await services.scoring.activateModel(cli, id);
        if (options.json) return io.out(JSON.stringify(result, null, 2));
        io.out(
          `Model v${result.model.version} is active; rescoring ${result.run.total} contacts (run ${result.run.id}).`,
        );
      });
    });

  scoring
    .command('calibrate')
    .description('How well a model predicted known outcomes: AUC, conversion by band, lift per rule')
    .option('--model <id>', 'the model (default: the active one)')
    .option('--holdout <share>', 'report on the held-out share of contacts only, as `learn` tests on')
    .option('--json', 'print JSON')
    .action(async (options: { model?: string; holdout?: string; json?: boolean }) => {
      if (options.model !== undefined && !uuid.test(options.model))
        throw new UsageError('--model: the id of a model, as `baton scoring models` shows it');
      const holdout = holdoutOf(options.holdout);
      await withServices(env, async (services) => {
        const modelId =
          options.model ?? (await services.scoring.listModels(cli)).find((m) => m.status === 'active')?.id;
        if (!modelId) throw new UsageError('--model: no model is active; name one');
        const report = await services.scoring.calibrate(cli, modelId, {
          ...(holdout !== undefined && { holdout }),
        });
        if (options.json) return io.out(JSON.stringify(report, null, 2));
        printCalibration(io, report);
      });
    });

  scoring
    .command('learn')
    .description(
      'Learn fit rules from known outcomes and propose them as a draft model; a human activates it',
    )
    .requiredOption('--name <name>', 'a name for the proposed model')
    .option('--based-on <id>', 'keep this model’s engagement rules (default: the active model)')
    .option('--exclude <field...>', 'fields not to learn from, e.g. attributes.Tags (they leak the outcome)')
    .option(
      '--include <field...>',
      'fields to learn from although they predict the outcome almost perfectly alone (left out by default)',
    )
    .option('--holdout <share>', 'share of contacts kept aside to test on', '0.3')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        name: string;
        basedOn?: string;
        exclude?: string[];
        include?: string[];
        holdout: string;
        json?: boolean;
      }) => {
        const input = checkInput(
          LearnModelBody,
          {
            name: options.name,
            ...(options.basedOn !== undefined && { basedOnId: options.basedOn }),
            exclude: options.exclude ?? [],
            include: options.include ?? [],
            holdout: holdoutOf(options.holdout),
          },
          {
            name: '--name',
            basedOnId: '--based-on',
            exclude: '--exclude',
            include: '--include',
            holdout: '--holdout',
          },
        );
        await withServices(env, async (services) => {
          const result = await services.scoring.learnModel(cli, input);
          if (options.json) return io.out(JSON.stringify(result, null, 2));
          io.out(result.model.id);
          for (const leak of result.leaks)
            io.err(
              leak.excluded
                ? `Left out ${leak.field}: alone it predicts the outcome almost perfectly (AUC ${leak.auc}), so it is most likely filled in after the fact. --include ${leak.field} keeps it.`
                : `Kept ${leak.field} as asked, although alone it predicts the outcome almost perfectly (AUC ${leak.auc}).`,
            );
          for (const suspect of result.suspects)
            io.err(
              `Check ${suspect.field}: strong on its own (AUC ${suspect.auc}). If Sales fills it in after contact, --exclude it.`,
            );
          io.err(
            `Draft model v${result.model.version} "${result.model.name}": ${result.model.definition.fitRules.length} fit rules ` +
              `from ${result.candidates} candidates, learned on ${result.training.contacts} contacts.`,
          );
          io.err(
            `Held out ${result.heldOut.contacts} contacts: AUC ${result.heldOut.learnedAuc ?? '-'} learned, ` +
              `${result.heldOut.basedOnAuc ?? '-'} for the model it is based on.`,
          );
        });
      },
    );
}
