// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// A month's MQL and SQL entrants per campaign on PostgreSQL (issue 27). The index of 0055 is
// ordered by stage and campaign; PostgreSQL cannot skip through it to each group's days, so a
// month's count read the whole table (a parallel scan of 266k entries: 40–120 ms at full size).
// This index holds the entries by day with every column the count reads: a month is a range of it,
// and the planner, which knows how many rows a range holds, takes it for short periods.
// SQLite has no such statistics of ranges: with both indexes it took this one for a year too and
// sorted the year's entries, so on SQLite the report keeps reading 0055's index alone.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await db.schema
    .createIndex('campaign_stage_entries_period_idx')
    .on('campaign_stage_entries')
    .columns(['occurred_at', 'stage', 'campaign', 'previous_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await db.schema.dropIndex('campaign_stage_entries_period_idx').execute();
}
