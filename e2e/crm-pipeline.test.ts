// Issue 7's acceptance run on the public CRM pipeline (Maven Analytics, ../shared/data/crm_pipeline):
// the agents with their managers, the accounts and the 8,800 opportunities imported through the
// `baton import` command, then the win rates Baton reports per manager and per agent compared with
// a direct count over the CSV. The data set is not part of the repository; where it is absent
// (BATON_CRM_PIPELINE_DIR unset and the default path missing) the test is skipped and says so.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { WinRates } from '../src/contract/opportunities.ts';
import { createStoreEnv, runCli } from './helpers.ts';

const dir =
  process.env.BATON_CRM_PIPELINE_DIR ?? resolve(import.meta.dirname, '../../shared/data/crm_pipeline');
const present = existsSync(join(dir, 'sales_pipeline.csv'));
if (!present) process.stderr.write(`crm-pipeline acceptance skipped: no ${dir}\n`);

const rows = (file: string) =>
  parse<Record<string, string>>(readFileSync(join(dir, file)), { columns: true, bom: true });

/** Won ÷ (won + lost) per agent and per manager, counted straight from the CSV files. */
function directCount() {
  const managerOf = new Map(rows('sales_teams.csv').map((r) => [r.sales_agent!, r.manager!]));
  const tally = (key: (agent: string) => string) => {
    const result = new Map<string, { won: number; lost: number }>();
    for (const deal of rows('sales_pipeline.csv')) {
      if (deal.deal_stage !== 'Won' && deal.deal_stage !== 'Lost') continue;
      const k = key(deal.sales_agent!);
      const t = result.get(k) ?? { won: 0, lost: 0 };
      if (deal.deal_stage === 'Won') t.won += 1;
      else t.lost += 1;
      result.set(k, t);
    }
    return [...result.entries()]
      .map(([name, t]) => ({ name, won: t.won, lost: t.lost }))
      .sort((a, b) => a.name.localeCompare(b.name));
  };
  return { agents: tally((agent) => agent), managers: tally((agent) => managerOf.get(agent)!) };
}

describe.runIf(present)('the CRM pipeline, imported through the CLI', () => {
  it(
    'gives the same win rate per manager and per agent as a direct count over the CSV',
    { timeout: 300_000 },
    async () => {
      const store = await createStoreEnv('sqlite');
      try {
        const baton = async (args: string[]) => {
          const result = await runCli(args, store.env);
          if (result.code !== 0)
            throw new Error(`baton ${args.join(' ')}: exit ${result.code}\n${result.stderr}`);
          return result.stdout;
        };
        const json = async <T>(args: string[]) => JSON.parse(await baton([...args, '--json'])) as T;
        type Report = { rows: number; created: number; updated: number; rejected: number };
        expect(
          await json<Report>([
            'import',
            'users',
            join(dir, 'sales_teams.csv'),
            '--email-domain',
            'crm.example',
          ]),
        ).toMatchObject({ rows: 35, rejected: 0 });
        expect(await json<Report>(['import', 'accounts', join(dir, 'accounts.csv')])).toMatchObject({
          rows: 85,
          created: 85,
          rejected: 0,
        });
        expect(
          await json<Report>([
            'import',
            'opportunities',
            join(dir, 'sales_pipeline.csv'),
            '--currency',
            'USD',
          ]),
        ).toMatchObject({ rows: 8800, created: 8800, rejected: 0 });
        // The same file again stores nothing twice.
        expect(
          await json<Report>([
            'import',
            'opportunities',
            join(dir, 'sales_pipeline.csv'),
            '--currency',
            'USD',
          ]),
        ).toMatchObject({ created: 0, updated: 8800 });

        const expected = directCount();
        const rates = async (by: string) =>
          (await json<WinRates>(['opportunities', 'win-rates', '--by', by])).rows
            .map((r) => ({ name: r.name!, won: r.won, lost: r.lost }))
            .sort((a, b) => a.name.localeCompare(b.name));
        expect(await rates('manager')).toEqual(expected.managers);
        expect(await rates('owner')).toEqual(expected.agents);
        expect(expected.managers).toHaveLength(6);
      } finally {
        await store.dispose();
      }
    },
  );
});
