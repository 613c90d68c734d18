import type { ApiKey, CreateApiKeyBody, CreatedApiKey } from '../../../contract/api-keys.ts';
import type { Actor, Role } from '../../../domain/access/roles.ts';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../../db/dialect.ts';
import type { ApiKeyRow, NewApiKeyRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import { hashToken, newToken } from '../../platform/secrets.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { findApiKeyById, findApiKeys, insertApiKey, markApiKeyRevoked } from './api-keys.repository.ts';

/** Keys look like `baton_` + 43 base64url characters; the prefix helps people and secret scanners. */
const keyPrefix = 'baton_';

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    prefix: row.prefix,
    createdAt: fromDbTime(row.created_at).toISOString(),
    createdBy: row.created_by,
    lastUsedAt: fromDbTimeOrNull(row.last_used_at)?.toISOString() ?? null,
    revokedAt: fromDbTimeOrNull(row.revoked_at)?.toISOString() ?? null,
  };
}

export function createApiKeysService(deps: ServiceDeps) {
  const { db, clock } = deps;

  return {
    async createApiKey(actor: Actor | null, input: CreateApiKeyBody): Promise<CreatedApiKey> {
      const who = authorize(actor, 'api_keys.manage');
      const key = `${keyPrefix}${newToken()}`;
      const now = clock.now();
      const row: NewApiKeyRow & ApiKeyRow = {
        id: newId(),
        name: input.name.trim(),
        role: input.role,
        prefix: key.slice(0, keyPrefix.length + 6),
        key_hash: hashToken(key),
        created_by: who.kind === 'user' ? who.userId : null,
        created_at: toDbTime(now),
        last_used_at: null,
        revoked_at: null,
      };
      await db.transaction().execute(async (trx) => {
        await insertApiKey(trx, row);
        await insertEvent(trx, {
          type: 'api_key.created',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'api_key', id: row.id },
          payload: { role: input.role, name: row.name },
        });
      });
      return { ...toApiKey(row), key };
    },

    async listApiKeys(actor: Actor | null): Promise<ApiKey[]> {
      authorize(actor, 'api_keys.manage');
      return (await findApiKeys(db)).map(toApiKey);
    },

    async revokeApiKey(actor: Actor | null, id: string): Promise<ApiKey> {
      const who = authorize(actor, 'api_keys.manage');
      return db.transaction().execute(async (trx) => {
        const row = await findApiKeyById(trx, id);
        if (!row) throw createError('api_keys.not_found');
        if (row.revoked_at === null) {
          const now = clock.now();
          await markApiKeyRevoked(trx, id, now);
          await insertEvent(trx, {
            type: 'api_key.revoked',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'api_key', id },
            payload: {},
          });
        }
        return toApiKey((await findApiKeyById(trx, id))!);
      });
    },
  };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;
