import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { inListSql, toDbTime } from '../../db/dialect.ts';
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
 * The leads with a stale kept fate: of a handover in the period, or up to `limit` of any.
 */
export async function findStaleFateLeads(
  db: Db,
  filter: { from?: Date; to?: Date; limit?: number },
): Promise<string[]> {
  let query = db
    .selectFrom('handoff_fates')
    .select('contact_id')
    .distinct()
    // The literal predicate of the partial index.
    .where(sql<boolean>`(kept_changes is null or kept_changes <> changes)`);
  if (filter.from) query = query.where('mql_at', '>=', toDbTime(filter.from));
  if (filter.to) query = query.where('mql_at', '<', toDbTime(filter.to));
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return (await query.execute()).map((row) => row.contact_id);
}

/**
 * Each handover of these leads with its fate worked out from the facts: the handover before it,
 * the ids of its first assignment to a person, of its first move out of `mql` made by a person
 * (the decision) and of its first opportunity at or after the handover, when it first became an
 * SQL, and the campaign and form of its last marketing touch at or before the handover. Each is
 * one step in an index of the lead's own rows, never its whole history. With the `changes` read
 * in the same statement, as the kept row's `kept_changes`.
 */
function fateSteps(db: Db, contactIds: readonly string[]) {
  return db
    .selectFrom('handoff_fates as e')
    .where(inListSql(db, 'e.contact_id', contactIds))
    .select((eb) => {
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
      return [
        'e.contact_id',
        'e.mql_at',
        'e.changes',
        // The stage as a value, not a condition (as for the SQL below).
        eb
          .selectFrom('stage_changes as p')
          .select(
            sql<
              string | Date | null
            >`max(case when ${sql.ref('p.to_stage')} = 'mql' then ${sql.ref('p.occurred_at')} end)`.as('at'),
          )
          .whereRef('p.contact_id', '=', 'e.contact_id')
          .whereRef('p.occurred_at', '<', 'e.mql_at')
          .as('prior_mql_at'),
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
        eb
          .selectFrom('stage_changes as s')
          .select('s.id')
          .whereRef('s.contact_id', '=', 'e.contact_id')
          .whereRef('s.occurred_at', '>=', 'e.mql_at')
          .where('s.from_stage', '=', 'mql')
          .where('s.actor_kind', '=', 'user')
          .orderBy('s.occurred_at')
          .orderBy('s.id')
          .limit(1)
          .as('decision_id'),
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
        lastTouch('t.campaign').as('campaign'),
        lastTouch('t.source_id').as('form_id'),
      ];
    });
}

/**
 * Works the kept fates of these leads out again from their facts and stores them, in one
 * statement. A write after the statement read a row's `changes` leaves the row stale.
 */
export async function keepFates(db: Db, contactIds: readonly string[]): Promise<void> {
  if (contactIds.length === 0) return;
  // Each lead's steps are taken once (materialized), though the joins read two of them twice.
  await db
    .with(
      (cte) => cte('f').materialized(),
      () => fateSteps(db, contactIds),
    )
    .with('x', (w) =>
      w
        .selectFrom('f')
        .leftJoin('assignments as fa', 'fa.id', 'f.assignment_id')
        .leftJoin('stage_changes as fd', 'fd.id', 'f.decision_id')
        .leftJoin('opportunities as fo', 'fo.id', 'f.opportunity_id')
        .select([
          'f.contact_id',
          'f.mql_at',
          'f.changes',
          'f.prior_mql_at',
          'f.assignment_id',
          'fa.user_id as assigned_to',
          'fa.assigned_at',
          'f.decision_id',
          'fd.to_stage as decision_to',
          'fd.occurred_at as decided_at',
          'fd.actor_id as decided_by',
          'fd.reason_code',
          'f.sql_at',
          'f.opportunity_id',
          'fo.status as opportunity_status',
          'fo.currency as opportunity_currency',
          'fo.amount_minor as opportunity_amount_minor',
          'fo.closed_on as opportunity_closed_on',
          'f.campaign',
          'f.form_id',
        ]),
    )
    .updateTable('handoff_fates')
    .from('x')
    .set((eb) => ({
      kept_changes: eb.ref('x.changes'),
      prior_mql_at: sql.ref<string | null>('x.prior_mql_at'),
      assignment_id: eb.ref('x.assignment_id'),
      assigned_to: eb.ref('x.assigned_to'),
      assigned_at: sql.ref<string | null>('x.assigned_at'),
      decision_id: eb.ref('x.decision_id'),
      decision_to: eb.ref('x.decision_to'),
      decided_at: sql.ref<string | null>('x.decided_at'),
      decided_by: eb.ref('x.decided_by'),
      reason_code: eb.ref('x.reason_code'),
      sql_at: sql.ref<string | null>('x.sql_at'),
      opportunity_id: eb.ref('x.opportunity_id'),
      opportunity_status: eb.ref('x.opportunity_status'),
      opportunity_currency: eb.ref('x.opportunity_currency'),
      opportunity_amount_minor: sql.ref<number | null>('x.opportunity_amount_minor'),
      opportunity_closed_on: eb.ref('x.opportunity_closed_on'),
      campaign: eb.ref('x.campaign'),
      form_id: eb.ref('x.form_id'),
    }))
    .whereRef('handoff_fates.contact_id', '=', 'x.contact_id')
    .whereRef('handoff_fates.mql_at', '=', 'x.mql_at')
    .execute();
}

