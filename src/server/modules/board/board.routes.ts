import { Board, BoardQuery } from '../../../contract/board.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { BoardService } from './board.service.ts';

/** The board view for directors. */
export function boardRoutes(app: App, { board }: { board: BoardService }) {
  app.get(
    '/board',
    {
      schema: {
        tags: ['board'],
        summary:
          'The board view of a period: plan against actual by stage, velocity, both sides’ SLAs, Marketing-sourced and influenced revenue with CAC, and the forecast',
        querystring: BoardQuery,
        response: { 200: Board, ...problemResponses },
      },
    },
    async (request) => board.board(request.actor, request.query),
  );
}
