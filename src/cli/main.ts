import { Command, CommanderError } from 'commander';
import { ConfigError, configMarkdownTable, configSpec, loadConfig, type Env } from '../server/config.ts';
import { BackupError } from '../server/db/backup.ts';
import { createMigrator, MigrationError } from '../server/db/database.ts';
import { startServer, version } from '../server/main.ts';
import { systemClock } from '../server/platform/clock.ts';
import { AppError } from '../server/modules/shared/errors.ts';
import { registerApiKeysCommand } from './api-keys.command.ts';
import { registerAttributionCommand } from './attribution.command.ts';
import { registerBackupCommands } from './backup.command.ts';
import { registerRetentionCommand } from './retention.command.ts';
import { registerSetupCommand } from './setup.command.ts';
import { registerContactsCommand } from './contacts.command.ts';
import { registerDemoCommand, topUpDemoQueues } from './demo.command.ts';
import { registerImportCommand } from './import.command.ts';
import { registerOpportunitiesCommand } from './opportunities.command.ts';
import { registerOutboxCommand } from './outbox.command.ts';
import { registerSlaCommand } from './sla.command.ts';
import { registerScoringCommand } from './scoring.command.ts';
import { withServices } from './context.ts';
import { processIo, UsageError, type Io } from './output.ts';
import { registerUsersCommand } from './users.command.ts';

export function buildProgram(io: Io, env: Env | undefined): Command {
  const program = new Command('baton')
    .description('Baton: the handoff between Marketing and Sales, never dropped.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();

  program
    .command('serve')
    .description('Run the web app and API (what `npm start` runs)')
    .action(async () => {
      const config = loadConfig(env);
      const server = await startServer(config, { handleSignals: true });
      // A demo store opens with live queues: fresh leads arrive for every rep at each start.
      const fresh = await topUpDemoQueues(server.services, () => systemClock.now());
      if (fresh > 0) io.err(`Demo: ${fresh} new leads arrived in the reps' queues.`);
      io.err(`Baton ${version} is running on ${server.url} (${server.database.dialect}).`);
    });

  program
    .command('migrate')
    .description('Apply pending database migrations (serve does this too)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withServices(env, async (_services, _config, database) => {
        // withServices has migrated; report what the database holds now.
        const all = await (await createMigrator(database.db)).getMigrations();
        const applied = all.filter((m) => m.executedAt).map((m) => m.name);
        if (options.json) io.out(JSON.stringify({ dialect: database.dialect, applied }, null, 2));
        else
          io.out(
            `${database.dialect}: ${applied.length} migrations applied, latest ${applied.at(-1) ?? '-'}`,
          );
      });
    });

  program
    .command('config')
    .description('Show the configuration keys, or the configuration in effect')
    .option('--markdown', 'print the documentation table (as in the README)')
    .option('--json', 'print the configuration in effect as JSON, secrets hidden')
    .action((options: { markdown?: boolean; json?: boolean }) => {
      if (options.markdown || !options.json) return io.out(configMarkdownTable());
      const config = loadConfig(env);
      const shown = Object.fromEntries(
        Object.entries(config).map(([key, value]) => {
          const spec = configSpec[key as keyof typeof configSpec] as { secret?: boolean };
          return [key, spec.secret && value !== undefined ? '(set)' : (value ?? null)];
        }),
      );
      io.out(JSON.stringify(shown, null, 2));
    });

  registerUsersCommand(program, io, env);
  registerApiKeysCommand(program, io, env);
  registerContactsCommand(program, io, env);
  registerImportCommand(program, io, env, io.isTerminal);
  registerScoringCommand(program, io, env);
  registerOutboxCommand(program, io, env);
  registerSlaCommand(program, io, env);
  registerAttributionCommand(program, io, env);
  registerOpportunitiesCommand(program, io, env);
  registerDemoCommand(program, io, env);
  registerBackupCommands(program, io, env);
  registerRetentionCommand(program, io, env);
  registerSetupCommand(program, io, env);
  return program;
}

/** Runs the CLI; resolves to the exit code: 0 ok, 1 failed, 2 usage error. */
export async function main(argv: string[], io: Io = processIo, env?: Env): Promise<number> {
  const program = buildProgram(io, env);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof UsageError) {
      io.err(`baton: ${error.message}`);
      return 2;
    }
    if (error instanceof AppError) {
      const fields = error.fieldErrors?.map((f) => `  ${f.field}: ${f.reason}`).join('\n');
      io.err(`baton: ${error.message} (${error.code})${fields ? `\n${fields}` : ''}`);
      return 1;
    }
    if (error instanceof ConfigError || error instanceof MigrationError || error instanceof BackupError) {
      io.err(`baton: ${error.message}`);
      return 1;
    }
    io.err(`baton: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
