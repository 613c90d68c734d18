import type { Readable } from 'node:stream';
import { ImportParams, ImportQuery, ImportReport } from '../../../contract/imports.ts';
import { createError } from '../shared/errors.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { ImportService } from './import.service.ts';

export function importRoutes(app: App, { imports }: { imports: ImportService }) {
  // The CSV is streamed to the importer, never held in memory whole.
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));
  // A request refused before its file was read (not signed in, a bad option, no right to import)
  // still has the file on the wire. Left there, it would be read as the next request on this
  // keep-alive connection, and that one would hang: the connection is closed with the answer.
  app.addHook('onSend', async (request, reply) => {
    const body = request.body as Partial<Readable> | undefined;
    if (body && typeof body.pipe === 'function' && !body.readableEnded) reply.header('connection', 'close');
  });

  app.post(
    '/imports/:kind',
    {
      schema: {
        tags: ['events'],
        summary: 'Import contacts or events from CSV (text/csv); the same file twice stores nothing twice',
        params: ImportParams,
        querystring: ImportQuery,
        response: { 200: ImportReport, ...problemResponses },
      },
    },
    async (request) => {
      if (!request.headers['content-type']?.startsWith('text/csv')) {
        throw createError('http.unsupported_media_type', 'Send the file as text/csv');
      }
      const overrides = Object.fromEntries(
        (request.query.map ?? []).map((m) => m.split('=', 2) as [string, string]),
      );
      return imports.importCsv(request.actor, request.body as Readable, {
        kind: request.params.kind,
        overrides,
        dryRun: request.query.dryRun ?? false,
        ...(request.query.delimiter && { delimiter: request.query.delimiter }),
        keepUnmapped: request.query.attributes ?? false,
        blanks: request.query.blank ?? [],
      });
    },
  );
}
