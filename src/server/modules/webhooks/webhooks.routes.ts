import type { OpenAPIV3_1 } from 'openapi-types';
import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import {
  CreateWebhookEndpointBody,
  ReplayedWebhooks,
  ReplayWebhooksBody,
  RotateWebhookSecretBody,
  UpdateWebhookEndpointBody,
  UpdateWebhookSettingsBody,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookDeliveriesQuery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventTypeInfo,
  WebhookSettings,
  webhookEnvelope,
  webhookEventTypeNames,
  webhookEventTypes,
} from '../../../contract/webhooks.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { WebhooksService } from './webhooks.service.ts';

export function webhooksRoutes(app: App, { webhooks }: { webhooks: WebhooksService }) {
  const tags = ['webhooks'];

  app.get(
    '/webhooks/event-types',
    {
      schema: {
        tags,
        summary: 'The events an endpoint may subscribe to (admin); their bodies are in the webhooks section',
        response: { 200: Type.Object({ data: Type.Array(WebhookEventTypeInfo) }), ...problemResponses },
      },
    },
    async (request) => ({ data: webhooks.eventTypes(request.actor) }),
  );

  app.get(
    '/webhooks/endpoints',
    {
      schema: {
        tags,
        summary: 'List webhook endpoints (admin)',
        response: { 200: Type.Object({ data: Type.Array(WebhookEndpoint) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await webhooks.listEndpoints(request.actor) }),
  );

  app.post(
    '/webhooks/endpoints',
    {
      schema: {
        tags,
        summary: 'Register a webhook endpoint (admin); its signing secret is in the answer',
        body: CreateWebhookEndpointBody,
        response: { 201: WebhookEndpointWithSecret, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await webhooks.createEndpoint(request.actor, request.body)),
  );

  app.get(
    '/webhooks/endpoints/:id',
    {
      schema: {
        tags,
        summary: 'One webhook endpoint with its deliveries counted by status (admin)',
        params: IdParams,
        response: {
          200: Type.Object({
            ...WebhookEndpoint.properties,
            counts: Type.Record(Type.String(), Type.Integer()),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => webhooks.getEndpoint(request.actor, request.params.id),
  );

  app.patch(
    '/webhooks/endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Change a webhook endpoint, or turn it off or on (admin)',
        params: IdParams,
        body: UpdateWebhookEndpointBody,
        response: { 200: WebhookEndpoint, ...problemResponses },
      },
    },
    async (request) => webhooks.updateEndpoint(request.actor, request.params.id, request.body),
  );

  app.delete(
    '/webhooks/endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Remove a webhook endpoint and its delivery log (admin)',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await webhooks.deleteEndpoint(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/webhooks/endpoints/:id/secret',
    {
      schema: {
        tags,
        summary: "Show an endpoint's signing secret (admin; in the audit log)",
        params: IdParams,
        response: { 200: Type.Object({ secret: Type.String() }), ...problemResponses },
      },
    },
    async (request) => webhooks.revealSecret(request.actor, request.params.id),
  );

  app.post(
    '/webhooks/endpoints/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Give an endpoint a new secret; the old one signs beside it for a while (admin)',
        params: IdParams,
        body: RotateWebhookSecretBody,
        response: { 200: WebhookEndpointWithSecret, ...problemResponses },
      },
    },
    async (request) => webhooks.rotateSecret(request.actor, request.params.id, request.body),
  );

  app.get(
    '/webhooks/endpoints/:id/deliveries',
    {
      schema: {
        tags,
        summary: "An endpoint's delivery log, newest first (admin)",
        params: IdParams,
        querystring: WebhookDeliveriesQuery,
        response: {
          200: Type.Object({
            data: Type.Array(WebhookDelivery),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => webhooks.listDeliveries(request.actor, request.params.id, request.query),
  );

  app.post(
    '/webhooks/endpoints/:id/replay',
    {
      schema: {
        tags,
        summary: 'Send again what an endpoint subscribes to in a time range (admin)',
        params: IdParams,
        body: ReplayWebhooksBody,
        response: { 200: ReplayedWebhooks, ...problemResponses },
      },
    },
    async (request) => webhooks.replayRange(request.actor, request.params.id, request.body),
  );

  app.get(
    '/webhooks/deliveries/:id',
    {
      schema: {
        tags,
        summary: 'One delivery with its body and every attempt: the request, the answer and the time (admin)',
        params: IdParams,
        response: { 200: WebhookDeliveryDetail, ...problemResponses },
      },
    },
    async (request) => webhooks.getDelivery(request.actor, request.params.id),
  );

  app.post(
    '/webhooks/deliveries/:id/replay',
    {
      schema: {
        tags,
        summary: 'Send one delivery again now, with the same webhook-id (admin)',
        params: IdParams,
        response: { 200: WebhookDelivery, ...problemResponses },
      },
    },
    async (request) => webhooks.replayDelivery(request.actor, request.params.id),
  );

  app.get(
    '/webhooks/settings',
    {
      schema: {
        tags,
        summary: 'Webhook settings (admin)',
        response: { 200: WebhookSettings, ...problemResponses },
      },
    },
    async (request) => webhooks.settings(request.actor),
  );

  app.put(
    '/webhooks/settings',
    {
      schema: {
        tags,
        summary: 'Change the webhook settings (admin)',
        body: UpdateWebhookSettingsBody,
        response: { 200: WebhookSettings, ...problemResponses },
      },
    },
    async (request) => webhooks.updateSettings(request.actor, request.body),
  );
}

const header = (name: string, description: string, example: string): OpenAPIV3_1.ParameterObject => ({
  name,
  in: 'header' as const,
  required: true,
  description,
  schema: { type: 'string' as const },
  example,
});

/**
 * The OpenAPI 3.1 `webhooks` section: every event Baton sends, its body, and the Standard Webhooks
 * headers that sign it.
 */
export function webhooksSection(): Record<string, OpenAPIV3_1.PathItemObject> {
  // Plain JSON in the shapes of OpenAPI 3.1; the schemas are TypeBox's JSON Schema.
  return Object.fromEntries(
    webhookEventTypeNames.map((type) => [
      type,
      {
        post: {
          tags: ['webhooks'],
          summary: webhookEventTypes[type].description,
          description:
            'Sent to every enabled endpoint subscribed to this type, at least once: deduplicate on `webhook-id`. ' +
            'Verify `webhook-signature` with a Standard Webhooks library and the endpoint secret; answer 2xx within the timeout, ' +
            'anything else (a redirect too) is retried with backoff for about three days.',
          parameters: [
            header(
              'webhook-id',
              'The message id: the same on every retry and for every endpoint',
              'msg_0190a000-0000-7000-8000-000000000001',
            ),
            header('webhook-timestamp', 'Seconds since the epoch when this attempt was signed', '1767225600'),
            header(
              'webhook-signature',
              'Space-separated `v1,<base64 HMAC-SHA256>` of `id.timestamp.body`, one per valid secret',
              'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
            ),
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: webhookEnvelope(type) } },
          },
          responses: { '200': { description: 'Received (any 2xx)' } },
        },
      },
    ]),
  ) as unknown as Record<string, OpenAPIV3_1.PathItemObject>;
}
