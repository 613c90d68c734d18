import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import {
  BulkContactsBody,
  BulkContactsResponse,
  CreateViewBody,
  ExportContactsQuery,
  ListViewsQuery,
  SavedView,
  UpdateViewBody,
} from '../../../contract/lists.ts';
import { csvResponse, problemResponses, sendCsv, type App } from '../shared/http.ts';
import type { ListsService } from './lists.service.ts';

/** Saved views of a list, bulk actions on contacts, and the contacts list as CSV. */
export function listsRoutes(app: App, { lists }: { lists: ListsService }) {
  const tags = ['lists'];

  app.get(
    '/views',
    {
      schema: {
        tags,
        summary: "A list's saved views you may use: your own and the shared ones, by name",
        querystring: ListViewsQuery,
        response: { 200: Type.Object({ data: Type.Array(SavedView) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await lists.listViews(request.actor, request.query) }),
  );

  app.post(
    '/views',
    {
      schema: {
        tags,
        summary: 'Save a view: the search, the filters and the columns, under a name of yours',
        body: CreateViewBody,
        response: { 201: SavedView, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await lists.createView(request.actor, request.body)),
  );

  app.patch(
    '/views/:id',
    {
      schema: {
        tags,
        summary: 'Rename, change or share a view of yours',
        params: IdParams,
        body: UpdateViewBody,
        response: { 200: SavedView, ...problemResponses },
      },
    },
    async (request) => lists.updateView(request.actor, request.params.id, request.body),
  );

  app.delete(
    '/views/:id',
    {
      schema: {
        tags,
        summary: 'Delete a view of yours',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await lists.deleteView(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/contacts/bulk',
    {
      schema: {
        tags,
        summary:
          'Assign, recycle or add to a campaign many contacts; each is done or refused on its own, as on its own page',
        body: BulkContactsBody,
        response: { 200: BulkContactsResponse, ...problemResponses },
      },
    },
    async (request) => lists.bulk(request.actor, request.body),
  );

  app.get(
    '/contacts.csv',
    {
      schema: {
        tags,
        summary:
          'The contacts list as CSV, with the search and filters of GET /contacts and the chosen columns; the export is in the audit log',
        querystring: ExportContactsQuery,
        response: csvResponse,
      },
    },
    async (request, reply) =>
      sendCsv(reply, 'baton-contacts.csv', await lists.exportContacts(request.actor, request.query)),
  );
}
