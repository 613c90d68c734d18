// Frozen: a migration never changes once released and never imports live code.
import type { Kysely } from 'kysely';

// The people of an account, indexed only where there is an account. When most people have none,
// the full index tells SQLite's planner (after ANALYZE) that one value holds nearly every row, and
// it scanned every person for each deal when attribution linked a deal to its account's people:
// 89 s for a year of 10,000 deals over 100,000 people. The partial index holds the real spread,
// and `account_id = …` implies `account_id is not null`, so both stores still use it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('contacts_account_id_idx').execute();
  await db.schema
    .createIndex('contacts_account_id_idx')
    .on('contacts')
    .column('account_id')
    .where('account_id', 'is not', null)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('contacts_account_id_idx').execute();
  await db.schema.createIndex('contacts_account_id_idx').on('contacts').column('account_id').execute();
}
