import { Type } from 'typebox';
import { ApiKey, CreateApiKeyBody, CreatedApiKey } from '../../../contract/api-keys.ts';
import { IdParams } from '../../../contract/common.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { ApiKeysService } from './api-keys.service.ts';

export function apiKeysRoutes(app: App, { apiKeys }: { apiKeys: ApiKeysService }) {
  const tags = ['api-keys'];

  app.get(
    '/api-keys',
    {
      schema: {
        tags,
        summary: 'List API keys (admin)',
        response: { 200: Type.Object({ data: Type.Array(ApiKey) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await apiKeys.listApiKeys(request.actor) }),
  );

  app.post(
    '/api-keys',
    {
      schema: {
        tags,
        summary: 'Create an API key (admin); the key is in this answer only',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await apiKeys.createApiKey(request.actor, request.body)),
  );

  app.delete(
    '/api-keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API key (admin)',
        params: IdParams,
        response: { 200: ApiKey, ...problemResponses },
      },
    },
    async (request) => apiKeys.revokeApiKey(request.actor, request.params.id),
  );
}
