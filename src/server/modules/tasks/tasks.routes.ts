import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import { CreateTaskBody, ListTasksQuery, Task, UpdateTaskBody } from '../../../contract/tasks.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { TasksService } from './tasks.service.ts';

/** Next steps on leads, for the lead's page and a person's queue. */
export function tasksRoutes(app: App, { tasks }: { tasks: TasksService }) {
  const tags = ['tasks'];

  app.get(
    '/tasks',
    {
      schema: {
        tags,
        summary: 'Tasks on the leads you may see: open ones due soonest first (filter by lead or person)',
        querystring: ListTasksQuery,
        response: { 200: Type.Object({ data: Type.Array(Task) }), ...problemResponses },
      },
    },
    async (request) => tasks.list(request.actor, request.query),
  );

  app.post(
    '/contacts/:id/tasks',
    {
      schema: {
        tags,
        summary: 'Add a next step to a lead, for yourself or someone of your team',
        params: IdParams,
        body: CreateTaskBody,
        response: { 201: Task, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await tasks.create(request.actor, request.params.id, request.body)),
  );

  app.patch(
    '/tasks/:id',
    {
      schema: {
        tags,
        summary: 'Change a task, hand it to someone, or mark it done (or open again)',
        params: IdParams,
        body: UpdateTaskBody,
        response: { 200: Task, ...problemResponses },
      },
    },
    async (request) => tasks.update(request.actor, request.params.id, request.body),
  );

  app.delete(
    '/tasks/:id',
    {
      schema: {
        tags,
        summary: 'Remove a task',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await tasks.remove(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
