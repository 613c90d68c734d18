import type { Insertable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { Db, SqliteStatements } from '../../db/database.ts';
import { fromDbBool, fromDbTime, inListSql, toDbTime } from '../../db/dialect.ts';
import type {
  ScoringModelRow,
  ScoringModelsTable,
  ScoringRunRow,
  ScoringRunsTable,
} from '../../db/tables.ts';
import { readJson } from '../../db/json-column.ts';
import { Type } from 'typebox';
import type { CompactExplanation } from '../../../domain/scoring/compact-explanation.ts';

/** A stored score's explanation, in its compact form (compact-explanation.ts). */
const StoredExplanation = Type.Object({
  f: Type.Array(Type.Tuple([Type.String(), Type.Number()])),
  e: Type.Array(
    Type.Tuple([
      Type.String(),
      Type.Number(),
      Type.Number(),
      Type.Number(),
      Type.Number(),
      Type.Number(),
      Type.Number(),
    ]),
  ),
  g: Type.Array(
    Type.Tuple([
      Type.Enum(['fit', 'engagement']),
      Type.String(),
      Type.Number(),
      Type.Number(),
      Type.Number(),
    ]),
  ),
  m: Type.Tuple([
    Type.Union([Type.Enum(['thresholds', 'high_intent']), Type.Null()]),
    Type.Union([Type.String(), Type.Null()]),
  ]),
});

/** A stored score's explanation, checked. */
export const readExplanation = (value: unknown): CompactExplanation =>
  readJson(StoredExplanation, value, 'contact_scores.explanation');
import { StoredAttributes, TouchProperties } from '../../../contract/contacts.ts';

export async function findScoringModels(db: Db): Promise<ScoringModelRow[]> {
  return db.selectFrom('scoring_models').selectAll().orderBy('version', 'desc').execute();
}

export async function findScoringModelById(db: Db, id: string): Promise<ScoringModelRow | undefined> {
  return db.selectFrom('scoring_models').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findActiveScoringModel(db: Db): Promise<ScoringModelRow | undefined> {
  return db.selectFrom('scoring_models').selectAll().where('status', '=', 'active').executeTakeFirst();
}

export async function findNextScoringModelVersion(db: Db): Promise<number> {
  const row = await db
    .selectFrom('scoring_models')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return Number(row?.version ?? 0) + 1;
}

export async function insertScoringModel(db: Db, row: Insertable<ScoringModelsTable>): Promise<void> {
  await db.insertInto('scoring_models').values(row).execute();
}

export async function updateScoringModelRow(
  db: Db,
  id: string,
  patch: Updateable<ScoringModelsTable>,
): Promise<void> {
  await db.updateTable('scoring_models').set(patch).where('id', '=', id).execute();
}

/** Retires whichever model is active (there is at most one). */
export async function retireActiveScoringModel(db: Db, now: Date): Promise<void> {
  await db
    .updateTable('scoring_models')
    .set({ status: 'retired', updated_at: toDbTime(now) })
    .where('status', '=', 'active')
    .execute();
}

export async function countContacts(db: Db): Promise<number> {
  const row = await db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Contacts whose activity is ahead of their last scoring (the partial index keeps this cheap). */
export async function findDueContactIds(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('contacts')
    .select('id')
    .where((eb) => eb('scored_version', '<', eb.ref('activity_version')))
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Contacts in id order after `cursor` (and up to `upTo`): the path of a rescoring run or a preview. */
export async function findContactIdsAfter(
  db: Db,
  cursor: string | null,
  limit: number,
  upTo: string | null = null,
): Promise<string[]> {
  let query = db.selectFrom('contacts').select('id').orderBy('id').limit(limit);
  if (cursor !== null) query = query.where('id', '>', cursor);
  if (upTo !== null) query = query.where('id', '<=', upTo);
  return (await query.execute()).map((r) => r.id);
}

/** The newest contact id (ids are time-ordered). */
export async function findLastContactId(db: Db): Promise<string | null> {
  const row = await db.selectFrom('contacts').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.id ?? null;
}

export interface ScoringInputContact {
  id: string;
  email: string | null;
  external_id: string | null;
  attributes: Record<string, string>;
  outcome: 'converted' | 'not_converted' | null;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  phone: string | null;
  country: string | null;
  stage: string;
  stage_entered_at: Date;
  original_source: string | null;
  latest_source: string | null;
  latest_touch_at: Date | null;
  /** After a recycle with the engagement reset, touches before this do not count. */
  engagement_since: Date | null;
  activity_version: number;
  account: {
    name: string;
    industry: string | null;
    employee_count: number | null;
    country: string | null;
    domain: string | null;
  } | null;
  /** Whether the MQL rule held at the last scoring (false when never scored). */
  wasQualified: boolean;
}

export interface ScoringInputTouch {
  id: string;
  contact_id: string;
  type: string;
  occurred_at: Date;
  url: string | null;
  campaign: string | null;
  properties: Record<string, unknown>;
}

/** Everything scoring needs about these contacts, in four queries whatever their number. */
export async function loadScoringInputs(
  db: Db,
  ids: readonly string[],
  touchesFrom: Date,
  /** Whether any rule reads touch properties; parsing them is skipped otherwise. */
  withProperties = true,
): Promise<{ contacts: ScoringInputContact[]; touches: Map<string, ScoringInputTouch[]> }> {
  if (ids.length === 0) return { contacts: [], touches: new Map() };
  const rows = await db
    .selectFrom('contacts as c')
    .leftJoin('accounts as a', 'a.id', 'c.account_id')
    .leftJoin('contact_scores as s', 's.contact_id', 'c.id')
    .select([
      'c.id',
      'c.email',
      'c.external_id',
      'c.attributes',
      'c.outcome',
      'c.first_name',
      'c.last_name',
      'c.title',
      'c.phone',
      'c.country',
      'c.stage',
      'c.stage_entered_at',
      'c.original_source',
      'c.latest_source',
      'c.latest_touch_at',
      'c.engagement_since',
      'c.activity_version',
      'c.account_id',
      'a.name as account_name',
      'a.industry as account_industry',
      'a.employee_count as account_employee_count',
      'a.country as account_country',
      's.qualifies',
    ])
    .where('c.id', 'in', ids)
    .execute();
  const accountIds = [...new Set(rows.flatMap((r) => (r.account_id ? [r.account_id] : [])))];
  const domains = new Map<string, string>();
  if (accountIds.length > 0) {
    const domainRows = await db
      .selectFrom('account_domains')
      .select(['account_id', 'domain'])
      .where('account_id', 'in', accountIds)
      .orderBy('domain')
      .execute();
    for (const d of domainRows) if (!domains.has(d.account_id)) domains.set(d.account_id, d.domain);
  }
  const touchRows = await db
    .selectFrom('touchpoints')
    .select(['id', 'contact_id', 'type', 'occurred_at', 'url', 'campaign', 'properties'])
    .where('contact_id', 'in', ids)
    .where('occurred_at', '>=', toDbTime(touchesFrom))
    .execute();
  const touches = new Map<string, ScoringInputTouch[]>();
  for (const t of touchRows) {
    const list = touches.get(t.contact_id!) ?? [];
    list.push({
      id: t.id,
      contact_id: t.contact_id!,
      type: t.type,
      occurred_at: fromDbTime(t.occurred_at),
      url: t.url,
      campaign: t.campaign,
      properties: withProperties ? readJson(TouchProperties, t.properties, 'touchpoints.properties') : {},
    });
    touches.set(t.contact_id!, list);
  }
  return {
    contacts: rows.map((r) => ({
      id: r.id,
      email: r.email,
      external_id: r.external_id,
      attributes: readJson(StoredAttributes, r.attributes, 'contacts.attributes') ?? {},
      outcome: r.outcome,
      first_name: r.first_name,
      last_name: r.last_name,
      title: r.title,
      phone: r.phone,
      country: r.country,
      stage: r.stage,
      stage_entered_at: fromDbTime(r.stage_entered_at),
      original_source: r.original_source,
      latest_source: r.latest_source,
      latest_touch_at: r.latest_touch_at === null ? null : fromDbTime(r.latest_touch_at),
      engagement_since: r.engagement_since === null ? null : fromDbTime(r.engagement_since),
      activity_version: Number(r.activity_version),
      account:
        r.account_id && r.account_name !== null
          ? {
              name: r.account_name,
              industry: r.account_industry,
              employee_count: r.account_employee_count,
              country: r.account_country,
              domain: domains.get(r.account_id) ?? null,
            }
          : null,
      wasQualified: r.qualifies === true || r.qualifies === 1,
    })),
    touches,
  };
}

export interface StoredScore {
  contactId: string;
  modelId: string;
  fit: number;
  engagement: number;
  grade: string;
  qualifies: boolean;
  explanation: unknown;
  /** The activity version the score was computed from. */
  version: number;
}

/**
 * Stores scores and marks each contact scored up to the version read. A contact that changed in
 * between keeps its higher activity version and stays due. On SQLite the rows go through prepared
 * statements on the transaction's connection (this runs for every touch).
 */
export async function writeScores(
  db: Db,
  sqlite: SqliteStatements | undefined,
  scores: readonly StoredScore[],
  now: Date,
): Promise<void> {
  if (scores.length === 0) return;
  const at = toDbTime(now);
  if (sqlite) {
    const upsert = sqlite.prepare(
      `insert into contact_scores (contact_id, model_id, fit, engagement, grade, qualifies, explanation, scored_at)
       values (?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (contact_id) do update set model_id = excluded.model_id, fit = excluded.fit,
         engagement = excluded.engagement, grade = excluded.grade, qualifies = excluded.qualifies,
         explanation = excluded.explanation, scored_at = excluded.scored_at`,
    );
    const scored = sqlite.prepare(
      'update contacts set scored_version = ? where id = ? and scored_version < ?',
    );
    for (const s of scores) {
      upsert.run(
        s.contactId,
        s.modelId,
        s.fit,
        s.engagement,
        s.grade,
        s.qualifies ? 1 : 0,
        JSON.stringify(s.explanation),
        at,
      );
      scored.run(s.version, s.contactId, s.version);
    }
    return;
  }
  // Contacts are locked in the order of their ids, as capture locks them, so the two never wait on
  // each other's rows in a circle (a deadlock PostgreSQL would end by failing one of them).
  const ordered = [...scores].sort((a, b) =>
    a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0,
  );
  for (let i = 0; i < ordered.length; i += 500) {
    const chunk = ordered.slice(i, i + 500);
    await sql`select id from contacts where ${inListSql(
      db,
      'id',
      chunk.map((s) => s.contactId),
    )}
      order by id for no key update`.execute(db);
    await db
      .insertInto('contact_scores')
      .values(
        chunk.map((s) => ({
          contact_id: s.contactId,
          model_id: s.modelId,
          fit: s.fit,
          engagement: s.engagement,
          grade: s.grade,
          qualifies: s.qualifies,
          explanation: JSON.stringify(s.explanation),
          scored_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.column('contact_id').doUpdateSet((eb) => ({
          model_id: eb.ref('excluded.model_id'),
          fit: eb.ref('excluded.fit'),
          engagement: eb.ref('excluded.engagement'),
          grade: eb.ref('excluded.grade'),
          qualifies: eb.ref('excluded.qualifies'),
          explanation: eb.ref('excluded.explanation'),
          scored_at: eb.ref('excluded.scored_at'),
        })),
      )
      .execute();
    // One statement for the chunk: each contact to the version its score was computed from.
    await sql`update contacts set scored_version = v.version
      from (values ${sql.join(chunk.map((s) => sql`(${s.contactId}::uuid, ${s.version}::int)`))}) as v(id, version)
      where contacts.id = v.id and contacts.scored_version < v.version`.execute(db);
  }
}

export async function findContactScore(db: Db, contactId: string) {
  return db
    .selectFrom('contact_scores as s')
    .innerJoin('scoring_models as m', 'm.id', 's.model_id')
    .selectAll('s')
    .select(['m.version as model_version', 'm.definition as model_definition'])
    .where('s.contact_id', '=', contactId)
    .executeTakeFirst();
}

/** A contact's current score as the person's data export shows it (contacts reads it through a port). */
export async function findContactScoreForExport(db: Db, contactId: string) {
  const score = await findContactScore(db, contactId);
  return score
    ? {
        modelVersion: Number(score.model_version),
        fit: Number(score.fit),
        engagement: Number(score.engagement),
        grade: score.grade,
        qualifies: fromDbBool(score.qualifies),
        scoredAt: fromDbTime(score.scored_at).toISOString(),
      }
    : null;
}

/** The engagement of an account's contacts as scored by a model. */
export async function findAccountContactEngagement(
  db: Db,
  accountId: string,
  modelId: string,
): Promise<number[]> {
  const rows = await db
    .selectFrom('contact_scores as s')
    .innerJoin('contacts as c', 'c.id', 's.contact_id')
    .select('s.engagement')
    .where('c.account_id', '=', accountId)
    .where('s.model_id', '=', modelId)
    .execute();
  return rows.map((r) => Number(r.engagement));
}

export async function insertScoringRun(db: Db, row: Insertable<ScoringRunsTable>): Promise<void> {
  await db.insertInto('scoring_runs').values(row).execute();
}

export async function findScoringRunById(db: Db, id: string): Promise<ScoringRunRow | undefined> {
  return db.selectFrom('scoring_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findRunningScoringRuns(db: Db): Promise<ScoringRunRow[]> {
  return db
    .selectFrom('scoring_runs')
    .selectAll()
    .where('status', '=', 'running')
    .orderBy('started_at')
    .execute();
}

export async function updateScoringRun(
  db: Db,
  id: string,
  patch: Updateable<ScoringRunsTable>,
): Promise<void> {
  await db.updateTable('scoring_runs').set(patch).where('id', '=', id).execute();
}

/** Runs of models that are no longer active stop where they are. */
export async function supersedeScoringRuns(db: Db, exceptModelId: string, now: Date): Promise<void> {
  await db
    .updateTable('scoring_runs')
    .set({ status: 'superseded', updated_at: toDbTime(now), finished_at: toDbTime(now) })
    .where('status', '=', 'running')
    .where('model_id', '!=', exceptModelId)
    .execute();
}

/** Contacts with points (or qualifying) whose score was computed before `before`, oldest first. */
export async function findStaleScoredContactIds(db: Db, before: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('contact_scores')
    .select('contact_id')
    .where('scored_at', '<', toDbTime(before))
    .where((eb) => eb.or([eb('engagement', '!=', 0), eb('qualifies', '=', true)]))
    .orderBy('scored_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.contact_id);
}

/**
 * Moves a run's cursor on, only from where this worker read it: when two instances work on the same
 * run, one chunk is counted once (the scores themselves are the same either way).
 */
export async function advanceScoringRun(
  db: Db,
  id: string,
  from: string | null,
  to: string,
  scored: number,
  now: string,
): Promise<void> {
  await db
    .updateTable('scoring_runs')
    .set((eb) => ({ cursor: to, done: eb('done', '+', scored), updated_at: now }))
    .where('id', '=', id)
    .where((eb) => (from === null ? eb('cursor', 'is', null) : eb('cursor', '=', from)))
    .execute();
}

/**
 * Contacts in id order after `cursor` with what is known of their outcome: an imported label,
 * whether they ever reached SAL or beyond, and their stage now.
 */
export async function findOutcomes(
  db: Db,
  cursor: string | null,
  limit: number,
): Promise<{ id: string; outcome: 'converted' | 'not_converted' | null; stage: string; reached: boolean }[]> {
  let query = db
    .selectFrom('contacts as c')
    .select((eb) => [
      'c.id',
      'c.outcome',
      'c.stage',
      eb
        .exists(
          eb
            .selectFrom('stage_changes as s')
            .select('s.id')
            .whereRef('s.contact_id', '=', 'c.id')
            .where('s.to_stage', 'in', ['sal', 'sql', 'opportunity', 'customer']),
        )
        .as('reached'),
    ])
    .orderBy('c.id')
    .limit(limit);
  if (cursor !== null) query = query.where('c.id', '>', cursor);
  const rows = await query.execute();
  return rows.map((r) => ({ id: r.id, outcome: r.outcome, stage: r.stage, reached: Boolean(r.reached) }));
}
