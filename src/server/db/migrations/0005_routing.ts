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
    bool: pg ? ('boolean' as const) : ('integer' as const),
    json: pg ? ('jsonb' as const) : ('text' as const),
    real: pg ? ('double precision' as const) : ('real' as const),
  };
}

/** Monday to Friday, 09:00–17:30, frozen here as it was in 2026-11. */
const defaultHours = JSON.stringify({
  mon: [['09:00', '17:30']],
  tue: [['09:00', '17:30']],
  wed: [['09:00', '17:30']],
  thu: [['09:00', '17:30']],
  fri: [['09:00', '17:30']],
});

export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);

  await db.schema
    .alterTable('users')
    .addColumn('working_hours', t.json, (c) => c.notNull().defaultTo(defaultHours))
    .execute();

  await db.schema
    .createTable('user_absences')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('starts_at', t.time, (c) => c.notNull())
    .addColumn('ends_at', t.time, (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_by', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('user_absences_user_idx')
    .on('user_absences')
    .columns(['user_id', 'ends_at'])
    .execute();

  await db.schema
    .createTable('routing_pools')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('is_performance_aware', t.bool, (c) => c.notNull())
    // The pool's turn: who got the last lead, and the weighted counters.
    .addColumn('last_user_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('turn_state', t.json, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('routing_pool_members')
    .addColumn('pool_id', t.id, (c) => c.notNull().references('routing_pools.id').onDelete('cascade'))
    .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('weight', t.real, (c) => c.notNull())
    .addColumn('cap_per_day', 'integer')
    .addColumn('cap_per_week', 'integer')
    .addColumn('joined_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('routing_pool_members_pk', ['pool_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('routing_rules')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('conditions', t.json, (c) => c.notNull())
    .addColumn('target_pool_id', t.id, (c) => c.references('routing_pools.id').onDelete('restrict'))
    .addColumn('target_user_id', t.id, (c) => c.references('users.id').onDelete('restrict'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  // One row: how routing starts and where leads go that no rule takes.
  await db.schema
    .createTable('routing_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('is_ownership_first', t.bool, (c) => c.notNull())
    .addColumn('fallback_pool_id', t.id, (c) => c.references('routing_pools.id').onDelete('set null'))
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db
    .insertInto('routing_settings')
    .values({
      id: 1,
      is_ownership_first: t.pg ? true : 1,
      fallback_pool_id: null,
      updated_at: new Date(0).toISOString(),
    })
    .execute();

  // Every routing decision and reassignment, with its explanation; the latest is the current one.
  await db.schema
    .createTable('assignments')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('contact_id', t.id, (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('user_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('pool_id', t.id, (c) => c.references('routing_pools.id').onDelete('set null'))
    .addColumn('rule_id', t.id, (c) => c.references('routing_rules.id').onDelete('set null'))
    .addColumn('reason', 'text')
    .addColumn('explanation', t.json, (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('assigned_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('assignments_contact_idx')
    .on('assignments')
    .columns(['contact_id', 'assigned_at'])
    .execute();
  // Counting a rep's leads today, this week and this period.
  await db.schema
    .createIndex('assignments_user_idx')
    .on('assignments')
    .columns(['user_id', 'assigned_at'])
    .execute();
  // The unassigned queue: leads whose latest decision found no one.
  await db.schema
    .createIndex('assignments_unassigned_idx')
    .on('assignments')
    .column('assigned_at')
    .where(sql.ref('kind'), '=', 'unassigned')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('assignments').execute();
  await db.schema.dropTable('routing_settings').execute();
  await db.schema.dropTable('routing_rules').execute();
  await db.schema.dropTable('routing_pool_members').execute();
  await db.schema.dropTable('routing_pools').execute();
  await db.schema.dropTable('user_absences').execute();
  await db.schema.alterTable('users').dropColumn('working_hours').execute();
}
