import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';

export async function findCompany(db: Db) {
  return db.selectFrom('company_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function updateCompany(
  db: Db,
  patch: {
    name?: string;
    time_zone?: string;
    language?: string;
    confirmed_steps?: string;
    set_up_at?: string;
  },
  at: Date,
): Promise<void> {
  await db
    .updateTable('company_settings')
    .set({ ...patch, updated_at: toDbTime(at) })
    .where('id', '=', 1)
    .execute();
}

/** Stores the hash of a new setup token, replacing any earlier one, while setup is not done. */
export async function storeSetupToken(db: Db, hash: string, expiresAt: Date): Promise<boolean> {
  const result = await db
    .updateTable('company_settings')
    .set({ setup_token_hash: hash, setup_token_expires_at: toDbTime(expiresAt) })
    .where('id', '=', 1)
    .where('set_up_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Takes the setup token once: only one caller holding the right token finds it, and setup is done
 * from then on. Within the caller's transaction, so a setup that fails keeps its token.
 */
export async function takeSetupToken(db: Db, hash: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('company_settings')
    .set({ setup_token_hash: null, setup_token_expires_at: null, set_up_at: toDbTime(now) })
    .where('id', '=', 1)
    .where('set_up_at', 'is', null)
    .where('setup_token_hash', '=', hash)
    .where('setup_token_expires_at', '>', toDbTime(now))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

const count = async (query: Promise<{ n: number | string | bigint } | undefined>) =>
  Number((await query)?.n ?? 0);

/** What the onboarding checklist reads: counts of what is set up. */
export async function findSetupCounts(db: Db) {
  const [users, teamsWithManager, changedCalendars, calendars, poolsWithMembers, rules, fallback] =
    await Promise.all([
      count(
        db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      ),
      count(
        db
          .selectFrom('teams')
          .where('manager_id', 'is not', null)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      ),
      count(
        db
          .selectFrom('sla_calendars')
          .whereRef('updated_at', '>', 'created_at')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      ),
      count(
        db
          .selectFrom('sla_calendars')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      ),
      count(
        db
          .selectFrom('routing_pools')
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('routing_pool_members')
                .whereRef('routing_pool_members.pool_id', '=', 'routing_pools.id')
                .select('routing_pool_members.pool_id'),
            ),
          )
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      ),
      count(
        db
          .selectFrom('routing_rules')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      ),
      db.selectFrom('routing_settings').select('fallback_pool_id').executeTakeFirst(),
    ]);
  const [changedPolicies, forms, changedModels, signedAgreements] = await Promise.all([
    count(
      db
        .selectFrom('sla_policies')
        .whereRef('updated_at', '>', 'created_at')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst(),
    ),
    count(
      db
        .selectFrom('forms')
        .where('is_active', '=', true)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst(),
    ),
    count(
      db
        .selectFrom('scoring_models')
        .where('status', '=', 'active')
        .where('version', '>', 1)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst(),
    ),
    count(
      db
        .selectFrom('agreements')
        .where('marketing_signed_at', 'is not', null)
        .where('sales_signed_at', 'is not', null)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst(),
    ),
  ]);
  return {
    users,
    teamsWithManager,
    changedCalendars,
    calendars,
    poolsWithMembers,
    rules,
    hasFallback: fallback?.fallback_pool_id != null,
    changedPolicies,
    forms,
    changedModels,
    signedAgreements,
  };
}

export async function insertPasswordToken(
  db: Db,
  row: {
    id: string;
    userId: string;
    purpose: 'invitation' | 'reset';
    tokenHash: string;
    expiresAt: Date;
    createdBy: string | null;
    createdAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('password_tokens')
    .values({
      id: row.id,
      user_id: row.userId,
      purpose: row.purpose,
      token_hash: row.tokenHash,
      expires_at: toDbTime(row.expiresAt),
      used_at: null,
      created_by: row.createdBy,
      created_at: toDbTime(row.createdAt),
    })
    .execute();
}

/** Ends a user's earlier links: only the newest link works. */
export async function retirePasswordTokens(db: Db, userId: string, at: Date): Promise<void> {
  await db
    .updateTable('password_tokens')
    .set({ expires_at: toDbTime(at) })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', toDbTime(at))
    .execute();
}

export async function findPasswordToken(db: Db, tokenHash: string) {
  return db.selectFrom('password_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** The newest link of a user for a purpose: a reset asked again within a minute sends no second email. */
export async function findLatestPasswordToken(db: Db, userId: string, purpose: 'invitation' | 'reset') {
  return db
    .selectFrom('password_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Uses a link once: a second use, even at the same moment, finds it used. */
export async function usePasswordToken(db: Db, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('password_tokens')
    .set({ used_at: toDbTime(now) })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', toDbTime(now))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Links that can no longer be used, after a week: housekeeping rides along with new links. */
export async function deleteOldPasswordTokens(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('password_tokens').where('expires_at', '<', toDbTime(before)).execute();
}
