import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import type { ContactUpdate, NewTouchpointRow } from '../../db/tables.ts';

export async function findTouchIdsByClientIds(
  db: Db,
  clientIds: readonly string[],
): Promise<Map<string, string>> {
  if (clientIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('touchpoints')
    .select(['id', 'client_event_id'])
    .where('client_event_id', 'in', clientIds)
    .execute();
  return new Map(rows.map((r) => [r.client_event_id!, r.id]));
}

export async function findSuppressedHashes(db: Db, hashes: readonly string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await db
    .selectFrom('suppressions')
    .select('email_hash')
    .where('email_hash', 'in', hashes)
    .execute();
  return new Set(rows.map((r) => r.email_hash));
}

/** What ingestion needs to know about an existing contact. */
export async function findContactsForCapture(db: Db, emails: readonly string[]) {
  if (emails.length === 0) return [];
  return db
    .selectFrom('contacts')
    .select([
      'id',
      'email',
      'first_name',
      'last_name',
      'title',
      'phone',
      'country',
      'account_id',
      'original_touch_at',
      'latest_touch_at',
    ])
    .where('email', 'in', emails)
    .execute();
}

export async function findAccountIdByDomain(db: Db, domain: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('account_domains')
    .select('account_id')
    .where('domain', '=', domain)
    .executeTakeFirst();
  return row?.account_id;
}

/** The oldest account with this company-name key, when several spellings exist. */
export async function findAccountIdByNameKey(db: Db, nameKey: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select('id')
    .where('name_key', '=', nameKey)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

export async function insertTouchpoint(db: Db, row: NewTouchpointRow): Promise<void> {
  await db.insertInto('touchpoints').values(row).execute();
}

/** Gives a visitor's anonymous touches to the contact they turned out to be; returns them. */
export async function claimVisitorTouches(db: Db, visitorId: string, contactId: string) {
  const touches = await db
    .selectFrom('touchpoints')
    .select(['id', 'occurred_at', 'category', 'channel', 'campaign'])
    .where('visitor_id', '=', visitorId)
    .where('contact_id', 'is', null)
    .execute();
  if (touches.length > 0) {
    await db
      .updateTable('touchpoints')
      .set({ contact_id: contactId })
      .where('visitor_id', '=', visitorId)
      .where('contact_id', 'is', null)
      .execute();
  }
  return touches;
}

export async function updateContactForCapture(db: Db, id: string, patch: ContactUpdate): Promise<void> {
  await db.updateTable('contacts').set(patch).where('id', '=', id).execute();
}

export async function findTouchpointsOfContact(db: Db, contactId: string) {
  return db
    .selectFrom('touchpoints')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}

export async function insertSuppression(db: Db, emailHash: string, reason: string, at: Date): Promise<void> {
  await db
    .insertInto('suppressions')
    .values({ email_hash: emailHash, reason, created_at: toDbTime(at) })
    .onConflict((oc) => oc.column('email_hash').doNothing())
    .execute();
}
