// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Speed to lead per team and handover (issue 27, ADR 7), kept as each rep's is (0059, 0060). A
// team's handover waits from the earliest start to the earliest response over its members' rows of
// rep_speeds for that lead and stay; grouped on each request, a year with a team of ten took
// 443–466 ms on SQLite at full size (0061), most of the report.
//
// - `team_speeds`: one row per team, lead and stay that a member has a row of rep_speeds for, with
//   the earliest start and response over the members' rows and the wait. Triggers work the team
//   rows of a handover out again when a member's row of it is added or removed (0059's triggers
//   only delete and insert), and all of a rep's handovers for a team when the rep joins or leaves
//   it (a team's or a user's deletion removes memberships, which fires the same).
// - `team_speeds_wait_idx` (team, wait, stay): the k-th wait of a period in order, as a rep's.
// - `team_speed_days`: per team, day (UTC) and band of the wait, how many rows: 0060's bands.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const wait = `case when min(s.responded_ms) is null then null
  when min(s.responded_ms) < min(s.started_ms) then 0 else min(s.responded_ms) - min(s.started_ms) end`;
const into =
  'insert into team_speeds (team_id, stay_started_at, contact_id, started_ms, responded_ms, wait_ms)';
const row = `m.team_id, s.stay_started_at, s.contact_id, min(s.started_ms), min(s.responded_ms), ${wait}`;
const dayKey = ['team_id', 'day', 'band'] as const;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await sql
    .raw(
      pg
        ? `create table team_speeds (team_id uuid not null, stay_started_at timestamptz not null,
            contact_id uuid not null, started_ms bigint not null, responded_ms bigint, wait_ms bigint,
            constraint team_speeds_pk primary key (team_id, stay_started_at, contact_id)
              include (started_ms, responded_ms, wait_ms))`
        : `create table team_speeds (team_id text not null, stay_started_at text not null,
            contact_id text not null, started_ms integer not null, responded_ms integer, wait_ms integer,
            constraint team_speeds_pk primary key (team_id, stay_started_at, contact_id)) without rowid`,
    )
    .execute(db);
  await sql
    .raw(
      `create index team_speeds_wait_idx on team_speeds (team_id, wait_ms, stay_started_at) where wait_ms is not null`,
    )
    .execute(db);
  await sql
    .raw(
      `create table team_speed_days (team_id ${pg ? 'uuid' : 'text'} not null, day text not null,
        band integer not null, handovers integer not null,
        constraint team_speed_days_pk primary key (team_id, day, band))${pg ? '' : ' without rowid'}`,
    )
    .execute(db);

  // The rows of every team from its members' rows, then their days.
  await sql
    .raw(
      `${into} select ${row} from team_members m join rep_speeds s on s.user_id = m.user_id
       group by m.team_id, s.stay_started_at, s.contact_id`,
    )
    .execute(db);
  const values = (r: string) =>
    `${r}.team_id, ${
      pg
        ? `to_char(${r}.stay_started_at at time zone 'UTC', 'YYYY-MM-DD')`
        : `substr(${r}.stay_started_at, 1, 10)`
    }, case when ${r}.wait_ms is null then -1 when ${r}.wait_ms <= 300000 then 0
      when ${r}.wait_ms <= 900000 then 1 when ${r}.wait_ms <= 3600000 then 2
      when ${r}.wait_ms <= 14400000 then 3 when ${r}.wait_ms <= 86400000 then 4 else 5 end`;
  await sql
    .raw(
      `insert into team_speed_days (${dayKey.join(', ')}, handovers)
       select ${values('t')}, count(*) from team_speeds t group by 1, 2, 3`,
    )
    .execute(db);

  /** A member's row `r` of rep_speeds changed: its handover's rows of each of the rep's teams. */
  const keepHandover = (r: string) => `
    delete from team_speeds where stay_started_at = ${r}.stay_started_at and contact_id = ${r}.contact_id
      and team_id in (select team_id from team_members where user_id = ${r}.user_id);
    ${into} select ${row} from team_members m join rep_speeds s on s.user_id = m.user_id
      and s.stay_started_at = ${r}.stay_started_at and s.contact_id = ${r}.contact_id
      where m.team_id in (select team_id from team_members where user_id = ${r}.user_id)
      group by m.team_id, s.stay_started_at, s.contact_id;`;
  /** A rep joined or left a team (the membership `r`): the team's rows of all the rep's handovers. */
  const keepMember = (r: string) => `
    delete from team_speeds where team_id = ${r}.team_id
      and (stay_started_at, contact_id) in (select stay_started_at, contact_id from rep_speeds where user_id = ${r}.user_id);
    ${into} select ${row} from rep_speeds h
      join team_members m on m.team_id = ${r}.team_id
      join rep_speeds s on s.user_id = m.user_id and s.stay_started_at = h.stay_started_at and s.contact_id = h.contact_id
      where h.user_id = ${r}.user_id
      group by m.team_id, s.stay_started_at, s.contact_id;`;
  const add = (r: string) =>
    `insert into team_speed_days (${dayKey.join(', ')}, handovers) values (${values(r)}, 1)
       on conflict (${dayKey.join(', ')}) do update set handovers = team_speed_days.handovers + 1;`;
  const remove = (r: string) =>
    `update team_speed_days set handovers = handovers - 1 where (${dayKey.join(', ')}) = (${values(r)});`;

  const triggers: [name: string, table: string, event: 'insert' | 'delete', body: string][] = [
    ['team_speeds_on_rep_insert', 'rep_speeds', 'insert', keepHandover('new')],
    ['team_speeds_on_rep_delete', 'rep_speeds', 'delete', keepHandover('old')],
    ['team_speeds_on_join', 'team_members', 'insert', keepMember('new')],
    ['team_speeds_on_leave', 'team_members', 'delete', keepMember('old')],
    ['team_speed_days_on_insert', 'team_speeds', 'insert', add('new')],
    ['team_speed_days_on_delete', 'team_speeds', 'delete', remove('old')],
  ];
  for (const [name, table, event, body] of triggers) {
    if (pg) {
      await sql
        .raw(
          `create function ${name}() returns trigger language plpgsql as $$ begin ${body} return null; end $$`,
        )
        .execute(db);
      await sql
        .raw(`create trigger ${name} after ${event} on ${table} for each row execute function ${name}()`)
        .execute(db);
    } else await sql.raw(`create trigger ${name} after ${event} on ${table} begin ${body} end`).execute(db);
  }
  if (pg) await sql`analyze team_speeds`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const [name, table] of [
    ['team_speeds_on_rep_insert', 'rep_speeds'],
    ['team_speeds_on_rep_delete', 'rep_speeds'],
    ['team_speeds_on_join', 'team_members'],
    ['team_speeds_on_leave', 'team_members'],
    ['team_speed_days_on_insert', 'team_speeds'],
    ['team_speed_days_on_delete', 'team_speeds'],
  ]) {
    await sql.raw(pg ? `drop trigger ${name} on ${table}` : `drop trigger ${name}`).execute(db);
    if (pg) await sql.raw(`drop function ${name}()`).execute(db);
  }
  await db.schema.dropTable('team_speed_days').execute();
  await db.schema.dropTable('team_speeds').execute();
}
