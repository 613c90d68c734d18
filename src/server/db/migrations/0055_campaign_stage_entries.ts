// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Cost per MQL and per SQL from a kept table (issue 27, ADR 7). Attribution counts the people who
// entered the MQL and the SQL stage in a period by the campaign that made them a lead: the campaign
// of their lead touch, else their original campaign. Read from the facts, that looks up every
// entrant's contact (1M rows) and lead touch (10M rows): 0.8 s of a year's report at full size.
//
// `campaign_stage_entries` holds each entry into `mql` or `sql` with that campaign, as it is now,
// and `previous_at`: when the same person last entered the same stage before (null the first time).
// A person counts once in a period through the one entry of theirs in it whose previous entry lies
// before the period, so the report counts rows, with no `distinct`, from one covering index.
//
// Triggers keep it in the writer's own transaction, on both dialects:
// - a stage change into `mql` or `sql`, inserted or deleted (erasure's cascade, a backdated
//   import), works that person's entries into that stage out again (a handful of rows);
// - a contact whose lead touch or original campaign changes gets its entries' campaign again;
// - so does the contact of a touch whose campaign changes, or that is deleted.
// Ingest updates contacts on every touch; the contact trigger fires only when one of its two
// columns really changed. Equal instants are ordered by id (UUIDv7, the order they were written in).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The campaign that made the contact `c` (an SQL expression) a lead, as it is now. */
const campaignOf = (c: string) => `(select coalesce(t.campaign, t.utm_campaign, k.original_campaign)
  from contacts k left join touchpoints t on t.id = k.lead_touch_id where k.id = ${c})`;

/** The person's entries into one stage, worked out again from their stage changes. */
const redo = (c: string, stage: string) => `
  delete from campaign_stage_entries where contact_id = ${c} and stage = ${stage};
  insert into campaign_stage_entries (contact_id, stage, stage_change_id, occurred_at, previous_at, campaign)
    select contact_id, to_stage, id, occurred_at, lag(occurred_at) over (order by occurred_at, id), ${campaignOf(c)}
    from stage_changes where contact_id = ${c} and to_stage = ${stage};`;

const recampaign = (c: string) =>
  `update campaign_stage_entries set campaign = ${campaignOf(c)} where contact_id = ${c};`;

const contactChanged = `new.lead_touch_id is distinct from old.lead_touch_id
  or new.original_campaign is distinct from old.original_campaign`;
