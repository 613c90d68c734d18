import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
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
