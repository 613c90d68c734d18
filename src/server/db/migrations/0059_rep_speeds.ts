// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Speed to lead per rep and handover (issue 27, ADR 7). 0053 keeps each handover's wait for
// everyone's figures, but each rep's and each team's median and P90 still grouped the period's
// first-response clocks per rep and handover, then ranked them: with 2M clocks, 3.2 s of a year's
// SLA report on SQLite and 4.4 s on PostgreSQL.
//
// - `rep_speeds`: one row per rep, lead and stay with first-response clocks of that rep: the
//   earliest start and the earliest response among them (epoch ms) and the rep's wait (null: no
//   response yet). A rep's figures read their rows; a team's handover is the earliest start and
//   response over its members' rows. Triggers on sla_instances work a row out again from the
//   lead's clocks whenever one of them is added, removed, answered, moved or handed to another rep
//   (a rep's deletion sets the clocks' rep to null), in the writer's transaction, as 0053's do.
// - `rep_speeds_wait_idx` (rep, wait, stay) and `lead_speeds_wait_idx` (wait, stay): the waits in
//   order with their stay, so a median is the k-th of a period read in order (`limit 1 offset`),
//   not a sort of the period's waits. SQLite accepts no correlated offset, and a window over a
//   year's million rows sorted them all.
// - 0053's covering index of first-response clocks by stay served the groups per rep and team,
//   and nothing reads it now: it goes, and a clock's insert writes one index fewer.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const columns = ['contact_id', 'user_id', 'target', 'stay_started_at', 'started_at', 'responded_at'];
const changed = columns.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const ms = (column: string) =>
    pg
      ? `(extract(epoch from ${column}) * 1000)::bigint`
      : `cast(unixepoch(${column}, 'subsec') * 1000 as integer)`;
  const row = `user_id, stay_started_at, contact_id, min(${ms('started_at')}), min(${ms('responded_at')}),
    case when min(${ms('responded_at')}) is null then null
      when min(${ms('responded_at')}) < min(${ms('started_at')}) then 0
      else min(${ms('responded_at')}) - min(${ms('started_at')}) end`;
  const into =
    'insert into rep_speeds (user_id, stay_started_at, contact_id, started_ms, responded_ms, wait_ms)';

  // A rep's period side by side (SQLite keeps the table in key order; PostgreSQL's key index
  // holds the rest too).
  await sql
    .raw(
      pg
        ? `create table rep_speeds (user_id uuid not null, stay_started_at timestamptz not null,
            contact_id uuid not null, started_ms bigint not null, responded_ms bigint, wait_ms bigint,
            constraint rep_speeds_pk primary key (user_id, stay_started_at, contact_id)
              include (started_ms, responded_ms, wait_ms))`
        : `create table rep_speeds (user_id text not null, stay_started_at text not null,
            contact_id text not null, started_ms integer not null, responded_ms integer, wait_ms integer,
            constraint rep_speeds_pk primary key (user_id, stay_started_at, contact_id)) without rowid`,
    )
    .execute(db);
  await sql
    .raw(
      `${into} select ${row} from sla_instances
       where target = 'first_response' and user_id is not null
       group by user_id, stay_started_at, contact_id`,
    )
    .execute(db);

  /**
   * The row of the clock `r` ('new' or 'old') worked out again from the lead's clocks of that rep
   * and stay, found by the lead (its few clocks), as 0053's triggers do. Working out a row again
   * is right whatever the clock was, so SQLite's update trigger does it for both sides, as 0053's.
   */
  const keep = (r: string) => {
    const clocks = pg
      ? `(select * from sla_instances where contact_id = ${r}.contact_id offset 0) i
         where i.user_id = ${r}.user_id and i.stay_started_at = ${r}.stay_started_at`
      : `sla_instances where contact_id = ${r}.contact_id and +user_id = ${r}.user_id
           and +stay_started_at = ${r}.stay_started_at`;
    return `delete from rep_speeds where user_id = ${r}.user_id and stay_started_at = ${r}.stay_started_at
       and contact_id = ${r}.contact_id;
     ${into} select ${row} from ${clocks} and target = 'first_response'
       group by user_id, stay_started_at, contact_id;`;
  };
  const mine = (r: string) => `(${r}.target = 'first_response' and ${r}.user_id is not null)`;
  if (pg) {
    await sql
      .raw(
        `create function rep_speeds_keep() returns trigger language plpgsql as $$
        begin
          if tg_op in ('UPDATE', 'DELETE') and ${mine('old')} then ${keep('old')} end if;
          if tg_op in ('INSERT', 'UPDATE') and ${mine('new')} then ${keep('new')} end if;
          return null;
        end $$`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger rep_speeds_on_insert after insert on sla_instances
        for each row when (${mine('new')}) execute function rep_speeds_keep()`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger rep_speeds_on_update after update of ${columns.join(', ')} on sla_instances
        for each row when ((${mine('old')} or ${mine('new')}) and (${changed})) execute function rep_speeds_keep()`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger rep_speeds_on_delete after delete on sla_instances
        for each row when (${mine('old')}) execute function rep_speeds_keep()`,
      )
      .execute(db);
  } else {
    await sql
      .raw(
        `create trigger rep_speeds_on_insert after insert on sla_instances
        when ${mine('new')} begin ${keep('new')} end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger rep_speeds_on_update after update of ${columns.join(', ')} on sla_instances
        when (${mine('old')} or ${mine('new')}) and (${changed})
        begin ${keep('old')} ${keep('new')} end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger rep_speeds_on_delete after delete on sla_instances
        when ${mine('old')} begin ${keep('old')} end`,
      )
      .execute(db);
  }

  await sql
    .raw(
      `create index rep_speeds_wait_idx on rep_speeds (user_id, wait_ms, stay_started_at) where wait_ms is not null`,
    )
    .execute(db);
  await sql
    .raw(
      `create index lead_speeds_wait_idx on lead_speeds (wait_ms, stay_started_at) where wait_ms is not null`,
    )
    .execute(db);
  await sql`drop index sla_instances_stay_speed_idx`.execute(db);
  if (pg) await sql`analyze rep_speeds`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await sql`create index sla_instances_stay_speed_idx on sla_instances
    (stay_started_at, user_id, contact_id, started_at, responded_at) where target = 'first_response'`.execute(
    db,
  );
  await sql`drop index lead_speeds_wait_idx`.execute(db);
  for (const name of ['rep_speeds_on_insert', 'rep_speeds_on_update', 'rep_speeds_on_delete'])
    await sql.raw(pg ? `drop trigger ${name} on sla_instances` : `drop trigger ${name}`).execute(db);
  if (pg) await sql`drop function rep_speeds_keep()`.execute(db);
  await db.schema.dropTable('rep_speeds').execute();
}
