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
  };
}

const stages = [
  [
    'subscriber',
    0,
    false,
    'Subscriber',
    'Abonnee',
    'Opted in to hear from us (newsletter, blog) but has shown no buying interest yet.',
    'Heeft zich aangemeld voor onze berichten (nieuwsbrief, blog) maar nog geen koopinteresse getoond.',
  ],
  [
    'lead',
    1,
    false,
    'Lead',
    'Lead',
    'A known person who showed interest, for example by filling in a form, and is not yet qualified by Marketing.',
    'Een bekende persoon die interesse toonde, bijvoorbeeld via een formulier, en nog niet door Marketing is gekwalificeerd.',
  ],
  [
    'mql',
    2,
    false,
    'Marketing qualified lead (MQL)',
    'Marketing qualified lead (MQL)',
    'Fit and engagement are over the agreed thresholds, or the person took a high-intent action (demo request, contact sales). Ready to hand to Sales.',
    'Fit en betrokkenheid liggen boven de afgesproken drempels, of de persoon deed iets met hoge koopintentie (demo-aanvraag, contact met sales). Klaar voor overdracht aan Sales.',
  ],
  [
    'sal',
    3,
    false,
    'Sales accepted lead (SAL)',
    'Sales accepted lead (SAL)',
    'A rep accepted the lead and committed to follow it up.',
    'Een verkoper heeft de lead geaccepteerd en zich verplicht tot opvolging.',
  ],
  [
    'sql',
    4,
    false,
    'Sales qualified lead (SQL)',
    'Sales qualified lead (SQL)',
    'A real conversation confirmed need, authority and timing.',
    'Een echt gesprek heeft behoefte, beslissingsbevoegdheid en timing bevestigd.',
  ],
  [
    'opportunity',
    5,
    false,
    'Opportunity',
    'Verkoopkans',
    'An open deal with an amount and an expected close date.',
    'Een open deal met een bedrag en een verwachte sluitdatum.',
  ],
  [
    'customer',
    6,
    false,
    'Customer',
    'Klant',
    'The deal was won: the company bought from us.',
    'De deal is gewonnen: het bedrijf heeft bij ons gekocht.',
  ],
  [
    'recycled',
    100,
    true,
    'Recycled',
    'Teruggegeven aan Marketing',
    'Back to Marketing for nurture, with the reason. It may become an MQL again on new engagement after a cool-off.',
    'Terug naar Marketing om verder te warmen, met de reden. Kan na een afkoelperiode bij nieuwe betrokkenheid weer MQL worden.',
  ],
  [
    'disqualified',
    101,
    true,
    'Disqualified',
    'Gediskwalificeerd',
    'Not a fit and not to be pursued, for example a student, a competitor or bad data.',
    'Geen match en niet op te volgen, bijvoorbeeld een student, een concurrent of foute gegevens.',
  ],
] as const;

const mainKeys = stages.filter((s) => !s[2]).map((s) => s[0]);
const transitions: [string, string][] = [
  ...mainKeys.flatMap((from) =>
    mainKeys.filter((to) => to !== from).map((to): [string, string] => [from, to]),
  ),
  ...mainKeys.flatMap((from): [string, string][] => [
    [from, 'recycled'],
    [from, 'disqualified'],
  ]),
  ['recycled', 'lead'],
  ['recycled', 'mql'],
  ['recycled', 'disqualified'],
  ['disqualified', 'lead'],
];

