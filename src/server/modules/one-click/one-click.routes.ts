import {
  OneClickActBody,
  OneClickDone,
  OneClickPreview,
  OneClickTokenBody,
} from '../../../contract/one-click.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { OneClickService } from './one-click.service.ts';

/**
 * The links in emails, without a session: the token is the permission. Both are POSTs with the
 * token in the body (never in an address a log keeps), and only the second changes anything.
 */
export function oneClickRoutes(app: App, { oneClick }: { oneClick: OneClickService }) {
  const tags = ['one-click'];

  app.post(
    '/one-click/preview',
    {
      config: { isPublic: true },
      schema: {
        tags,
        summary: 'What a one-click link from an email does, for its confirmation page (no session)',
        security: [],
        body: OneClickTokenBody,
        response: { 200: OneClickPreview, ...problemResponses },
      },
    },
    async (request) => oneClick.preview(request.body.token),
  );

  app.post(
    '/one-click/act',
    {
      config: { isPublic: true },
      schema: {
        tags,
        summary: 'Do what a one-click link says, once, as the rep it was made for (no session)',
        security: [],
        body: OneClickActBody,
        response: { 200: OneClickDone, ...problemResponses },
      },
    },
    async (request) => oneClick.act(request.body),
  );
}
