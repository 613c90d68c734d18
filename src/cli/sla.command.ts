import type { Command } from 'commander';
import { SlaPreviewBody } from '../contract/sla.ts';
import type { Env } from '../server/config.ts';
import { withServices } from './context.ts';
import { checkInput, printTable, UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;

export function registerSlaCommand(program: Command, io: Io, env: Env | undefined) {
  const sla = program.command('sla').description('Follow-up policies and deadlines');

  sla
    .command('policies')
    .description('List the follow-up policies')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withServices(env, async (services) => {
        const policies = await services.sla.listPolicies(cli);
        if (options.json) return io.out(JSON.stringify(policies, null, 2));
        printTable(
          io,
          policies.map((p) => ({
            id: p.id,
            key: p.key,
            stage: p.stage,
            window: `${p.windowSeconds} s`,
            escalations: String(p.escalations),
            reassign: p.reassign ? 'yes' : 'no',
            active: p.active ? 'yes' : 'no',
          })),
        );
      });
    });

  sla
    .command('preview')
    .description('When a lead arriving at an instant is due, and when each ladder step fires')
    .requiredOption('--arrived <instant>', 'arrival, ISO 8601 (e.g. 2026-11-27T16:00:00+01:00)')
    .option('--policy <key-or-id>', 'a policy, by key (mql-first-response) or id')
    .option('--window <seconds>', 'a window in business seconds, instead of (or over) the policy’s')
    .option('--calendar <id>', 'a calendar other than the policy’s or the default')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        arrived: string;
        policy?: string;
        window?: string;
        calendar?: string;
        json?: boolean;
      }) => {
        const arrived = new Date(options.arrived);
        if (Number.isNaN(arrived.getTime())) throw new UsageError('--arrived: must be an ISO 8601 instant');
        if (!options.policy && !options.window) throw new UsageError('give --policy or --window');
        await withServices(env, async (services) => {
          let policyId: string | undefined;
          if (options.policy) {
            const policies = await services.sla.listPolicies(cli);
            policyId = policies.find((p) => p.key === options.policy || p.id === options.policy)?.id;
            if (!policyId)
              throw new UsageError(`--policy: no policy ${options.policy} (see \`baton sla policies\`)`);
          }
          const input = checkInput(
            SlaPreviewBody,
            {
              arrivedAt: arrived.toISOString(),
              ...(policyId && { policyId }),
              ...(options.window !== undefined && { windowSeconds: Number(options.window) }),
              ...(options.calendar && { calendarId: options.calendar }),
            },
            { windowSeconds: '--window', calendarId: '--calendar' },
          );
          const preview = await services.sla.preview(cli, input);
          if (options.json) return io.out(JSON.stringify(preview, null, 2));
          io.out(`due ${preview.dueAt}`);
          printTable(
            io,
            preview.steps.map((s) => ({ step: s.kind, level: String(s.level), notify: s.notify, at: s.at })),
          );
        });
      },
    );
}
