import type { Db } from '../../db/database.ts';
import type { MailLogAddressesTable } from '../../db/tables.ts';
import type { Insertable } from 'kysely';

export async function findLoggingAddressOfUser(db: Db, userId: string) {
  return db.selectFrom('mail_log_addresses').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** The active person a logging address's token belongs to. */
export async function findUserOfToken(db: Db, tokenHash: string) {
  return db
    .selectFrom('mail_log_addresses')
    .innerJoin('users', 'users.id', 'mail_log_addresses.user_id')
    .select(['users.id', 'users.email', 'users.role', 'users.is_active'])
    .where('mail_log_addresses.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Gives a person a (new) logging address; the old one stops working. */
export async function upsertLoggingAddress(db: Db, row: Insertable<MailLogAddressesTable>): Promise<void> {
  await db
    .insertInto('mail_log_addresses')
    .values(row)
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        token_hash: row.token_hash,
        token_sealed: row.token_sealed,
        created_at: row.created_at,
      }),
    )
    .execute();
}

/** The domains of the company's own people: mail between colleagues is never logged. */
export async function findOwnEmailDomains(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('users').select('email').execute();
  return [...new Set(rows.map((r) => r.email.slice(r.email.lastIndexOf('@') + 1).toLowerCase()))];
}
