import { Type } from 'typebox';
import { IdParams, Page } from '../../../contract/common.ts';
import {
  Absence,
  AbsenceBody,
  CreateUserBody,
  ListUsersQuery,
  UpdateMeBody,
  UpdateUserBody,
  User,
} from '../../../contract/users.ts';
import { problemResponses, sessionCookieName, type App } from '../shared/http.ts';
import type { UsersService } from './users.service.ts';

export function usersRoutes(app: App, { users }: { users: UsersService }) {
  const tags = ['users'];

  app.get(
    '/users',
    {
      schema: {
        tags,
        summary: 'List users',
        querystring: ListUsersQuery,
        response: { 200: Page(User), ...problemResponses },
      },
    },
    async (request) => users.listUsers(request.actor, request.query),
  );

  app.post(
    '/users',
    {
      schema: {
        tags,
        summary: 'Create a user (admin)',
        body: CreateUserBody,
        response: { 201: User, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await users.createUser(request.actor, request.body)),
  );

  app.get(
    '/users/:id',
    {
      schema: { tags, summary: 'Get a user', params: IdParams, response: { 200: User, ...problemResponses } },
    },
    async (request) => users.getUser(request.actor, request.params.id),
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags,
        summary: 'Update a user (admin); isActive false deactivates and ends their sessions',
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: User, ...problemResponses },
      },
    },
    async (request) => users.updateUser(request.actor, request.params.id, request.body),
  );

  app.get(
    '/me',
    { schema: { tags, summary: 'The signed-in user', response: { 200: User, ...problemResponses } } },
    async (request) => users.getMe(request.actor),
  );

  app.patch(
    '/me',
    {
      schema: {
        tags,
        summary: 'Update your own name, language, time zone or password',
        body: UpdateMeBody,
        response: { 200: User, ...problemResponses },
      },
    },
    async (request) =>
      users.updateMe(request.actor, request.body, {
        ip: request.ip,
        sessionToken: request.cookies[sessionCookieName] ?? null,
      }),
  );

  app.post(
    '/users/:id/absences',
    {
      schema: {
        tags: ['users'],
        summary: 'Record an absence (by the person, their manager or an admin): routing passes them by',
        params: IdParams,
        body: AbsenceBody,
        response: { 201: Absence, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await users.addAbsence(request.actor, request.params.id, request.body)),
  );
  app.get(
    '/users/:id/absences',
    {
      schema: {
        tags: ['users'],
        summary: "A person's absences",
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(Absence) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await users.listAbsences(request.actor, request.params.id) }),
  );
}
