// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// A version per table whose reads are kept between requests (issue 27): `table_versions` holds a
// number that every committed change of the table raises, so a figure read from the table while
// the number stayed the same is still exact. The board's velocity reads a trailing year of closed
// deals, and the first win of every account, on each call, though they change only when a deal
// does.
//
// Triggers raise it, in the writer's own transaction, so no writer can forget it:
// - SQLite: after each inserted, updated or deleted row (one writer at a time).
// - PostgreSQL: once per transaction, at its commit (a deferred constraint trigger that marks the
//   transaction with a local setting). The row is locked only while the transaction commits, so a
//   writer of deals never holds it while it waits on another deal's row: no deadlock through it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('table_versions')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.insertInto('table_versions').values({ name: 'opportunities', version: 0 }).execute();
  const bump = `update table_versions set version = version + 1 where name = 'opportunities'`;
  if (pg) {
    await sql
      .raw(
        `create function opportunities_version_bump() returns trigger language plpgsql as $$
        begin
          if current_setting('baton.opportunities_bumped', true) is distinct from '1' then
            perform set_config('baton.opportunities_bumped', '1', true);
            ${bump};
          end if;
          return null;
        end $$`,
      )
      .execute(db);
    await sql
      .raw(
        `create constraint trigger opportunities_version after insert or update or delete on opportunities
        deferrable initially deferred for each row execute function opportunities_version_bump()`,
      )
      .execute(db);
  } else {
    for (const op of ['insert', 'update', 'delete'])
      await sql
        .raw(`create trigger opportunities_version_on_${op} after ${op} on opportunities begin ${bump}; end`)
        .execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg) {
    await sql.raw('drop trigger opportunities_version on opportunities').execute(db);
    await sql.raw('drop function opportunities_version_bump()').execute(db);
  } else
    for (const op of ['insert', 'update', 'delete'])
      await sql.raw(`drop trigger opportunities_version_on_${op}`).execute(db);
  await db.schema.dropTable('table_versions').execute();
}