const touchChanged = `new.campaign is distinct from old.campaign or new.utm_campaign is distinct from old.utm_campaign`;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'uuid' : 'text';
  const time = pg ? 'timestamptz' : 'text';
  let table = db.schema
    .createTable('campaign_stage_entries')
    .addColumn('contact_id', id, (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('stage_change_id', id, (c) => c.notNull())
    .addColumn('occurred_at', time, (c) => c.notNull())
    .addColumn('previous_at', time)
    .addColumn('campaign', 'text')
    .addPrimaryKeyConstraint('campaign_stage_entries_pk', ['contact_id', 'stage', 'stage_change_id']);
  // A person's entries side by side, found by their key.
  if (!pg) table = table.modifyEnd(sql`without rowid`);
  await table.execute();
  // The report's read: each stage and campaign's entries of a period, from the index alone.
  await db.schema
    .createIndex('campaign_stage_entries_report_idx')
    .on('campaign_stage_entries')
    .columns(['stage', 'campaign', 'occurred_at', 'previous_at'])
    .execute();

  await sql
    .raw(
      `insert into campaign_stage_entries (contact_id, stage, stage_change_id, occurred_at, previous_at, campaign)
       select s.contact_id, s.to_stage, s.id, s.occurred_at,
         lag(s.occurred_at) over (partition by s.contact_id, s.to_stage order by s.occurred_at, s.id),
         coalesce(t.campaign, t.utm_campaign, c.original_campaign)
       from stage_changes s
       join contacts c on c.id = s.contact_id
       left join touchpoints t on t.id = c.lead_touch_id
       where s.to_stage in ('mql', 'sql')`,
    )
    .execute(db);

  if (pg) {
    await sql
      .raw(
        `create function campaign_stage_entries_on_stage_change() returns trigger language plpgsql as $$
        begin
          if tg_op = 'DELETE' then ${redo('old.contact_id', 'old.to_stage')}
          else ${redo('new.contact_id', 'new.to_stage')} end if;
          return null;
        end $$;
        create trigger campaign_stage_entries_on_insert after insert on stage_changes
          for each row when (new.to_stage in ('mql', 'sql')) execute function campaign_stage_entries_on_stage_change();
        create trigger campaign_stage_entries_on_delete after delete on stage_changes
          for each row when (old.to_stage in ('mql', 'sql')) execute function campaign_stage_entries_on_stage_change();
        create function campaign_stage_entries_on_contact() returns trigger language plpgsql as $$
        begin ${recampaign('new.id')} return null; end $$;
        create trigger campaign_stage_entries_on_contact after update of lead_touch_id, original_campaign on contacts
          for each row when (${contactChanged}) execute function campaign_stage_entries_on_contact();
        create function campaign_stage_entries_on_touch() returns trigger language plpgsql as $$
        begin
          if tg_op = 'DELETE' then ${recampaign('old.contact_id')}
          else ${recampaign('new.contact_id')} end if;
          return null;
        end $$;
        create trigger campaign_stage_entries_on_touch_update after update of campaign, utm_campaign on touchpoints
          for each row when (new.contact_id is not null and (${touchChanged}))
          execute function campaign_stage_entries_on_touch();
        create trigger campaign_stage_entries_on_touch_delete after delete on touchpoints
          for each row when (old.contact_id is not null) execute function campaign_stage_entries_on_touch();`,
      )
      .execute(db);
    return;
  }
  // SQLite spells `is distinct from` as `is not`.
  const sqlite = (s: string) => s.replaceAll('is distinct from', 'is not');
  for (const statement of [
    `create trigger campaign_stage_entries_on_insert after insert on stage_changes
      when new.to_stage in ('mql', 'sql') begin ${redo('new.contact_id', 'new.to_stage')} end`,
    `create trigger campaign_stage_entries_on_delete after delete on stage_changes
      when old.to_stage in ('mql', 'sql') begin ${redo('old.contact_id', 'old.to_stage')} end`,
    `create trigger campaign_stage_entries_on_contact after update of lead_touch_id, original_campaign on contacts
      when ${sqlite(contactChanged)} begin ${recampaign('new.id')} end`,
    `create trigger campaign_stage_entries_on_touch_update after update of campaign, utm_campaign on touchpoints
      when new.contact_id is not null and (${sqlite(touchChanged)}) begin ${recampaign('new.contact_id')} end`,
    `create trigger campaign_stage_entries_on_touch_delete after delete on touchpoints
      when old.contact_id is not null begin ${recampaign('old.contact_id')} end`,
  ])
    await sql.raw(statement).execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const triggers: [string, string][] = [
    ['campaign_stage_entries_on_insert', 'stage_changes'],
    ['campaign_stage_entries_on_delete', 'stage_changes'],
    ['campaign_stage_entries_on_contact', 'contacts'],
    ['campaign_stage_entries_on_touch_update', 'touchpoints'],
    ['campaign_stage_entries_on_touch_delete', 'touchpoints'],
  ];
  for (const [name, on] of triggers)
    await sql.raw(pg ? `drop trigger ${name} on ${on}` : `drop trigger ${name}`).execute(db);
  if (pg)
    for (const fn of ['on_stage_change', 'on_contact', 'on_touch'])
      await sql.raw(`drop function campaign_stage_entries_${fn}()`).execute(db);
  await db.schema.dropTable('campaign_stage_entries').execute();
}
