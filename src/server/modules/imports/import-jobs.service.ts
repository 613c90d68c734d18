/**
 * Imports from the browser, in the background: the uploaded CSV is written to a file, a job row
 * records the run, and the importers of capture (contacts, events) and of a CRM's records (users,
 * accounts, opportunities) read it from there, so closing the tab stops nothing. The job counts how
 * far it has read (the progress bar) and keeps the report. Both importers store nothing twice, so
 * running a file again, after a failure or a restart, is safe.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Selectable } from 'kysely';
import {
  ImportJobReport as ImportJobReportSchema,
  type ImportJob,
  type ImportJobQuery,
  type ImportJobReport,
  type importJobKinds,
} from '../../../contract/imports.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import { readJson } from '../../db/json-column.ts';
import type { ImportJobsTable } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import type { ImportService } from '../capture/import.service.ts';
import type { RecordsImportService } from '../opportunities/records-import.service.ts';
import { authorize } from '../shared/access.ts';
import { writeCsv } from '../shared/csv.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { AppError, createError } from '../shared/errors.ts';
import {
  failRunningImportJobs,
  findImportJobById,
  findImportJobs,
  insertImportJob,
  updateImportJob,
} from './import-jobs.repository.ts';

type Kind = (typeof importJobKinds)[number];

/** How often a running job writes its progress. */
const progressEveryMs = 500;
const interrupted =
  'Baton stopped during this import. Run it again: rows already stored are not stored twice.';

const actionOf = (kind: Kind) =>
  kind === 'contacts' || kind === 'events'
    ? 'events.write'
    : kind === 'opportunities'
      ? 'opportunities.write'
      : 'users.write';

function present(row: Selectable<ImportJobsTable>): ImportJob {
  return {
    id: row.id,
    kind: row.kind as Kind,
    status: row.status,
    dryRun: fromDbBool(row.is_dry_run),
    fileName: row.file_name,
    fileBytes: Number(row.file_bytes),
    bytesRead: Number(row.bytes_read),
    rowsRead: row.rows_read,
    report: row.report === null ? null : readJson(ImportJobReportSchema, row.report, 'import_jobs.report'),
    error: row.error,
    createdBy: row.created_by,
    createdAt: fromDbTime(row.created_at).toISOString(),
    finishedAt: row.finished_at === null ? null : fromDbTime(row.finished_at).toISOString(),
  };
}

/** Counts the bytes that pass, for the progress. */
function counter(onBytes: (bytes: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      onBytes(total);
      done(null, chunk);
    },
  });
}

