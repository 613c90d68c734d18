import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import { CreateTeamBody, Team, UpdateTeamBody } from '../../../contract/teams.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { TeamsService } from './teams.service.ts';

export function teamsRoutes(app: App, { teams }: { teams: TeamsService }) {
  const tags = ['teams'];

  app.get(
    '/teams',
    {
      schema: {
        tags,
        summary: 'List teams',
        response: { 200: Type.Object({ data: Type.Array(Team) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await teams.listTeams(request.actor) }),
  );

  app.post(
    '/teams',
    {
      schema: {
        tags,
        summary: 'Create a team (admin)',
        body: CreateTeamBody,
        response: { 201: Team, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await teams.createTeam(request.actor, request.body)),
  );

  app.get(
    '/teams/:id',
    {
      schema: { tags, summary: 'Get a team', params: IdParams, response: { 200: Team, ...problemResponses } },
    },
    async (request) => teams.getTeam(request.actor, request.params.id),
  );

  app.patch(
    '/teams/:id',
    {
      schema: {
        tags,
        summary: 'Update a team (admin); memberIds replaces the members',
        params: IdParams,
        body: UpdateTeamBody,
        response: { 200: Team, ...problemResponses },
      },
    },
    async (request) => teams.updateTeam(request.actor, request.params.id, request.body),
  );

  app.delete(
    '/teams/:id',
    {
      schema: {
        tags,
        summary: 'Delete a team (admin)',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await teams.deleteTeam(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
