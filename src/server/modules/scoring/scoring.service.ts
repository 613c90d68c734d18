import { announcingConfig } from '../shared/config-changed.ts';
import type {
  AccountScore,
  CalibrationReport,
  ContactScore,
  LearnModelBody,
  LearnModelResult,
  CreateScoringModelBody,
  ScoringModel,
  ScoringModelDefinition,
  ScoringPreview,
  ScoringRun,
  UpdateScoringModelBody,
} from '../../../contract/scoring.ts';
import { canSee, type Actor } from '../../../domain/access/roles.ts';
import { defaultScoringModel } from '../../../domain/scoring/default-model.ts';
import { checkScoringModel } from '../../../domain/scoring/fields.ts';
import { expandExplanation } from '../../../domain/scoring/compact-explanation.ts';
import { scoreAccount } from '../../../domain/scoring/score-account.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { ScoringModelRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import { findAccounts, findDomainsByAccounts } from '../accounts/accounts.repository.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { loadVisibility } from '../shared/visibility.ts';
import {
  countContacts,
  findAccountContactEngagement,
  findContactScore,
  findLastContactId,
  findNextScoringModelVersion,
  findScoringModelById,
  findScoringModels,
  findScoringRunById,
  insertScoringModel,
  insertScoringRun,
  retireActiveScoringModel,
  supersedeScoringRuns,
  updateScoringModelRow,
} from './scoring.repository.ts';
import {
  advanceRescoringRuns,
  ensureDefaultModel,
  findActiveModel,
  loaded,
  refreshFadedScores,
  scoreDueContacts,
  type LoadedModel,
  type ScoringEngine,
} from './scoring.usecases.ts';
import { toScoringModel, toScoringRun } from './scoring.presenter.ts';
import { calibrateModel, learnScoringModel, previewScoringModel } from './calibration.usecases.ts';
import { readJson } from '../../db/json-column.ts';
import { readExplanation } from './scoring.repository.ts';
import { ScoringModelDefinition as ScoringModelDefinitionSchema } from '../../../contract/scoring.ts';

const modelNotFound = () => createError('scoring.model_not_found');

/** Refuses a definition the schema accepts but scoring cannot use, naming the place. */
function checkDefinition(definition: ScoringModelDefinition | undefined): void {
  const problem = definition && checkScoringModel(definition);
  if (problem) throw fieldError('scoring.invalid_model', `definition.${problem.field}`, problem.reason);
}
const notDraft = () => createError('scoring.model_not_draft');

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

  async function getRow(conn: Db, id: string): Promise<ScoringModelRow> {
    const row = await findScoringModelById(conn, id);
    if (!row) throw modelNotFound();
    return row;
  }

  let previewQueue: Promise<unknown> = Promise.resolve();
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
      checkDefinition(input.definition);
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
      checkDefinition(input.definition);
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
      const turn = previewQueue.then(async () =>
        previewScoringModel({ db, model: loaded(await getRow(db, id)), now: clock.now() }),
      );
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
      // Visible as the account itself is: its owner's team, or through one of the reader's leads.
      const [account] = await findAccounts(db, {}, await loadVisibility(db, who), 1, undefined, accountId);
      if (!account) throw createError('accounts.not_found');
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

    /** How well a model's score predicted known outcomes (calibration.usecases.ts). */
    async calibrate(
      actor: Actor | null,
      modelId: string,
      options: { holdout?: number },
    ): Promise<CalibrationReport> {
      authorize(actor, 'scoring.read');
      const model = loaded(await getRow(db, modelId));
      return calibrateModel({ db, model, holdout: options.holdout, now: clock.now() });
    },

    /** Learns fit rules from known outcomes into a new draft (calibration.usecases.ts). */
    async learnModel(actor: Actor | null, input: LearnModelBody): Promise<LearnModelResult> {
      authorize(actor, 'scoring.write');
      return learnScoringModel({ db, base: await modelOrActive(input.basedOnId), input, now: clock.now() });
    },

    // The engine (scoring.usecases.ts), bound to this store, clock and bus.
    ensureDefaultModel: () => ensureDefaultModel({ db, now: clock.now() }),
    scoreDue: (limit = 500) => scoreDueContacts({ ...engine, limit }),
    advanceRuns: (limit = 500) => advanceRescoringRuns({ ...engine, limit }),
    refreshFaded: (limit = 500) => refreshFadedScores({ ...engine, limit }),
  };
}

export type ScoringService = ReturnType<typeof createScoringService>;
