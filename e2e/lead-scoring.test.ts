// Issue 4's acceptance run on the public labelled leads (X Education, ../shared/data/lead_scoring),
// through the `baton` command exactly as the resolution note gives it. The data set is not part of
// the repository; where it is absent (BATON_LEADS_CSV unset and the default path missing) the test
// is skipped and says so.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CalibrationReport, LearnModelResult } from '../src/contract/scoring.ts';
import type { ImportReport } from '../src/contract/imports.ts';
import { createStoreEnv, runCli } from './helpers.ts';

const leads =
  process.env.BATON_LEADS_CSV ?? resolve(import.meta.dirname, '../../shared/data/lead_scoring/leads.csv');
const present = existsSync(leads);
if (!present) process.stderr.write(`lead-scoring acceptance skipped: no ${leads}\n`);

describe.runIf(present)('the labelled leads, imported and calibrated through the CLI', () => {
  it(
    'reports the AUC of a hand-made and a learned model on a held-out split',
    { timeout: 300_000 },
    async () => {
      const store = await createStoreEnv('sqlite');
      try {
        const json = async <T>(args: string[]): Promise<T> => {
          const result = await runCli([...args, '--json'], store.env);
          if (result.code !== 0)
            throw new Error(`baton ${args.join(' ')}: exit ${result.code}\n${result.stderr}`);
          return JSON.parse(result.stdout) as T;
        };
        const imported = await json<ImportReport>([
          'import',
          'contacts',
          leads,
          '--attributes',
          '--blank',
          'Select',
        ]);
        expect(imported.rows).toBe(9240);
        expect(imported.mapping).toMatchObject({ 'Prospect ID': 'externalId', Converted: 'outcome' });
        expect(imported.created).toBeGreaterThan(9200);
        // Seven rows name no country Baton knows ("unknown", "Asia/Pacific Region"): stored all
        // the same, the value kept as an attribute, and each named in the report.
        expect(imported.rejected).toBe(0);
        expect(imported.warnings).toHaveLength(7);
        expect(imported.warnings.map((w) => w.column)).toEqual(Array(7).fill('Country'));

        const hand = await json<{ id: string }>([
          'scoring',
          'create',
          '--name',
          'X Education, hand-made',
          '--file',
          resolve(import.meta.dirname, '../docs/examples/x-education-model.json'),
        ]);
        const handReport = await json<CalibrationReport>([
          'scoring',
          'calibrate',
          '--model',
          hand.id,
          '--holdout',
          '0.3',
        ]);
        const learned = await json<LearnModelResult>([
          'scoring',
          'learn',
          '--name',
          'X Education, learned',
          '--based-on',
          hand.id,
          // Tags is left out by default: alone it predicts the outcome almost perfectly. Lead
          // Quality (the rep's verdict) is strong but under that bar: named as a suspect and, as
          // the data's dictionary says Sales fills it in, excluded here by hand.
          '--exclude',
          'attributes.Lead Quality',
          '--holdout',
          '0.3',
        ]);
        const fields = learned.model.definition.fitRules.flatMap((r) =>
          r.conditions.map((c) => ('field' in c ? c.field : '')),
        );
        expect(learned.leaks).toEqual([
          { field: 'attributes.Tags', auc: expect.closeTo(0.92, 1) as number, excluded: true },
        ]);
        expect(fields).not.toContain('attributes.Tags');
        expect(fields).not.toContain('attributes.Lead Quality');
        expect(learned.heldOut.basedOnAuc).toBe(handReport.auc.score);
        expect(handReport.auc.score).toBeGreaterThan(0.8);
        expect(learned.heldOut.learnedAuc).toBeGreaterThan(handReport.auc.score!);
        process.stderr.write(
          `lead scoring: held-out ${learned.heldOut.contacts} contacts; AUC hand-made ${handReport.auc.score}, learned ${learned.heldOut.learnedAuc}\n`,
        );
      } finally {
        await store.dispose();
      }
    },
  );
});
