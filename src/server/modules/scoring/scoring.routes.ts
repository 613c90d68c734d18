import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import {
  AccountScore,
  ActivationResult,
  CalibrationQuery,
  CalibrationReport,
  LearnModelBody,
  LearnModelResult,
  ContactScore,
  CreateScoringModelBody,
  ScoringModel,
  ScoringPreview,
  ScoringRun,
  UpdateScoringModelBody,
} from '../../../contract/scoring.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { ScoringService } from './scoring.service.ts';

/** Scoring models (versioned, previewed, activated), runs, and the scores of contacts and accounts. */
export function scoringRoutes(app: App, { scoring }: { scoring: ScoringService }) {
  const tags = ['scoring'];
  app.get(
    '/scoring/models',
    {
      schema: {
        tags,
        summary: 'List scoring models, newest version first',
        response: { 200: Type.Object({ data: Type.Array(ScoringModel) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await scoring.listModels(request.actor) }),
  );
  app.post(
    '/scoring/models',
    {
      schema: {
        tags,
        summary: 'Create a draft model (from a definition, a copy of another model, or the built-in model)',
        body: CreateScoringModelBody,
        response: { 201: ScoringModel, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await scoring.createModel(request.actor, request.body)),
  );
  app.get(
    '/scoring/models/:id',
    {
      schema: {
        tags,
        summary: 'Get a scoring model',
        params: IdParams,
        response: { 200: ScoringModel, ...problemResponses },
      },
    },
    async (request) => scoring.getModel(request.actor, request.params.id),
  );
  app.patch(
    '/scoring/models/:id',
    {
      schema: {
        tags,
        summary: 'Change a draft model',
        params: IdParams,
        body: UpdateScoringModelBody,
        response: { 200: ScoringModel, ...problemResponses },
      },
    },
    async (request) => scoring.updateModel(request.actor, request.params.id, request.body),
  );
  app.post(
    '/scoring/models/:id/preview',
    {
      schema: {
        tags,
        summary:
          'What the model would do if activated now: MQLs and the spread of scores, beside the active model',
        params: IdParams,
        response: { 200: ScoringPreview, ...problemResponses },
      },
    },
    async (request) => scoring.previewModel(request.actor, request.params.id),
  );
  app.post(
    '/scoring/models/:id/activate',
    {
      schema: {
        tags,
        summary: 'Activate a draft model; every contact is rescored in the background (see the run)',
        params: IdParams,
        response: { 200: ActivationResult, ...problemResponses },
      },
    },
    async (request) => scoring.activateModel(request.actor, request.params.id),
  );
  app.get(
    '/scoring/models/:id/calibration',
    {
      schema: {
        tags,
        summary:
          'How well the model predicted known outcomes: AUC, conversion by band, lift per rule, a suggested threshold',
        params: IdParams,
        querystring: CalibrationQuery,
        response: { 200: CalibrationReport, ...problemResponses },
      },
    },
    async (request) =>
      scoring.calibrate(request.actor, request.params.id, {
        ...(request.query.holdout !== undefined && { holdout: request.query.holdout }),
      }),
  );
  app.post(
    '/scoring/models/learn',
    {
      schema: {
        tags,
        summary:
          'Learn fit rules from known outcomes and propose them as a draft model, tested on held-out contacts',
        body: LearnModelBody,
        response: { 201: LearnModelResult, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await scoring.learnModel(request.actor, request.body)),
  );
  app.get(
    '/scoring/runs/:id',
    {
      schema: {
        tags,
        summary: 'Progress of a rescoring run',
        params: IdParams,
        response: { 200: ScoringRun, ...problemResponses },
      },
    },
    async (request) => scoring.getRun(request.actor, request.params.id),
  );
  app.get(
    '/contacts/:id/score',
    {
      schema: {
        tags,
        summary: "A contact's score, grade and why: which rules fired, before and after decay, and the caps",
        params: IdParams,
        response: { 200: ContactScore, ...problemResponses },
      },
    },
    async (request) => scoring.getContactScore(request.actor, request.params.id),
  );
  app.get(
    '/accounts/:id/score',
    {
      schema: {
        tags,
        summary: "An account's own fit and its contacts' engagement, capped, under the active model",
        params: IdParams,
        response: { 200: AccountScore, ...problemResponses },
      },
    },
    async (request) => scoring.getAccountScore(request.actor, request.params.id),
  );
}
