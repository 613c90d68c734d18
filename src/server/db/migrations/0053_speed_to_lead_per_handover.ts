// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Speed to lead per handover (issue 27, ADR 7), as the metric catalogue defines it: per lead, from
// its handover (the start of its first follow-up clock) to the first response that stopped a
// clock, counted in the period of the handover. Until now a report cut each lead's clocks at the
// period's edges: a lead reassigned across a month's end counted in both months, from a later
// clock's start in the second; a lead handed over twice in a month waited once.
//
// - `sla_instances.stay_started_at`: when the lead began its stay in the clock's stage, its
//   handover for an MQL's clocks. Every clock of one stay shares it (a reassignment keeps the
//   stay). Existing clocks take the lead's last entry into the clock's stage at or before the
//   clock's start, else the clock's own start.
// - `lead_speeds`: one row per lead and stay with first-response clocks, and its wait in
//   milliseconds (null: no response yet), so everyone's speed to lead reads a period's rows
//   instead of grouping every clock of it per lead. Triggers on sla_instances work a row out again
//   from its clocks whenever one of them is added, removed, answered or moved, in the writer's
//   own transaction, on both dialects: no writer can forget it, and the sweep's status updates do
//   not fire them.
// - A rep's and a team's speed still group their clocks per lead and stay, from a narrow partial
//   index of the first-response clocks by stay, which replaces the one by start (0044).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const columns = ['contact_id', 'target', 'stay_started_at', 'started_at', 'responded_at'];
const changed = columns.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? 'timestamptz' : 'text';
  const ms = (column: string) =>
    pg
      ? `(extract(epoch from ${column}) * 1000)::bigint`
      : `cast(unixepoch(${column}, 'subsec') * 1000 as integer)`;
  const wait = `case when min(${ms('responded_at')}) is null then null
    when min(${ms('responded_at')}) < min(${ms('started_at')}) then 0
    else min(${ms('responded_at')}) - min(${ms('started_at')}) end`;

  await db.schema.alterTable('sla_instances').addColumn('stay_started_at', time).execute();
  await sql`update sla_instances set stay_started_at = coalesce(
      (select max(s.occurred_at) from stage_changes s
        where s.contact_id = sla_instances.contact_id and s.to_stage = sla_instances.stage
          and s.occurred_at <= sla_instances.started_at),
      started_at)`.execute(db);

  // A period's rows side by side, with the wait beside the key (SQLite keeps the table in this
  // order; PostgreSQL's key index holds the wait too).
  await sql
    .raw(
      pg
        ? `create table lead_speeds (stay_started_at timestamptz not null, contact_id uuid not null, wait_ms bigint,
            constraint lead_speeds_pk primary key (stay_started_at, contact_id) include (wait_ms))`
        : `create table lead_speeds (stay_started_at text not null, contact_id text not null, wait_ms integer,
            constraint lead_speeds_pk primary key (stay_started_at, contact_id)) without rowid`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into lead_speeds (stay_started_at, contact_id, wait_ms)
       select stay_started_at, contact_id, ${wait} from sla_instances
       where target = 'first_response' group by stay_started_at, contact_id`,
    )
    .execute(db);

  /**
   * The row of the clock `r` ('new' or 'old') worked out again from its stay's clocks, found by the
   * lead (its few clocks), never by the stay instant: an import gives thousands of leads one stay,
   * and a search by it would read all of their clocks for each write. SQLite is kept off the index
   * by stay with `+`; PostgreSQL by a fence around the lead's clocks (`offset 0`), as it has no `+`
   * for an instant.
   */
  const keep = (r: string) => {
    const clocks = pg
      ? `(select * from sla_instances where contact_id = ${r}.contact_id offset 0) i
         where i.stay_started_at = ${r}.stay_started_at`
      : `sla_instances where contact_id = ${r}.contact_id and +stay_started_at = ${r}.stay_started_at`;
    return `delete from lead_speeds where stay_started_at = ${r}.stay_started_at and contact_id = ${r}.contact_id;
     insert into lead_speeds (stay_started_at, contact_id, wait_ms)
       select stay_started_at, contact_id, ${wait} from ${clocks} and target = 'first_response'
       group by stay_started_at, contact_id;`;
  };
  const mine = (r: string) => `${r}.target = 'first_response'`;
  if (pg) {
    await sql
      .raw(
        `create function lead_speeds_keep() returns trigger language plpgsql as $$
        begin
          if tg_op in ('UPDATE', 'DELETE') and ${mine('old')} then ${keep('old')} end if;
          if tg_op in ('INSERT', 'UPDATE') and ${mine('new')} then ${keep('new')} end if;
          return null;
        end $$`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger lead_speeds_on_insert after insert on sla_instances
        for each row when (${mine('new')}) execute function lead_speeds_keep()`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger lead_speeds_on_update after update of ${columns.join(', ')} on sla_instances
        for each row when ((${mine('old')} or ${mine('new')}) and (${changed})) execute function lead_speeds_keep()`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger lead_speeds_on_delete after delete on sla_instances
        for each row when (${mine('old')}) execute function lead_speeds_keep()`,
      )
      .execute(db);
  } else {
    await sql
      .raw(
        `create trigger lead_speeds_on_insert after insert on sla_instances
        when ${mine('new')} begin ${keep('new')} end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger lead_speeds_on_update after update of ${columns.join(', ')} on sla_instances
        when (${mine('old')} or ${mine('new')}) and (${changed}) begin ${keep('old')} ${keep('new')} end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger lead_speeds_on_delete after delete on sla_instances
        when ${mine('old')} begin ${keep('old')} end`,
      )
      .execute(db);
  }

  await db.schema.dropIndex('sla_instances_first_response_idx').execute();
  await db.schema
    .createIndex('sla_instances_stay_speed_idx')
    .on('sla_instances')
    .columns(['stay_started_at', 'user_id', 'contact_id', 'started_at', 'responded_at'])
    .where(sql<boolean>`target = 'first_response'`)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.dropIndex('sla_instances_stay_speed_idx').execute();
  await db.schema
    .createIndex('sla_instances_first_response_idx')
    .on('sla_instances')
    .columns(['started_at', 'user_id', 'contact_id', 'responded_at'])
    .where(sql<boolean>`target = 'first_response'`)
    .execute();
  for (const name of ['lead_speeds_on_insert', 'lead_speeds_on_update', 'lead_speeds_on_delete'])
    await sql.raw(pg ? `drop trigger ${name} on sla_instances` : `drop trigger ${name}`).execute(db);
  if (pg) await sql`drop function lead_speeds_keep()`.execute(db);
  await db.schema.dropTable('lead_speeds').execute();
  await db.schema.alterTable('sla_instances').dropColumn('stay_started_at').execute();
}
