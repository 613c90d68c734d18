import { announcingConfig } from '../shared/config-changed.ts';
import type {
  AccountScore,
  CalibrationReport,
  ContactScore,
  LearnModelBody,
  LearnModelResult,
  CreateScoringModelBody,
  ScoringModel,
  ScoringPreview,
  ScoringRun,
  UpdateScoringModelBody,
} from '../../../contract/scoring.ts';
import { canSee, type Actor } from '../../../domain/access/roles.ts';
import { defaultScoringModel } from '../../../domain/scoring/default-model.ts';
import {
  auc,
  conversionByBand,
  quantileEdges,
  ruleLift,
  suggestThreshold,
} from '../../../domain/scoring/calibrate.ts';
import { expandExplanation } from '../../../domain/scoring/compact-explanation.ts';
import { isHeldOut, learnFit, type LearningRow } from '../../../domain/scoring/learn-model.ts';
import { scoreAccount } from '../../../domain/scoring/score-account.ts';
import { type ScoringModelDefinition } from '../../../domain/scoring/score-contact.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, fromDbTimeOrNull, toDbTime } from '../../db/dialect.ts';
import type { ScoringModelRow, ScoringRunRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import { findAccountById, findDomainsByAccounts } from '../accounts/accounts.repository.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { loadVisibility } from '../shared/visibility.ts';
import {
  countContacts,
  findAccountContactEngagement,
  findActiveScoringModel,
  findContactIdsAfter,
  findContactScore,
  findLastContactId,
  findNextScoringModelVersion,
  findOutcomes,
  findScoringModelById,
  findScoringModels,
  findScoringRunById,
  insertScoringModel,
  insertScoringRun,
  retireActiveScoringModel,
  supersedeScoringRuns,
  updateScoringModelRow,
  type ScoringInputContact,
} from './scoring.repository.ts';
import {
  advanceRescoringRuns,
  ensureDefaultModel,
  evaluateContacts,
  factsOf,
  findActiveModel,
  loaded,
  refreshFadedScores,
  scoreDueContacts,
  type LoadedModel,
  type ScoringEngine,
} from './scoring.usecases.ts';
import { readJson } from '../../db/json-column.ts';
import { readExplanation } from './scoring.repository.ts';
import { ScoringModelDefinition as ScoringModelDefinitionSchema } from '../../../contract/scoring.ts';

const modelNotFound = () => createError('scoring.model_not_found');
const notDraft = () => createError('scoring.model_not_draft');

export function toScoringModel(row: ScoringModelRow): ScoringModel {
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    status: row.status,
    origin: row.origin,
    basedOnId: row.based_on_id,
    definition: readJson(ScoringModelDefinitionSchema, row.definition, 'scoring_models.definition'),
    createdAt: fromDbTime(row.created_at).toISOString(),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
    activatedAt: fromDbTimeOrNull(row.activated_at)?.toISOString() ?? null,
  };
}

function toScoringRun(row: ScoringRunRow): ScoringRun {
  return {
    id: row.id,
    modelId: row.model_id,
    status: row.status,
    total: row.total,
    done: row.done,
    startedAt: fromDbTime(row.started_at).toISOString(),
    finishedAt: fromDbTimeOrNull(row.finished_at)?.toISOString() ?? null,
  };
}

/** The held-out split follows the person's id elsewhere when there is one, so reruns on a new import agree. */
const splitKey = (contact: ScoringInputContact) => contact.external_id ?? contact.id;

/** AUCs to four decimals: more would be noise. */
const roundAuc = (n: number | null) => (n === null ? null : Math.round(n * 10_000) / 10_000);

function histogram(values: readonly number[], width: number) {
  const buckets = new Map<number, number>();
  for (const v of values) {
    const from = Math.floor(v / width) * width;
    buckets.set(from, (buckets.get(from) ?? 0) + 1);
  }
  return [...buckets]
    .sort(([a], [b]) => a - b)
    .map(([from, contacts]) => ({ from, to: from + width, contacts }));
}

