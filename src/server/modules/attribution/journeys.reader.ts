/**
 * Reads aggregated journeys in the common export format
 * (`path;total_conversions;total_conversion_value;total_null`, channels joined by " > "), streamed,
 * with the same path on several rows added up. Rows that cannot be read are reported by row,
 * column and reason, and left out.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { journeySeparator, parsePath, type Journey } from '../../../domain/attribution/journeys.ts';
import { openCsv } from '../shared/csv-input.ts';
import { createError } from '../shared/errors.ts';

export interface JourneyRowError {
  row: number;
  column: string;
  reason: string;
}

export interface JourneyFile {
  journeys: Journey[];
  rows: number;
  errors: JourneyRowError[];
}

const maxReportedErrors = 100;
const columns = {
  path: ['path'],
  conversions: ['total_conversions', 'conversions'],
  value: ['total_conversion_value', 'conversion_value', 'value'],
  nulls: ['total_null', 'null', 'nulls'],
} as const;

export async function readJourneys(input: Readable): Promise<JourneyFile> {
  const { text: stream, delimiter } = await openCsv(input);
  const parser = stream.pipe(parse({ delimiter, bom: true, relax_column_count: true, trim: true }));
  const byPath = new Map<string, Journey>();
  const errors: JourneyRowError[] = [];
  let header: Record<keyof typeof columns, number> | null = null;
  let rows = 0;
  let line = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    line++;
    if (!header) {
      const names = record.map((c) => c.toLowerCase());
      const find = (key: keyof typeof columns) =>
        names.findIndex((n) => (columns[key] as readonly string[]).includes(n));
      header = {
        path: find('path'),
        conversions: find('conversions'),
        value: find('value'),
        nulls: find('nulls'),
      };
      if (header.path < 0 || header.conversions < 0)
        throw createError(
          'attribution.bad_journeys_file',
          'the first line must name the columns path and total_conversions (and may name total_conversion_value and total_null)',
        );
      continue;
    }
    rows++;
    const fail = (column: string, reason: string) => {
      if (errors.length < maxReportedErrors) errors.push({ row: line, column, reason });
    };
    const path = parsePath(record[header.path] ?? '');
    if (path.length === 0) {
      fail('path', 'is empty');
      continue;
    }
    const number = (index: number, column: string): number | null => {
      if (index < 0) return 0;
      const text = (record[index] ?? '').replace(',', '.');
      const value = text === '' ? 0 : Number(text);
      if (!Number.isFinite(value) || value < 0) {
        fail(column, 'must be a number, 0 or more');
        return null;
      }
      return value;
    };
    const conversions = number(header.conversions, 'total_conversions');
    const value = number(header.value, 'total_conversion_value');
    const nulls = number(header.nulls, 'total_null');
    if (conversions === null || value === null || nulls === null) continue;
    const key = path.join(journeySeparator);
    const known = byPath.get(key);
    if (known) {
      known.conversions += conversions;
      known.value += value;
      known.nulls += nulls;
    } else byPath.set(key, { path, conversions, value, nulls });
  }
  if (!header) throw createError('attribution.bad_journeys_file', 'the file is empty');
  return { journeys: [...byPath.values()], rows, errors };
}
