// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Each rep's speed to lead counted per day (issue 27, ADR 7). With 0059 a rep's median and P90 are
// a few ordered reads, but the counts beside them (handovers, answered, how many waited at most
// each bound) still read every kept row of the period: 986k for a year at full size, 210 ms on
// SQLite. Counts add up over days, so they are kept per day as 0044 keeps the clocks'.
//
// - `rep_speed_days`: per rep, day of the handover (UTC) and band of the wait, how many rows of
//   rep_speeds. The bands are the metric catalogue's bounds of speed to lead at this migration:
//   0 (at most 5 minutes), 1 (15), 2 (60), 3 (240), 4 (1,440), 5 (longer) and -1 (no response yet).
//   A change of those bounds needs a migration that fills the table again; until then the reader
//   counts the rows (the repository holds the bounds and a test holds them equal).
// - Triggers on rep_speeds add and take away one, in the writer's transaction. 0059's triggers
//   only ever delete and insert rep_speeds' rows, never update them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const key = ['user_id', 'day', 'band'] as const;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await sql
    .raw(
      `create table rep_speed_days (user_id ${pg ? 'uuid' : 'text'} not null, day text not null,
        band integer not null, handovers integer not null,
        constraint rep_speed_days_pk primary key (user_id, day, band))${pg ? '' : ' without rowid'}`,
    )
    .execute(db);

  /** The key of the rep_speeds row `r` ('new' or 'old'), as SQL values in key order. */
  const values = (r: string) =>
    `${r}.user_id, ${
      pg
        ? `to_char(${r}.stay_started_at at time zone 'UTC', 'YYYY-MM-DD')`
        : `substr(${r}.stay_started_at, 1, 10)`
    }, case when ${r}.wait_ms is null then -1 when ${r}.wait_ms <= 300000 then 0
      when ${r}.wait_ms <= 900000 then 1 when ${r}.wait_ms <= 3600000 then 2
      when ${r}.wait_ms <= 14400000 then 3 when ${r}.wait_ms <= 86400000 then 4 else 5 end`;
  const add = (r: string) =>
    `insert into rep_speed_days (${key.join(', ')}, handovers) values (${values(r)}, 1)
       on conflict (${key.join(', ')}) do update set handovers = rep_speed_days.handovers + 1;`;
  const remove = (r: string) =>
    `update rep_speed_days set handovers = handovers - 1 where (${key.join(', ')}) = (${values(r)});`;

  await sql
    .raw(
      `insert into rep_speed_days (${key.join(', ')}, handovers)
       select ${values('r')}, count(*) from rep_speeds r group by 1, 2, 3`,
    )
    .execute(db);

  if (pg) {
    await sql
      .raw(
        `create function rep_speed_days_keep() returns trigger language plpgsql as $$
        begin
          if tg_op = 'DELETE' then ${remove('old')} end if;
          if tg_op = 'INSERT' then ${add('new')} end if;
          return null;
        end $$`,
      )
      .execute(db);
    await sql`create trigger rep_speed_days_on_insert after insert on rep_speeds
      for each row execute function rep_speed_days_keep()`.execute(db);
    await sql`create trigger rep_speed_days_on_delete after delete on rep_speeds
      for each row execute function rep_speed_days_keep()`.execute(db);
  } else {
    await sql
      .raw(`create trigger rep_speed_days_on_insert after insert on rep_speeds begin ${add('new')} end`)
      .execute(db);
    await sql
      .raw(`create trigger rep_speed_days_on_delete after delete on rep_speeds begin ${remove('old')} end`)
      .execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const name of ['rep_speed_days_on_insert', 'rep_speed_days_on_delete'])
    await sql.raw(pg ? `drop trigger ${name} on rep_speeds` : `drop trigger ${name}`).execute(db);
  if (pg) await sql`drop function rep_speed_days_keep()`.execute(db);
  await db.schema.dropTable('rep_speed_days').execute();
}
