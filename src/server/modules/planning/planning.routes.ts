import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import {
  Pacing,
  PeriodQuery,
  PlanInputBody,
  PlanResult,
  PutTargetBody,
  SavedPlan,
  SavePlanBody,
  Target,
  TargetsQuery,
} from '../../../contract/planning.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { PlanningService } from './planning.service.ts';

/** Joint targets, the reverse-waterfall planner, saved plans and the pace against them. */
export function planningRoutes(app: App, { planning }: { planning: PlanningService }) {
  const tags = ['planning'];
  app.get(
    '/targets',
    {
      schema: {
        tags,
        summary:
          'Targets by period, metric and owner (company, team or person); joint ones are shared by both teams',
        querystring: TargetsQuery,
        response: { 200: Type.Array(Target), ...problemResponses },
      },
    },
    async (request) => planning.listTargets(request.actor, request.query),
  );
  app.put(
    '/targets',
    {
      schema: {
        tags,
        summary: 'Set the target of a period, metric and owner (replaces the value when it exists)',
        body: PutTargetBody,
        response: { 200: Target, ...problemResponses },
      },
    },
    async (request) => planning.putTarget(request.actor, request.body),
  );
  app.delete(
    '/targets/:id',
    {
      schema: {
        tags,
        summary: 'Remove a target',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await planning.deleteTarget(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/plans/preview',
    {
      schema: {
        tags,
        summary:
          'The reverse waterfall: the wins, opportunities, SQLs, SALs, MQLs and inquiries a revenue target needs per month, with sensitivity',
        body: PlanInputBody,
        response: { 200: PlanResult, ...problemResponses },
      },
    },
    async (request) => planning.preview(request.actor, request.body),
  );
  app.post(
    '/plans',
    {
      schema: {
        tags,
        summary: 'Save a plan as the plan of its period (earlier ones are kept)',
        body: SavePlanBody,
        response: { 201: SavedPlan, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await planning.savePlan(request.actor, request.body)),
  );
  app.get(
    '/plans',
    {
      schema: {
        tags,
        summary: 'Saved plans, newest first',
        querystring: Type.Partial(PeriodQuery),
        response: { 200: Type.Array(SavedPlan), ...problemResponses },
      },
    },
    async (request) => planning.listPlans(request.actor, request.query),
  );
  app.get(
    '/pacing',
    {
      schema: {
        tags,
        summary: 'Actual against the plan of a period at every stage, a projection to its end, and alerts',
        querystring: PeriodQuery,
        response: { 200: Pacing, ...problemResponses },
      },
    },
    async (request) => planning.pacing(request.actor, request.query),
  );
}