/**
 * The period's fates, kept and filtered: each lead's first handover in the period (the kept row
 * in it whose handover before is not). The filters on the person read it by its key; nothing
 * else is joined, so the counts read the kept rows alone.
 */
function fatesOf(db: Db, filter: FateFilter) {
  const from = toDbTime(filter.from);
  let query = db
    .selectFrom('handoff_fates as f')
    .where('f.mql_at', '>=', from)
    .where('f.mql_at', '<', toDbTime(filter.to))
    .where((eb) => eb.or([eb('f.prior_mql_at', 'is', null), eb('f.prior_mql_at', '<', from)]));
  const person = filter.ownerIds !== null || filter.source !== undefined;
  if (person)
    query = query.where((eb) => {
      let lead = eb.selectFrom('contacts as fc').select('fc.id').whereRef('fc.id', '=', 'f.contact_id');
      if (filter.ownerIds !== null) lead = lead.where(inListSql(db, 'fc.owner_id', filter.ownerIds));
      if (filter.source !== undefined) lead = lead.where('fc.original_source', '=', filter.source);
      return eb.exists(lead);
    });
  if (filter.campaign !== undefined) query = query.where('f.campaign', '=', filter.campaign);
  if (filter.formId !== undefined) query = query.where('f.form_id', '=', filter.formId);
  if (filter.repId !== undefined) query = query.where('f.assigned_to', '=', filter.repId);
  return query;
}

/**
 * One page of the period's fates, newest handover first (then by lead, last first), after the
 * lead `after` names; `limit` null: all of them (an export). The caller has kept the period's
 * stale fates first.
 */
export async function findFatePage(
  db: Db,
  filter: FateFilter,
  page: { limit: number | null; after?: { mqlAt: string; contactId: string } | undefined },
) {
  let query = fatesOf(db, filter)
    .innerJoin('contacts as c', 'c.id', 'f.contact_id')
    .leftJoin('contact_scores as cs', 'cs.contact_id', 'f.contact_id')
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
      'f.assigned_to',
      'f.assigned_at',
      'f.decision_to',
      'f.decided_at',
      'f.decided_by',
      'f.reason_code',
      'f.opportunity_id',
      'f.opportunity_status',
      'f.opportunity_amount_minor',
      'f.opportunity_currency',
      'f.opportunity_closed_on',
    ])
    .orderBy('f.mql_at', 'desc')
    .orderBy('f.contact_id', 'desc');
  if (page.after) {
    const at = toDbTime(new Date(page.after.mqlAt));
    const id = page.after.contactId;
    query = query.where((eb) =>
      eb.or([eb('f.mql_at', '<', at), eb.and([eb('f.mql_at', '=', at), eb('f.contact_id', '<', id)])]),
    );
  }
  return (page.limit === null ? query : query.limit(page.limit)).execute();
}

/** A lead's row of the fate query. */
export type FateRecord = Awaited<ReturnType<typeof findFatePage>>[number];

/**
 * The period's fates counted per stage the decision moved the lead to (null: none yet) and
 * currency of a won deal (null: no won deal): how many, assigned, SQL, with an opportunity, lost,
 * and the won amount. The caller has kept the period's stale fates first.
 */
export async function countFates(db: Db, filter: FateFilter) {
  const wonCurrency = sql<
    string | null
  >`case when ${sql.ref('f.opportunity_status')} = 'won' then ${sql.ref('f.opportunity_currency')} end`;
  const rows = await fatesOf(db, filter)
    .select((eb) => [
      'f.decision_to',
      wonCurrency.as('won_currency'),
      eb.fn.countAll().as('mqls'),
      eb.fn.count('f.assignment_id').as('assigned'),
      eb.fn.count('f.sql_at').as('sql'),
      eb.fn.count('f.opportunity_id').as('opportunities'),
      eb.fn
        .sum(sql<number>`case when ${sql.ref('f.opportunity_status')} = 'lost' then 1 else 0 end`)
        .as('lost'),
      eb.fn
        .sum(
          sql<
            number | null
          >`case when ${sql.ref('f.opportunity_status')} = 'won' then ${sql.ref('f.opportunity_amount_minor')} end`,
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
 * (null: none yet) and the decision's reason. The caller has kept the period's stale fates first.
 */
export async function countFatesBy(db: Db, filter: FateFilter, dimension: FateDimension) {
  // The person's values by its key, read only for the dimension that needs them.
  const key = {
    source: sql<
      string | null
    >`(select ${sql.ref('kc.original_source')} from contacts kc where ${sql.ref('kc.id')} = ${sql.ref('f.contact_id')})`,
    campaign: sql<string | null>`${sql.ref('f.campaign')}`,
    form: sql<string | null>`${sql.ref('f.form_id')}`,
    score_band: sql<
      string | null
    >`(select ${sql.ref('ks.grade')} from contact_scores ks where ${sql.ref('ks.contact_id')} = ${sql.ref('f.contact_id')})`,
    rep: sql<string | null>`coalesce(cast(${sql.ref('f.assigned_to')} as text), ${sql.ref('f.decided_by')})`,
  }[dimension];
  const rows = await fatesOf(db, filter)
    .select((eb) => [key.as('key'), 'f.decision_to', 'f.reason_code', eb.fn.countAll().as('count')])
    .groupBy([key, 'f.decision_to', 'f.reason_code'])
    .execute();
  return rows.map((r) => ({
    key: r.key,
    decisionTo: r.decision_to,
    reasonCode: r.reason_code,
    count: Number(r.count),
  }));
}