export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);
  const now = '2026-01-01T00:00:00.000Z';

  await db.schema
    .createTable('users')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('manager_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('is_active', t.bool, (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addColumn('deactivated_at', t.time)
    .execute();
  await db.schema.createIndex('users_manager_id_idx').on('users').column('manager_id').execute();

  await db.schema
    .createTable('teams')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('manager_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('team_members')
    .addColumn('team_id', t.id, (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
    .execute();
  await db.schema.createIndex('team_members_user_id_idx').on('team_members').column('user_id').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('expires_at', t.time, (c) => c.notNull())
    .addColumn('last_seen_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_id_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('login_attempts')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('is_success', t.bool, (c) => c.notNull())
    .addColumn('attempted_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('login_attempts_email_idx')
    .on('login_attempts')
    .columns(['email', 'attempted_at'])
    .execute();
  await db.schema
    .createIndex('login_attempts_ip_idx')
    .on('login_attempts')
    .columns(['ip', 'attempted_at'])
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('last_used_at', t.time)
    .addColumn('revoked_at', t.time)
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('employee_count', 'integer')
    .addColumn('industry', 'text')
    .addColumn('country', 'text')
    .addColumn('owner_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('accounts_owner_id_idx').on('accounts').column('owner_id').execute();

  await db.schema
    .createTable('account_domains')
    .addColumn('domain', 'text', (c) => c.primaryKey())
    .addColumn('account_id', t.id, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .execute();
  await db.schema
    .createIndex('account_domains_account_id_idx')
    .on('account_domains')
    .column('account_id')
    .execute();

  await db.schema
    .createTable('stages')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('name_nl', 'text', (c) => c.notNull())
    .addColumn('definition_en', 'text', (c) => c.notNull())
    .addColumn('definition_nl', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('is_side', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('stage_transitions')
    .addColumn('from_key', 'text', (c) => c.notNull().references('stages.key').onDelete('cascade'))
    .addColumn('to_key', 'text', (c) => c.notNull().references('stages.key').onDelete('cascade'))
    .addPrimaryKeyConstraint('stage_transitions_pk', ['from_key', 'to_key'])
    .execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('title', 'text')
    .addColumn('phone', 'text')
    .addColumn('country', 'text')
    .addColumn('account_id', t.id, (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('owner_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('stage', 'text', (c) => c.notNull().references('stages.key'))
    .addColumn('stage_entered_at', t.time, (c) => c.notNull())
    .addColumn('consent_status', 'text', (c) => c.notNull())
    .addColumn('consent_source', 'text')
    .addColumn('consent_at', t.time)
    .addColumn('is_opted_out', t.bool, (c) => c.notNull())
    .addColumn('opt_out_source', 'text')
    .addColumn('opt_out_at', t.time)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contacts_owner_id_idx').on('contacts').column('owner_id').execute();
  await db.schema.createIndex('contacts_account_id_idx').on('contacts').column('account_id').execute();
  await db.schema.createIndex('contacts_stage_idx').on('contacts').column('stage').execute();

  await db.schema
    .createTable('stage_changes')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('contact_id', t.id, (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('from_stage', 'text')
    .addColumn('to_stage', 'text', (c) => c.notNull())
    .addColumn('occurred_at', t.time, (c) => c.notNull())
    .addColumn('recorded_at', t.time, (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text')
    .addColumn('reason_code', 'text')
    .addColumn('note', 'text')
    .addColumn('agreement_version', 'integer')
    .execute();
  await db.schema
    .createIndex('stage_changes_contact_idx')
    .on('stage_changes')
    .columns(['contact_id', 'occurred_at'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', t.time, (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('events_subject_idx')
    .on('events')
    .columns(['subject_type', 'subject_id'])
    .execute();

  // History is append-only: the database itself refuses to rewrite it.
  for (const table of ['stage_changes', 'events']) {
    if (t.pg) {
      await sql`create function ${sql.raw(`${table}_append_only`)}() returns trigger language plpgsql as $$
        begin raise exception '${sql.raw(table)} is append-only'; end $$`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_no_update`)} before update on ${sql.table(table)}
        for each row execute function ${sql.raw(`${table}_append_only`)}()`.execute(db);
    } else {
      await sql`create trigger ${sql.raw(`${table}_no_update`)} before update on ${sql.table(table)}
        begin select raise(abort, '${sql.raw(table)} is append-only'); end`.execute(db);
    }
  }

  await db
    .insertInto('stages')
    .values(
      stages.map(([key, position, isSide, nameEn, nameNl, definitionEn, definitionNl]) => ({
        key,
        name_en: nameEn,
        name_nl: nameNl,
        definition_en: definitionEn,
        definition_nl: definitionNl,
        position,
        is_side: t.pg ? isSide : Number(isSide),
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  await db
    .insertInto('stage_transitions')
    .values(transitions.map(([from, to]) => ({ from_key: from, to_key: to })))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  const t = typesFor(db);
  for (const table of [
    'events',
    'stage_changes',
    'contacts',
    'stage_transitions',
    'stages',
    'account_domains',
    'accounts',
    'api_keys',
    'login_attempts',
    'sessions',
    'team_members',
    'teams',
    'users',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  if (t.pg) {
    await sql`drop function if exists stage_changes_append_only()`.execute(db);
    await sql`drop function if exists events_append_only()`.execute(db);
  }
}
