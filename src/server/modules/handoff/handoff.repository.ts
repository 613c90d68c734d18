import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { dialectOf, inListSql, toDbTime } from '../../db/dialect.ts';
import type { HandoffSettingsTable, QualificationsTable, RejectionReasonsTable } from '../../db/tables.ts';

export type RejectionReasonRow = Selectable<RejectionReasonsTable>;
export type HandoffSettingsRow = Selectable<HandoffSettingsTable>;

export async function findRejectionReasons(db: Db): Promise<RejectionReasonRow[]> {
  return db.selectFrom('rejection_reasons').selectAll().orderBy('position').orderBy('key').execute();
}

export async function findRejectionReason(db: Db, key: string): Promise<RejectionReasonRow | undefined> {
  return db.selectFrom('rejection_reasons').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function insertRejectionReason(db: Db, row: Insertable<RejectionReasonsTable>): Promise<void> {
  await db.insertInto('rejection_reasons').values(row).execute();
}

export async function updateRejectionReasonRow(
  db: Db,
  key: string,
  patch: Updateable<RejectionReasonsTable>,
): Promise<void> {
  await db.updateTable('rejection_reasons').set(patch).where('key', '=', key).execute();
}

export async function findHandoffSettings(db: Db): Promise<HandoffSettingsRow> {
  return db.selectFrom('handoff_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function updateHandoffSettingsRow(
  db: Db,
  patch: Updateable<HandoffSettingsTable>,
): Promise<void> {
  await db.updateTable('handoff_settings').set(patch).where('id', '=', 1).execute();
}

export async function insertQualification(db: Db, row: Insertable<QualificationsTable>): Promise<void> {
  await db.insertInto('qualifications').values(row).execute();
}

export async function findQualificationsOfContact(db: Db, contactId: string) {
  return db
    .selectFrom('qualifications')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('occurred_at')
    .execute();
}

/** Which handed-over leads a fate report covers. */
export interface FateFilter {
  from: Date;
  to: Date;
  /** Only the leads these users own; null: everyone's. */
  ownerIds: readonly string[] | null;
  source?: string | undefined;
  campaign?: string | undefined;
  formId?: string | undefined;
  repId?: string | undefined;
}

/** A dimension the rejections are grouped by. */
export type FateDimension = 'source' | 'campaign' | 'form' | 'score_band' | 'rep';

/**
 * The fate of each lead whose first entry into `mql` in the period falls in it, one row per lead:
 * the ids of its first assignment to a person, of its first move out of `mql` made by a person
 * (the decision; or, without `decisionRow`, only the stage it went to, from the index) and of its
 * first opportunity at or after the handover, and when it first became an SQL; with `touches`,
 * the campaign and form of its last marketing touch at or before the handover. Each is one step in
 * an index of the lead's own rows, never its whole history. `contactIds`: only these leads.
 */
function leadFates(
  db: Db,
  filter: FateFilter,
  { touches, decisionRow }: { touches: boolean; decisionRow: boolean },
  contactIds?: readonly string[],
) {
  const from = toDbTime(filter.from);
  const to = toDbTime(filter.to);
  // Named leads (a page's): each one's first entry, from its own changes.
  const firstMql = contactIds
    ? db
        .selectFrom('contacts as ec')
        .select((eb) => [
          'ec.id as contact_id',
          eb
            .selectFrom('stage_changes as m')
            .select((inner) => inner.fn.min('m.occurred_at').as('at'))
            .whereRef('m.contact_id', '=', 'ec.id')
            .where('m.to_stage', '=', 'mql')
            .where('m.occurred_at', '>=', from)
            .where('m.occurred_at', '<', to)
            .$asScalar()
            .$notNull()
            .as('mql_at'),
        ])
        .where(inListSql(db, 'ec.id', contactIds))
        .as('e')
    : db
        .selectFrom('stage_changes')
        .select(['contact_id', (eb) => eb.fn.min('occurred_at').as('mql_at')])
        .where('to_stage', '=', 'mql')
        .where('occurred_at', '>=', from)
        .where('occurred_at', '<', to)
        .groupBy('contact_id')
        .as('e');
  // A null of an id column's type (uuid on PostgreSQL), for a join that finds nothing.
  const noId = dialectOf(db) === 'postgres' ? sql<string | null>`null::uuid` : sql<string | null>`null`;
  return db.selectFrom(firstMql).select((eb) => {
    const lastTouch = (column: 't.campaign' | 't.source_id') => {
      let touch = eb
        .selectFrom('touchpoints as t')
        .select(column)
        .whereRef('t.contact_id', '=', 'e.contact_id')
        .whereRef('t.occurred_at', '<=', 'e.mql_at')
        .where('t.category', '=', 'marketing')
        .where(column, 'is not', null)
        .where(column, '<>', '');
      if (column === 't.source_id') touch = touch.where('t.source_kind', '=', 'form');
      return touch.orderBy('t.occurred_at', 'desc').orderBy('t.id', 'desc').limit(1);
    };
    const decision = (column: 's.id' | 's.to_stage') =>
      eb
        .selectFrom('stage_changes as s')
        .select(column)
        .whereRef('s.contact_id', '=', 'e.contact_id')
        .whereRef('s.occurred_at', '>=', 'e.mql_at')
        .where('s.from_stage', '=', 'mql')
        .where('s.actor_kind', '=', 'user')
        .orderBy('s.occurred_at')
        .orderBy('s.id')
        .limit(1);
    return [
      'e.contact_id',
      'e.mql_at',
      eb
        .selectFrom('assignments as a')
        .select('a.id')
        .whereRef('a.contact_id', '=', 'e.contact_id')
        .whereRef('a.assigned_at', '>=', 'e.mql_at')
        .where('a.user_id', 'is not', null)
        .orderBy('a.assigned_at')
        .orderBy('a.id')
        .limit(1)
        .as('assignment_id'),
      decisionRow ? decision('s.id').as('decision_id') : noId.as('decision_id'),
      decisionRow ? sql<string | null>`null`.as('decision_to') : decision('s.to_stage').as('decision_to'),
      // The stage as a value, not a condition: the step stays in the lead's own changes, never in
      // every SQL of the company from the handover on (an index a planner without statistics took).
      eb
        .selectFrom('stage_changes as s')
        .select(
          sql<
            string | Date | null
          >`min(case when ${sql.ref('s.to_stage')} = 'sql' then ${sql.ref('s.occurred_at')} end)`.as('at'),
        )
        .whereRef('s.contact_id', '=', 'e.contact_id')
        .whereRef('s.occurred_at', '>=', 'e.mql_at')
        .as('sql_at'),
      eb
        .selectFrom('opportunities as o')
        .select('o.id')
        .whereRef('o.contact_id', '=', 'e.contact_id')
        .whereRef('o.created_at', '>=', 'e.mql_at')
        .orderBy('o.created_at')
        .orderBy('o.id')
        .limit(1)
        .as('opportunity_id'),
      touches ? lastTouch('t.campaign').as('campaign') : sql<string | null>`null`.as('campaign'),
      touches ? lastTouch('t.source_id').as('form_id') : sql<string | null>`null`.as('form_id'),
    ];
  });
}

/**
 * The period's fates with the rows they name, filtered. `materialized`: each lead's steps are
 * taken once, however often a column is read (an aggregate reads some twice).
 */
function fatesOf(
  db: Db,
  filter: FateFilter,
  options: { touches: boolean; decisionRow: boolean; materialized: boolean },
  contactIds?: readonly string[],
) {
  let query = db
    .with(
      (cte) => (options.materialized ? cte('f').materialized() : cte('f')),
      () => leadFates(db, filter, options, contactIds),
    )
    .selectFrom('f')
    .innerJoin('contacts as c', 'c.id', 'f.contact_id')
    .leftJoin('contact_scores as cs', 'cs.contact_id', 'f.contact_id')
    .leftJoin('assignments as fa', 'fa.id', 'f.assignment_id')
    .leftJoin('stage_changes as fd', 'fd.id', 'f.decision_id')
    .leftJoin('opportunities as fo', 'fo.id', 'f.opportunity_id');
  if (filter.ownerIds !== null) query = query.where(inListSql(db, 'c.owner_id', filter.ownerIds));
  if (filter.source !== undefined) query = query.where('c.original_source', '=', filter.source);
  if (filter.campaign !== undefined) query = query.where('f.campaign', '=', filter.campaign);
  if (filter.formId !== undefined) query = query.where('f.form_id', '=', filter.formId);
  if (filter.repId !== undefined) query = query.where('fa.user_id', '=', filter.repId);
  return query;
}

/** Whether the fate query must read each lead's touches: for a campaign or form filter. */
const needsTouches = (filter: FateFilter) => filter.campaign !== undefined || filter.formId !== undefined;

/**
 * One page of the period's fates, newest handover first (then by lead), after the lead
 * `after` names; `limit` null: all of them (an export). The page's leads are found first, from
 * what the filter needs; only theirs are then read in full.
 */
export async function findFatePage(
  db: Db,
  filter: FateFilter,
  page: { limit: number | null; after?: { mqlAt: string; contactId: string } | undefined },
) {
  let ids: string[] | undefined;
  if (page.limit !== null) {
    let keys = fatesOf(db, filter, { touches: needsTouches(filter), decisionRow: false, materialized: false })
      .select(['f.contact_id', 'f.mql_at'])
      .orderBy('f.mql_at', 'desc')
      .orderBy('f.contact_id')
      .limit(page.limit);
    if (page.after) {
      const at = toDbTime(new Date(page.after.mqlAt));
      const id = page.after.contactId;
      keys = keys.where((eb) =>
        eb.or([eb('f.mql_at', '<', at), eb.and([eb('f.mql_at', '=', at), eb('f.contact_id', '>', id)])]),
      );
    }
    ids = (await keys.execute()).map((row) => row.contact_id);
    if (ids.length === 0) return [];
  }
  return (
    fatesOf(db, filter, { touches: true, decisionRow: true, materialized: false }, ids)
      // A touch's source id is text; a form's id is a uuid on PostgreSQL.
      .leftJoin('forms as ff', (join) =>
        join.on(sql`cast(${sql.ref('ff.id')} as text)`, '=', sql.ref('f.form_id')),
      )
      .select([
        'f.contact_id',
        'f.mql_at',
        'f.campaign',
        'f.form_id',
        'f.sql_at',
        'c.email',
        'c.first_name',
        'c.last_name',
        'c.original_source',
        'c.stage',
        'cs.grade',
        'ff.name as form_name',
        'fa.user_id as assigned_to',
        'fa.assigned_at',
        'fd.to_stage as decision_to',
        'fd.occurred_at as decided_at',
        'fd.actor_id as decided_by',
        'fd.reason_code',
        'fo.id as opportunity_id',
        'fo.status as opportunity_status',
        'fo.amount_minor as opportunity_amount_minor',
        'fo.currency as opportunity_currency',
        'fo.closed_on as opportunity_closed_on',
      ])
      .orderBy('f.mql_at', 'desc')
      .orderBy('f.contact_id')
      .execute()
  );
}

/** A lead's row of the fate query. */
export type FateRecord = Awaited<ReturnType<typeof findFatePage>>[number];

/**
 * The period's fates counted per stage the decision moved the lead to (null: none yet) and
 * currency of a won deal (null: no won deal): how many, assigned, SQL, with an opportunity, lost,
 * and the won amount.
 */
export async function countFates(db: Db, filter: FateFilter) {
  const wonCurrency = sql<
    string | null
  >`case when ${sql.ref('fo.status')} = 'won' then ${sql.ref('fo.currency')} end`;
  const rows = await fatesOf(db, filter, {
    touches: needsTouches(filter),
    decisionRow: false,
    materialized: true,
  })
    .select((eb) => [
      'f.decision_to',
      wonCurrency.as('won_currency'),
      eb.fn.countAll().as('mqls'),
      eb.fn.count('f.assignment_id').as('assigned'),
      eb.fn.count('f.sql_at').as('sql'),
      eb.fn.count('fo.id').as('opportunities'),
      eb.fn.sum(sql<number>`case when ${sql.ref('fo.status')} = 'lost' then 1 else 0 end`).as('lost'),
      eb.fn
        .sum(
          sql<
            number | null
          >`case when ${sql.ref('fo.status')} = 'won' then ${sql.ref('fo.amount_minor')} end`,
        )
        .as('won_amount_minor'),
    ])
    .groupBy(['f.decision_to', wonCurrency])
    .execute();
  return rows.map((r) => ({
    decisionTo: r.decision_to,
    wonCurrency: r.won_currency,
    mqls: Number(r.mqls),
    assigned: Number(r.assigned),
    sql: Number(r.sql),
    opportunities: Number(r.opportunities),
    lost: Number(r.lost ?? 0),
    wonAmountMinor: r.won_amount_minor === null ? null : Number(r.won_amount_minor),
  }));
}

/**
 * The period's fates counted per value of a dimension, stage the decision moved the lead to
 * (null: none yet) and the decision's reason.
 */
export async function countFatesBy(db: Db, filter: FateFilter, dimension: FateDimension) {
  const key = {
    source: sql<string | null>`${sql.ref('c.original_source')}`,
    campaign: sql<string | null>`${sql.ref('f.campaign')}`,
    form: sql<string | null>`${sql.ref('f.form_id')}`,
    score_band: sql<string | null>`${sql.ref('cs.grade')}`,
    rep: sql<string | null>`coalesce(cast(${sql.ref('fa.user_id')} as text), ${sql.ref('fd.actor_id')})`,
  }[dimension];
  const rows = await fatesOf(db, filter, {
    touches: needsTouches(filter) || dimension === 'campaign' || dimension === 'form',
    decisionRow: true,
    materialized: true,
  })
    .select((eb) => [key.as('key'), 'fd.to_stage', 'fd.reason_code', eb.fn.countAll().as('count')])
    .groupBy([key, 'fd.to_stage', 'fd.reason_code'])
    .execute();
  return rows.map((r) => ({
    key: r.key,
    decisionTo: r.to_stage,
    reasonCode: r.reason_code,
    count: Number(r.count),
  }));
}
