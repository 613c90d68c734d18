// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Attribution from maintained credit (issue 27, ADR 7). Each deal's credit under the agreed model
// and settings is kept, already added up per channel, campaign and touch type, so a report sums a
// period's rows in the database instead of crediting every deal from its touches on each request.
//
// - attribution_live_credits: one row per deal. `changes` counts the writes that can move its
//   credit; `credited_changes` is the count its stored credit was worked out from (null: never).
//   They differ exactly when the stored credit is stale. `valid_until` is set when time alone will
//   move the credit (an open deal's window ends now: a touch dated ahead of now, or time decay).
//   The day columns say where the deal counts: `pipeline_on` the day it was created,
//   `revenue_on` the day it was won when it has no snapshot (a snapshot's credit is summed from
//   attribution_credits instead).
// - attribution_live_lines: the deal's credit per dimension and key, with the deal's days, so a
//   period's sums read one covering index.
//
// Triggers mark a deal stale (changes + 1) in the writer's own transaction, on both dialects, so
// no writer can forget it: a touch of anyone linked to the deal (the main person, a role, everyone
// at its account) changed or deleted; the deal itself; its roles; a person moving between accounts
// or deleted; a snapshot; the settings. A new touch is not marked by a trigger: a trigger on every
// ingested touch cost 28 % of the raw insert rate. Capture already counts each person's new
// touches (`activity_version`); `attribution_version` is how far attribution has looked, and the
// people ahead of it (a partial index, as scoring's) have their deals marked stale by the
// application, in the background and before a report reads. The application re-credits stale
// deals the same way, so a report is exact whatever it reads.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Deal ids of everyone linked to the person `c` (an SQL expression): roles, main person, account. */
const dealsOf = (c: string) => `
  select opportunity_id from opportunity_contacts where contact_id = ${c}
  union all select id from opportunities where contact_id = ${c}
  union all select o.id from contacts p join opportunities o on o.account_id = p.account_id where p.id = ${c}`;

const bump = (ids: string) =>
  `update attribution_live_credits set changes = changes + 1 where opportunity_id in (${ids});`;

