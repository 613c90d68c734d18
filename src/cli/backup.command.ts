import type { Command } from 'commander';
import { loadConfig, type Env } from '../server/config.ts';
import { backupSqlite, BackupError, restoreSqlite } from '../server/db/backup.ts';
import { systemClock } from '../server/platform/clock.ts';
import type { Io } from './output.ts';

const onPostgres =
  'the store is PostgreSQL: back it up with pg_dump, as the README describes ' +
  '(pg_dump --format=custom --file=baton.dump "$DATABASE_URL")';

export function registerBackupCommands(program: Command, io: Io, env: Env | undefined) {
  program
    .command('backup')
    .description(
      "Copy the SQLite store to FILE while Baton runs (SQLite's online backup); the copy is checked before it is kept",
    )
    .argument('<file>', 'where the copy goes (replaced if it exists)')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const config = loadConfig(env);
      if (config.databaseUrl) throw new BackupError(onPostgres);
      const report = await backupSqlite(config.sqlitePath, file);
      io.out(
        options.json
          ? JSON.stringify(report, null, 2)
          : `Backed up ${config.sqlitePath} to ${report.file}: ${report.bytes} bytes, schema ${report.schema}, integrity ok.`,
      );
    });

  program
    .command('restore')
    .description(
      'Replace the SQLite store with a backup, after checking it; stop Baton first. The replaced store is kept beside it',
    )
    .argument('<file>', 'a file made by `baton backup`')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const config = loadConfig(env);
      if (config.databaseUrl)
        throw new BackupError(
          'the store is PostgreSQL: restore it with pg_restore, as the README describes ' +
            '(pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" baton.dump)',
        );
      const report = await restoreSqlite(file, config.sqlitePath, systemClock.now());
      io.out(
        options.json
          ? JSON.stringify(report, null, 2)
          : `Restored ${file} to ${report.file} (schema ${report.schema}; the next start brings it up to date).` +
              (report.replaced ? ` The store it replaced is kept at ${report.replaced}.` : ''),
      );
    });
}
