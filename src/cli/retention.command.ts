import type { Command } from 'commander';
import type { Env } from '../server/config.ts';
import { withServices } from './context.ts';
import type { Io } from './output.ts';

const cli = { kind: 'cli' } as const;

export function registerRetentionCommand(program: Command, io: Io, env: Env | undefined) {
  const retention = program
    .command('retention')
    .description(
      'How long each kind of data is kept (set in Settings → Privacy or the API), and applying it',
    );

  retention
    .command('run')
    .description(
      'Apply the retention periods now (the server does it daily): delete old anonymous touches, anonymise quiet leads that never became customers, blank old email bodies, delete old webhook messages once delivered; logged',
    )
    .option('--dry-run', 'count what would go, change nothing')
    .option('--json', 'print JSON')
    .action(async (options: { dryRun?: boolean; json?: boolean }) => {
      await withServices(env, async (services) => {
        const report = await services.privacy.runRetention(cli, Boolean(options.dryRun));
        if (options.json) return io.out(JSON.stringify(report, null, 2));
        io.out(
          `${report.dryRun ? 'Dry run: would delete' : 'Deleted'} ${report.anonymousTouches} anonymous touches, ` +
            `${report.dryRun ? 'anonymise' : 'anonymised'} ${report.unconvertedLeads} leads that never became customers, ` +
            `${report.dryRun ? 'blank' : 'blanked'} ${report.emailBodies} email bodies, ` +
            `${report.dryRun ? 'delete' : 'deleted'} ${report.webhookMessages} webhook messages.`,
        );
      });
    });

  retention
    .command('show')
    .description('The retention periods and what the last run did')
    .action(async () => {
      await withServices(env, async (services) => {
        io.out(JSON.stringify(await services.privacy.retentionSettings(cli), null, 2));
      });
    });
}
