import type { Actor } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import { toDbTime, uniqueViolation } from '../../db/dialect.ts';
import { hashToken } from '../../platform/secrets.ts';
import { createError } from './errors.ts';

/** How long a key is remembered (Stripe's 24 hours). */
const keyLifetimeMs = 24 * 3_600_000;

export interface IdempotencyRequest {
  scope: string;
  key: string;
  requestHash: string;
}

/** Keys are per caller: two integrations may use the same key for different things. */
export function idempotencyRequest(
  actor: Actor,
  key: string | undefined,
  method: string,
  path: string,
  body: unknown,
): IdempotencyRequest | null {
  if (key === undefined) return null;
  const scope =
    actor.kind === 'user'
      ? `user:${actor.userId}`
      : actor.kind === 'api_key'
        ? `key:${actor.apiKeyId}`
        : 'cli';
  return { scope, key, requestHash: hashToken(`${method} ${path}\n${JSON.stringify(body)}`) };
}

export interface Outcome<T> {
  status: number;
  body: T;
  replayed: boolean;
}

async function findKey(db: Db, request: IdempotencyRequest, notBefore: Date) {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('scope', '=', request.scope)
    .where('key', '=', request.key)
    .where('created_at', '>=', toDbTime(notBefore))
    .executeTakeFirst();
}

function replay<T>(
  request: IdempotencyRequest,
  row: { request_hash: string; status_code: number; response_body: string },
): Outcome<T> {
  if (row.request_hash !== request.requestHash) throw createError('idempotency.key_reused');
  return { status: row.status_code, body: JSON.parse(row.response_body) as T, replayed: true };
}

/**
 * Within a transaction: the remembered answer for this request, null when there is none, or the
 * `idempotency.key_reused` error when the key was used for another request.
 */
export async function findIdempotentAnswer<T>(
  trx: Db,
  request: IdempotencyRequest,
  now: Date,
): Promise<Outcome<T> | null> {
  const existing = await findKey(trx, request, new Date(now.getTime() - keyLifetimeMs));
  return existing ? replay<T>(request, existing) : null;
}

/** Within the transaction that did the work: remembers its answer under the key. */
export async function recordIdempotentAnswer(
  trx: Db,
  request: IdempotencyRequest,
  answer: { status: number; body: unknown },
  now: Date,
): Promise<void> {
  await trx
    .deleteFrom('idempotency_keys')
    .where('scope', '=', request.scope)
    .where('key', '=', request.key)
    .execute();
  await trx
    .insertInto('idempotency_keys')
    .values({
      scope: request.scope,
      key: request.key,
      request_hash: request.requestHash,
      status_code: answer.status,
      response_body: JSON.stringify(answer.body),
      created_at: toDbTime(now),
    })
    .execute();
}

/** Whether an error is another request with the same key having committed first. */
export function isIdempotencyRace(error: unknown): boolean {
  return uniqueViolation(error)?.detail.includes('idempotency_keys') ?? false;
}

/** Forgets keys past their lifetime. */
export async function deleteExpiredIdempotencyKeys(db: Db, now: Date): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', toDbTime(new Date(now.getTime() - keyLifetimeMs)))
    .execute();
}
