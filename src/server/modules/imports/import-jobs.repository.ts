import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { ImportJobsTable } from '../../db/tables.ts';

export const insertImportJob = (db: Db, row: Insertable<ImportJobsTable>) =>
  db.insertInto('import_jobs').values(row).execute();

export const updateImportJob = (db: Db, id: string, values: Updateable<ImportJobsTable>) =>
  db.updateTable('import_jobs').set(values).where('id', '=', id).execute();

export const findImportJobById = (db: Db, id: string) =>
  db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst();

/** The newest jobs, of one person or of everyone. */
export const findImportJobs = (db: Db, createdBy: string | null, limit: number) =>
  db
    .selectFrom('import_jobs')
    .selectAll()
    .$if(createdBy !== null, (q) => q.where('created_by', '=', createdBy))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();

/** Jobs that were running when Baton stopped: failed, with the reason. */
export const failRunningImportJobs = (db: Db, error: string, at: string) =>
  db
    .updateTable('import_jobs')
    .set({ status: 'failed', error, finished_at: at, updated_at: at })
    .where('status', '=', 'running')
    .execute();
