import type { Message } from '../../../contract/common.ts';
import { emailDomain } from '../../../domain/capture/match-account.ts';
import { decideStageChange } from '../../../domain/lifecycle/decide-stage-change.ts';
import { compactExplanation } from '../../../domain/scoring/compact-explanation.ts';
import { decideMql } from '../../../domain/scoring/decide-mql.ts';
import { defaultScoringModel } from '../../../domain/scoring/default-model.ts';
import {
  scoreContact,
  type ContactScore as DomainScore,
  type Facts,
  type ScoringModelDefinition,
} from '../../../domain/scoring/score-contact.ts';
import type { Db, SqliteStatements } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import type { ScoringModelRow } from '../../db/tables.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import { insertStageChange, updateContactStage } from '../contacts/contacts.repository.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { findStages } from '../stages/stages.repository.ts';
import { toStageRule } from '../stages/stages.service.ts';
import {
  advanceScoringRun,
  findActiveScoringModel,
  findContactIdsAfter,
  findDueContactIds,
  findRunningScoringRuns,
  findScoringModels,
  findStaleScoredContactIds,
  insertScoringModel,
  loadScoringInputs,
  updateScoringRun,
  writeScores,
  type ScoringInputContact,
  type StoredScore,
} from './scoring.repository.ts';
import { readJson } from '../../db/json-column.ts';
import { ScoringModelDefinition as ScoringModelDefinitionSchema } from '../../../contract/scoring.ts';

/*
 * The scoring engine: contacts are scored under the active model as their activity moves on (and
 * all of them again when a model is activated), and a contact that crosses the MQL rule moves to
 * `mql`. It needs only the store, the clock and a way to announce the moves, so the scoring thread
 * builds nothing else. Each function takes what it needs by name; models, previews and reports
 * are in scoring.service.ts.
 */

const dayMs = 86_400_000;
/** Stored scores fade; a contact with points is rescored when its score is older than this. */
const refreshAfterMs = dayMs;

type Publish = (events: readonly DomainEvent[]) => void;

/** What the scorer runs with: nothing but the store, the clock and the bus. */
export interface ScoringEngine {
  db: Db;
  sqlite?: SqliteStatements | undefined;
  clock: Clock;
  publish: Publish;
}

/** The facts fit rules test, by the field names the contract documents. */
export function factsOf(c: ScoringInputContact): Facts {
  const facts: Record<string, string | number | null> = {};
  for (const [name, value] of Object.entries(c.attributes)) facts[`attributes.${name}`] = value;
  return {
    ...facts,
    email: c.email,
    emailDomain: c.email ? emailDomain(c.email) : null,
    firstName: c.first_name,
    lastName: c.last_name,
    title: c.title,
    phone: c.phone,
    country: c.country,
    source: c.original_source,
    latestSource: c.latest_source,
    'account.name': c.account?.name ?? null,
    'account.industry': c.account?.industry ?? null,
    'account.employeeCount': c.account?.employee_count ?? null,
    'account.country': c.account?.country ?? null,
    'account.domain': c.account?.domain ?? null,
  };
}

/** The same note as a code with parameters, for the reader's language. */
function mqlNoteMessage(version: number, score: DomainScore): Message {
  const { mql } = score.explanation;
  return mql.by === 'thresholds'
    ? {
        code: 'mql_thresholds',
        params: {
          version,
          fit: score.fit,
          fitAtLeast: mql.fitAtLeast,
          engagement: score.engagement,
          engagementAtLeast: mql.engagementAtLeast,
        },
      }
    : { code: 'mql_intent', params: { version, fit: score.fit, engagement: score.engagement } };
}

/** The note on an automatic MQL stage change: the rule that fired and the points behind it. */
function mqlNote(version: number, score: DomainScore): string {
  const { mql, fit, engagement } = score.explanation;
  const why =
    mql.by === 'thresholds'
      ? `fit ${score.fit} ≥ ${mql.fitAtLeast} and engagement ${score.engagement} ≥ ${mql.engagementAtLeast}`
      : `a high-intent touch (fit ${score.fit}, engagement ${score.engagement})`;
  const signed = (n: number) => (n >= 0 ? `+${n}` : `${n}`);
  const parts = [
    ...fit.map((h) => `${h.label} ${signed(h.points)}`),
    ...engagement.map((h) => `${h.label} ${signed(h.points)}`),
  ];
  return `MQL rule of scoring model v${version}: ${why}. ${parts.join('; ')}`.slice(0, 2000);
}

