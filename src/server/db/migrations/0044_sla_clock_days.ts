// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// The SLA report from an aggregate (issue 27): how many clocks started on each day (UTC), per rep,
// target, status, level and closing reason. Triggers on sla_instances keep it in step with every
// write in the same transaction — the sweep's prepared statements, a waiver, a reassignment, a
// rep's deletion (user_id set null), a lead's erasure (cascade) — on both dialects alike, so no
// writer can forget it. A report reads whole days here and only the hours at its edges from the
// clocks themselves. No rep and no reason are '' (a key column cannot be null).
//
// Speed to lead needs each lead's own wait (medians do not add up), so its rows come from a narrow
// partial index of the first-response clocks that holds every column it reads.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const key = ['day', 'user_key', 'target', 'status', 'level', 'closed_reason'] as const;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('sla_clock_days')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('user_key', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('closed_reason', 'text', (c) => c.notNull())
    .addColumn('clocks', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('sla_clock_days_pk', [...key])
    .execute();

  /** The aggregate's key of the clock row `r` ('new' or 'old'), as SQL values in key order. */
  const values = (r: string) =>
    pg
      ? `to_char(${r}.started_at at time zone 'UTC', 'YYYY-MM-DD'), coalesce(${r}.user_id::text, ''), ${r}.target, ${r}.status, ${r}.level, coalesce(${r}.closed_reason, '')`
      : `substr(${r}.started_at, 1, 10), coalesce(${r}.user_id, ''), ${r}.target, ${r}.status, ${r}.level, coalesce(${r}.closed_reason, '')`;
  const add = (r: string) =>
    `insert into sla_clock_days (${key.join(', ')}, clocks) values (${values(r)}, 1)
       on conflict (${key.join(', ')}) do update set clocks = sla_clock_days.clocks + 1;`;
  const remove = (r: string) =>
    `update sla_clock_days set clocks = clocks - 1
       where (${key.join(', ')}) = (${values(r)});`;
  const changed = `old.started_at is distinct from new.started_at or old.user_id is distinct from new.user_id
    or old.target is distinct from new.target or old.status is distinct from new.status
    or old.level is distinct from new.level or old.closed_reason is distinct from new.closed_reason`;
  const columns = 'started_at, user_id, target, status, level, closed_reason';

  await sql
    .raw(
      `insert into sla_clock_days (${key.join(', ')}, clocks)
       select ${values('i')}, count(*) from sla_instances i group by ${key.map((_, n) => n + 1).join(', ')}`,
    )
    .execute(db);

  if (pg) {
    await sql
      .raw(
        `create function sla_clock_days_keep() returns trigger language plpgsql as $$
        begin
          if tg_op in ('UPDATE', 'DELETE') then ${remove('old')} end if;
          if tg_op in ('INSERT', 'UPDATE') then ${add('new')} end if;
          return null;
        end $$`,
      )
      .execute(db);
    await sql`create trigger sla_clock_days_on_insert after insert on sla_instances
      for each row execute function sla_clock_days_keep()`.execute(db);
    await sql
      .raw(
        `create trigger sla_clock_days_on_update after update of ${columns} on sla_instances
        for each row when (${changed}) execute function sla_clock_days_keep()`,
      )
      .execute(db);
    await sql`create trigger sla_clock_days_on_delete after delete on sla_instances
      for each row execute function sla_clock_days_keep()`.execute(db);
  } else {
    await sql
      .raw(`create trigger sla_clock_days_on_insert after insert on sla_instances begin ${add('new')} end`)
      .execute(db);
    await sql
      .raw(
        `create trigger sla_clock_days_on_update after update of ${columns} on sla_instances
        when ${changed} begin ${remove('old')} ${add('new')} end`,
      )
      .execute(db);
    await sql
      .raw(`create trigger sla_clock_days_on_delete after delete on sla_instances begin ${remove('old')} end`)
      .execute(db);
  }

  await db.schema
    .createIndex('sla_instances_first_response_idx')
    .on('sla_instances')
    .columns(['started_at', 'user_id', 'contact_id', 'responded_at'])
    .where(sql<boolean>`target = 'first_response'`)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.dropIndex('sla_instances_first_response_idx').execute();
  for (const name of ['sla_clock_days_on_insert', 'sla_clock_days_on_update', 'sla_clock_days_on_delete'])
    await sql.raw(pg ? `drop trigger ${name} on sla_instances` : `drop trigger ${name}`).execute(db);
  if (pg) await sql`drop function sla_clock_days_keep()`.execute(db);
  await db.schema.dropTable('sla_clock_days').execute();
}
