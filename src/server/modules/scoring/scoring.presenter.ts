import type { ScoringModel, ScoringRun } from '../../../contract/scoring.ts';
import { ScoringModelDefinition as ScoringModelDefinitionSchema } from '../../../contract/scoring.ts';
import { fromDbTime, fromDbTimeOrNull } from '../../db/dialect.ts';
import { readJson } from '../../db/json-column.ts';
import type { ScoringModelRow, ScoringRunRow } from '../../db/tables.ts';

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

export function toScoringRun(row: ScoringRunRow): ScoringRun {
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
