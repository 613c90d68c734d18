import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import {
  RetentionReport,
  RetentionSettings,
  RunRetentionBody,
  SubjectLookup,
  SubjectQuery,
  UpdateRetentionSettingsBody,
} from '../../../contract/privacy.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { PrivacyService } from './privacy.service.ts';

const tags = ['contacts'];

/** Requests of a data subject (GDPR/AVG): find, export as one archive; erasure is DELETE /contacts/{id}. */
export function privacyRoutes(app: App, { privacy }: { privacy: PrivacyService }) {
  app.get(
    '/privacy/subjects',
    {
      schema: {
        tags,
        summary:
          'Find a person by an address of theirs (also one merged into another contact), for a GDPR/AVG request',
        querystring: SubjectQuery,
        response: { 200: SubjectLookup, ...problemResponses },
      },
    },
    async (request) => privacy.findSubject(request.actor, request.query.email),
  );

  app.get(
    '/privacy/subjects/:id/archive',
    {
      schema: {
        tags,
        summary:
          'Everything Baton holds about a person as one zip archive: person.json, and every stored row about them as JSON and CSV; logged',
        params: IdParams,
        response: { 200: Type.Unknown({ description: 'application/zip' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { filename, archive } = await privacy.exportArchive(request.actor, request.params.id);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'no-store')
        .send(Buffer.from(archive));
    },
  );

  app.get(
    '/settings/retention',
    {
      schema: {
        tags,
        summary: 'How long each kind of data is kept, and what the daily job did last (admin)',
        response: { 200: RetentionSettings, ...problemResponses },
      },
    },
    async (request) => privacy.retentionSettings(request.actor),
  );

  app.patch(
    '/settings/retention',
    {
      schema: {
        tags,
        summary: 'Set how long each kind of data is kept (admin); logged',
        body: UpdateRetentionSettingsBody,
        response: { 200: RetentionSettings, ...problemResponses },
      },
    },
    async (request) => privacy.updateRetention(request.actor, request.body),
  );

  app.post(
    '/settings/retention/run',
    {
      schema: {
        tags,
        summary: 'Apply the retention periods now, or count what would go (dryRun) (admin); logged',
        body: RunRetentionBody,
        response: { 200: RetentionReport, ...problemResponses },
      },
    },
    async (request) => privacy.runRetention(request.actor, request.body.dryRun ?? false),
  );
}
