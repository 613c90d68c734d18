import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import {
  Assignment,
  CreatePoolBody,
  Pool,
  ReassignBody,
  ReplaceRulesBody,
  RoutePreview,
  RoutingRule,
  RoutingSettings,
  RulesPreview,
  UpdatePoolBody,
  UpdateRoutingSettingsBody,
  UnassignedLead,
} from '../../../contract/routing.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { RoutingService } from './routing.service.ts';

/** Pools, ordered rules and settings; routing a lead by hand; every decision with its reasons. */
export function routingRoutes(app: App, { routing }: { routing: RoutingService }) {
  const tags = ['routing'];
  app.get(
    '/routing/pools',
    {
      schema: {
        tags,
        summary: 'List routing pools with their members, weights and caps',
        response: { 200: Type.Object({ data: Type.Array(Pool) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await routing.listPools(request.actor) }),
  );
  app.post(
    '/routing/pools',
    {
      schema: {
        tags,
        summary: 'Create a routing pool',
        body: CreatePoolBody,
        response: { 201: Pool, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await routing.createPool(request.actor, request.body)),
  );
  app.patch(
    '/routing/pools/:id',
    {
      schema: {
        tags,
        summary: 'Change a routing pool (members are replaced as a whole)',
        params: IdParams,
        body: UpdatePoolBody,
        response: { 200: Pool, ...problemResponses },
      },
    },
    async (request) => routing.updatePool(request.actor, request.params.id, request.body),
  );
  app.delete(
    '/routing/pools/:id',
    {
      schema: {
        tags,
        summary: 'Delete a routing pool that no rule and not the fallback setting sends leads to',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await routing.deletePool(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/routing/rules/preview',
    {
      schema: {
        tags,
        summary:
          'Which recent leads each rule of a list would take (the first that matches wins), without saving it',
        body: ReplaceRulesBody,
        response: { 200: RulesPreview, ...problemResponses },
      },
    },
    async (request) => routing.previewRules(request.actor, request.body),
  );
  app.get(
    '/routing/rules',
    {
      schema: {
        tags,
        summary: 'The routing rules, in order: the first that matches a lead wins',
        response: { 200: Type.Object({ data: Type.Array(RoutingRule) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await routing.getRules(request.actor) }),
  );
  app.put(
    '/routing/rules',
    {
      schema: {
        tags,
        summary: 'Replace the routing rules',
        body: ReplaceRulesBody,
        response: { 200: Type.Object({ data: Type.Array(RoutingRule) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await routing.replaceRules(request.actor, request.body) }),
  );
  app.get(
    '/routing/settings',
    {
      schema: {
        tags,
        summary: 'Ownership first, and the fallback pool',
        response: { 200: RoutingSettings, ...problemResponses },
      },
    },
    async (request) => routing.getSettings(request.actor),
  );
  app.patch(
    '/routing/settings',
    {
      schema: {
        tags,
        summary: 'Change ownership-first or the fallback pool',
        body: UpdateRoutingSettingsBody,
        response: { 200: RoutingSettings, ...problemResponses },
      },
    },
    async (request) => routing.updateSettings(request.actor, request.body),
  );
  app.get(
    '/routing/unassigned',
    {
      schema: {
        tags,
        summary: 'Leads whose latest routing found no eligible rep, oldest first',
        response: { 200: Type.Object({ data: Type.Array(UnassignedLead) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await routing.listUnassigned(request.actor) }),
  );
  app.post(
    '/contacts/:id/route',
    {
      schema: {
        tags,
        summary: 'Route a lead now, with the reasons on record',
        params: IdParams,
        response: { 200: Assignment, ...problemResponses },
      },
    },
    async (request) => routing.routeContact(request.actor, request.params.id),
  );
  app.get(
    '/contacts/:id/route-preview',
    {
      schema: {
        tags,
        summary: 'Where the lead would go now, and why, without routing it',
        params: IdParams,
        response: { 200: RoutePreview, ...problemResponses },
      },
    },
    async (request) => routing.previewRoute(request.actor, request.params.id),
  );
  app.post(
    '/contacts/:id/reassign',
    {
      schema: {
        tags,
        summary: 'Give a lead to another rep, with a reason (managers: within their team)',
        params: IdParams,
        body: ReassignBody,
        response: { 200: Assignment, ...problemResponses },
      },
    },
    async (request) => routing.reassign(request.actor, request.params.id, request.body),
  );
  app.get(
    '/contacts/:id/assignments',
    {
      schema: {
        tags,
        summary: 'Every routing decision for a lead, with each candidate and why: "why did I get this lead"',
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(Assignment) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await routing.listAssignments(request.actor, request.params.id) }),
  );
}
