import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import {
  Connection,
  ConnectionTest,
  CreateConnectionBody,
  LogEntryParams,
  OAuthCallbackQuery,
  OAuthStart,
  OAuthStartBody,
  SyncLogEntry,
  SyncLogQuery,
  UpdateConnectionBody,
} from '../../../contract/connectors.ts';
import { AppError } from '../shared/errors.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { ConnectorsService } from './connectors.service.ts';

/** Settings → Connections: the company's CRM, and the CRM's webhooks. */
export async function connectorsRoutes(app: App, { connectors }: { connectors: ConnectorsService }) {
  const tags = ['connectors'];

  app.get(
    '/connectors',
    {
      schema: {
        tags,
        summary: 'The CRM connections, with where each sync stands',
        response: { 200: Type.Object({ data: Type.Array(Connection) }), ...problemResponses },
      },
    },
    async (request) => connectors.list(request.actor),
  );

  app.post(
    '/connectors',
    {
      schema: {
        tags,
        summary: 'Connect a CRM (the token is tried first); the first sync reads everything',
        body: CreateConnectionBody,
        response: { 201: Connection, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await connectors.create(request.actor, request.body)),
  );

  app.post(
    '/connectors/oauth/start',
    {
      schema: {
        tags,
        summary:
          'Connect a CRM with OAuth 2 (or grant an existing connection access again): where to send the admin to grant access',
        body: OAuthStartBody,
        response: { 200: OAuthStart, ...problemResponses },
      },
    },
    async (request) => connectors.oauthStart(request.actor, request.body),
  );

  app.get(
    '/connectors/oauth/callback',
    {
      schema: {
        tags,
        summary:
          'Where the CRM sends the admin back with a code: the connection is made and the browser goes to Settings → Connections',
        querystring: OAuthCallbackQuery,
        response: { 303: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const back = '/settings?tab=connections';
      try {
        const id = await connectors.oauthCallback(request.actor, request.query);
        return reply.redirect(`${back}&connected=${id}`, 303);
      } catch (error) {
        // The browser is the admin's: they see why on the page, not a JSON answer.
        if (!(error instanceof AppError) || error.status === 401 || error.status === 403) throw error;
        return reply.redirect(
          `${back}&oauthError=${encodeURIComponent(error.code)}&reason=${encodeURIComponent(error.message.slice(0, 300))}`,
          303,
        );
      }
    },
  );

  app.get(
    '/connectors/:id',
    {
      schema: {
        tags,
        summary: 'One CRM connection',
        params: IdParams,
        response: { 200: Connection, ...problemResponses },
      },
    },
    async (request) => connectors.get(request.actor, request.params.id),
  );

  app.patch(
    '/connectors/:id',
    {
      schema: {
        tags,
        summary: 'Change a connection: its token, mapping or schedule; pause or resume it',
        params: IdParams,
        body: UpdateConnectionBody,
        response: { 200: Connection, ...problemResponses },
      },
    },
    async (request) => connectors.update(request.actor, request.params.id, request.body),
  );

  app.delete(
    '/connectors/:id',
    {
      schema: {
        tags,
        summary: 'Disconnect: the token, cursors, links and sync log are removed',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await connectors.remove(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/connectors/:id/test',
    {
      schema: {
        tags,
        summary: 'Try the token: read the CRM owners and match them with Baton people',
        params: IdParams,
        response: { 200: ConnectionTest, ...problemResponses },
      },
    },
    async (request) => connectors.test(request.actor, request.params.id),
  );

  app.post(
    '/connectors/:id/sync',
    {
      schema: {
        tags,
        summary: 'Sync now, and answer when done',
        params: IdParams,
        response: { 200: Connection, ...problemResponses },
      },
    },
    async (request) => connectors.syncNow(request.actor, request.params.id),
  );

  app.get(
    '/connectors/:id/log',
    {
      schema: {
        tags,
        summary: 'The sync log: each sync, and each record that failed with why',
        params: IdParams,
        querystring: SyncLogQuery,
        response: {
          200: Type.Object({
            data: Type.Array(SyncLogEntry),
            total: Type.Integer(),
            limit: Type.Integer(),
            offset: Type.Integer(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => connectors.log(request.actor, request.params.id, request.query),
  );

  app.post(
    '/connectors/:id/log/:entryId/replay',
    {
      schema: {
        tags,
        summary: 'Sync a failed record again',
        params: LogEntryParams,
        response: { 200: SyncLogEntry, ...problemResponses },
      },
    },
    async (request) => connectors.replay(request.actor, request.params.id, request.params.entryId),
  );

  // The CRM's webhooks: signed, so the body is kept as it came to check the signature over it.
  await app.register(async (hooks: App) => {
    hooks.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    hooks.post(
      '/connectors/:id/webhooks',
      {
        schema: {
          tags,
          summary:
            "The CRM's webhooks for this connection: HubSpot's signed (X-HubSpot-Signature-v3), Pipedrive's v2 with HTTP Basic credentials",
          security: [],
          params: IdParams,
          response: { 200: Type.Object({ received: Type.Integer() }), ...problemResponses },
        },
        config: { isPublic: true, ownAuthorization: true },
        bodyLimit: 1024 * 1024,
      },
      async (request) =>
        connectors.receiveWebhook(request.params.id, {
          rawBody: typeof request.body === 'string' ? request.body : '',
          signature: request.headers['x-hubspot-signature-v3'] as string | undefined,
          timestamp: request.headers['x-hubspot-request-timestamp'] as string | undefined,
          authorization: request.headers.authorization,
        }),
    );
  });
}
