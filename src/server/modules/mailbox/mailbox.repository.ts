import type { Db } from '../../db/database.ts';
import type { MailLogAddressesTable, MailMeetingsTable } from '../../db/tables.ts';
import type { Insertable, Updateable } from 'kysely';

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

export async function findMeeting(db: Db, uid: string, contactId: string) {
  return db
    .selectFrom('mail_meetings')
    .selectAll()
    .where('uid', '=', uid)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
}

export async function insertMeeting(db: Db, row: Insertable<MailMeetingsTable>): Promise<void> {
  await db
    .insertInto('mail_meetings')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function updateMeeting(db: Db, id: string, patch: Updateable<MailMeetingsTable>): Promise<void> {
  await db.updateTable('mail_meetings').set(patch).where('id', '=', id).execute();
}

/** Booked meetings whose start has passed, earliest first. */
export async function findPastBookedMeetings(db: Db, now: string, limit: number) {
  return db
    .selectFrom('mail_meetings')
    .innerJoin('contacts', 'contacts.id', 'mail_meetings.contact_id')
    .selectAll('mail_meetings')
    .select('contacts.email')
    .where('mail_meetings.status', '=', 'booked')
    .where('mail_meetings.starts_at', '<=', now)
    .orderBy('mail_meetings.starts_at')
    .limit(limit)
    .execute();
}

export async function findMailLogSettings(db: Db) {
  return db.selectFrom('mail_log_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function updateMailLogSettings(db: Db, ignoredDomains: readonly string[], now: string) {
  await db
    .updateTable('mail_log_settings')
    .set({ ignored_domains: JSON.stringify(ignoredDomains), updated_at: now })
    .where('id', '=', 1)
    .execute();
}
