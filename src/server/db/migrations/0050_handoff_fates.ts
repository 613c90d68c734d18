// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// The handoff tracker from kept fates (issue 27, ADR 7). One row per handover: each instant a
// lead entered `mql` (several entries at one instant are one handover). The row keeps the
// instant of the lead's handover before it (`prior_mql_at`), so a period's first handover of a
// lead is the row in the period whose prior one is not, and the lead's fate from that handover
// on: its first assignment to a person, its decision (the first move out of `mql` a person
// made), its first SQL, its first opportunity, and the campaign and form of its last marketing
// touch at or before the handover. A report reads a period's rows instead of taking those steps
// for every lead on each request.
//
// - The rows themselves are exact at all times: a trigger on stage_changes adds a row with the
//   first `mql` entry at an instant and removes it with the last (erasure's cascade).
// - Their fate is kept as attribution keeps credit: `changes` counts the writes that can move it,
//   `kept_changes` is the count it was worked out from (null: never). Triggers add to `changes`
//   for every row of the lead, in the writer's own transaction, on both dialects: a stage change,
//   an assignment, a deal (created, deleted, moved to another person or another creation time,
//   won or lost, its amount), a touch changed or deleted. The deal's status, currency, amount and
//   closing day are kept with the fate, so a period's counts read no other table. A new touch is not marked by a trigger (it would cost ingest);
//   capture counts each person's new touches (`activity_version`), and the application marks
//   the fates of the people ahead of attribution's cursor stale when it marks their deals.
// - The application works stale rows out again in the background, and a report does its own
//   period's before it reads. Rows come in stale here, and the background catches up.
// - No foreign key: an erasure's cascade removes the stage changes, and with them the rows.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const bump = (c: string) => `update handoff_fates set changes = changes + 1 where contact_id = ${c};`;

/** A new `mql` entry at an instant without one yet is a handover. */
const add = `insert into handoff_fates (contact_id, mql_at) values (new.contact_id, new.occurred_at)
  on conflict do nothing;`;

/** The last `mql` entry at an instant gone: no handover there any more. */
const remove = (
  guard: string,
) => `delete from handoff_fates where ${guard} contact_id = old.contact_id and mql_at = old.occurred_at
  and not exists (select 1 from stage_changes s where s.contact_id = old.contact_id
    and s.to_stage = 'mql' and s.occurred_at = old.occurred_at);`;

