import { sql, type Insertable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { BonusPlansTable } from '../../db/tables.ts';

/** Revenue won (by close date) or pipeline created in [from, to), in one currency, per owner. */
export async function sumDealsByOwner(
  db: Db,
  input: { metric: 'bookings' | 'pipeline'; from: string; to: string; currency: string },
): Promise<{ ownerId: string | null; amount: number }[]> {
  let query = db
    .selectFrom('opportunities')
    .select(['owner_id', sql<number | string | null>`sum(amount_minor)`.as('amount')])
    .where('currency', '=', input.currency)
    .groupBy('owner_id');
  query =
    input.metric === 'bookings'
      ? query
          .where('status', '=', 'won')
          .where('closed_on', '>=', input.from.slice(0, 10))
          .where('closed_on', '<', input.to.slice(0, 10))
      : query.where('created_at', '>=', input.from).where('created_at', '<', input.to);
  const rows = await query.execute();
  return rows.map((r) => ({ ownerId: r.owner_id, amount: Number(r.amount ?? 0) }));
}

export async function findBonusPlans(db: Db, filter: { periodStart?: string }) {
  let query = db.selectFrom('bonus_plans').selectAll();
  if (filter.periodStart) query = query.where('period_start', '=', filter.periodStart);
  return query.orderBy('period_start', 'desc').execute();
}

export async function findBonusPlanById(db: Db, id: string) {
  return db.selectFrom('bonus_plans').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One bonus plan per period: a second put for the period replaces it. */
export async function upsertBonusPlan(db: Db, row: Insertable<BonusPlansTable>) {
  await db
    .insertInto('bonus_plans')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['period_kind', 'period_start']).doUpdateSet({
        name: row.name,
        metric: row.metric,
        plan_minor: row.plan_minor,
        currency: row.currency,
        pool_minor: row.pool_minor,
        marketing_share_pct: row.marketing_share_pct,
        curve: row.curve,
        participants: row.participants,
        updated_at: row.updated_at,
      }),
    )
    .execute();
  return db
    .selectFrom('bonus_plans')
    .selectAll()
    .where('period_kind', '=', row.period_kind)
    .where('period_start', '=', row.period_start)
    .executeTakeFirstOrThrow();
}

export async function deleteBonusPlanRow(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('bonus_plans').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