export function createImportJobsService(
  deps: ServiceDeps,
  importers: { imports: ImportService; records: RecordsImportService },
  options: { directory?: string } = {},
) {
  const { db, clock } = deps;
  const directory = options.directory ?? join(tmpdir(), 'baton-imports');
  const fileOf = (id: string) => join(directory, `${id}.csv`);
  // One run at a time per process: imports are heavy writers, and one after another is the fairest.
  let queue: Promise<void> = Promise.resolve();

  async function run(id: string, actor: Actor, kind: Kind, query: ImportJobQuery): Promise<void> {
    let bytes = 0;
    let rows = 0;
    let written = 0;
    const progress = async (force = false) => {
      const now = performance.now();
      if (!force && now - written < progressEveryMs) return;
      written = now;
      await updateImportJob(db, id, {
        bytes_read: bytes,
        rows_read: rows,
        updated_at: toDbTime(clock.now()),
      });
    };
    const input: Readable = createReadStream(fileOf(id)).pipe(
      counter((total) => {
        bytes = total;
      }),
    );
    const onProgress = (read: number) => {
      rows = read;
      void progress().catch(() => undefined);
    };
    const overrides = Object.fromEntries((query.map ?? []).map((m) => m.split('=', 2) as [string, string]));
    let report: ImportJobReport;
    try {
      await updateImportJob(db, id, { started_at: toDbTime(clock.now()), updated_at: toDbTime(clock.now()) });
      if (kind === 'contacts' || kind === 'events') {
        const r = await importers.imports.importCsv(actor, input, {
          kind,
          overrides,
          dryRun: query.dryRun ?? false,
          ...(query.delimiter && { delimiter: query.delimiter }),
          keepUnmapped: query.attributes ?? false,
          blanks: query.blank ?? [],
          onProgress,
        });
        report = {
          rows: r.rows,
          valid: r.valid,
          created: r.created,
          updated: kind === 'contacts' && !r.dryRun ? r.valid - r.created : 0,
          stored: r.stored,
          duplicates: r.duplicates,
          rejected: r.rejected,
          mapping: r.mapping,
          unmappedColumns: r.unmappedColumns,
          encoding: r.encoding,
          errors: r.errors,
          warnings: r.warnings,
        };
      } else {
        const r = await importers.records.importCsv(actor, input, {
          kind,
          overrides,
          dryRun: query.dryRun ?? false,
          ...(query.emailDomain && { emailDomain: query.emailDomain }),
          ...(query.currency && { currency: query.currency }),
          onProgress,
        });
        report = {
          rows: r.rows,
          valid: r.rows - r.rejected,
          created: r.created,
          updated: r.updated,
          stored: 0,
          duplicates: 0,
          rejected: r.rejected,
          mapping: r.mapping,
          unmappedColumns: r.unmappedColumns,
          encoding: r.encoding,
          errors: r.errors.map((e) => ({ ...e, column: e.column ?? '' })),
          warnings: [],
        };
      }
      const now = toDbTime(clock.now());
      await updateImportJob(db, id, {
        status: 'done',
        bytes_read: bytes,
        rows_read: report.rows,
        report: JSON.stringify(report),
        finished_at: now,
        updated_at: now,
      });
    } catch (error) {
      // The file's own problems (no column to map, not CSV) are the user's to read; others are not.
      const reason =
        error instanceof AppError
          ? error.fieldErrors?.map((e) => e.reason).join('; ') || error.message
          : 'The import stopped on an error of Baton; it is in the server log.';
      const now = toDbTime(clock.now());
      await updateImportJob(db, id, { status: 'failed', error: reason, finished_at: now, updated_at: now });
      if (!(error instanceof AppError)) throw error;
    } finally {
      input.destroy();
      await rm(fileOf(id), { force: true });
    }
  }

  // Anyone who may import something sees their own imports; an admin sees everyone's.
  async function get(actor: Actor | null, id: string): Promise<ImportJob> {
    const who = authorize(actor, 'me.read');
    const row = await findImportJobById(db, id);
    if (!row || (who.kind === 'user' && who.role !== 'admin' && row.created_by !== who.userId))
      throw createError('imports.job_not_found');
    return present(row);
  }

  return {
    /**
     * Takes an uploaded CSV: writes it to a file, records the job and starts it in the background.
     * The caller's rights are checked now, as the run will act as them.
     */
    async start(actor: Actor | null, kind: Kind, body: Readable, query: ImportJobQuery): Promise<ImportJob> {
      const who = authorize(actor, actionOf(kind));
      const id = newId();
      await mkdir(directory, { recursive: true });
      await pipeline(body, createWriteStream(fileOf(id)));
      const size = (await stat(fileOf(id))).size;
      if (size === 0) {
        await rm(fileOf(id), { force: true });
        throw createError('http.validation_failed', 'The file is empty', [
          { field: 'body', reason: 'is empty' },
        ]);
      }
      const now = toDbTime(clock.now());
      await insertImportJob(db, {
        id,
        kind,
        status: 'running',
        is_dry_run: query.dryRun ?? false,
        file_name: query.fileName ?? `${kind}.csv`,
        file_bytes: size,
        bytes_read: 0,
        rows_read: 0,
        options: JSON.stringify(query),
        report: null,
        error: null,
        created_by: who.kind === 'user' ? who.userId : null,
        created_at: now,
        started_at: null,
        finished_at: null,
        updated_at: now,
      });
      queue = queue.then(() => run(id, who, kind, query)).catch(() => undefined);
      return present((await findImportJobById(db, id))!);
    },

    /** The newest 50 imports: an admin's view holds everyone's, anyone else's their own. */
    async list(actor: Actor | null): Promise<ImportJob[]> {
      const who = authorize(actor, 'me.read');
      const mine = who.kind === 'user' && who.role !== 'admin' ? who.userId : null;
      return (await findImportJobs(db, mine, 50)).map(present);
    },

    get,

    /** The rows a run refused, and the values it kept otherwise, as CSV (formulas neutralised). */
    async errorsCsv(actor: Actor | null, id: string): Promise<string> {
      const job = await get(actor, id);
      const report = job.report;
      const rows = [
        ...(report?.errors ?? []).map((e) => [e.row, e.column, 'refused', e.reason] as const),
        ...(report?.warnings ?? []).map((w) => [w.row, w.column, 'kept otherwise', w.reason] as const),
      ].sort((a, b) => a[0] - b[0]);
      return writeCsv(rows, ['row', 'column', 'what', 'reason']);
    },

    /** At start: a job that was running when Baton stopped will not finish; it says so. */
    async failInterrupted(): Promise<void> {
      await failRunningImportJobs(db, interrupted, toDbTime(clock.now()));
    },

    /** Waits for the runs started so far (tests, shutdown). */
    settled: (): Promise<void> => queue,
  };
}

export type ImportJobsService = ReturnType<typeof createImportJobsService>;