const touchColumns = [
  'occurred_at',
  'category',
  'is_lead_creating',
  'type',
  'contact_id',
  'channel',
  'utm_medium',
  'campaign',
  'utm_campaign',
];
const dealColumns = [
  'status',
  'amount_minor',
  'currency',
  'contact_id',
  'account_id',
  'created_at',
  'stage_entered_at',
  'closed_on',
];
const changed = (columns: string[]) => columns.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'uuid' : 'text';
  const money = pg ? 'bigint' : 'integer';
  const real = pg ? 'double precision' : 'real';
  const bool = pg ? 'boolean' : 'integer';
  const time = pg ? 'timestamptz' : 'text';

  await db.schema
    .createTable('attribution_live_credits')
    .addColumn('opportunity_id', id, (c) => c.primaryKey().references('opportunities.id').onDelete('cascade'))
    .addColumn('changes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('credited_changes', 'integer')
    .addColumn('valid_until', time)
    .addColumn('currency', 'text')
    .addColumn('pipeline_on', 'text')
    .addColumn('revenue_on', 'text')
    .addColumn('amount_minor', money)
    .addColumn('is_sourced', bool)
    .addColumn('is_influenced', bool)
    .addColumn('lines', 'integer')
    .addColumn('credit_minor', money)
    .addColumn('weight', real)
    .execute();
  // The stale deals, found without reading the fresh ones (the predicate is repeated literally).
  await db.schema
    .createIndex('attribution_live_credits_stale_idx')
    .on('attribution_live_credits')
    .column('opportunity_id')
    .where(sql<boolean>`credited_changes is null or credited_changes <> changes`)
    .execute();
  await db.schema
    .createIndex('attribution_live_credits_valid_idx')
    .on('attribution_live_credits')
    .column('valid_until')
    .where(sql<boolean>`valid_until is not null`)
    .execute();
  for (const side of ['pipeline', 'revenue'])
    await db.schema
      .createIndex(`attribution_live_credits_${side}_idx`)
      .on('attribution_live_credits')
      .columns(['currency', `${side}_on`])
      .execute();

  await db.schema
    .createTable('attribution_live_lines')
    .addColumn('opportunity_id', id, (c) =>
      c.notNull().references('attribution_live_credits.opportunity_id').onDelete('cascade'),
    )
    // 'channel', 'campaign' (key null: no campaign) or 'touch' (the touch type).
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('key', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('pipeline_on', 'text', (c) => c.notNull())
    .addColumn('revenue_on', 'text')
    .addColumn('credit_minor', money, (c) => c.notNull())
    .addColumn('weight', real, (c) => c.notNull())
    .addColumn('touches', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('attribution_live_lines_deal_idx')
    .on('attribution_live_lines')
    .column('opportunity_id')
    .execute();
  // Covering: a period's sums per dimension read nothing but these.
  for (const [side, other] of [
    ['pipeline', 'revenue'],
    ['revenue', 'pipeline'],
  ])
    await db.schema
      .createIndex(`attribution_live_lines_${side}_idx`)
      .on('attribution_live_lines')
      .columns([
        'dimension',
        'currency',
        `${side}_on`,
        `${other}_on`,
        'key',
        'credit_minor',
        'weight',
        'touches',
      ])
      .execute();

  // How far attribution has looked at each person's touches; every deal is new below, so all of them.
  await db.schema
    .alterTable('contacts')
    .addColumn('attribution_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update contacts set attribution_version = activity_version`.execute(db);
  await db.schema
    .createIndex('contacts_attribution_due_idx')
    .on('contacts')
    .column('id')
    .where(sql.ref('attribution_version'), '<', sql.ref('activity_version'))
    .execute();

  // Every deal there is: not credited yet.
  await sql`insert into attribution_live_credits (opportunity_id) select id from opportunities`.execute(db);

  const onTouch = {
    delete: `${bump(dealsOf('old.contact_id'))}`,
    update: `${bump(`${dealsOf('old.contact_id')} union all ${dealsOf('new.contact_id')}`)}`,
  };
  const onDeal = {
    insert: `insert into attribution_live_credits (opportunity_id) values (new.id);`,
    update: bump('new.id'),
  };
  const onRole = { insert: bump('new.opportunity_id'), delete: bump('old.opportunity_id') };
  const onPerson = {
    update: bump('select id from opportunities where account_id in (old.account_id, new.account_id)'),
    delete: bump('select id from opportunities where account_id = old.account_id'),
  };
  const onSnapshot = { insert: bump('new.opportunity_id'), delete: bump('old.opportunity_id') };
  const onSettings = 'update attribution_live_credits set changes = changes + 1;';

  if (pg) {
    await sql
      .raw(
        `create function attribution_live_on_touch() returns trigger language plpgsql as $$
        begin
          if tg_op = 'DELETE' then ${onTouch.delete} else ${onTouch.update} end if;
          return null;
        end $$;
        create function attribution_live_on_deal() returns trigger language plpgsql as $$
        begin
          if tg_op = 'INSERT' then ${onDeal.insert} else ${onDeal.update} end if;
          return null;
        end $$;
        create function attribution_live_on_role() returns trigger language plpgsql as $$
        begin
          if tg_op = 'INSERT' then ${onRole.insert} else ${onRole.delete} end if;
          return null;
        end $$;
        create function attribution_live_on_person() returns trigger language plpgsql as $$
        begin
          if tg_op = 'UPDATE' then ${onPerson.update} else ${onPerson.delete} end if;
          return null;
        end $$;
        create function attribution_live_on_snapshot() returns trigger language plpgsql as $$
        begin
          if tg_op = 'INSERT' then ${onSnapshot.insert} else ${onSnapshot.delete} end if;
          return null;
        end $$;
        create function attribution_live_on_settings() returns trigger language plpgsql as $$
        begin ${onSettings} return null; end $$;
        create trigger attribution_live_touch_delete after delete on touchpoints
          for each row when (old.contact_id is not null) execute function attribution_live_on_touch();
        create trigger attribution_live_touch_update after update of ${touchColumns.join(', ')} on touchpoints
          for each row when (${changed(touchColumns)}) execute function attribution_live_on_touch();
        create trigger attribution_live_deal_insert after insert on opportunities
          for each row execute function attribution_live_on_deal();
        create trigger attribution_live_deal_update after update of ${dealColumns.join(', ')} on opportunities
          for each row when (${changed(dealColumns)}) execute function attribution_live_on_deal();
        create trigger attribution_live_role_insert after insert on opportunity_contacts
          for each row execute function attribution_live_on_role();
        create trigger attribution_live_role_delete after delete on opportunity_contacts
          for each row execute function attribution_live_on_role();
        create trigger attribution_live_person_update after update of account_id on contacts
          for each row when (old.account_id is distinct from new.account_id)
          execute function attribution_live_on_person();
        create trigger attribution_live_person_delete after delete on contacts
          for each row when (old.account_id is not null) execute function attribution_live_on_person();
        create trigger attribution_live_snapshot_insert after insert on attribution_snapshots
          for each row execute function attribution_live_on_snapshot();
        create trigger attribution_live_snapshot_delete after delete on attribution_snapshots
          for each row execute function attribution_live_on_snapshot();
        create trigger attribution_live_settings_update after update on attribution_settings
          for each statement execute function attribution_live_on_settings();`,
      )
      .execute(db);
  } else {
    const trigger = (name: string, event: string, when: string | null, body: string) =>
      sql
        .raw(`create trigger ${name} after ${event} ${when ? `when ${when}` : ''} begin ${body} end`)
        .execute(db);
    await trigger(
      'attribution_live_touch_delete',
      'delete on touchpoints',
      'old.contact_id is not null',
      onTouch.delete,
    );
    await trigger(
      'attribution_live_touch_update',
      `update of ${touchColumns.join(', ')} on touchpoints`,
      changed(touchColumns),
      onTouch.update,
    );
    await trigger('attribution_live_deal_insert', 'insert on opportunities', null, onDeal.insert);
    await trigger(
      'attribution_live_deal_update',
      `update of ${dealColumns.join(', ')} on opportunities`,
      changed(dealColumns),
      onDeal.update,
    );
    await trigger('attribution_live_role_insert', 'insert on opportunity_contacts', null, onRole.insert);
    await trigger('attribution_live_role_delete', 'delete on opportunity_contacts', null, onRole.delete);
    await trigger(
      'attribution_live_person_update',
      'update of account_id on contacts',
      'old.account_id is distinct from new.account_id',
      onPerson.update,
    );
    await trigger(
      'attribution_live_person_delete',
      'delete on contacts',
      'old.account_id is not null',
      onPerson.delete,
    );
    await trigger(
      'attribution_live_snapshot_insert',
      'insert on attribution_snapshots',
      null,
      onSnapshot.insert,
    );
    await trigger(
      'attribution_live_snapshot_delete',
      'delete on attribution_snapshots',
      null,
      onSnapshot.delete,
    );
    await trigger('attribution_live_settings_update', 'update on attribution_settings', null, onSettings);
  }
}

const triggers: [string, string][] = [
  ['attribution_live_touch_delete', 'touchpoints'],
  ['attribution_live_touch_update', 'touchpoints'],
  ['attribution_live_deal_insert', 'opportunities'],
  ['attribution_live_deal_update', 'opportunities'],
  ['attribution_live_role_insert', 'opportunity_contacts'],
  ['attribution_live_role_delete', 'opportunity_contacts'],
  ['attribution_live_person_update', 'contacts'],
  ['attribution_live_person_delete', 'contacts'],
  ['attribution_live_snapshot_insert', 'attribution_snapshots'],
  ['attribution_live_snapshot_delete', 'attribution_snapshots'],
  ['attribution_live_settings_update', 'attribution_settings'],
];

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const [name, table] of triggers)
    await sql.raw(pg ? `drop trigger ${name} on ${table}` : `drop trigger ${name}`).execute(db);
  if (pg)
    for (const fn of ['touch', 'deal', 'role', 'person', 'snapshot', 'settings'])
      await sql.raw(`drop function attribution_live_on_${fn}()`).execute(db);
  await db.schema.dropTable('attribution_live_lines').execute();
  await db.schema.dropTable('attribution_live_credits').execute();
  await db.schema.dropIndex('contacts_attribution_due_idx').execute();
  await db.schema.alterTable('contacts').dropColumn('attribution_version').execute();
}
