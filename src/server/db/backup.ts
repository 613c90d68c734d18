import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { migrations } from './migrations/index.ts';

/** A backup that cannot be taken or restored, with the reason in words an operator can act on. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupReport {
  file: string;
  bytes: number;
  /** The newest migration the copy has: the schema version it restores to. */
  schema: string;
  /** `PRAGMA integrity_check` on the copy. */
  integrity: 'ok';
}

const known = Object.keys(migrations);
const sidecars = (path: string) => [`${path}-wal`, `${path}-shm`, `${path}-journal`];

/**
 * Checks a SQLite file as a backup of this Baton: it opens, passes `PRAGMA integrity_check`, and
 * its schema is one this version knows (a copy from a newer Baton would be downgraded by nobody).
 */
export function checkBackup(file: string): BackupReport {
  if (!existsSync(file)) throw new BackupError(`${file}: no such file`);
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${file}: not a SQLite database (${(error as Error).message})`);
  }
  try {
    let problems: string[];
    try {
      problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map(
        (r) => r.integrity_check,
      );
    } catch (error) {
      throw new BackupError(`${file}: not a SQLite database (${(error as Error).message})`);
    }
    if (problems.length !== 1 || problems[0] !== 'ok')
      throw new BackupError(`${file}: integrity check failed: ${problems.slice(0, 5).join('; ')}`);
    const hasTable = db
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'schema_migrations'")
      .get();
    if (!hasTable) throw new BackupError(`${file}: not a Baton store (no schema_migrations table)`);
    const applied = (
      db.prepare('select name from schema_migrations order by name').all() as { name: string }[]
    ).map((r) => r.name);
    const unknown = applied.filter((name) => !known.includes(name));
    if (unknown.length > 0)
      throw new BackupError(
        `${file} comes from a newer Baton: its schema is at ${unknown.at(-1)}, and this Baton knows up to ` +
          `${known.at(-1)}. Upgrade Baton, then restore.`,
      );
    return { file, bytes: statSync(file).size, schema: applied.at(-1) ?? '(empty)', integrity: 'ok' };
  } finally {
    db.close();
  }
}

/**
 * Copies a live SQLite store to `target` with SQLite's online backup, while Baton keeps running:
 * the pages are copied in one step under one read transaction, so the copy is the store as of one
 * moment (every transaction committed before it began, none half) and writers are not held up (WAL).
 * The copy is written beside the target and renamed into place once it checks out, so a failed
 * backup never leaves a half file under the target's name.
 */
export async function backupSqlite(source: string, target: string): Promise<BackupReport> {
  if (!existsSync(source)) throw new BackupError(`${source}: no store to back up`);
  if (resolve(source) === resolve(target)) throw new BackupError('FILE: must not be the store itself');
  if (!existsSync(dirname(resolve(target))))
    throw new BackupError(`FILE: the folder ${dirname(resolve(target))} does not exist`);
  const partial = `${target}.partial`;
  for (const path of [partial, ...sidecars(partial)]) rmSync(path, { force: true });
  const db = new SQLite(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // The first step learns the size; then everything in one step, so no writer can restart it.
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (error) {
    rmSync(partial, { force: true });
    throw new BackupError(`the backup failed: ${(error as Error).message}`);
  } finally {
    db.close();
  }
  try {
    checkBackup(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, target);
  return checkBackup(target);
}

/**
 * Replaces the store at `target` with a backup, after checking the backup (integrity and schema
 * version). Baton must not be running on the store. The store it replaces is kept beside it as
 * `<target>.before-restore-<time>`, so a restore can itself be undone. A backup with an older
 * schema is brought up to date by the next start (migrations run then).
 */
export async function restoreSqlite(
  backup: string,
  target: string,
  now: Date,
): Promise<BackupReport & { replaced: string | null }> {
  const report = checkBackup(backup);
  if (resolve(backup) === resolve(target)) throw new BackupError('FILE: is the store itself');
  const partial = `${target}.restoring`;
  for (const path of [partial, ...sidecars(partial)]) rmSync(path, { force: true });
  const from = new SQLite(backup, { readonly: true, fileMustExist: true });
  try {
    await from.backup(partial, { progress: () => 0x7fffffff });
  } finally {
    from.close();
  }
  let replaced: string | null = null;
  if (existsSync(target)) {
    // Fold the old store's write-ahead log into it, so the file kept aside is whole on its own.
    const old = new SQLite(target, { fileMustExist: true });
    try {
      old.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      old.close();
    }
    replaced = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, replaced);
  }
  for (const path of sidecars(target)) rmSync(path, { force: true });
  renameSync(partial, target);
  return { ...report, file: target, replaced };
}