/** Scoring needs the store, the clock and the bus only: the scoring thread builds it from those. */
export type ScoringDeps = Pick<ServiceDeps, 'db' | 'sqlite' | 'clock' | 'events'>;

export function createScoringService(deps: ScoringDeps) {
  const { db, clock, events } = deps;
  const engine: ScoringEngine = {
    db,
    sqlite: deps.sqlite,
    clock,
    publish: (announced) => events.publish(announced),
  };
  const activeModel = () => findActiveModel({ conn: db });
  const evaluate = (model: LoadedModel, ids: readonly string[], now: Date) =>
    evaluateContacts({ conn: db, model, ids, now });

  async function getRow(conn: Db, id: string): Promise<ScoringModelRow> {
    const row = await findScoringModelById(conn, id);
    if (!row) throw modelNotFound();
    return row;
  }

  let previewQueue: Promise<unknown> = Promise.resolve();
  /** Contacts per chunk of a preview: small enough that a request waits a few milliseconds at most. */
  const previewChunk = 250;

  /** The preview itself: every contact scored under the model (and the active one) in memory. */
  async function previewNow(id: string): Promise<ScoringPreview> {
    const model = loaded(await getRow(db, id));
    const active = await findActiveScoringModel(db);
    const now = clock.now();
    const fits: number[] = [];
    const engagements: number[] = [];
    const grades: Record<string, number> = {};
    const activeGrades: Record<string, number> = {};
    let qualifying = 0;
    let newMqls = 0;
    let activeQualifying = 0;
    let cursor: string | null = null;
    for (;;) {
      const ids = await findContactIdsAfter(db, cursor, previewChunk);
      if (ids.length === 0) break;
      cursor = ids[ids.length - 1]!;
      for (const { score, moves } of await evaluate(model, ids, now)) {
        fits.push(score.fit);
        engagements.push(score.engagement);
        grades[score.grade] = (grades[score.grade] ?? 0) + 1;
        if (score.qualifies) qualifying++;
        if (moves) newMqls++;
      }
      if (active && active.id !== id) {
        for (const { score } of await evaluate(loaded(active), ids, now)) {
          activeGrades[score.grade] = (activeGrades[score.grade] ?? 0) + 1;
          if (score.qualifies) activeQualifying++;
        }
      }
      // Let requests through between chunks: a preview over many contacts takes a while.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return {
      modelId: id,
      contacts: fits.length,
      qualifying,
      newMqls,
      grades,
      fit: histogram(fits, 10),
      engagement: histogram(engagements, 10),
      active:
        active && active.id !== id
          ? {
              modelId: active.id,
              version: active.version,
              qualifying: activeQualifying,
              grades: activeGrades,
            }
          : null,
    };
  }

  /** Contacts with a known outcome, scored under `model`, a chunk at a time. */
  async function* labelled(model: LoadedModel, now: Date) {
    let cursor: string | null = null;
    for (;;) {
      const rows = await findOutcomes(db, cursor, 1000);
      if (rows.length === 0) return;
      cursor = rows[rows.length - 1]!.id;
      const known = new Map<string, boolean>();
      for (const r of rows) {
        const converted =
          r.outcome !== null
            ? r.outcome === 'converted'
            : r.reached
              ? true
              : r.stage === 'recycled' || r.stage === 'disqualified'
                ? false
                : null;
        if (converted !== null) known.set(r.id, converted);
      }
      if (known.size > 0) {
        for (const result of await evaluate(model, [...known.keys()], now))
          yield { ...result, converted: known.get(result.contact.id)! };
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async function modelOrActive(id: string | undefined): Promise<LoadedModel> {
    if (id !== undefined) return loaded(await getRow(db, id));
    const active = await activeModel();
    return active ?? { id: '', version: 0, definition: defaultScoringModel };
  }

  return {
    async listModels(actor: Actor | null): Promise<ScoringModel[]> {
      authorize(actor, 'scoring.read');
      return (await findScoringModels(db)).map(toScoringModel);
    },

    async getModel(actor: Actor | null, id: string): Promise<ScoringModel> {
      authorize(actor, 'scoring.read');
      return toScoringModel(await getRow(db, id));
    },

    /** A new draft: the given definition, a copy of another model, or the built-in model. */
    async createModel(actor: Actor | null, input: CreateScoringModelBody): Promise<ScoringModel> {
      authorize(actor, 'scoring.write');
      const now = toDbTime(clock.now());
      return db.transaction().execute(async (trx) => {
        let definition: unknown = input.definition ?? defaultScoringModel;
        if (input.basedOnId !== undefined) {
          const base = await findScoringModelById(trx, input.basedOnId);
          if (!base) throw fieldError('scoring.model_not_found', 'basedOnId', 'no such model');
          definition =
            input.definition ??
            readJson(ScoringModelDefinitionSchema, base.definition, 'scoring_models.definition');
        }
        const id = newId();
        await insertScoringModel(trx, {
          id,
          version: await findNextScoringModelVersion(trx),
          name: input.name,
          status: 'draft',
          origin: 'manual',
          definition: JSON.stringify(definition),
          based_on_id: input.basedOnId ?? null,
          created_at: now,
          updated_at: now,
          activated_at: null,
        });
        return toScoringModel(await getRow(trx, id));
      });
    },

    /** Only drafts change: every stored score must keep meaning what its version said. */
    async updateModel(actor: Actor | null, id: string, input: UpdateScoringModelBody): Promise<ScoringModel> {
      authorize(actor, 'scoring.write');
      return db.transaction().execute(async (trx) => {
        const row = await getRow(trx, id);
        if (row.status !== 'draft') throw notDraft();
        await updateScoringModelRow(trx, id, {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.definition !== undefined && { definition: JSON.stringify(input.definition) }),
          updated_at: toDbTime(clock.now()),
        });
        return toScoringModel(await getRow(trx, id));
      });
    },

    /**
     * What a model would do if activated now, without storing anything: how many contacts qualify,
     * how many would become MQLs, and how scores and grades spread, beside the active model.
     */
    async previewModel(actor: Actor | null, id: string): Promise<ScoringPreview> {
      // It scores every contact: only those who edit scoring run it, and one at a time per process
      // (a second waits its turn), in small chunks with requests let through between them.
      authorize(actor, 'scoring.write');
      const turn = previewQueue.then(() => previewNow(id));
      previewQueue = turn.catch(() => undefined);
      return turn;
    },

    /**
     * Makes a draft the active model (the previous one is retired) and starts rescoring every
     * contact in the background; its progress is the run. Ingestion goes on meanwhile: new touches
     * are scored under the new model as they come.
     */
    async activateModel(actor: Actor | null, id: string): Promise<{ model: ScoringModel; run: ScoringRun }> {
      const who = authorize(actor, 'scoring.write');
      const now = clock.now();
      return announcingConfig(
        deps.events,
        'mqlRule',
        now,
        db.transaction().execute(async (trx) => {
          const row = await getRow(trx, id);
          if (row.status !== 'draft') throw notDraft();
          await retireActiveScoringModel(trx, now);
          await updateScoringModelRow(trx, id, {
            status: 'active',
            activated_at: toDbTime(now),
            updated_at: toDbTime(now),
          });
          await supersedeScoringRuns(trx, id, now);
          const runId = newId();
          await insertScoringRun(trx, {
            id: runId,
            model_id: id,
            status: 'running',
            total: await countContacts(trx),
            done: 0,
            cursor: null,
            last_contact_id: await findLastContactId(trx),
            started_at: toDbTime(now),
            updated_at: toDbTime(now),
            finished_at: null,
          });
          await insertEvent(trx, {
            type: 'scoring.model_activated',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'scoring_model', id },
            payload: { version: row.version },
          });
          return {
            model: toScoringModel(await getRow(trx, id)),
            run: toScoringRun((await findScoringRunById(trx, runId))!),
          };
        }),
      );
    },

    async getRun(actor: Actor | null, id: string): Promise<ScoringRun> {
      authorize(actor, 'scoring.read');
      const row = await findScoringRunById(db, id);
      if (!row) throw createError('scoring.run_not_found');
      return toScoringRun(row);
    },

    /** The contact's stored score: its model version, grade, and which rules made it. */
    async getContactScore(actor: Actor | null, contactId: string): Promise<ContactScore> {
      const who = authorize(actor, 'scoring.read');
      const [contact, visibility] = await Promise.all([
        findContactById(db, contactId),
        loadVisibility(db, who),
      ]);
      if (!contact || !canSee(visibility, contact.owner_id)) throw createError('contacts.not_found');
      const row = await findContactScore(db, contactId);
      if (!row) throw createError('scoring.not_scored');
      return {
        contactId,
        modelId: row.model_id,
        modelVersion: Number(row.model_version),
        fit: Number(row.fit),
        engagement: Number(row.engagement),
        grade: row.grade,
        qualifies: fromDbBool(row.qualifies),
        explanation: expandExplanation(
          readExplanation(row.explanation),
          readJson(ScoringModelDefinitionSchema, row.model_definition, 'scoring_models.definition'),
        ),
        scoredAt: fromDbTime(row.scored_at).toISOString(),
      };
    },

    /** The account's own fit plus its contacts' engagement, capped, under the active model. */
    async getAccountScore(actor: Actor | null, accountId: string): Promise<AccountScore> {
      const who = authorize(actor, 'scoring.read');
      const [account, visibility] = await Promise.all([
        findAccountById(db, accountId),
        loadVisibility(db, who),
      ]);
      if (!account || !canSee(visibility, account.owner_id)) throw createError('accounts.not_found');
      const model = await activeModel();
      if (!model) throw createError('scoring.no_active_model');
      const domains = await findDomainsByAccounts(db, [accountId]);
      const engagements = await findAccountContactEngagement(db, accountId, model.id);
      const score = scoreAccount(
        model.definition,
        {
          'account.name': account.name,
          'account.industry': account.industry,
          'account.employeeCount': account.employee_count,
          'account.country': account.country,
          'account.domain': domains.get(accountId)?.[0] ?? null,
        },
        engagements,
      );
      return {
        accountId,
        modelId: model.id,
        modelVersion: model.version,
        ...score,
        engagementCap: model.definition.accountEngagementCap,
        contacts: engagements.length,
      };
    },

    /**
     * How well a model's score predicted what happened, over contacts whose outcome is known (an
     * imported label; accepted, SQL or won; or recycled and disqualified): the AUC, conversion by
     * score band, the lift of each rule, and a suggested threshold.
     */
    async calibrate(
      actor: Actor | null,
      modelId: string,
      options: { holdout?: number },
    ): Promise<CalibrationReport> {
      authorize(actor, 'scoring.read');
      const model = loaded(await getRow(db, modelId));
      const points: { score: number; fit: number; engagement: number; converted: boolean }[] = [];
      const fired: { rules: string[]; converted: boolean }[] = [];
      for await (const { contact, score, converted } of labelled(model, clock.now())) {
        if (options.holdout !== undefined && !isHeldOut(splitKey(contact), options.holdout)) continue;
        points.push({
          score: score.fit + score.engagement,
          fit: score.fit,
          engagement: score.engagement,
          converted,
        });
        fired.push({
          rules: [
            ...score.explanation.fit.map((h) => h.ruleId),
            ...score.explanation.engagement.filter((h) => h.points !== 0).map((h) => h.ruleId),
          ],
          converted,
        });
      }
      const rules = [...model.definition.fitRules, ...model.definition.engagementRules];
      const lifts = ruleLift(
        fired,
        rules.map((r) => r.id),
      );
      return {
        modelId,
        modelVersion: model.version,
        scope: options.holdout === undefined ? 'all' : 'held_out',
        contacts: points.length,
        converted: points.filter((p) => p.converted).length,
        auc: {
          score: roundAuc(auc(points)),
          fit: roundAuc(auc(points.map((p) => ({ score: p.fit, converted: p.converted })))),
          engagement: roundAuc(auc(points.map((p) => ({ score: p.engagement, converted: p.converted })))),
        },
        bands: conversionByBand(
          points,
          quantileEdges(
            points.map((p) => p.score),
            5,
          ),
        ),
        rules: lifts.map((lift, i) => ({ ...lift, label: rules[i]!.label, points: rules[i]!.points })),
        suggestedThreshold: suggestThreshold(points),
      };
    },

    /**
     * Learns fit rules from contacts with a known outcome (a logistic regression; see learnFit) and
     * proposes them as a new draft model beside the one it is based on, whose engagement rules it
     * keeps. It is tested on a held-out share of contacts the learning never saw. A human activates it.
     */
    async learnModel(actor: Actor | null, input: LearnModelBody): Promise<LearnModelResult> {
      authorize(actor, 'scoring.write');
      const now = clock.now();
      const base = await modelOrActive(input.basedOnId);
      const holdout = input.holdout ?? 0.3;
      const training: LearningRow[] = [];
      const heldOut = new Map<string, boolean>();
      const basePoints: { score: number; converted: boolean }[] = [];
      for await (const { contact, score, converted } of labelled(base, now)) {
        if (isHeldOut(splitKey(contact), holdout)) {
          heldOut.set(contact.id, converted);
          basePoints.push({ score: score.fit + score.engagement, converted });
        } else training.push({ facts: factsOf(contact), converted });
      }
      if (training.length < 50 || new Set(training.map((t) => t.converted)).size < 2)
        throw createError(
          'scoring.not_enough_outcomes',
          `Learning needs at least 50 contacts with a known outcome, converted and not; found ${training.length}.`,
        );
      const learned = learnFit(training, { exclude: input.exclude ?? [] });
      const definition: ScoringModelDefinition = {
        ...base.definition,
        fitRules: learned.rules,
        grades: { ...base.definition.grades, fit: { a: learned.gradeA, b: learned.gradeB } },
        mql: { ...base.definition.mql, fitAtLeast: learned.threshold },
      };
      const learnedPoints: { score: number; converted: boolean }[] = [];
      const ids = [...heldOut.keys()];
      for (let i = 0; i < ids.length; i += 1000) {
        for (const { contact, score } of await evaluate(
          { id: '', version: 0, definition },
          ids.slice(i, i + 1000),
          now,
        ))
          learnedPoints.push({ score: score.fit + score.engagement, converted: heldOut.get(contact.id)! });
      }
      const id = newId();
      const at = toDbTime(now);
      await db.transaction().execute(async (trx) => {
        await insertScoringModel(trx, {
          id,
          version: await findNextScoringModelVersion(trx),
          name: input.name,
          status: 'draft',
          origin: 'learned',
          definition: JSON.stringify(definition),
          based_on_id: base.id === '' ? null : base.id,
          created_at: at,
          updated_at: at,
          activated_at: null,
        });
      });
      return {
        model: toScoringModel(await getRow(db, id)),
        candidates: learned.candidates,
        training: { contacts: training.length, converted: training.filter((t) => t.converted).length },
        heldOut: {
          contacts: ids.length,
          converted: [...heldOut.values()].filter(Boolean).length,
          learnedAuc: roundAuc(auc(learnedPoints)),
          basedOnAuc: roundAuc(auc(basePoints)),
        },
      };
    },

    // The engine (scoring.usecases.ts), bound to this store, clock and bus.
    ensureDefaultModel: () => ensureDefaultModel({ db, now: clock.now() }),
    scoreDue: (limit = 500) => scoreDueContacts({ ...engine, limit }),
    advanceRuns: (limit = 500) => advanceRescoringRuns({ ...engine, limit }),
    refreshFaded: (limit = 500) => refreshFadedScores({ ...engine, limit }),
  };
}

export type ScoringService = ReturnType<typeof createScoringService>;
