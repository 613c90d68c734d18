import type { Db } from '../../db/database.ts';
import type {
  MailboxConnectionsTable,
  MailboxCursorsTable,
  MailLogAddressesTable,
  MailMeetingsTable,
} from '../../db/tables.ts';
import { sql, type Insertable, type Updateable } from 'kysely';

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

export async function updateMailLogSettings(
  db: Db,
  settings: { ignoredDomains: readonly string[]; storeExcerpt: boolean },
  now: string,
) {
  await db
    .updateTable('mail_log_settings')
    .set({
      ignored_domains: JSON.stringify(settings.ignoredDomains),
      store_excerpt: settings.storeExcerpt,
      updated_at: now,
    })
    .where('id', '=', 1)
    .execute();
}

export async function findMailboxConnection(db: Db, userId: string) {
  return db.selectFrom('mailbox_connections').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** Connects (or reconnects) a person's mailbox; a new account starts without cursors. */
export async function replaceMailboxConnection(
  db: Db,
  row: Insertable<MailboxConnectionsTable>,
): Promise<void> {
  await db.deleteFrom('mailbox_cursors').where('user_id', '=', row.user_id).execute();
  await db.deleteFrom('mailbox_connections').where('user_id', '=', row.user_id).execute();
  await db.insertInto('mailbox_connections').values(row).execute();
}

/** Disconnects a mailbox: its credentials and cursors are gone. */
export async function deleteMailboxConnection(db: Db, userId: string): Promise<boolean> {
  await db.deleteFrom('mailbox_cursors').where('user_id', '=', userId).execute();
  const result = await db.deleteFrom('mailbox_connections').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Mailboxes due a sync that no process holds, the longest waiting first. */
export async function findDueMailboxes(db: Db, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('mailbox_connections')
    .select('user_id')
    .where('next_sync_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('next_sync_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.user_id);
}

/** Takes a mailbox's sync for `owner` until `until`, unless another process holds it. */
export async function leaseMailbox(db: Db, userId: string, owner: string, now: string, until: string) {
  const result = await db
    .updateTable('mailbox_connections')
    .set({ lease_owner: owner, lease_until: until })
    .where('user_id', '=', userId)
    .where((eb) =>
      eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends a sync: its outcome and the next one, with the lease given back. */
export async function finishMailboxSync(
  db: Db,
  userId: string,
  owner: string,
  patch: Pick<
    Updateable<MailboxConnectionsTable>,
    'state' | 'last_error' | 'last_synced_at' | 'next_sync_at' | 'updated_at'
  >,
): Promise<void> {
  await db
    .updateTable('mailbox_connections')
    .set({ ...patch, lease_owner: null, lease_until: null })
    .where('user_id', '=', userId)
    .where('lease_owner', '=', owner)
    .execute();
}

/** Asks for a sync now. */
export async function requestMailboxSync(db: Db, userId: string, now: string): Promise<void> {
  await db
    .updateTable('mailbox_connections')
    .set({ next_sync_at: now })
    .where('user_id', '=', userId)
    .execute();
}

export async function findMailboxCursors(db: Db, userId: string) {
  return db
    .selectFrom('mailbox_cursors')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('folder')
    .execute();
}

/**
 * Moves a folder's cursor past a batch and counts what it read, while `owner` holds the sync (a
 * process that lost its lease moves nothing). False when the lease is gone.
 */
export async function advanceMailboxCursor(
  db: Db,
  owner: string,
  row: Insertable<MailboxCursorsTable>,
  counted: { read: number; logged: number },
  leaseUntil: string,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const held = await trx
      .updateTable('mailbox_connections')
      .set({
        messages_read: sql<number>`messages_read + ${counted.read}`,
        activities_logged: sql<number>`activities_logged + ${counted.logged}`,
        // Each batch renews the lease: a long first sync is not taken over while it moves.
        lease_until: leaseUntil,
      })
      .where('user_id', '=', row.user_id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    if (Number(held.numUpdatedRows) !== 1) return false;
    await trx
      .insertInto('mailbox_cursors')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['user_id', 'folder']).doUpdateSet({
          path: row.path,
          uid_validity: row.uid_validity,
          last_uid: row.last_uid,
          updated_at: row.updated_at,
        }),
      )
      .execute();
    return true;
  });
}

/** The person a mailbox belongs to. */
export async function findMailboxOwner(db: Db, userId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'role', 'is_active'])
    .where('id', '=', userId)
    .executeTakeFirst();
}