export interface LoadedModel {
  id: string;
  version: number;
  definition: ScoringModelDefinition;
}

export const loaded = (row: ScoringModelRow): LoadedModel => ({
  id: row.id,
  version: row.version,
  definition: readJson(ScoringModelDefinitionSchema, row.definition, 'scoring_models.definition'),
});

/** The active model, if there is one. */
export async function findActiveModel({ conn }: { conn: Db }): Promise<LoadedModel | null> {
  const row = await findActiveScoringModel(conn);
  return row ? loaded(row) : null;
}

/** Stages before `mql` on the main path: the ones the MQL rule may move a contact from. */
async function lifecycle(conn: Db) {
  const stages = (await findStages(conn)).map(toStageRule);
  const mql = stages.find((s) => s.key === 'mql');
  const preMqlStages = mql
    ? stages.filter((s) => !s.isSide && s.position < mql.position).map((s) => s.key)
    : [];
  return { stages, preMqlStages };
}

/** Scores contacts under a model in memory: what preview and the writers share. */
export async function evaluateContacts({
  conn,
  model,
  ids,
  now,
}: {
  conn: Db;
  model: LoadedModel;
  ids: readonly string[];
  now: Date;
}) {
  const from = new Date(now.getTime() - model.definition.lookbackDays * dayMs);
  const { engagementRules, mql } = model.definition;
  const withProperties = [...engagementRules, ...mql.highIntent].some((r) => r.properties !== undefined);
  const { contacts, touches } = await loadScoringInputs(conn, ids, from, withProperties);
  const { stages, preMqlStages } = await lifecycle(conn);
  return contacts.map((contact) => {
    const score = scoreContact(
      model.definition,
      factsOf(contact),
      (touches.get(contact.id) ?? [])
        .filter((t) => !contact.engagement_since || t.occurred_at >= contact.engagement_since)
        .map((t) => ({
          id: t.id,
          type: t.type,
          occurredAt: t.occurred_at,
          url: t.url,
          campaign: t.campaign,
          properties: t.properties,
        })),
      now,
    );
    const mql = decideMql({
      qualifies: score.qualifies,
      wasQualified: contact.wasQualified,
      stage: contact.stage,
      preMqlStages,
      stageEnteredAt: contact.stage_entered_at,
      latestEngagementAt: contact.latest_touch_at,
      recycleCoolOffDays: model.definition.mql.recycleCoolOffDays,
      highIntentAt:
        (touches.get(contact.id) ?? []).find((t) => t.id === score.explanation.mql.highIntentTouchId)
          ?.occurred_at ?? null,
      now,
    });
    const allowed =
      mql.kind === 'move' &&
      decideStageChange({ from: contact.stage, to: 'mql', reasonCode: null }, stages).kind === 'allowed';
    return { contact, score, moves: allowed };
  });
}

/**
 * Scores and stores; moves each contact that crossed the MQL rule to `mql` with the rule as actor
 * and the explanation as the note. The stage move only happens if the contact is still where it
 * was read, so two scorers (or a rep acting at the same moment) never make two moves.
 */
