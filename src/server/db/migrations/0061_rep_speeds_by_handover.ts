// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// A team's speed to lead from 0059's rows in handover order (issue 27, ADR 7). A team's handover is
// the earliest start and response over its members' rows of one lead and stay. Grouped from the
// key by rep, that took a sort of the period's rows: a year with a team of ten reps at full size,
// 1.4 s on SQLite. This index holds the rows by stay and lead with what the group reads, so the
// group streams from a range of it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await sql
    .raw(
      pg
        ? `create index rep_speeds_handover_idx on rep_speeds (stay_started_at, contact_id, user_id)
            include (started_ms, responded_ms)`
        : `create index rep_speeds_handover_idx on rep_speeds
            (stay_started_at, contact_id, user_id, started_ms, responded_ms)`,
    )
    .execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop index rep_speeds_handover_idx`.execute(db);
}
