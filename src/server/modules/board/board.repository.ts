import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/**
 * The open deals in a currency, summed per stage's probability by the database: how many, and the
 * amount of those expected to close in [closingFrom, closingTo) or, while the period runs, before
 * `overdueBefore` (today). Reads the deals' covering index by currency (migration 0051).
 */
export async function sumOpenDeals(
  db: Db,
  input: { currency: string; closingFrom: string; closingTo: string; overdueBefore: string | null },
): Promise<{ probability: number; deals: number; closingMinor: number }[]> {
  const closing = sql<boolean>`(o.expected_close_on >= ${input.closingFrom} and o.expected_close_on < ${input.closingTo}${
    input.overdueBefore === null ? sql`` : sql` or o.expected_close_on < ${input.overdueBefore}`
  })`;
  const rows = await db
    .selectFrom('opportunities as o')
    .innerJoin('opportunity_stages as s', 's.key', 'o.stage')
    .select([
      's.probability',
      sql<number | string>`count(*)`.as('deals'),
      sql<number | string>`sum(case when ${closing} then coalesce(o.amount_minor, 0) else 0 end)`.as(
        'closing',
      ),
    ])
    .where('o.status', '=', 'open')
    .where('o.currency', '=', input.currency)
    .groupBy('s.probability')
    .execute();
  return rows.map((r) => ({
    probability: Number(r.probability),
    deals: Number(r.deals),
    closingMinor: Number(r.closing),
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
