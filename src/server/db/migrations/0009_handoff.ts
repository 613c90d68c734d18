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
    money: pg ? ('bigint' as const) : ('integer' as const),
  };
}

// The reasons of issue 7 as they stood in 2026-11; admins edit them afterwards. Each says whether
// the lead goes back to Marketing for nurture (recycle) or leaves the funnel (disqualify).
const reasons = [
  ['not_target_profile', 'Not in our target profile', 'Niet in ons doelprofiel', 'disqualify'],
  ['no_budget', 'No budget', 'Geen budget', 'recycle'],
  ['not_now', 'Not now / timing', 'Nu niet / timing', 'recycle'],
  ['wrong_contact', 'Wrong contact', 'Verkeerde contactpersoon', 'recycle'],
  ['bad_data', 'Bad data', 'Onjuiste gegevens', 'disqualify'],
  ['duplicate', 'Duplicate', 'Dubbel', 'disqualify'],
  ['competitor', 'Competitor', 'Concurrent', 'disqualify'],
  ['already_in_sales_cycle', 'Already in a sales cycle', 'Al in een verkooptraject', 'disqualify'],
  ['student_or_job_seeker', 'Student or job seeker', 'Student of werkzoekende', 'disqualify'],
] as const;

const checklist = JSON.stringify([
  { key: 'need', label: { en: 'Need: a problem we solve', nl: 'Behoefte: een probleem dat wij oplossen' } },
  { key: 'budget', label: { en: 'Budget: money is available', nl: 'Budget: er is geld beschikbaar' } },
  {
    key: 'authority',
    label: { en: 'Authority: we talk to who decides', nl: 'Bevoegdheid: we spreken wie beslist' },
  },
  {
    key: 'timing',
    label: { en: 'Timing: a decision within months', nl: 'Timing: een besluit binnen maanden' },
  },
]);

// A B2B sales pipeline; won and lost close the opportunity.
const opportunityStages = [
  ['discovery', 'Discovery', 'Verkenning', 0.1, 'open'],
  ['demo', 'Demo', 'Demo', 0.25, 'open'],
  ['proposal', 'Proposal', 'Offerte', 0.5, 'open'],
  ['negotiation', 'Negotiation', 'Onderhandeling', 0.75, 'open'],
  ['won', 'Won', 'Gewonnen', 1, 'won'],
  ['lost', 'Lost', 'Verloren', 0, 'lost'],
] as const;

