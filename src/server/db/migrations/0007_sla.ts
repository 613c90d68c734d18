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

const weekdays = JSON.stringify({
  mon: [['09:00', '17:30']],
  tue: [['09:00', '17:30']],
  wed: [['09:00', '17:30']],
  thu: [['09:00', '17:30']],
  fri: [['09:00', '17:30']],
});

// The defaults of PRODUCT.md as they stood in 2026-11; admins edit them afterwards.
const policies = [
  [
    'mql-first-response-hot',
    'Hot lead: first response',
    'Hete lead: eerste reactie',
    'mql',
    'first_response',
    'hot',
    15 * 60,
    true,
  ],
  [
    'mql-first-response',
    'MQL: first response',
    'MQL: eerste reactie',
    'mql',
    'first_response',
    'normal',
    4 * 3600,
    true,
  ],
  [
    'mql-accept-or-reject',
    'MQL: accept or reject',
    'MQL: accepteren of afwijzen',
    'mql',
    'accept_or_reject',
    'normal',
    8.5 * 3600,
    false,
  ],
  [
    'sal-qualify-or-recycle',
    'SAL: qualify or recycle',
    'SAL: kwalificeren of terugsturen',
    'sal',
    'qualify_or_recycle',
    'normal',
    5 * 8.5 * 3600,
    false,
  ],
  [
    'sql-opportunity-or-recycle',
    'SQL: opportunity or recycle',
    'SQL: opportunity of terugsturen',
    'sql',
    'opportunity_or_recycle',
    'normal',
    10 * 8.5 * 3600,
    false,
  ],
] as const;

// Ids of the seeded rows, fixed so that every database has the same ones.
const calendarId = '01900000-0000-7000-8000-00000000ca1e';
const policyId = (i: number) => `01900000-0000-7000-8000-0000000005${String(i).padStart(2, '0')}`;

export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);
  const epoch = new Date(0).toISOString();
  const bool = (b: boolean) => (t.pg ? b : b ? 1 : 0);

  await db.schema
    .createTable('sla_calendars')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('working_hours', t.json, (c) => c.notNull())
    // 'NL' for the Dutch public holidays, or null for none.
    .addColumn('holiday_country', 'text')
    .addColumn('is_good_friday', t.bool, (c) => c.notNull())
    .addColumn('liberation_day', 'text', (c) => c.notNull())
    // Company closures: [{ from, to }] inclusive local dates.
    .addColumn('closures', t.json, (c) => c.notNull())
    .addColumn('is_default', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sla_calendars_one_default_idx')
    .on('sla_calendars')
    .column('is_default')
    .unique()
    .where(sql.ref('is_default'), '=', sql.lit(t.pg ? true : 1))
    .execute();
  await db
    .insertInto('sla_calendars')
    .values({
      id: calendarId,
      name: 'Nederland',
      time_zone: 'Europe/Amsterdam',
      working_hours: weekdays,
      holiday_country: 'NL',
      is_good_friday: bool(false),
      liberation_day: 'every_five_years',
      closures: '[]',
      is_default: bool(true),
      created_at: epoch,
      updated_at: epoch,
    })
    .execute();

  await db.schema
    .createTable('sla_policies')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('name_nl', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('window_seconds', 'integer', (c) => c.notNull())
    .addColumn('reminder_at', t.real)
    .addColumn('escalations', 'integer', (c) => c.notNull())
    .addColumn('is_reassigning', t.bool, (c) => c.notNull())
    .addColumn('calendar_id', t.id, (c) => c.references('sla_calendars.id').onDelete('set null'))
    .addColumn('is_active', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db
    .insertInto('sla_policies')
    .values(
      policies.map(([key, en, nl, stage, target, priority, seconds, reassign], i) => ({
        id: policyId(i),
        key,
        name_en: en,
        name_nl: nl,
        stage,
        target,
        priority,
        window_seconds: seconds,
        reminder_at: 0.5,
        escalations: 2,
        is_reassigning: bool(reassign),
        calendar_id: null,
        is_active: bool(true),
        created_at: epoch,
        updated_at: epoch,
      })),
    )
    .execute();

  // One clock per lead, policy and accountable rep.
  await db.schema
    .createTable('sla_instances')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('contact_id', t.id, (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('policy_id', t.id, (c) => c.notNull().references('sla_policies.id').onDelete('restrict'))
    .addColumn('user_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('assignment_id', t.id, (c) => c.references('assignments.id').onDelete('set null'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    // running → met | breached (level ≥ 1) → … ; waived and cancelled close it too.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    // The planned steps (JSON) and the next one not yet taken.
    .addColumn('ladder', t.json, (c) => c.notNull())
    .addColumn('next_step', 'integer', (c) => c.notNull())
    // When the sweeper must look next; null once the ladder is done or the clock stopped.
    .addColumn('next_check_at', t.time)
    .addColumn('started_at', t.time, (c) => c.notNull())
    .addColumn('deadline_at', t.time, (c) => c.notNull())
    .addColumn('responded_at', t.time)
    .addColumn('breached_at', t.time)
    .addColumn('closed_reason', 'text')
    .addColumn('waived_by', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('waived_reason', 'text')
    .addColumn('waived_at', t.time)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  // The sweeper's question — what is due? — touches only the instances still on their ladder.
  await db.schema
    .createIndex('sla_instances_due_idx')
    .on('sla_instances')
    .column('next_check_at')
    .where(sql.ref('next_check_at'), 'is not', null)
    .execute();
  await db.schema.createIndex('sla_instances_contact_idx').on('sla_instances').column('contact_id').execute();
  // A rep's record over a period (the performance factor, reports).
  await db.schema
    .createIndex('sla_instances_user_idx')
    .on('sla_instances')
    .columns(['user_id', 'started_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('sla_instances').execute();
  await db.schema.dropTable('sla_policies').execute();
  await db.schema.dropTable('sla_calendars').execute();
}
