import { createReadStream, existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { ImportReport } from '../contract/imports.ts';
import type { Env } from '../server/config.ts';
import { withServices } from './context.ts';
import { printTable, UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;

/** How a file's encoding is named to a person. */
const encodingName = (encoding: ImportReport['encoding']) =>
  encoding === 'windows-1252' ? 'Windows-1252 (not UTF-8)' : encoding.toUpperCase();

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
    ...(report.encoding === 'utf-8' ? [] : [`Read as ${encodingName(report.encoding)}.`]),
  ];
  return lines.join('\n');
}

export function registerImportCommand(program: Command, io: Io, env: Env | undefined, isTerminal: boolean) {
  program
    .command('import')
    .description(
      'Import contacts, events, or a sales organisation from another CRM (users, accounts, opportunities) from a CSV file; running the same file twice stores nothing twice',
    )
    .argument('<kind>', 'contacts, events, users, accounts or opportunities')
    .argument('<file>', 'CSV file with a header row')
    .option('--map <column=field...>', 'map a column to a field when its header is not recognised')
    .option('--delimiter <char>', 'column separator: ",", ";" or "tab" (default: read from the header line)')
    .option('--attributes', 'contacts: keep the columns no field takes as custom attributes')
    .option('--blank <value...>', 'a value that means "not filled" in this file, such as Select')
    .option('--email-domain <domain>', 'users: make first.last@DOMAIN for people the file gives no email')
    .option('--currency <code>', 'opportunities: the currency of the amounts (default EUR)')
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
          emailDomain?: string;
          currency?: string;
        },
      ) => {
        const delimiter = options.delimiter === 'tab' ? '\t' : options.delimiter;
        if (delimiter !== undefined && ![',', ';', '\t'].includes(delimiter)) {
          throw new UsageError('--delimiter: ",", ";" or "tab"');
        }
        if (!['contacts', 'events', 'users', 'accounts', 'opportunities'].includes(kind))
          throw new UsageError('<kind>: contacts, events, users, accounts or opportunities');
        if (!existsSync(file)) throw new UsageError(`<file>: no file ${file}`);
        if (options.currency !== undefined && !/^[A-Za-z]{3}$/.test(options.currency))
          throw new UsageError('--currency: a three-letter ISO 4217 code, such as EUR');
        const overrides: Record<string, string> = {};
        for (const entry of options.map ?? []) {
          const [column, field] = entry.split('=', 2);
          if (!column || !field) throw new UsageError(`--map ${entry}: use COLUMN=field`);
          overrides[column] = field;
        }
        if (kind === 'users' || kind === 'accounts' || kind === 'opportunities') {
          await withServices(env, async (services) => {
            const report = await services.records.importCsv(cli, createReadStream(file), {
              kind,
              overrides,
              dryRun: Boolean(options.dryRun),
              ...(options.emailDomain && { emailDomain: options.emailDomain }),
              ...(options.currency && { currency: options.currency }),
              ...(isTerminal && {
                onProgress: (rows: number) => io.err(`\rimporting… ${rows.toLocaleString('en')} rows`),
              }),
            });
            if (isTerminal) io.err('');
            if (options.json) return io.out(JSON.stringify(report, null, 2));
            io.out(
              `${report.dryRun ? 'Dry run: nothing was stored. ' : ''}${report.rows} rows read: ${report.created} new ${kind}, ${report.updated} existing, ${report.rejected} rejected.`,
            );
            if (report.encoding !== 'utf-8') io.out(`Read as ${encodingName(report.encoding)}.`);
            io.out(
              `Columns: ${Object.entries(report.mapping)
                .map(([c, f]) => `${c} → ${f}`)
                .join(
                  ', ',
                )}${report.unmappedColumns.length > 0 ? `; not imported: ${report.unmappedColumns.join(', ')}` : ''}.`,
            );
            if (report.errors.length > 0) {
              io.out('');
              printTable(
                io,
                report.errors
                  .slice(0, 50)
                  .map((e) => ({ row: String(e.row), column: e.column ?? '', reason: e.reason })),
              );
            }
          });
          return;
        }
        await withServices(env, async (services) => {
          const report = await services.imports.importCsv(cli, createReadStream(file), {
            kind: kind as 'contacts' | 'events',
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
          if (report.warnings.length > 0) {
            io.out('');
            io.out(`Stored, with ${report.warnings.length} value(s) kept otherwise than given:`);
            printTable(
              io,
              report.warnings
                .slice(0, 50)
                .map((w) => ({ row: String(w.row), column: w.column, note: w.reason })),
            );
            if (report.warnings.length > 50)
              io.out(`… and ${report.warnings.length - 50} more (use --json for all).`);
          }
        });
      },
    );
}
