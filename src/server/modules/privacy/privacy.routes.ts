import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import { SubjectLookup, SubjectQuery } from '../../../contract/privacy.ts';
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
}