const touchColumns = ['contact_id', 'occurred_at', 'category', 'campaign', 'source_kind', 'source_id'];
const dealColumns = ['contact_id', 'created_at', 'status', 'currency', 'amount_minor', 'closed_on'];
const assignmentColumns = ['contact_id', 'user_id', 'assigned_at'];
const changed = (columns: string[]) => columns.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'uuid' : 'text';
  const time = pg ? 'timestamptz' : 'text';

  let table = db.schema
    .createTable('handoff_fates')
    .addColumn('contact_id', id, (c) => c.notNull())
    .addColumn('mql_at', time, (c) => c.notNull())
    .addColumn('prior_mql_at', time)
    .addColumn('changes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('kept_changes', 'integer')
    .addColumn('assignment_id', id)
    .addColumn('assigned_to', id)
    .addColumn('assigned_at', time)
    .addColumn('decision_id', id)
    .addColumn('decision_to', 'text')
    .addColumn('decided_at', time)
    .addColumn('decided_by', 'text')
    .addColumn('reason_code', 'text')
    .addColumn('sql_at', time)
    .addColumn('opportunity_id', id)
    .addColumn('opportunity_status', 'text')
    .addColumn('opportunity_currency', 'text')
    .addColumn('opportunity_amount_minor', pg ? 'bigint' : 'integer')
    .addColumn('opportunity_closed_on', 'text')
    .addColumn('campaign', 'text')
    .addColumn('form_id', 'text')
    // A period's rows side by side (SQLite keeps the table in this order).
    .addPrimaryKeyConstraint('handoff_fates_pk', ['mql_at', 'contact_id']);
  if (!pg) table = table.modifyEnd(sql`without rowid`);
  await table.execute();
  await db.schema
    .createIndex('handoff_fates_contact_idx')
    .on('handoff_fates')
    .columns(['contact_id', 'mql_at'])
    .execute();
  // The stale rows, found without reading the fresh ones (the predicate is repeated literally).
  await db.schema
    .createIndex('handoff_fates_stale_idx')
    .on('handoff_fates')
    .columns(['mql_at', 'contact_id'])
    .where(sql<boolean>`kept_changes is null or kept_changes <> changes`)
    .execute();

  await sql`insert into handoff_fates (contact_id, mql_at)
    select distinct contact_id, occurred_at from stage_changes where to_stage = 'mql'`.execute(db);

  if (pg) {
    await sql
      .raw(
        `create function handoff_fates_on_stage() returns trigger language plpgsql as $$
        begin
          if tg_op = 'INSERT' then
            if new.to_stage = 'mql' then ${add} end if;
            ${bump('new.contact_id')}
          else
            if old.to_stage = 'mql' then ${remove('')} end if;
            ${bump('old.contact_id')}
          end if;
          return null;
        end $$;
        create function handoff_fates_on_fact() returns trigger language plpgsql as $$
        begin
          if tg_op = 'INSERT' then ${bump('new.contact_id')}
          elsif tg_op = 'DELETE' then ${bump('old.contact_id')}
          else
            ${bump('old.contact_id')}
            if new.contact_id is distinct from old.contact_id then ${bump('new.contact_id')} end if;
          end if;
          return null;
        end $$;`,
      )
      .execute(db);
    const trigger = (name: string, event: string, table: string, when: string | null, fn: string) =>
      sql
        .raw(
          `create trigger ${name} after ${event} on ${table} for each row
          ${when ? `when (${when})` : ''} execute function ${fn}()`,
        )
        .execute(db);
    await trigger('handoff_fates_stage_insert', 'insert', 'stage_changes', null, 'handoff_fates_on_stage');
    await trigger('handoff_fates_stage_delete', 'delete', 'stage_changes', null, 'handoff_fates_on_stage');
    await trigger('handoff_fates_assignment_insert', 'insert', 'assignments', null, 'handoff_fates_on_fact');
    await trigger('handoff_fates_assignment_delete', 'delete', 'assignments', null, 'handoff_fates_on_fact');
    await trigger(
      'handoff_fates_assignment_update',
      `update of ${assignmentColumns.join(', ')}`,
      'assignments',
      changed(assignmentColumns),
      'handoff_fates_on_fact',
    );
    await trigger(
      'handoff_fates_deal_insert',
      'insert',
      'opportunities',
      'new.contact_id is not null',
      'handoff_fates_on_fact',
    );
    await trigger(
      'handoff_fates_deal_delete',
      'delete',
      'opportunities',
      'old.contact_id is not null',
      'handoff_fates_on_fact',
    );
    await trigger(
      'handoff_fates_deal_update',
      `update of ${dealColumns.join(', ')}`,
      'opportunities',
      changed(dealColumns),
      'handoff_fates_on_fact',
    );
    await trigger(
      'handoff_fates_touch_delete',
      'delete',
      'touchpoints',
      'old.contact_id is not null',
      'handoff_fates_on_fact',
    );
    await trigger(
      'handoff_fates_touch_update',
      `update of ${touchColumns.join(', ')}`,
      'touchpoints',
      changed(touchColumns),
      'handoff_fates_on_fact',
    );
  } else {
    const trigger = (name: string, event: string, when: string | null, body: string) =>
      sql
        .raw(`create trigger ${name} after ${event} ${when ? `when ${when}` : ''} begin ${body} end`)
        .execute(db);
    await trigger(
      'handoff_fates_stage_insert',
      'insert on stage_changes',
      null,
      // SQLite's upsert after a select needs its where clause; the guard is one.
      `insert into handoff_fates (contact_id, mql_at) select new.contact_id, new.occurred_at
        where new.to_stage = 'mql' on conflict do nothing; ${bump('new.contact_id')}`,
    );
    await trigger(
      'handoff_fates_stage_delete',
      'delete on stage_changes',
      null,
      `${remove("old.to_stage = 'mql' and")} ${bump('old.contact_id')}`,
    );
    await trigger('handoff_fates_assignment_insert', 'insert on assignments', null, bump('new.contact_id'));
    await trigger('handoff_fates_assignment_delete', 'delete on assignments', null, bump('old.contact_id'));
    await trigger(
      'handoff_fates_assignment_update',
      `update of ${assignmentColumns.join(', ')} on assignments`,
      changed(assignmentColumns),
      `${bump('old.contact_id')} ${bump('new.contact_id')}`,
    );
    await trigger(
      'handoff_fates_deal_insert',
      'insert on opportunities',
      'new.contact_id is not null',
      bump('new.contact_id'),
    );
    await trigger(
      'handoff_fates_deal_delete',
      'delete on opportunities',
      'old.contact_id is not null',
      bump('old.contact_id'),
    );
    await trigger(
      'handoff_fates_deal_update',
      `update of ${dealColumns.join(', ')} on opportunities`,
      changed(dealColumns),
      `${bump('old.contact_id')} ${bump('new.contact_id')}`,
    );
    await trigger(
      'handoff_fates_touch_delete',
      'delete on touchpoints',
      'old.contact_id is not null',
      bump('old.contact_id'),
    );
    await trigger(
      'handoff_fates_touch_update',
      `update of ${touchColumns.join(', ')} on touchpoints`,
      changed(touchColumns),
      `${bump('old.contact_id')} ${bump('new.contact_id')}`,
    );
  }
}

const triggers: [string, string][] = [
  ['handoff_fates_stage_insert', 'stage_changes'],
  ['handoff_fates_stage_delete', 'stage_changes'],
  ['handoff_fates_assignment_insert', 'assignments'],
  ['handoff_fates_assignment_delete', 'assignments'],
  ['handoff_fates_assignment_update', 'assignments'],
  ['handoff_fates_deal_insert', 'opportunities'],
  ['handoff_fates_deal_delete', 'opportunities'],
  ['handoff_fates_deal_update', 'opportunities'],
  ['handoff_fates_touch_delete', 'touchpoints'],
  ['handoff_fates_touch_update', 'touchpoints'],
];

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const [name, table] of triggers)
    await sql.raw(pg ? `drop trigger ${name} on ${table}` : `drop trigger ${name}`).execute(db);
  if (pg)
    for (const fn of ['stage', 'fact']) await sql.raw(`drop function handoff_fates_on_${fn}()`).execute(db);
  await db.schema.dropTable('handoff_fates').execute();
}
