// Frozen: a migration never changes once released and never imports live code.
import { sql, type Kysely } from 'kysely';

// The dashboards at scale (issue 27) read a period: the people who came in during it (funnel
// cohort), the clocks started in it (SLA report), and the open clocks company-wide by deadline
// (the director's SLA board). Without these indexes each of them read every row of its table: 1M
// people or 2M clocks for a month's report.
// - contacts_created_idx: the cohort of a period (and its count).
// - sla_instances_started_idx: the clocks started in a period, whoever's they are.
// - sla_instances_open_deadline_idx: the open clocks soonest deadline first, for everyone; the
//   open index by rep (0010) answers a rep's or a team's queue.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.createIndex('contacts_created_idx').on('contacts').column('created_at').execute();
  await db.schema.createIndex('sla_instances_started_idx').on('sla_instances').column('started_at').execute();
  await db.schema
    .createIndex('sla_instances_open_deadline_idx')
    .on('sla_instances')
    .columns(['deadline_at', 'id'])
    .where(sql<boolean>`status in ('running', 'breached') and responded_at is null and closed_reason is null`)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('sla_instances_open_deadline_idx').execute();
  await db.schema.dropIndex('sla_instances_started_idx').execute();
  await db.schema.dropIndex('contacts_created_idx').execute();
}
