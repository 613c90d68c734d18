import { Type } from 'typebox';
import { BonusPlan, BonusStatements, PutBonusPlanBody } from '../../../contract/bonus.ts';
import { IdParams, StrictObject } from '../../../contract/common.ts';
import { Month } from '../../../contract/planning.ts';
import { csvResponse, problemResponses, sendCsv, type App } from '../shared/http.ts';
import type { BonusService } from './bonus.service.ts';

/** The joint bonus plan and each person's statement. */
export function bonusRoutes(app: App, { bonus }: { bonus: BonusService }) {
  const tags = ['bonus'];
  app.get(
    '/bonus-plans',
    {
      schema: {
        tags,
        summary: 'The joint bonus plans',
        querystring: StrictObject({ periodStart: Type.Optional(Month) }),
        response: { 200: Type.Array(BonusPlan), ...problemResponses },
      },
    },
    async (request) => bonus.list(request.actor, request.query),
  );
  app.put(
    '/bonus-plans',
    {
      schema: {
        tags,
        summary:
          'Set the joint bonus plan of a period: shared metric, payout curve, Marketing’s share, people and their own components',
        body: PutBonusPlanBody,
        response: { 200: BonusPlan, ...problemResponses },
      },
    },
    async (request) => bonus.put(request.actor, request.body),
  );
  app.get(
    '/bonus-plans/:id',
    {
      schema: {
        tags,
        summary: 'A bonus plan',
        params: IdParams,
        response: { 200: BonusPlan, ...problemResponses },
      },
    },
    async (request) => bonus.get(request.actor, request.params.id),
  );
  app.delete(
    '/bonus-plans/:id',
    {
      schema: {
        tags,
        summary: 'Remove a bonus plan',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await bonus.remove(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/bonus-plans/:id/statements',
    {
      schema: {
        tags,
        summary:
          'The statements so far with their calculation: everyone’s for directors and admins, your own otherwise',
        params: IdParams,
        response: { 200: BonusStatements, ...problemResponses },
      },
    },
    async (request) => bonus.statements(request.actor, request.params.id),
  );
  app.get(
    '/bonus-plans/:id/statements.csv',
    {
      schema: {
        tags,
        summary: 'The statements as CSV, one line per person and component',
        params: IdParams,
        response: csvResponse,
      },
    },
    async (request, reply) => {
      const csv = await bonus.statementsCsv(request.actor, request.params.id);
      return sendCsv(reply, `bonus-statements.csv`, csv);
    },
  );
}
