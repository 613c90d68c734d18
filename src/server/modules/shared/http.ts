import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { Type } from 'typebox';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

const problem = Type.Ref('ProblemDetails');

/** The error answers every API route may give, for the OpenAPI document and the serializer. */
export const problemResponses = { '4xx': problem, '5xx': problem } as const;

export const sessionCookieName = 'baton_session';

/** The answer of a CSV download, for the OpenAPI document. */
export const csvResponse = { 200: Type.String({ description: 'text/csv' }), ...problemResponses } as const;

/**
 * Sends a CSV file as a download. Every CSV route answers through here, with text that
 * `writeCsv` made (formulas neutralised), so each export is written and sent the same way.
 */
export function sendCsv(reply: FastifyReply, filename: string, csv: string) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`)
    .send(csv);
}
