import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import { ImportJob, ImportJobParams, ImportJobQuery } from '../../../contract/imports.ts';
import { createError } from '../shared/errors.ts';
import { csvResponse, problemResponses, sendCsv, type App } from '../shared/http.ts';
import type { ImportJobsService } from './import-jobs.service.ts';

const tags = ['imports'];

/**
 * Imports from the browser: a CSV file becomes a job that runs in the background (text/csv is
 * streamed to a file by capture's parser, registered in import.routes.ts).
 */
export function importJobsRoutes(app: App, { importJobs }: { importJobs: ImportJobsService }) {
  app.post(
    '/imports/:kind/jobs',
    {
      schema: {
        tags,
        summary:
          'Start an import of a CSV file (text/csv) in the background: contacts, events, users, accounts or opportunities; a dry run checks every row and stores nothing',
        params: ImportJobParams,
        querystring: ImportJobQuery,
        response: { 202: ImportJob, ...problemResponses },
      },
    },
    async (request, reply) => {
      if (!request.headers['content-type']?.startsWith('text/csv'))
        throw createError('http.unsupported_media_type', 'Send the file as text/csv');
      const job = await importJobs.start(
        request.actor,
        request.params.kind,
        request.body as Readable,
        request.query,
      );
      return reply.code(202).send(job);
    },
  );
  app.get(
    '/imports/jobs',
    {
      schema: {
        tags,
        summary: "The newest 50 imports: one's own, or everyone's for an admin",
        response: { 200: Type.Object({ data: Type.Array(ImportJob) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await importJobs.list(request.actor) }),
  );
  app.get(
    '/imports/jobs/:id',
    {
      schema: {
        tags,
        summary: 'An import: how far it has read, and its report when done',
        params: IdParams,
        response: { 200: ImportJob, ...problemResponses },
      },
    },
    async (request) => importJobs.get(request.actor, request.params.id),
  );
  app.get(
    '/imports/jobs/:id/errors.csv',
    {
      schema: {
        tags,
        summary: "An import's refused rows and the values it kept otherwise, as CSV",
        params: IdParams,
        response: csvResponse,
      },
    },
    async (request, reply) => {
      const csv = await importJobs.errorsCsv(request.actor, request.params.id);
      return sendCsv(reply, `import-${request.params.id}-errors.csv`, csv);
    },
  );
}
