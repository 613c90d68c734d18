// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const erased = '{"erased":true}';

// Erasing a person (GDPR/AVG art. 17) blanks what the event and audit logs say about them. The
// logs stay append-only for everything else: the one change the store lets through is an entry's
// payload (details) becoming {"erased":true}, with every other column as it was.
export async function up(db: AnyDb): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create or replace function events_append_only() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' and new.payload = ${sql.lit(erased)}::jsonb
          and (new.id, new.type, new.occurred_at, new.actor_kind, new.actor_id, new.subject_type, new.subject_id)
            is not distinct from
              (old.id, old.type, old.occurred_at, old.actor_kind, old.actor_id, old.subject_type, old.subject_id) then
          return new;
        end if;
        raise exception 'events is append-only';
      end $$`.execute(db);
    await sql`create or replace function audit_log_guard() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and old.occurred_at <
          now() - make_interval(days => (select retention_days from audit_settings where id = 1)) then
          return old;
        end if;
        if tg_op = 'UPDATE' and new.details = ${sql.lit(erased)}::jsonb
          and (new.id, new.occurred_at, new.action, new.actor_kind, new.actor_id, new.actor_label,
               new.api_key_id, new.ip, new.user_agent, new.subject_type, new.subject_id)
            is not distinct from
              (old.id, old.occurred_at, old.action, old.actor_kind, old.actor_id, old.actor_label,
               old.api_key_id, old.ip, old.user_agent, old.subject_type, old.subject_id) then
          return new;
        end if;
        raise exception 'audit_log is append-only: a row is removed only after the retention period';
      end $$`.execute(db);
    return;
  }
  await sql`drop trigger events_no_update`.execute(db);
  await sql`create trigger events_no_update before update on "events"
    when not (new.payload = ${sql.lit(erased)} and new.id is old.id and new.type is old.type
      and new.occurred_at is old.occurred_at and new.actor_kind is old.actor_kind
      and new.actor_id is old.actor_id and new.subject_type is old.subject_type
      and new.subject_id is old.subject_id)
    begin select raise(abort, 'events is append-only'); end`.execute(db);
  await sql`drop trigger audit_log_no_update`.execute(db);
  await sql`create trigger audit_log_no_update before update on audit_log
    when not (new.details = ${sql.lit(erased)} and new.id is old.id and new.occurred_at is old.occurred_at
      and new.action is old.action and new.actor_kind is old.actor_kind and new.actor_id is old.actor_id
      and new.actor_label is old.actor_label and new.api_key_id is old.api_key_id and new.ip is old.ip
      and new.user_agent is old.user_agent and new.subject_type is old.subject_type
      and new.subject_id is old.subject_id)
    begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create or replace function events_append_only() returns trigger language plpgsql as $$
      begin raise exception 'events is append-only'; end $$`.execute(db);
    await sql`create or replace function audit_log_guard() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and old.occurred_at <
          now() - make_interval(days => (select retention_days from audit_settings where id = 1)) then
          return old;
        end if;
        raise exception 'audit_log is append-only: a row is removed only after the retention period';
      end $$`.execute(db);
    return;
  }
  await sql`drop trigger events_no_update`.execute(db);
  await sql`create trigger events_no_update before update on "events"
    begin select raise(abort, 'events is append-only'); end`.execute(db);
  await sql`drop trigger audit_log_no_update`.execute(db);
  await sql`create trigger audit_log_no_update before update on audit_log
    begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
}
