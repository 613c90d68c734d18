import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import type { ApiKeyRow, NewApiKeyRow } from '../../db/tables.ts';

export async function insertApiKey(db: Db, row: NewApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export async function findApiKeyById(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export async function findApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().orderBy('id', 'desc').execute();
}

export async function markApiKeyRevoked(db: Db, id: string, at: Date): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ revoked_at: toDbTime(at) })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function markApiKeyUsed(db: Db, id: string, at: Date): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: toDbTime(at) })
    .where('id', '=', id)
    .execute();
}
