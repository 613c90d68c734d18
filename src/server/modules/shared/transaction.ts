import type { Db } from '../../db/database.ts';
import { uniqueViolation } from '../../db/dialect.ts';
import type { AppError } from './errors.ts';

/**
 * Runs `work` in one transaction. A unique-constraint violation (two writers racing for the same
 * email, name or domain) becomes the module's conflict error instead of a 500.
 */
export async function inTransaction<T>(
  db: Db,
  work: (trx: Db) => Promise<T>,
  onUniqueViolation: (detail: string) => AppError,
): Promise<T> {
  try {
    return await db.transaction().execute(work);
  } catch (error) {
    const violation = uniqueViolation(error);
    if (violation) throw onUniqueViolation(violation.detail);
    throw error;
  }
}
