import { Type } from 'typebox';
import { IdParams, Page } from '../../../contract/common.ts';
import {
  CreateOpportunityBody,
  CreateOpportunityStageBody,
  StageKeyParams,
  UpdateOpportunityStageBody,
  ListOpportunitiesQuery,
  MoveOpportunityBody,
  Opportunity,
  OpportunityDetail,
  OpportunityStage,
  UpdateOpportunityBody,
  WinRates,
  WinRatesQuery,
} from '../../../contract/opportunities.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { OpportunitiesService } from './opportunities.service.ts';

/** Opportunities and their pipeline. */
export function opportunitiesRoutes(app: App, { opportunities }: { opportunities: OpportunitiesService }) {
  const tags = ['opportunities'];
  app.get(
    '/opportunities/stages',
    {
      schema: {
        tags,
        summary: 'The opportunity pipeline: stages in order, with probability and outcome',
        response: { 200: Type.Object({ data: Type.Array(OpportunityStage) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await opportunities.listStages(request.actor) }),
  );
  app.post(
    '/opportunities/stages',
    {
      schema: {
        tags,
        summary: 'Add a stage to the opportunity pipeline',
        body: CreateOpportunityStageBody,
        response: { 201: OpportunityStage, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await opportunities.createStage(request.actor, request.body)),
  );
  app.patch(
    '/opportunities/stages/:key',
    {
      schema: {
        tags,
        summary: 'Rename, reorder, reweigh or retire an opportunity stage',
        params: StageKeyParams,
        body: UpdateOpportunityStageBody,
        response: { 200: OpportunityStage, ...problemResponses },
      },
    },
    async (request) => opportunities.updateStage(request.actor, request.params.key, request.body),
  );
  app.get(
    '/opportunities/win-rates',
    {
      schema: {
        tags,
        summary: 'Win rate (won ÷ won + lost) per owner or per manager',
        querystring: WinRatesQuery,
        response: { 200: WinRates, ...problemResponses },
      },
    },
    async (request) => opportunities.winRates(request.actor, request.query),
  );
  app.get(
    '/opportunities',
    {
      schema: {
        tags,
        summary: 'List opportunities you may see, newest first',
        querystring: ListOpportunitiesQuery,
        response: { 200: Page(Opportunity), ...problemResponses },
      },
    },
    async (request) => opportunities.list(request.actor, request.query),
  );
  app.post(
    '/opportunities',
    {
      schema: {
        tags,
        summary: 'Create an opportunity from a sales-qualified lead (or for an account)',
        body: CreateOpportunityBody,
        response: { 201: Opportunity, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await opportunities.create(request.actor, request.body)),
  );
  app.get(
    '/opportunities/:id',
    {
      schema: {
        tags,
        summary: 'An opportunity with its stage history',
        params: IdParams,
        response: { 200: OpportunityDetail, ...problemResponses },
      },
    },
    async (request) => opportunities.get(request.actor, request.params.id),
  );
  app.patch(
    '/opportunities/:id',
    {
      schema: {
        tags,
        summary: 'Change the amount, close date, owner or people of an opportunity',
        params: IdParams,
        body: UpdateOpportunityBody,
        response: { 200: Opportunity, ...problemResponses },
      },
    },
    async (request) => opportunities.update(request.actor, request.params.id, request.body),
  );
  app.post(
    '/opportunities/:id/stage',
    {
      schema: {
        tags,
        summary: 'Move an opportunity along the pipeline; won or lost (with a reason) closes it',
        params: IdParams,
        body: MoveOpportunityBody,
        response: { 200: OpportunityDetail, ...problemResponses },
      },
    },
    async (request) => opportunities.move(request.actor, request.params.id, request.body),
  );
}
