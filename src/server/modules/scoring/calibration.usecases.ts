import type {
  CalibrationReport,
  LearnModelBody,
  LearnModelResult,
  ScoringPreview,
} from '../../../contract/scoring.ts';
import {
  auc,
  conversionByBand,
  quantileEdges,
  ruleLift,
  suggestThreshold,
} from '../../../domain/scoring/calibrate.ts';
import { isHeldOut, learnFit, type LearningRow } from '../../../domain/scoring/learn-model.ts';
import type { ScoringModelDefinition } from '../../../domain/scoring/score-contact.ts';
import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { createError } from '../shared/errors.ts';
import {
  findActiveScoringModel,
  findContactIdsAfter,
  findNextScoringModelVersion,
  findOutcomes,
  findScoringModelById,
  insertScoringModel,
  type ScoringInputContact,
} from './scoring.repository.ts';
import { toScoringModel } from './scoring.presenter.ts';
import { evaluateContacts, factsOf, loaded, type LoadedModel } from './scoring.usecases.ts';

/*
 * What a scoring model would do and how well it predicts: the preview before activation, the
 * calibration against known outcomes, and learning fit rules from them. Each scores many contacts
 * in memory, a chunk at a time, and stores nothing but a learned draft.
 */

/** Contacts per chunk of a preview: small enough that a request waits a few milliseconds at most. */
const previewChunk = 250;

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

/**
 * What a model would do if activated now, without storing anything: every contact scored under it
 * (and under the active one) in memory, chunk by chunk, with requests let through between chunks.
 */
export async function previewScoringModel({
  db,
  model,
  now,
}: {
  db: Db;
  model: LoadedModel;
  now: Date;
}): Promise<ScoringPreview> {
  const id = model.id;
  const active = await findActiveScoringModel(db);
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
    for (const { score, moves } of await evaluateContacts({ conn: db, model, ids, now })) {
      fits.push(score.fit);
      engagements.push(score.engagement);
      grades[score.grade] = (grades[score.grade] ?? 0) + 1;
      if (score.qualifies) qualifying++;
      if (moves) newMqls++;
    }
    if (active && active.id !== id) {
      for (const { score } of await evaluateContacts({ conn: db, model: loaded(active), ids, now })) {
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
async function* labelled({ db, model, now }: { db: Db; model: LoadedModel; now: Date }) {
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
      for (const result of await evaluateContacts({ conn: db, model, ids: [...known.keys()], now }))
        yield { ...result, converted: known.get(result.contact.id)! };
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * How well a model's score predicted what happened, over contacts whose outcome is known (an
 * imported label; accepted, SQL or won; or recycled and disqualified): the AUC, conversion by
 * score band, the lift of each rule, and a suggested threshold.
 */
export async function calibrateModel({
  db,
  model,
  holdout,
  now,
}: {
  db: Db;
  model: LoadedModel;
  holdout: number | undefined;
  now: Date;
}): Promise<CalibrationReport> {
  const modelId = model.id;
  const points: { score: number; fit: number; engagement: number; converted: boolean }[] = [];
  const fired: { rules: string[]; converted: boolean }[] = [];
  for await (const { contact, score, converted } of labelled({ db, model, now })) {
    if (holdout !== undefined && !isHeldOut(splitKey(contact), holdout)) continue;
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
    scope: holdout === undefined ? 'all' : 'held_out',
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
}

/**
 * Learns fit rules from contacts with a known outcome (a logistic regression; see learnFit) and
 * proposes them as a new draft model beside the one it is based on, whose engagement rules it
 * keeps. It is tested on a held-out share of contacts the learning never saw. A human activates it.
 */
export async function learnScoringModel({
  db,
  base,
  input,
  now,
}: {
  db: Db;
  base: LoadedModel;
  input: LearnModelBody;
  now: Date;
}): Promise<LearnModelResult> {
  const holdout = input.holdout ?? 0.3;
  const training: LearningRow[] = [];
  const heldOut = new Map<string, boolean>();
  const basePoints: { score: number; converted: boolean }[] = [];
  for await (const { contact, score, converted } of labelled({ db, model: base, now })) {
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
  const learned = learnFit(training, { exclude: input.exclude ?? [], include: input.include ?? [] });
  const definition: ScoringModelDefinition = {
    ...base.definition,
    fitRules: learned.rules,
    grades: { ...base.definition.grades, fit: { a: learned.gradeA, b: learned.gradeB } },
    mql: { ...base.definition.mql, fitAtLeast: learned.threshold },
  };
  const learnedPoints: { score: number; converted: boolean }[] = [];
  const ids = [...heldOut.keys()];
  for (let i = 0; i < ids.length; i += 1000) {
    for (const { contact, score } of await evaluateContacts({
      conn: db,
      model: { id: '', version: 0, definition },
      ids: ids.slice(i, i + 1000),
      now,
    }))
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
    model: toScoringModel((await findScoringModelById(db, id))!),
    candidates: learned.candidates,
    leaks: learned.leaks,
    suspects: learned.suspects,
    training: { contacts: training.length, converted: training.filter((t) => t.converted).length },
    heldOut: {
      contacts: ids.length,
      converted: [...heldOut.values()].filter(Boolean).length,
      learnedAuc: roundAuc(auc(learnedPoints)),
      basedOnAuc: roundAuc(auc(basePoints)),
    },
  };
}
