// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// A search index over each contact's name, email (and so its domain) and company name, kept by
// triggers so that every writer (capture, imports, merges, erasure, the demo) keeps it in step:
// - SQLite: an FTS5 table with the trigram tokenizer (any substring of 3 characters or more is an
//   index lookup). Its rows are keyed by a small integer key per contact, because a contact's own
//   rowid may change under VACUUM;
// - PostgreSQL: a table with a GIN index of pg_trgm (a trusted extension, so the database's owner
//   may create it), which serves LIKE and the similarity operators.
// The text is lower case: the same for both, and what a search compares with. The index is a copy
// of the contact's own fields, not a record about the person, so it has no foreign key (a data
// subject's export skips it) and goes with the contact by trigger, on both dialects alike.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The searched text of the contact row `c`, in SQL both dialects read alike. */
const body = (c: string) =>
  `lower(coalesce(${c}.first_name, '') || ' ' || coalesce(${c}.last_name, '') || ' ' || coalesce(${c}.email, '') || ' ' || coalesce((select name from accounts where accounts.id = ${c}.account_id), ''))`;

/**
 * Whether a contact's searched fields changed: capture rewrites a contact's row on every event, and
 * an index write for each would halve ingest.
 */
const changed = `old.first_name is distinct from new.first_name or old.last_name is distinct from new.last_name
  or old.email is distinct from new.email or old.account_id is distinct from new.account_id`;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg) {
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create table contact_search (
      contact_id uuid primary key,
      body text not null
    )`.execute(db);
    await sql
      .raw(`insert into contact_search (contact_id, body) select c.id, ${body('c')} from contacts c`)
      .execute(db);
    await sql`create index contact_search_body_trgm_idx on contact_search using gin (body gin_trgm_ops)`.execute(
      db,
    );
    await sql
      .raw(
        `create function contact_search_keep() returns trigger language plpgsql as $$
      begin
        insert into contact_search (contact_id, body) values (new.id, ${body('new')})
        on conflict (contact_id) do update set body = excluded.body;
        return null;
      end $$`,
      )
      .execute(db);
    await sql`create trigger contact_search_on_insert after insert on contacts
      for each row execute function contact_search_keep()`.execute(db);
    await sql`create trigger contact_search_on_update
      after update of first_name, last_name, email, account_id on contacts
      for each row when (${sql.raw(changed)})
      execute function contact_search_keep()`.execute(db);
    await sql`create function contact_search_drop() returns trigger language plpgsql as $$
      begin
        delete from contact_search where contact_id = old.id;
        return null;
      end $$`.execute(db);
    await sql`create trigger contact_search_on_delete after delete on contacts
      for each row execute function contact_search_drop()`.execute(db);
    await sql
      .raw(
        `create function contact_search_keep_account() returns trigger language plpgsql as $$
      begin
        update contact_search s set body = ${body('c')} from contacts c
        where c.account_id = new.id and s.contact_id = c.id;
        return null;
      end $$`,
      )
      .execute(db);
    await sql`create trigger contact_search_on_account_name after update of name on accounts
      for each row execute function contact_search_keep_account()`.execute(db);
    return;
  }
  await sql`create table contact_search_keys (
    key integer primary key,
    contact_id text not null unique
  )`.execute(db);
  await sql`create virtual table contact_search using fts5(body, tokenize = 'trigram')`.execute(db);
  await sql`insert into contact_search_keys (contact_id) select id from contacts order by id`.execute(db);
  await sql
    .raw(
      `insert into contact_search (rowid, body) select k.key, ${body('c')} from contacts c join contact_search_keys k on k.contact_id = c.id`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger contact_search_on_insert after insert on contacts begin
        insert into contact_search_keys (contact_id) values (new.id);
        insert into contact_search (rowid, body) values (last_insert_rowid(), ${body('new')});
      end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger contact_search_on_update after update of first_name, last_name, email, account_id on contacts
        when ${changed} begin
        update contact_search set body = ${body('new')}
        where rowid = (select key from contact_search_keys where contact_id = new.id);
      end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger contact_search_on_delete after delete on contacts begin
        delete from contact_search where rowid = (select key from contact_search_keys where contact_id = old.id);
        delete from contact_search_keys where contact_id = old.id;
      end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger contact_search_on_account_name after update of name on accounts begin
        update contact_search set body = (
          select ${body('c')} from contacts c join contact_search_keys k on k.contact_id = c.id
          where k.key = contact_search.rowid
        )
        where rowid in (
          select k.key from contact_search_keys k join contacts c on c.id = k.contact_id where c.account_id = new.id
        );
      end`,
    )
    .execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg) {
    await sql`drop trigger contact_search_on_account_name on accounts`.execute(db);
    await sql`drop trigger contact_search_on_delete on contacts`.execute(db);
    await sql`drop trigger contact_search_on_update on contacts`.execute(db);
    await sql`drop trigger contact_search_on_insert on contacts`.execute(db);
    await sql`drop function contact_search_keep_account()`.execute(db);
    await sql`drop function contact_search_drop()`.execute(db);
    await sql`drop function contact_search_keep()`.execute(db);
    await sql`drop table contact_search`.execute(db);
    return;
  }
  for (const trigger of [
    'contact_search_on_account_name',
    'contact_search_on_delete',
    'contact_search_on_update',
    'contact_search_on_insert',
  ])
    await sql.raw(`drop trigger ${trigger}`).execute(db);
  await sql`drop table contact_search`.execute(db);
  await sql`drop table contact_search_keys`.execute(db);
}