export async function scoreAndStore({
  db,
  sqlite,
  model,
  ids,
  now,
  publish,
  alsoInTransaction,
}: {
  db: Db;
  sqlite?: SqliteStatements | undefined;
  model: LoadedModel;
  ids: readonly string[];
  now: Date;
  publish: Publish;
  alsoInTransaction?: (trx: Db) => Promise<void>;
}): Promise<number> {
  const results = await evaluateContacts({ conn: db, model, ids, now });
  const stored: StoredScore[] = results.map(({ contact, score }) => ({
    contactId: contact.id,
    modelId: model.id,
    fit: score.fit,
    engagement: score.engagement,
    grade: score.grade,
    qualifies: score.qualifies,
    explanation: compactExplanation(score.explanation),
    version: contact.activity_version,
  }));
  const announced: DomainEvent[] = [];
  await db.transaction().execute(async (trx) => {
    await writeScores(trx, sqlite, stored, now);
    for (const { contact, score, moves } of results) {
      if (!moves) continue;
      const moved = await updateContactStage(trx, contact.id, contact.stage, {
        stage: 'mql',
        stage_entered_at: toDbTime(now),
        updated_at: toDbTime(now),
      });
      if (!moved) continue;
      await insertStageChange(trx, {
        id: newId(),
        contact_id: contact.id,
        from_stage: contact.stage,
        to_stage: 'mql',
        occurred_at: toDbTime(now),
        recorded_at: toDbTime(now),
        actor_kind: 'rule',
        actor_id: model.id,
        actor_label: `scoring model v${model.version}`,
        reason_code: null,
        note: mqlNote(model.version, score),
        note_message: JSON.stringify(mqlNoteMessage(model.version, score)),
        agreement_version: null,
      });
      await insertEvent(trx, {
        type: 'contact.stage_changed',
        occurredAt: now,
        actor: { kind: 'rule', id: model.id },
        subject: { type: 'contact', id: contact.id },
        payload: {
          from: contact.stage,
          to: 'mql',
          direction: contact.stage === 'recycled' ? 'return' : 'forward',
          reasonCode: null,
          by: score.explanation.mql.by,
          modelVersion: model.version,
        },
      });
      announced.push({
        type: 'contact.stage_changed',
        contactId: contact.id,
        from: contact.stage,
        to: 'mql',
        at: now,
      });
    }
    if (alsoInTransaction) await alsoInTransaction(trx);
  });
  publish(announced);
  return results.length;
}

/** At first start: the built-in model becomes version 1 and active, so leads are scored from day one. */
export async function ensureDefaultModel({ db, now }: { db: Db; now: Date }): Promise<void> {
  if ((await findScoringModels(db)).length > 0) return;
  await insertScoringModel(db, {
    id: newId(),
    version: 1,
    name: 'Baton default',
    status: 'active',
    origin: 'manual',
    definition: JSON.stringify(defaultScoringModel),
    based_on_id: null,
    created_at: toDbTime(now),
    updated_at: toDbTime(now),
    activated_at: toDbTime(now),
  });
}

/** Scores contacts whose activity changed since their last scoring. Returns how many. */
export async function scoreDueContacts({
  db,
  sqlite,
  clock,
  publish,
  limit = 500,
}: ScoringEngine & { limit?: number }): Promise<number> {
  // The due contacts first: most of the loop's turns find none, and then read nothing else.
  const ids = await findDueContactIds(db, limit);
  if (ids.length === 0) return 0;
  const model = await findActiveModel({ conn: db });
  return model ? scoreAndStore({ db, sqlite, model, ids, now: clock.now(), publish }) : 0;
}

/** Moves each running rescoring run one chunk on. Returns how many contacts it scored. */
export async function advanceRescoringRuns({
  db,
  sqlite,
  clock,
  publish,
  limit = 500,
}: ScoringEngine & { limit?: number }): Promise<number> {
  const model = await findActiveModel({ conn: db });
  let scored = 0;
  for (const run of await findRunningScoringRuns(db)) {
    const now = toDbTime(clock.now());
    if (!model || run.model_id !== model.id) {
      await updateScoringRun(db, run.id, { status: 'superseded', updated_at: now, finished_at: now });
      continue;
    }
    const ids =
      run.last_contact_id === null
        ? []
        : await findContactIdsAfter(db, run.cursor, limit, run.last_contact_id);
    if (ids.length === 0) {
      await updateScoringRun(db, run.id, { status: 'done', updated_at: now, finished_at: now });
      continue;
    }
    scored += await scoreAndStore({
      db,
      sqlite,
      model,
      ids,
      now: clock.now(),
      publish,
      alsoInTransaction: (trx) =>
        advanceScoringRun(trx, run.id, run.cursor, ids[ids.length - 1]!, ids.length, now),
    });
  }
  return scored;
}

/** Rescores contacts with points whose score is older than a day, as their engagement fades. */
export async function refreshFadedScores({
  db,
  sqlite,
  clock,
  publish,
  limit = 500,
}: ScoringEngine & { limit?: number }): Promise<number> {
  const model = await findActiveModel({ conn: db });
  if (!model) return 0;
  const ids = await findStaleScoredContactIds(db, new Date(clock.now().getTime() - refreshAfterMs), limit);
  return ids.length === 0 ? 0 : scoreAndStore({ db, sqlite, model, ids, now: clock.now(), publish });
}
