import { createReadStream, existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { ImportReport } from '../contract/imports.ts';
import type { Env } from '../server/config.ts';
import { withServices } from './context.ts';
import { printTable, UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;

function summary(report: ImportReport): string {
  const lines = [
    `${report.dryRun ? 'Dry run: nothing was stored. ' : ''}${report.rows} rows read, ${report.valid} valid, ${report.rejected} rejected.`,
    report.kind === 'contacts'
      ? `${report.created} new contacts${report.dryRun ? '' : `, ${report.valid - report.created} existing ones completed`}.`
      : `${report.stored} events stored, ${report.duplicates} seen before, ${report.created} new contacts.`,
    `Columns: ${Object.entries(report.mapping)
      .map(([c, f]) => `${c} → ${f}`)
      .join(
        ', ',
      )}${report.unmappedColumns.length > 0 ? `; not imported: ${report.unmappedColumns.join(', ')}` : ''}.`,
  ];
  return lines.join('\n');
}

export function registerImportCommand(program: Command, io: Io, env: Env | undefined, isTerminal: boolean) {
  program
    .command('import')
    .description(
      'Import contacts or events from a CSV file; running the same file twice stores nothing twice',
    )
    .argument('<kind>', 'contacts or events')
    .argument('<file>', 'CSV file with a header row')
    .option('--map <column=field...>', 'map a column to a field when its header is not recognised')
    .option('--delimiter <char>', 'column separator: ",", ";" or "tab" (default: read from the header line)')
    .option('--attributes', 'contacts: keep the columns no field takes as custom attributes')
    .option('--blank <value...>', 'a value that means "not filled" in this file, such as Select')
    .option('--dry-run', 'check every row and show the report, store nothing')
    .option('--json', 'print the report as JSON')
    .action(
      async (
        kind: string,
        file: string,
        options: {
          map?: string[];
          dryRun?: boolean;
          json?: boolean;
          delimiter?: string;
          attributes?: boolean;
          blank?: string[];
        },
      ) => {
        const delimiter = options.delimiter === 'tab' ? '\t' : options.delimiter;
        if (delimiter !== undefined && ![',', ';', '\t'].includes(delimiter)) {
          throw new UsageError('--delimiter: ",", ";" or "tab"');
        }
        if (kind !== 'contacts' && kind !== 'events') throw new UsageError('<kind>: contacts or events');
        if (!existsSync(file)) throw new UsageError(`<file>: no file ${file}`);
        const overrides: Record<string, string> = {};
        for (const entry of options.map ?? []) {
          const [column, field] = entry.split('=', 2);
          if (!column || !field) throw new UsageError(`--map ${entry}: use COLUMN=field`);
          overrides[column] = field;
        }
        await withServices(env, async (services) => {
          const report = await services.imports.importCsv(cli, createReadStream(file), {
            kind,
            overrides,
            dryRun: Boolean(options.dryRun),
            ...(delimiter && { delimiter }),
            keepUnmapped: Boolean(options.attributes),
            blanks: options.blank ?? [],
            ...(isTerminal && {
              onProgress: (rows: number) => io.err(`\rimporting… ${rows.toLocaleString('en')} rows`),
            }),
          });
          if (isTerminal) io.err('');
          if (options.json) return io.out(JSON.stringify(report, null, 2));
          io.out(summary(report));
          if (report.errors.length > 0) {
            io.out('');
            printTable(
              io,
              report.errors
                .slice(0, 50)
                .map((e) => ({ row: String(e.row), column: e.column, reason: e.reason })),
            );
            if (report.errors.length > 50)
              io.out(`… and ${report.errors.length - 50} more (use --json for all).`);
          }
        });
      },
    );
}
