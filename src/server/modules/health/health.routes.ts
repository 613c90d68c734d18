import { sql } from 'kysely';
import { Health } from '../../../contract/health.ts';
import type { Database } from '../../db/database.ts';
import type { App } from '../shared/http.ts';

export function healthRoutes(app: App, { database, version }: { database: Database; version: string }) {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and database check; 503 when the database does not answer',
        security: [],
        response: { 200: Health, 503: Health },
      },
    },
    async (request, reply) => {
      let ok = true;
      try {
        await sql`select 1`.execute(database.db);
      } catch (error) {
        ok = false;
        request.log.error({ err: error }, 'health check: database unavailable');
      }
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'unavailable',
        database: { dialect: database.dialect, ok },
        version,
      });
    },
  );
}
