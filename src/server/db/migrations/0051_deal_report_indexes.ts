// Frozen: a migration never changes once released and never imports live code.
import type { Kysely } from 'kysely';

// The board's reads of deals (issue 27) from covering indexes rather than the table:
// - the closed deals of a period in a currency (won and lost, their amounts and creation days):
//   the index by status and closing day, which they already take, now holds what they read; it
//   replaces the index on a prefix of its columns;
// - the open deals of a currency with their stage, amount and expected closing, and the main
//   currency (the most deals): an index by currency;
// - each account's first win: an index of won deals by account.
// Deals are written far less often than they are read, so two more indexes cost little.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('opportunities_closed_idx').execute();
  await db.schema
    .createIndex('opportunities_closed_idx')
    .on('opportunities')
    .columns(['status', 'closed_on', 'currency', 'amount_minor', 'created_at'])
    .execute();
  await db.schema
    .createIndex('opportunities_currency_idx')
    .on('opportunities')
    .columns(['currency', 'status', 'stage', 'amount_minor', 'expected_close_on'])
    .execute();
  await db.schema
    .createIndex('opportunities_won_accounts_idx')
    .on('opportunities')
    .columns(['status', 'account_id', 'closed_on'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('opportunities_won_accounts_idx').execute();
  await db.schema.dropIndex('opportunities_currency_idx').execute();
  await db.schema.dropIndex('opportunities_closed_idx').execute();
  await db.schema
    .createIndex('opportunities_closed_idx')
    .on('opportunities')
    .columns(['status', 'closed_on'])
    .execute();
}
