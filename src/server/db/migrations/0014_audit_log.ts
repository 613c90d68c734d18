// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

function typesFor(db: AnyDb) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    pg,
    id: pg ? ('uuid' as const) : ('text' as const),
    time: pg ? ('timestamptz' as const) : ('text' as const),
    json: pg ? ('jsonb' as const) : ('text' as const),
  };
}

// The audit log: who did what, when and from where (IP, user agent, API key), for sign-ins,
// people, keys, the settings that route and time leads, manual routing, waivers, imports and
// exports. Append-only: the store refuses to change a row, and removes one only once it is older
// than the retention kept in audit_settings, so retention and append-only hold together.
export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);
  await db.schema
    .createTable('audit_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('retention_days', 'integer', (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db
    .insertInto('audit_settings')
    // Two years, until an admin changes it (updated_at: never changed).
    .values({ id: 1, retention_days: 730, updated_at: '1970-01-01T00:00:00.000Z' })
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('occurred_at', t.time, (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text')
    .addColumn('api_key_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('subject_type', 'text')
    .addColumn('subject_id', 'text')
    .addColumn('details', t.json, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_time_idx').on('audit_log').columns(['occurred_at', 'id']).execute();
  await db.schema
    .createIndex('audit_log_actor_idx')
    .on('audit_log')
    .columns(['actor_id', 'occurred_at'])
    .execute();
  await db.schema
    .createIndex('audit_log_action_idx')
    .on('audit_log')
    .columns(['action', 'occurred_at'])
    .execute();

  if (t.pg) {
    await sql`create function audit_log_guard() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and old.occurred_at <
          now() - make_interval(days => (select retention_days from audit_settings where id = 1)) then
          return old;
        end if;
        raise exception 'audit_log is append-only: a row is removed only after the retention period';
      end $$`.execute(db);
    await sql`create trigger audit_log_guard before update or delete on audit_log
      for each row execute function audit_log_guard()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      when old.occurred_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now',
        '-' || (select retention_days from audit_settings where id = 1) || ' days')
      begin select raise(abort, 'audit_log is append-only: a row is removed only after the retention period'); end`.execute(
      db,
    );
  }
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('audit_settings').execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter)
    await sql`drop function if exists audit_log_guard()`.execute(db);
}
