import { agreementSpans } from '../agreements/agreements.repository.ts';
import { announcingConfig } from '../shared/config-changed.ts';
import type { StageOrder } from '../../../domain/handoff/fate.ts';
import type {
  CreateStageBody,
  Funnel,
  FunnelQuery,
  Stage,
  UpdateStageBody,
} from '../../../contract/stages.ts';
import { cohortFunnelOf } from '../../../domain/lifecycle/funnel.ts';
import { loadVisibility } from '../shared/visibility.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import type { StageRule } from '../../../domain/lifecycle/decide-stage-change.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, toDbTime } from '../../db/dialect.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { inTransaction } from '../shared/transaction.ts';
import {
  summariseCohortFunnel,
  findStages,
  insertStage,
  replaceTransitions,
  updateStageRow,
  type StageWithTransitions,
} from './stages.repository.ts';

export function toStage(row: StageWithTransitions): Stage {
  return {
    key: row.key,
    name: { en: row.name_en, nl: row.name_nl },
    definition: { en: row.definition_en, nl: row.definition_nl },
    position: row.position,
    isSide: fromDbBool(row.is_side),
    allowedNext: row.allowedNext,
  };
}

export function toStageRule(row: StageWithTransitions): StageRule {
  return {
    key: row.key,
    position: row.position,
    isSide: fromDbBool(row.is_side),
    allowedNext: row.allowedNext,
  };
}

/** The stages as the handoff's rules compare them: positions along the path, and the side stages. */
export function stageOrderOf(rows: readonly StageWithTransitions[]): StageOrder {
  return {
    position: new Map(rows.map((s) => [s.key, Number(s.position)])),
    side: new Set(rows.filter((s) => fromDbBool(s.is_side)).map((s) => s.key)),
  };
}

export function createStagesService(deps: ServiceDeps) {
  const { db, clock } = deps;

  async function checkTargets(conn: Db, keys: readonly string[] | undefined, self: string): Promise<void> {
    if (!keys) return;
    const known = new Set((await findStages(conn)).map((s) => s.key).concat(self));
    const unknown = keys.filter((k) => !known.has(k));
    if (unknown.length > 0 || keys.includes(self)) {
      throw fieldError(
        'stages.invalid_transition_target',
        'allowedNext',
        unknown.length > 0 ? `unknown stage ${unknown.join(', ')}` : 'a stage cannot lead to itself',
      );
    }
  }

  async function get(conn: Db, key: string): Promise<Stage> {
    const stage = (await findStages(conn)).find((s) => s.key === key);
    if (!stage) throw createError('stages.not_found');
    return toStage(stage);
  }

  return {
    /** The glossary: every stage with its definition in both languages, in order. */
    async listStages(actor: Actor | null): Promise<Stage[]> {
      authorize(actor, 'stages.read');
      return (await findStages(db)).map(toStage);
    },

    async getStage(actor: Actor | null, key: string): Promise<Stage> {
      authorize(actor, 'stages.read');
      return get(db, key);
    },

    /**
     * The funnel of the people who came in during a period: per stage of the main path, how many
     * reached it by now, how many went further and how long they stayed. A rep counts their own
     * leads, a manager their team's.
     */
    async funnel(actor: Actor | null, query: FunnelQuery): Promise<Funnel> {
      const who = authorize(actor, 'contacts.read');
      const from = new Date(query.from);
      const to = new Date(query.to);
      if (to.getTime() <= from.getTime())
        throw fieldError('http.validation_failed', 'to', 'must be after from');
      const visibility = await loadVisibility(db, who);
      const rows = await findStages(db);
      const path = rows.filter((s) => !fromDbBool(s.is_side));
      const keys = path.map((s) => s.key);
      const summary = await summariseCohortFunnel(db, {
        from: toDbTime(from),
        to: toDbTime(to),
        ownerIds: visibility.kind === 'owned_by' ? visibility.userIds : null,
        path: keys,
      });
      const stages = cohortFunnelOf(summary, keys);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        agreements: await agreementSpans(db, from, to),
        stages: stages.map((s, i) => ({ ...s, name: { en: path[i]!.name_en, nl: path[i]!.name_nl } })),
      };
    },

    async createStage(actor: Actor | null, input: CreateStageBody): Promise<Stage> {
      const who = authorize(actor, 'stages.write');
      const now = clock.now();
      return announcingConfig(
        deps.events,
        'stages',
        now,
        inTransaction(
          db,
          async (trx) => {
            await checkTargets(trx, input.allowedNext, input.key);
            await insertStage(trx, {
              key: input.key,
              name_en: input.name.en,
              name_nl: input.name.nl,
              definition_en: input.definition.en,
              definition_nl: input.definition.nl,
              position: input.position,
              is_side: input.isSide ?? false,
              created_at: toDbTime(now),
              updated_at: toDbTime(now),
            });
            await replaceTransitions(trx, input.key, input.allowedNext ?? []);
            await insertEvent(trx, {
              type: 'stage.created',
              occurredAt: now,
              actor: actorRef(who),
              subject: { type: 'stage', id: input.key },
              payload: { ...input },
            });
            return get(trx, input.key);
          },
          () => fieldError('stages.key_taken', 'key', 'a stage with this key exists'),
        ),
      );
    },

    async updateStage(actor: Actor | null, key: string, input: UpdateStageBody): Promise<Stage> {
      const who = authorize(actor, 'stages.write');
      const now = clock.now();
      return announcingConfig(
        deps.events,
        'stages',
        now,
        db.transaction().execute(async (trx) => {
          const before = await get(trx, key);
          await checkTargets(trx, input.allowedNext, key);
          await updateStageRow(trx, key, {
            ...(input.name && { name_en: input.name.en, name_nl: input.name.nl }),
            ...(input.definition && {
              definition_en: input.definition.en,
              definition_nl: input.definition.nl,
            }),
            ...(input.position !== undefined && { position: input.position }),
            updated_at: toDbTime(now),
          });
          if (input.allowedNext) await replaceTransitions(trx, key, input.allowedNext);
          // The definitions are part of the agreement between the teams, so every edit is kept.
          await insertEvent(trx, {
            type: 'stage.updated',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'stage', id: key },
            payload: { before, changes: { ...input } },
          });
          return get(trx, key);
        }),
      );
    },
  };
}

export type StagesService = ReturnType<typeof createStagesService>;
