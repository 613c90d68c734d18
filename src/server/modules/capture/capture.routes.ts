import { IdempotencyHeaders, IngestBody, IngestResponse } from '../../../contract/events.ts';
import { createError } from '../shared/errors.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { CaptureService } from './capture.service.ts';

export function captureRoutes(app: App, { capture }: { capture: CaptureService }) {
  app.post(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary:
          'Record one event or a batch of up to 1,000; each item is answered accepted, duplicate or rejected',
        description:
          'Send an `Idempotency-Key` header to make retries safe: a replay returns the first answer and stores nothing ' +
          'twice; the same key with another body is refused. An event `id` is never stored twice either.',
        headers: IdempotencyHeaders,
        body: IngestBody,
        response: { 200: IngestResponse, ...problemResponses },
      },
      // The service validates each event on its own, so one bad item does not sink the batch.
      validatorCompiler: () => () => true,
      config: { checksTextPerItem: true },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 255)) {
        throw createError('http.validation_failed', 'Idempotency-Key: 1 to 255 characters', [
          { field: 'headers.idempotency-key', reason: 'must be 1 to 255 characters' },
        ]);
      }
      const outcome = await capture.ingest(request.actor, request.body, key);
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(outcome.status).send(outcome.body);
    },
  );
}
