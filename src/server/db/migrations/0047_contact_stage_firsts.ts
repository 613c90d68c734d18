// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// The funnel from a kept summary (issue 27, ADR 7): for each person and each stage they ever
// entered, when they first entered it and when they next moved after that first entry (null while
// they have not). The funnel of a cohort reads these few rows per person — which stages they
// reached, how many left each and after how long — instead of every stage change of the cohort,
// grouped in JavaScript.
//
// Triggers on stage_changes (append-only: no update reaches it) work a person's rows out again
// from their stage changes (a handful) in the writer's own transaction, on both dialects, on every
// delete and on an insert dated before the person's last change (an import of history): erasure's
// cascade and backdated changes come out right. A change after all of the person's others
// (every lead's creation, every move made now) only closes the stage entered last and adds a
// first entry. Equal
// instants are ordered by id (UUIDv7, the order they were written in). No foreign key: an
// erasure's cascade removes the stage changes one by one, and the last one leaves the person no
// rows.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The rows of the person `c` (an SQL expression), from their stage changes. */
const firstsOf = (c: string) => `
  insert into contact_stage_firsts (contact_id, stage, entered_at, left_at)
  select contact_id, to_stage, occurred_at, next_at from (
    select contact_id, to_stage, occurred_at,
      lead(occurred_at) over (partition by contact_id order by occurred_at, id) as next_at,
      row_number() over (partition by contact_id, to_stage order by occurred_at, id) as nth
    from stage_changes where contact_id = ${c}) moves
  where nth = 1;`;

const redo = (c: string) => `delete from contact_stage_firsts where contact_id = ${c}; ${firstsOf(c)}`;

/** Whether the new stage change comes after every other of its person's (the usual case). */
const isLatest = `not exists (select 1 from stage_changes l where l.contact_id = new.contact_id and l.id <> new.id
  and (l.occurred_at > new.occurred_at or (l.occurred_at = new.occurred_at and l.id > new.id)))`;

/** The usual case in two steps: the stage entered last is left now, and a first entry is kept. */
const append = `update contact_stage_firsts set left_at = new.occurred_at
    where contact_id = new.contact_id and left_at is null;
  insert into contact_stage_firsts (contact_id, stage, entered_at, left_at)
    values (new.contact_id, new.to_stage, new.occurred_at, null) on conflict do nothing;`;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'uuid' : 'text';
  const time = pg ? 'timestamptz' : 'text';
  let table = db.schema
    .createTable('contact_stage_firsts')
    .addColumn('contact_id', id, (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('entered_at', time, (c) => c.notNull())
    .addColumn('left_at', time)
    .addPrimaryKeyConstraint('contact_stage_firsts_pk', ['contact_id', 'stage']);
  // A person's rows side by side, read with their key.
  if (!pg) table = table.modifyEnd(sql`without rowid`);
  await table.execute();

  await sql
    .raw(
      `insert into contact_stage_firsts (contact_id, stage, entered_at, left_at)
       select contact_id, to_stage, occurred_at, next_at from (
         select contact_id, to_stage, occurred_at,
           lead(occurred_at) over (partition by contact_id order by occurred_at, id) as next_at,
           row_number() over (partition by contact_id, to_stage order by occurred_at, id) as nth
         from stage_changes) moves
       where nth = 1`,
    )
    .execute(db);

  if (pg) {
    await sql
      .raw(
        `create function contact_stage_firsts_keep() returns trigger language plpgsql as $$
        begin
          if tg_op = 'DELETE' then ${redo('old.contact_id')}
          elsif ${isLatest} then ${append}
          else ${redo('new.contact_id')} end if;
          return null;
        end $$;
        create trigger contact_stage_firsts_on_insert after insert on stage_changes
          for each row execute function contact_stage_firsts_keep();
        create trigger contact_stage_firsts_on_delete after delete on stage_changes
          for each row execute function contact_stage_firsts_keep();`,
      )
      .execute(db);
  } else {
    await sql
      .raw(
        `create trigger contact_stage_firsts_on_insert after insert on stage_changes when ${isLatest} begin ${append} end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger contact_stage_firsts_on_backdated_insert after insert on stage_changes
        when not ${isLatest} begin ${redo('new.contact_id')} end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger contact_stage_firsts_on_delete after delete on stage_changes begin ${redo('old.contact_id')} end`,
      )
      .execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const name of ['contact_stage_firsts_on_insert', 'contact_stage_firsts_on_delete'])
    await sql.raw(pg ? `drop trigger ${name} on stage_changes` : `drop trigger ${name}`).execute(db);
  if (!pg) await sql`drop trigger contact_stage_firsts_on_backdated_insert`.execute(db);
  if (pg) await sql`drop function contact_stage_firsts_keep()`.execute(db);
  await db.schema.dropTable('contact_stage_firsts').execute();
}