export async function up(db: AnyDb): Promise<void> {
  const t = typesFor(db);
  const epoch = new Date(0).toISOString();
  const bool = (b: boolean) => (t.pg ? b : b ? 1 : 0);

  await db.schema
    .createTable('rejection_reasons')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('label_en', 'text', (c) => c.notNull())
    .addColumn('label_nl', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('is_active', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db
    .insertInto('rejection_reasons')
    .values(
      reasons.map(([key, en, nl, outcome], i) => ({
        key,
        label_en: en,
        label_nl: nl,
        outcome,
        position: (i + 1) * 10,
        is_active: bool(true),
        created_at: epoch,
        updated_at: epoch,
      })),
    )
    .execute();

  // One row: how recycling and qualifying work here.
  await db.schema
    .createTable('handoff_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    // A recycled lead's engagement counts again from zero (touches before the recycle are ignored).
    .addColumn('is_engagement_reset', t.bool, (c) => c.notNull())
    // After this many rejections a lead is routed again only by a person.
    .addColumn('ping_pong_limit', 'integer', (c) => c.notNull())
    .addColumn('qualification_checklist', t.json, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db
    .insertInto('handoff_settings')
    .values({
      id: 1,
      is_engagement_reset: bool(true),
      ping_pong_limit: 3,
      qualification_checklist: checklist,
      updated_at: epoch,
    })
    .execute();

  // What Sales decided on a lead so far, and from when its engagement counts.
  await db.schema
    .alterTable('contacts')
    .addColumn('rejection_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('contacts')
    .addColumn('needs_review', t.bool, (c) => c.notNull().defaultTo(sql.lit(t.pg ? false : 0)))
    .execute();
  await db.schema.alterTable('contacts').addColumn('engagement_since', t.time).execute();

  // A lead qualified to SQL: the checklist as the rep answered it.
  await db.schema
    .createTable('qualifications')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('contact_id', t.id, (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('user_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('answers', t.json, (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('occurred_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('qualifications_contact_idx')
    .on('qualifications')
    .column('contact_id')
    .execute();

  await db.schema
    .createTable('opportunity_stages')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('name_nl', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('probability', t.real, (c) => c.notNull())
    // open, won or lost: won and lost close the opportunity.
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('is_active', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db
    .insertInto('opportunity_stages')
    .values(
      opportunityStages.map(([key, en, nl, probability, outcome], i) => ({
        key,
        name_en: en,
        name_nl: nl,
        position: (i + 1) * 10,
        probability,
        outcome,
        is_active: bool(true),
        created_at: epoch,
        updated_at: epoch,
      })),
    )
    .execute();

  await db.schema
    .createTable('opportunities')
    .addColumn('id', t.id, (c) => c.primaryKey())
    // The id in the system it was imported from: importing the same file twice changes nothing.
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('account_id', t.id, (c) => c.references('accounts.id').onDelete('set null'))
    // The lead it was created from (the SQL), if any.
    .addColumn('contact_id', t.id, (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('owner_id', t.id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('stage', 'text', (c) => c.notNull().references('opportunity_stages.key'))
    .addColumn('status', 'text', (c) => c.notNull())
    // Money in minor units (cents) with its ISO 4217 currency.
    .addColumn('amount_minor', t.money)
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('product', 'text')
    .addColumn('expected_close_on', 'text')
    .addColumn('closed_on', 'text')
    .addColumn('lost_reason', 'text')
    .addColumn('stage_entered_at', t.time, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('opportunities_owner_idx')
    .on('opportunities')
    .columns(['owner_id', 'status'])
    .execute();
  await db.schema.createIndex('opportunities_account_idx').on('opportunities').column('account_id').execute();
  await db.schema.createIndex('opportunities_contact_idx').on('opportunities').column('contact_id').execute();

  // Every stage an opportunity went through, with when and who, as for leads.
  await db.schema
    .createTable('opportunity_stage_changes')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('opportunity_id', t.id, (c) => c.notNull().references('opportunities.id').onDelete('cascade'))
    .addColumn('from_stage', 'text')
    .addColumn('to_stage', 'text', (c) => c.notNull())
    .addColumn('occurred_at', t.time, (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('note', 'text')
    .execute();
  await db.schema
    .createIndex('opportunity_stage_changes_opportunity_idx')
    .on('opportunity_stage_changes')
    .columns(['opportunity_id', 'occurred_at'])
    .execute();

  // The people on a deal and their part in it (the attribution issue credits their touches).
  await db.schema
    .createTable('opportunity_contacts')
    .addColumn('opportunity_id', t.id, (c) => c.notNull().references('opportunities.id').onDelete('cascade'))
    .addColumn('contact_id', t.id, (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('opportunity_contacts_pk', ['opportunity_id', 'contact_id'])
    .execute();
  await db.schema
    .createIndex('opportunity_contacts_contact_idx')
    .on('opportunity_contacts')
    .column('contact_id')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('opportunity_contacts').execute();
  await db.schema.dropTable('opportunity_stage_changes').execute();
  await db.schema.dropTable('opportunities').execute();
  await db.schema.dropTable('opportunity_stages').execute();
  await db.schema.dropTable('qualifications').execute();
  for (const column of ['engagement_since', 'needs_review', 'rejection_count'])
    await db.schema.alterTable('contacts').dropColumn(column).execute();
  await db.schema.dropTable('handoff_settings').execute();
  await db.schema.dropTable('rejection_reasons').execute();
}
