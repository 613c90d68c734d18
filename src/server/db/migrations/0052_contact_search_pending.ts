// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// On SQLite a new contact's search text is no longer indexed in the transaction that stores it
// (issue 27). FTS5 writes a segment per transaction: a capture transaction of a few new people
// paid about 50 µs per person for it, more than the row itself. The insert trigger now only
// notes the contact as pending (one small b-tree insert); the pending contacts are indexed a
// thousand at a time, by the background and by every search before it reads, so a search still
// finds every contact stored before it began. A pending contact has no key and no text yet: the
// update and account-name triggers find nothing to change, and indexing reads its fields as they
// are then. Deleting a contact also removes it from the pending list.
// PostgreSQL is unchanged: its GIN index already defers new entries to a pending list.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const isPostgres = (db: AnyDb) => db.getExecutor().adapter instanceof PostgresAdapter;

/** The searched text of the contact row `c` (as migration 0030). */
const body = (c: string) =>
  `lower(coalesce(${c}.first_name, '') || ' ' || coalesce(${c}.last_name, '') || ' ' || coalesce(${c}.email, '') || ' ' || coalesce((select name from accounts where accounts.id = ${c}.account_id), ''))`;

export async function up(db: AnyDb): Promise<void> {
  if (isPostgres(db)) return;
  await sql`create table contact_search_pending (contact_id text primary key) without rowid`.execute(db);
  await sql`drop trigger contact_search_on_insert`.execute(db);
  await sql`create trigger contact_search_on_insert after insert on contacts begin
      insert into contact_search_pending (contact_id) values (new.id);
    end`.execute(db);
  await sql`drop trigger contact_search_on_delete`.execute(db);
  await sql`create trigger contact_search_on_delete after delete on contacts begin
      delete from contact_search where rowid = (select key from contact_search_keys where contact_id = old.id);
      delete from contact_search_keys where contact_id = old.id;
      delete from contact_search_pending where contact_id = old.id;
    end`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  if (isPostgres(db)) return;
  // What is still pending is indexed first, as 0030's triggers would have done.
  await sql`insert into contact_search_keys (contact_id)
    select contact_id from contact_search_pending order by contact_id`.execute(db);
  await sql
    .raw(
      `insert into contact_search (rowid, body) select k.key, ${body('c')} from contact_search_pending p
        join contact_search_keys k on k.contact_id = p.contact_id join contacts c on c.id = p.contact_id`,
    )
    .execute(db);
  await sql`drop trigger contact_search_on_delete`.execute(db);
  await sql`create trigger contact_search_on_delete after delete on contacts begin
      delete from contact_search where rowid = (select key from contact_search_keys where contact_id = old.id);
      delete from contact_search_keys where contact_id = old.id;
    end`.execute(db);
  await sql`drop trigger contact_search_on_insert`.execute(db);
  await sql
    .raw(
      `create trigger contact_search_on_insert after insert on contacts begin
        insert into contact_search_keys (contact_id) values (new.id);
        insert into contact_search (rowid, body) values (last_insert_rowid(), ${body('new')});
      end`,
    )
    .execute(db);
  await sql`drop table contact_search_pending`.execute(db);
}
