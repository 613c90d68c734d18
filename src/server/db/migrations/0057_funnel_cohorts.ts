// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// The funnel of a cohort from two kept tables with what it filters on (issue 27, ADR 7). The
// funnel counts the people created in a period (of some owners only) by the furthest stage of the
// path they reached, and per stage the median stay of those who left it. From 0047's per-person
// rows, each period joined every person of the cohort to their rows: a year of 1M people took
// 1.8 s for the furthest stages and 2.0 s for the stays on SQLite at full size.
//
// - `funnel_people`: per person, the cohort's keys (created_at, owner_id) and the set of stages
//   they ever entered (their keys, sorted, joined by commas; keys hold no comma). A period's
//   furthest stages are its people counted per set from one covering index: a handful of sets,
//   whatever the path, which the reader maps onto the path as it is configured now.
// - `funnel_stays`: per person and stage they left after their first entry into it, the stay in
//   milliseconds and the cohort's keys. A stage's median is read from one covering index: on
//   SQLite a count and one ordered read with an offset, on PostgreSQL percentile_disc. The window
//   over every stay of the cohort this replaces took 2.0 s of a year on SQLite.
//
// Triggers keep both in the writer's own transaction, on both dialects: on every write to 0047's
// rows, and on a change of a contact's creation time or owner, or its deletion. A person has a row
// from their first stage on, so a new contact costs one statement: the upsert of their row.
// Nothing here is a shared counter: each row belongs to one person, so concurrent writers on
// PostgreSQL never wait on each other's rows. A contact's deletion removes its rows whether
// 0047's rows go before or after it (the cascade's order).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'uuid' : 'text';
  const time = pg ? 'timestamptz' : 'text';
  /** The set of stages the person `c` (an SQL expression) entered, as it is now. */
  const stagesOf = (c: string) =>
    pg
      ? `coalesce((select string_agg(stage, ',' order by stage collate "C") from contact_stage_firsts where contact_id = ${c}), '')`
      : `coalesce((select group_concat(stage, ',' order by stage) from contact_stage_firsts where contact_id = ${c}), '')`;
  /** Milliseconds between two instants, as the funnel always computed them. */
  const ms = (column: string) =>
    pg
      ? `(extract(epoch from ${column}) * 1000)::bigint`
      : `cast(unixepoch(${column}, 'subsec') * 1000 as integer)`;
  const stayOf = (row: string) => `${ms(`${row}.left_at`)} - ${ms(`${row}.entered_at`)}`;

  let people = db.schema
    .createTable('funnel_people')
    .addColumn('contact_id', id, (c) => c.primaryKey())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('owner_id', id)
    .addColumn('stages', 'text', (c) => c.notNull());
  if (!pg) people = people.modifyEnd(sql`without rowid`);
  await people.execute();
  let stays = db.schema
    .createTable('funnel_stays')
    .addColumn('contact_id', id, (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('owner_id', id)
    .addColumn('stay_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('funnel_stays_pk', ['contact_id', 'stage']);
  if (!pg) stays = stays.modifyEnd(sql`without rowid`);
  await stays.execute();

  await sql
    .raw(
      `insert into funnel_people (contact_id, created_at, owner_id, stages)
       select c.id, c.created_at, c.owner_id, s.stages
       from contacts c join (
         select contact_id, ${
           pg
             ? `string_agg(stage, ',' order by stage collate "C")`
             : `group_concat(stage, ',' order by stage)`
         } as stages
         from contact_stage_firsts group by contact_id) s on s.contact_id = c.id`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into funnel_stays (contact_id, stage, created_at, owner_id, stay_ms)
       select f.contact_id, f.stage, c.created_at, c.owner_id, ${stayOf('f')}
       from contact_stage_firsts f join contacts c on c.id = f.contact_id
       where f.left_at is not null`,
    )
    .execute(db);
  // A period's people (of some owners) with each set of stages, counted from the index alone.
  // - SQLite: ordered by set. The sets are few, found by skipping through the index, and each is
  //   one range of it. Ordered by the period first, the same count sorted a year's million entries
  //   by their set: 285–345 ms, against 97–111 ms this way (full size).
  // - PostgreSQL: ordered by the period. A month is a range of it; for a year the planner reads the
  //   table in parallel and hashes the sets (about 220 ms). Counted per set from an index by set, a
  //   month took 23–47 ms and a year 594–720 ms: its index-only scans of 800k entries are slow.
  await db.schema
    .createIndex('funnel_people_cohort_idx')
    .on('funnel_people')
    .columns(pg ? ['created_at', 'owner_id', 'stages'] : ['stages', 'created_at', 'owner_id'])
    .execute();
  // A stage's stays of a period (of some owners), counted and read in order from the index alone.
  await db.schema
    .createIndex('funnel_stays_cohort_idx')
    .on('funnel_stays')
    .columns(['stage', 'created_at', 'owner_id', 'stay_ms'])
    .execute();

  /** The person `c` (an SQL expression) with their set of stages as it is now, from their contact. */
  const keepPerson = (c: string) => `
    insert into funnel_people (contact_id, created_at, owner_id, stages)
      select id, created_at, owner_id, ${stagesOf(c)} from contacts where id = ${c}
      on conflict (contact_id) do update set stages = excluded.stages;`;
  const keepStay = (row: string) => `
    insert into funnel_stays (contact_id, stage, created_at, owner_id, stay_ms)
      select ${row}.contact_id, ${row}.stage, c.created_at, c.owner_id, ${stayOf(row)}
      from contacts c where c.id = ${row}.contact_id
      on conflict (contact_id, stage) do update
        set created_at = excluded.created_at, owner_id = excluded.owner_id, stay_ms = excluded.stay_ms;`;
  const dropStay = (row: string) =>
    `delete from funnel_stays where contact_id = ${row}.contact_id and stage = ${row}.stage;`;
  const onFirstDelete = `
    update funnel_people set stages = ${stagesOf('old.contact_id')} where contact_id = old.contact_id;
    ${dropStay('old')}`;
  const onContactUpdate = `
    update funnel_people set created_at = new.created_at, owner_id = new.owner_id where contact_id = new.id;
    update funnel_stays set created_at = new.created_at, owner_id = new.owner_id where contact_id = new.id;`;
  const onContactDelete = `
    delete from funnel_people where contact_id = old.id;
    delete from funnel_stays where contact_id = old.id;`;
  const contactChanged = `new.created_at is distinct from old.created_at or new.owner_id is distinct from old.owner_id`;

  if (pg) {
    await sql
      .raw(
        `create function funnel_on_contact() returns trigger language plpgsql as $$
        begin
          if tg_op = 'UPDATE' then ${onContactUpdate}
          else ${onContactDelete} end if;
          return null;
        end $$;
        create trigger funnel_on_contact_update after update of created_at, owner_id on contacts
          for each row when (${contactChanged}) execute function funnel_on_contact();
        create trigger funnel_on_contact_delete after delete on contacts
          for each row execute function funnel_on_contact();
        create function funnel_on_first() returns trigger language plpgsql as $$
        begin
          if tg_op = 'DELETE' then ${onFirstDelete}
          else
            if tg_op = 'INSERT' then ${keepPerson('new.contact_id')} end if;
            if new.left_at is not null then ${keepStay('new')}
            elsif tg_op = 'UPDATE' then ${dropStay('new')} end if;
          end if;
          return null;
        end $$;
        create trigger funnel_on_first_insert after insert on contact_stage_firsts
          for each row execute function funnel_on_first();
        create trigger funnel_on_first_update after update of entered_at, left_at on contact_stage_firsts
          for each row execute function funnel_on_first();
        create trigger funnel_on_first_delete after delete on contact_stage_firsts
          for each row execute function funnel_on_first();`,
      )
      .execute(db);
    return;
  }
  // SQLite has no branches in a trigger: one trigger per case, each with its condition.
  for (const statement of [
    `create trigger funnel_on_contact_update after update of created_at, owner_id on contacts
      when ${contactChanged.replaceAll('is distinct from', 'is not')} begin ${onContactUpdate} end`,
    `create trigger funnel_on_contact_delete after delete on contacts begin ${onContactDelete} end`,
    `create trigger funnel_on_first_insert after insert on contact_stage_firsts
      begin ${keepPerson('new.contact_id')} end`,
    `create trigger funnel_on_first_insert_left after insert on contact_stage_firsts
      when new.left_at is not null begin ${keepStay('new')} end`,
    `create trigger funnel_on_first_left after update of entered_at, left_at on contact_stage_firsts
      when new.left_at is not null begin ${keepStay('new')} end`,
    `create trigger funnel_on_first_reentered after update of entered_at, left_at on contact_stage_firsts
      when new.left_at is null begin ${dropStay('new')} end`,
    `create trigger funnel_on_first_delete after delete on contact_stage_firsts begin ${onFirstDelete} end`,
  ])
    await sql.raw(statement).execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const triggers: [string, string][] = [
    ['funnel_on_contact_update', 'contacts'],
    ['funnel_on_contact_delete', 'contacts'],
    ['funnel_on_first_insert', 'contact_stage_firsts'],
    ['funnel_on_first_delete', 'contact_stage_firsts'],
    ...(pg
      ? ([['funnel_on_first_update', 'contact_stage_firsts']] as [string, string][])
      : ([
          ['funnel_on_first_insert_left', 'contact_stage_firsts'],
          ['funnel_on_first_left', 'contact_stage_firsts'],
          ['funnel_on_first_reentered', 'contact_stage_firsts'],
        ] as [string, string][])),
  ];
  for (const [name, on] of triggers)
    await sql.raw(pg ? `drop trigger ${name} on ${on}` : `drop trigger ${name}`).execute(db);
  if (pg)
    for (const fn of ['funnel_on_contact', 'funnel_on_first'])
      await sql.raw(`drop function ${fn}()`).execute(db);
  await db.schema.dropTable('funnel_stays').execute();
  await db.schema.dropTable('funnel_people').execute();
}
