import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/** Open deals in a currency with their stage’s probability (0–1) and expected close. */
export async function findOpenDeals(db: Db, currency: string) {
  const rows = await db
    .selectFrom('opportunities as o')
    .innerJoin('opportunity_stages as s', 's.key', 'o.stage')
    .select(['o.amount_minor', 'o.expected_close_on', 's.probability'])
    .where('o.status', '=', 'open')
    .where('o.currency', '=', currency)
    .execute();
  return rows.map((r) => ({
    amount: Number(r.amount_minor ?? 0),
    expectedCloseOn: r.expected_close_on,
    probability: Number(r.probability),
  }));
}

/** The currency most deals are in, for a board that names none. */
export async function findMainCurrency(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('opportunities')
    .select(['currency', sql<number | string>`count(*)`.as('n')])
    .groupBy('currency')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('currency')
    .limit(1)
    .executeTakeFirst();
  return row?.currency ?? null;
}

/** Each account's first won deal ever (any currency): the close date that made it a customer. */
export async function findFirstWinsByAccount(db: Db): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('opportunities')
    .select(['account_id', (eb) => eb.fn.min('closed_on').as('first_won_on')])
    .where('status', '=', 'won')
    .where('account_id', 'is not', null)
    .where('closed_on', 'is not', null)
    .groupBy('account_id')
    .execute();
  return new Map(
    rows
      .filter(
        (r): r is { account_id: string; first_won_on: string } =>
          r.account_id !== null && r.first_won_on !== null,
      )
      .map((r) => [r.account_id, r.first_won_on]),
  );
}
