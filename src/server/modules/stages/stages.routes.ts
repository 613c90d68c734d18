import { Type } from 'typebox';
import {
  CreateStageBody,
  Funnel,
  FunnelQuery,
  Stage,
  StageParams,
  UpdateStageBody,
} from '../../../contract/stages.ts';
import type { ExportsService } from '../exports/exports.service.ts';
import { csvResponse, problemResponses, sendCsv, type App } from '../shared/http.ts';
import { funnelTable } from '../../../domain/reports/report-tables.ts';
import type { StagesService } from './stages.service.ts';

export function stagesRoutes(
  app: App,
  { stages, exports }: { stages: StagesService; exports: ExportsService },
) {
  const tags = ['lifecycle'];

  app.get(
    '/stages',
    {
      schema: {
        tags,
        summary: 'The glossary: every lifecycle stage with its definition, in order',
        response: { 200: Type.Object({ data: Type.Array(Stage) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await stages.listStages(request.actor) }),
  );

  app.get(
    '/funnel',
    {
      schema: {
        tags,
        summary:
          'The funnel of a period: per stage, the contacts that entered it, how many went further since, and the median time in it',
        querystring: FunnelQuery,
        response: { 200: Funnel, ...problemResponses },
      },
    },
    async (request) => stages.funnel(request.actor, request.query),
  );
  app.get(
    '/funnel.csv',
    {
      schema: {
        tags,
        summary: 'The funnel of a period as CSV, as GET /funnel counts it',
        querystring: FunnelQuery,
        response: csvResponse,
      },
    },
    async (request, reply) =>
      sendCsv(
        reply,
        'baton-funnel.csv',
        await exports.exportReport(
          request.actor,
          'funnel',
          request.query,
          funnelTable(await stages.funnel(request.actor, request.query)),
        ),
      ),
  );

  app.post(
    '/stages',
    {
      schema: {
        tags,
        summary: 'Add a stage (admin)',
        body: CreateStageBody,
        response: { 201: Stage, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await stages.createStage(request.actor, request.body)),
  );

  app.get(
    '/stages/:key',
    {
      schema: {
        tags,
        summary: 'Get a stage',
        params: StageParams,
        response: { 200: Stage, ...problemResponses },
      },
    },
    async (request) => stages.getStage(request.actor, request.params.key),
  );

  app.patch(
    '/stages/:key',
    {
      schema: {
        tags,
        summary: 'Edit a stage: names, definitions, order, allowed next stages (admin)',
        params: StageParams,
        body: UpdateStageBody,
        response: { 200: Stage, ...problemResponses },
      },
    },
    async (request) => stages.updateStage(request.actor, request.params.key, request.body),
  );
}
