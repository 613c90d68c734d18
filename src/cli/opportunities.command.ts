import type { Command } from 'commander';
import type { Env } from '../server/config.ts';
import { withServices } from './context.ts';
import { printTable, UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;

export function registerOpportunitiesCommand(program: Command, io: Io, env: Env | undefined) {
  const opportunities = program.command('opportunities').description('Deals and how they closed');

  opportunities
    .command('win-rates')
    .description('Won ÷ (won + lost) per owner or per manager, over the closed opportunities')
    .option('--by <owner|manager>', 'group by the owner or by their manager', 'owner')
    .option('--json', 'print JSON')
    .action(async (options: { by: string; json?: boolean }) => {
      if (options.by !== 'owner' && options.by !== 'manager') throw new UsageError('--by: owner or manager');
      await withServices(env, async (services) => {
        const rates = await services.opportunities.winRates(cli, { by: options.by as 'owner' | 'manager' });
        if (options.json) return io.out(JSON.stringify(rates, null, 2));
        printTable(
          io,
          rates.rows.map((r) => ({
            [options.by]: r.name ?? '—',
            won: String(r.won),
            lost: String(r.lost),
            'win rate': r.winRate === null ? '—' : `${(r.winRate * 100).toFixed(1)}%`,
          })),
        );
      });
    });
}
