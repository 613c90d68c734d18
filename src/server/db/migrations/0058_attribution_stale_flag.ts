// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// PostgreSQL's check for stale attribution credit (issue 27). Every attribution report first asks
// which of its period's kept credits are older than their deal's facts: `credited_changes is null
// or credited_changes <> changes`. PostgreSQL cannot tell how selective that is and estimated half
// of the 100k kept credits stale (there were none), so it passed over 0046's partial index made for
// it and read the whole table: 43–102 ms of each report at full size. An expression statistic on
// the predicate did not change the estimate.
//
// A stored generated column holds the same predicate, so ANALYZE counts it like any column, and a
// partial index on it replaces 0046's on PostgreSQL. SQLite plans by the index it has and reads
// no statistics of columns: it keeps 0046's index and the expression.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`alter table attribution_live_credits add column is_stale boolean not null
    generated always as (credited_changes is null or credited_changes <> changes) stored`.execute(db);
  await sql`create index attribution_live_credits_is_stale_idx on attribution_live_credits (opportunity_id)
    where is_stale`.execute(db);
  await sql`drop index attribution_live_credits_stale_idx`.execute(db);
  await sql`analyze attribution_live_credits`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`create index attribution_live_credits_stale_idx on attribution_live_credits (opportunity_id)
    where credited_changes is null or credited_changes <> changes`.execute(db);
  await sql`drop index attribution_live_credits_is_stale_idx`.execute(db);
  await sql`alter table attribution_live_credits drop column is_stale`.execute(db);
}
