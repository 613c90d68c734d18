import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';

export async function findDefaultPeriod(db: Db): Promise<string> {
  const row = await db
    .selectFrom('reporting_settings')
    .select('default_period')
    .where('id', '=', 1)
    .executeTakeFirst();
  return row?.default_period ?? 'this_quarter';
}

export async function updateDefaultPeriod(db: Db, period: string, at: Date): Promise<void> {
  await db
    .updateTable('reporting_settings')
    .set({ default_period: period, updated_at: toDbTime(at) })
    .where('id', '=', 1)
    .execute();
}
