import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { insertEvent } from '../shared/events.repository.ts';
import { newId } from '../../platform/ids.ts';
import { openCsv, rowTextProblem } from '../shared/csv-input.ts';
import type { EventResult } from '../../../contract/events.ts';
import type { ImportReport } from '../../../contract/imports.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { countryCode } from '../../../domain/people/normalize.ts';
import { guessMapping, type ImportField, type ImportKind } from '../../../domain/capture/guess-mapping.ts';
import type { CaptureOrigin } from '../../../domain/capture/plan-capture.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError } from '../shared/errors.ts';
import type { CaptureService } from './capture.service.ts';
import { prepare, prepareContactRow, type Prepared } from './capture.usecases.ts';

const rowsPerChunk = 1000;
const maxReportedErrors = 1000;

export interface ImportOptions {
  kind: ImportKind;
  overrides: Record<string, string>;
  dryRun: boolean;
  /** Column separator; sniffed from the header line when not given. */
  delimiter?: string;
  /** Contacts: keep the columns no field takes as custom attributes, by column name. */
  keepUnmapped?: boolean;
  /** Values that mean "not filled" in this file (some exports write `Select` or `-`). */
  blanks?: readonly string[];
  onProgress?: (rows: number) => void;
}

/** Dates in exports: ISO 8601, or a date or "date time" without zone, read as UTC. */
function isoInstant(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00:00Z`;
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2}(\.\d+)?)?$/.exec(value);
  if (local) return `${local[1]}T${local[2]}${local[3] ?? ':00'}Z`;
  return value;
}

/** Turns a mapped CSV row into what the API would take. */
function toItem(
  kind: ImportKind,
  row: Record<string, string>,
  mapping: Record<string, ImportField>,
  attributeColumns: readonly string[],
  blanks: ReadonlySet<string>,
  warnings: { column: string; reason: string }[],
): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  const attributes: Record<string, string> = {};
  const utm: Record<string, string> = {};
  const valueOf = (column: string) => {
    const value = row[column]?.trim();
    return !value || blanks.has(value) ? undefined : value;
  };
  for (const [column, field] of Object.entries(mapping)) {
    const value = valueOf(column);
    if (!value) continue;
    if (field.startsWith('utm_')) utm[field.slice(4)] = value;
    else if (field === 'occurredAt') item.occurredAt = isoInstant(value);
    else if (field === 'country') {
      const code = countryCode(value);
      if (code) item.country = code;
      else {
        // "unknown", "Asia/Pacific Region": not a country, but no reason to refuse the person. A
        // contact keeps what the file said as an attribute; the country stays empty.
        if (kind === 'contacts') attributes[column] = value;
        warnings.push({
          column,
          reason:
            kind === 'contacts'
              ? `"${value}" is not a country Baton knows: the country is left empty and the value kept as the attribute ${column}`
              : `"${value}" is not a country Baton knows: the country is left empty`,
        });
      }
    } else if (field === 'outcome') item.outcome = value.toLowerCase();
    else item[field] = value;
  }
  for (const column of attributeColumns) {
    const value = valueOf(column);
    if (value) attributes[column] = value;
  }
  if (Object.keys(attributes).length > 0) item.attributes = attributes;
  if (kind === 'events') {
    if (Object.keys(utm).length > 0) item.utm = utm;
    // Without an id column, the row itself is the id: importing the same file twice stores nothing twice.
    if (!item.id) {
      const values = Object.keys(mapping).map((column) => row[column] ?? '');
      item.id = `csv:${createHash('sha256').update(JSON.stringify(values)).digest('base64url')}`;
    }
  }
  return item;
}

export function createImportService(deps: ServiceDeps, capture: CaptureService) {
  const { db, clock } = deps;

  return {
    /**
     * Imports a CSV stream in chunks of 1,000 rows, in constant memory. Columns are mapped from
     * the headers (with overrides); each row is checked as the API would check it, and reported
     * by line and column when it is refused.
     */
    async importCsv(actor: Actor | null, input: Readable, options: ImportOptions): Promise<ImportReport> {
      const who = authorize(actor, 'events.write');
      const origin: CaptureOrigin = {
        actor: actorRef(who),
        sourceKind: 'import',
        defaultUserId: who.kind === 'user' ? who.userId : null,
      };
      let mapping: Record<string, ImportField> = {};
      let unmapped: string[] = [];
      let attributeColumns: string[] = [];
      const blanks = new Set(options.blanks ?? []);
      const report: ImportReport = {
        kind: options.kind,
        dryRun: options.dryRun,
        mapping: {},
        unmappedColumns: [],
        rows: 0,
        valid: 0,
        created: 0,
        stored: 0,
        duplicates: 0,
        rejected: 0,
        errors: [],
        warnings: [],
        encoding: 'utf-8',
      };
      const { text: stream, encoding, delimiter } = await openCsv(input, { delimiter: options.delimiter });
      report.encoding = encoding;
      const parser = stream.pipe(
        parse({
          bom: true,
          delimiter,
          skip_empty_lines: true,
          info: true,
          columns: (headers: string[]) => {
            const result = guessMapping(options.kind, headers, options.overrides);
            if (result.kind === 'invalid') {
              throw createError(
                'http.validation_failed',
                result.problems.join('; '),
                result.problems.map((reason) => ({ field: 'mapping', reason })),
              );
            }
            mapping = result.mapping;
            const keep = options.kind === 'contacts' && options.keepUnmapped === true;
            attributeColumns = keep ? result.unmapped : [];
            unmapped = keep ? [] : result.unmapped;
            return headers;
          },
        }),
      );

      const columnOf = (field: string) =>
        Object.entries(mapping).find(
          ([, f]) => f === field || (field === 'utm' && f.startsWith('utm_')),
        )?.[0] ?? field;

      const flush = async (chunk: { line: number; row: Record<string, string> }[]) => {
        const now = clock.now();
        /** What was kept differently than given, by row of the chunk: reported once the row is in. */
        const warned = new Map<number, { column: string; reason: string }[]>();
        const prepared: Prepared[] = chunk.map(({ row }, index): Prepared => {
          const bad = rowTextProblem(row, encoding);
          if (bad) return { index, ok: false, errors: [{ field: bad.column, reason: bad.reason }] };
          const rowWarnings: { column: string; reason: string }[] = [];
          const item = toItem(options.kind, row, mapping, attributeColumns, blanks, rowWarnings);
          warned.set(index, rowWarnings);
          return options.kind === 'contacts'
            ? prepareContactRow(item, index, now)
            : prepare(item, index, now);
        });
        const results: EventResult[] | (Prepared & { created?: boolean })[] = options.dryRun
          ? prepared
          : await capture.ingestPrepared(origin, prepared);
        for (const [index, result] of results.entries()) {
          const line = chunk[index]!.line;
          const status = 'status' in result ? result.status : result.ok ? 'accepted' : 'rejected';
          if (status === 'rejected') {
            report.rejected += 1;
            const errors = 'errors' in result ? (result.errors ?? []) : [];
            for (const error of errors) {
              if (report.errors.length < maxReportedErrors) {
                report.errors.push({
                  row: line,
                  column: columnOf(error.field.split('.')[0]!),
                  reason: error.reason,
                });
              }
            }
            continue;
          }
          report.valid += 1;
          for (const warning of warned.get(index) ?? [])
            if (report.warnings.length < maxReportedErrors) report.warnings.push({ row: line, ...warning });
          if (status === 'duplicate') report.duplicates += 1;
          if (status === 'accepted' && options.kind === 'events' && !options.dryRun) report.stored += 1;
          if ('created' in result && result.created) report.created += 1;
        }
        report.rows += chunk.length;
        options.onProgress?.(report.rows);
      };

      let chunk: { line: number; row: Record<string, string> }[] = [];
      try {
        for await (const { record, info } of parser as AsyncIterable<{
          record: Record<string, string>;
          info: { lines: number };
        }>) {
          chunk.push({ line: info.lines, row: record });
          if (chunk.length >= rowsPerChunk) {
            await flush(chunk);
            chunk = [];
          }
        }
        if (chunk.length > 0) await flush(chunk);
      } catch (error) {
        // Every error of the parser is the file's (a stray quote: INVALID_OPENING_QUOTE, not only CSV_*).
        if (error instanceof CsvError) {
          throw createError('http.validation_failed', `The file is not valid CSV: ${error.message}`, [
            { field: 'body', reason: error.message },
          ]);
        }
        throw error;
      }
      report.mapping = {
        ...mapping,
        ...Object.fromEntries(attributeColumns.map((column) => [column, `attributes.${column}`])),
      };
      report.unmappedColumns = unmapped;
      if (!options.dryRun)
        await insertEvent(db, {
          type: 'import.completed',
          occurredAt: clock.now(),
          actor: actorRef(who),
          subject: { type: 'import', id: newId() },
          payload: {
            kind: options.kind,
            rows: report.rows,
            stored: report.valid,
            rejected: report.rejected,
            encoding: report.encoding,
          },
        });
      return report;
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;
