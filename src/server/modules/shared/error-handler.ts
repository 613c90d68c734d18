import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemDetails } from '../../../contract/common.ts';
import { errorCatalog, type ErrorCode } from '../../../contract/errors.ts';
import { AppError, type FieldProblem } from './errors.ts';

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail: string | undefined,
  errors?: FieldProblem[],
  status: number = errorCatalog[code].status,
) {
  const body: ProblemDetails = {
    type: `urn:baton:problem:${code}`,
    title: errorCatalog[code].title,
    status,
    ...(detail !== undefined && detail !== errorCatalog[code].title && { detail }),
    instance: request.url.split('?')[0]!,
    code,
    requestId: request.id,
    ...(errors && errors.length > 0 && { errors }),
  };
  return reply.code(status).type('application/problem+json; charset=utf-8').send(body);
}

function reasonOf(issue: AjvIssue): string {
  switch (issue.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'format':
      return `must be a valid ${String(issue.params.format)}`;
    case 'enum':
      return `must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}`;
    default:
      return issue.message ?? 'is invalid';
  }
}

function fieldOf(context: string, issue: AjvIssue): string {
  const path = issue.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra = issue.params.missingProperty ?? issue.params.additionalProperty;
  if (typeof extra === 'string') path.push(extra);
  return [context, ...path].join('.');
}

/** Turns Ajv's errors into one entry per field, with union branches collapsed. */
export function validationProblems(context: string, issues: readonly AjvIssue[]): FieldProblem[] {
  const seen = new Map<string, FieldProblem>();
  for (const issue of issues) {
    if (issue.keyword === 'anyOf' || issue.keyword === 'if') continue;
    const field = fieldOf(context, issue);
    // For a nullable field (anyOf [T, null]) Ajv also complains "must be null"; the other branch says more.
    if (seen.has(field) && issue.keyword === 'type' && issue.params.type === 'null') continue;
    if (!seen.has(field) || seen.get(field)!.reason === 'must be null')
      seen.set(field, { field, reason: reasonOf(issue) });
  }
  // A nullable object (anyOf [null, {…}]) whose inner field is wrong: the inner field says more.
  const problems = [...seen.values()];
  return problems.filter(
    (p) => p.reason !== 'must be null' || !problems.some((other) => other.field.startsWith(`${p.field}.`)),
  );
}

const statusCodes: Record<number, ErrorCode> = {
  400: 'http.bad_request',
  404: 'http.not_found',
  405: 'http.method_not_allowed',
  408: 'http.request_timeout',
  413: 'http.payload_too_large',
  414: 'http.uri_too_long',
  415: 'http.unsupported_media_type',
  431: 'http.headers_too_large',
  429: 'http.too_many_requests',
  503: 'http.unavailable',
};

/**
 * The one error handler: every error leaves as RFC 9457 problem details. Details of 5xx errors
 * (stack traces, SQL) stay in the log, under the request id the client also gets.
 */
export function handleError(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    return sendProblem(request, reply, error.code, error.message, error.fieldErrors);
  }
  if (error.validation) {
    // Fastify calls the query string `querystring`; a problem names it `query`, as Baton's own checks do.
    const context = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
    const errors = validationProblems(context, error.validation);
    const detail = errors.map((e) => `${e.field} ${e.reason}`).join('; ');
    return sendProblem(request, reply, 'http.validation_failed', detail, errors);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = statusCodes[status] ?? 'http.bad_request';
    return sendProblem(request, reply, code, error.message, undefined, statusCodes[status] ? status : 400);
  }
  request.log.error({ err: error }, 'request failed');
  return sendProblem(request, reply, status === 503 ? 'http.unavailable' : 'http.internal_error', undefined);
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(
    request,
    reply,
    'http.not_found',
    `No route ${request.method} ${request.url.split('?')[0]}`,
  );
}

/**
 * The answer to a request Node's HTTP parser refused before Fastify saw it (headers too large, a
 * malformed request line, a request that never finished arriving): problem details too, written on
 * the socket, which is then closed. There is no request yet, so no request id and no instance.
 */
export function clientErrorResponse(error: NodeJS.ErrnoException): string {
  const code: ErrorCode =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'http.headers_too_large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'http.request_timeout'
        : 'http.bad_request';
  const { status, title } = errorCatalog[code];
  const body = JSON.stringify({ type: `urn:baton:problem:${code}`, title, status, code });
  return [
    `HTTP/1.1 ${status} ${title}`,
    'Content-Type: application/problem+json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
