import { sql, type ExpressionBuilder } from 'kysely';
import type { Visibility } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/tables.ts';
import { containsPattern, likeSql, startsWithPattern } from '../../db/dialect.ts';
import type { AccountRow, AccountUpdate, NewAccountRow } from '../../db/tables.ts';

export async function findAccountById(db: Db, id: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findAccountsByIds(db: Db, ids: readonly string[]): Promise<AccountRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

export interface AccountFilter {
  domain?: string;
  ownerId?: string;
  industry?: string;
  country?: string;
  q?: string;
}

/**
 * Under `owned_by` visibility an account is visible when its owner is in the set or when it holds
 * a contact whose owner is.
 */
function visibleAccounts(eb: ExpressionBuilder<DB, 'accounts'>, visibility: Visibility) {
  if (visibility.kind === 'all') return eb.lit(true);
  const ids = visibility.userIds;
  return eb.or([
    eb('owner_id', 'in', ids),
    eb.exists(
      eb
        .selectFrom('contacts')
        .select('contacts.id')
        .whereRef('contacts.account_id', '=', 'accounts.id')
        .where('contacts.owner_id', 'in', ids),
    ),
  ]);
}

/**
 * Newest first. Under `owned_by` visibility an account is visible when its owner is in the set or
 * when it holds a contact whose owner is.
 */
export async function findAccounts(
  db: Db,
  filter: AccountFilter,
  visibility: Visibility,
  limit: number,
  beforeId?: string,
  onlyId?: string,
): Promise<AccountRow[]> {
  if (visibility.kind === 'owned_by' && visibility.userIds.length === 0) return [];
  let query = db
    .selectFrom('accounts')
    .selectAll()
    .where((eb) => visibleAccounts(eb, visibility));
  if (onlyId) query = query.where('id', '=', onlyId);
  if (filter.domain) {
    const domain = filter.domain;
    query = query.where('id', 'in', (sub) =>
      sub.selectFrom('account_domains').select('account_id').where('domain', '=', domain),
    );
  }
  if (filter.ownerId) query = query.where('owner_id', '=', filter.ownerId);
  if (filter.industry) query = query.where('industry', '=', filter.industry);
  if (filter.country) query = query.where('country', '=', filter.country);
  if (filter.q) {
    const pattern = containsPattern(filter.q);
    query = query.where((eb) =>
      eb.or([
        likeSql(eb.fn('lower', ['name']), pattern),
        eb(
          'id',
          'in',
          eb
            .selectFrom('account_domains')
            .select('account_id')
            .where(likeSql(sql.ref('domain'), pattern)),
        ),
      ]),
    );
  }
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export async function insertAccount(db: Db, row: NewAccountRow): Promise<void> {
  await db.insertInto('accounts').values(row).execute();
}

/** The account's fields are part of its contacts' fit, so they become due for scoring. */
export async function updateAccountRow(db: Db, id: string, patch: AccountUpdate): Promise<void> {
  await db.updateTable('accounts').set(patch).where('id', '=', id).execute();
  await db
    .updateTable('contacts')
    .set((eb) => ({ activity_version: eb('activity_version', '+', 1) }))
    .where('account_id', '=', id)
    .execute();
}

export async function findDomainsByAccounts(
  db: Db,
  accountIds: readonly string[],
): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(accountIds.map((id) => [id, []]));
  if (accountIds.length === 0) return result;
  const rows = await db
    .selectFrom('account_domains')
    .selectAll()
    .where('account_id', 'in', accountIds)
    .orderBy('domain')
    .execute();
  for (const row of rows) result.get(row.account_id)?.push(row.domain);
  return result;
}

export async function replaceAccountDomains(
  db: Db,
  accountId: string,
  domains: readonly string[],
): Promise<void> {
  await db.deleteFrom('account_domains').where('account_id', '=', accountId).execute();
  if (domains.length === 0) return;
  await db
    .insertInto('account_domains')
    .values(domains.map((domain) => ({ domain, account_id: accountId })))
    .execute();
}

/**
 * Accounts that may be the same company as one named `nameKey` with `domains`: those whose name
 * holds one of its longer words, whose name is spelt as one of its domains, or whose domain spells
 * its name. The domain rule (accountLikeness) then decides; this only narrows the search.
 */
export async function findAccountCandidates(
  db: Db,
  self: { id: string; nameKey: string; domainNames: readonly string[] },
  visibility: Visibility,
  limit: number,
): Promise<AccountRow[]> {
  const words = self.nameKey
    .split(' ')
    .filter((w) => w.length >= 4)
    .sort((a, b) => b.length - a.length)
    .slice(0, 3);
  const joined = self.nameKey.replace(/ /g, '');
  if (visibility.kind === 'owned_by' && visibility.userIds.length === 0) return [];
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('id', '!=', self.id)
    .where((eb) => visibleAccounts(eb, visibility))
    .where((eb) =>
      eb.or([
        ...(self.nameKey !== '' ? [eb('name_key', '=', self.nameKey)] : []),
        ...words.map((w) => likeSql(sql.ref('name_key'), containsPattern(w))),
        ...(self.domainNames.length > 0
          ? [eb(sql<string>`replace(name_key, ' ', '')`, 'in', [...self.domainNames])]
          : []),
        ...(joined.length >= 4
          ? [
              eb(
                'id',
                'in',
                eb
                  .selectFrom('account_domains')
                  .select('account_id')
                  .where(likeSql(sql.ref('domain'), startsWithPattern(`${joined}.`))),
              ),
            ]
          : []),
      ]),
    )
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Moves what hangs off a duplicate account (its domains, people and deals) to the one it is merged into. */
export async function moveAccountDependants(db: Db, fromId: string, toId: string): Promise<void> {
  await db
    .updateTable('account_domains')
    .set({ account_id: toId })
    .where('account_id', '=', fromId)
    .execute();
  await db.updateTable('contacts').set({ account_id: toId }).where('account_id', '=', fromId).execute();
  await db.updateTable('opportunities').set({ account_id: toId }).where('account_id', '=', fromId).execute();
}

export async function deleteAccount(db: Db, id: string): Promise<void> {
  await db.deleteFrom('accounts').where('id', '=', id).execute();
}

/** The account a web domain belongs to. */
export async function findAccountIdByDomain(db: Db, domain: string): Promise<string | null> {
  const row = await db
    .selectFrom('account_domains')
    .select('account_id')
    .where('domain', '=', domain)
    .executeTakeFirst();
  return row?.account_id ?? null;
}

/** The account of a company name (its normalised key). */
export async function findAccountIdByNameKey(db: Db, nameKey: string): Promise<string | null> {
  const row = await db
    .selectFrom('accounts')
    .select('id')
    .where('name_key', '=', nameKey)
    .orderBy('created_at')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Gives an account a domain nobody has yet (a domain already taken stays where it is). */
export async function addAccountDomain(db: Db, accountId: string, domain: string): Promise<void> {
  await db
    .insertInto('account_domains')
    .values({ domain, account_id: accountId })
    .onConflict((oc) => oc.column('domain').doNothing())
    .execute();
}
