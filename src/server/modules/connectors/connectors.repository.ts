import { sql, type ExpressionBuilder, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type {
  ConnectionLinksTable,
  ConnectionLogTable,
  ConnectionsTable,
  ContactsTable,
} from '../../db/tables.ts';

export type ConnectionRow = Selectable<ConnectionsTable>;
export type ConnectionLinkRow = Selectable<ConnectionLinksTable>;
export type ConnectionLogRow = Selectable<ConnectionLogTable>;

/**
 * Rows after a cursor's place (keyset paging): later than `since`, or at that time with a greater
 * id; the query orders by the same two columns.
 */
const afterPlace =
  (time: string, id: string, since: string, afterId: string) =>
  <DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>) =>
    eb.or([
      eb(sql.ref(time), '>', since),
      eb.and([eb(sql.ref(time), '=', since), eb(sql.ref(id), '>', afterId)]),
    ]);

export async function insertConnection(db: Db, row: Insertable<ConnectionsTable>): Promise<void> {
  await db.insertInto('connections').values(row).execute();
}

export async function findConnections(db: Db): Promise<ConnectionRow[]> {
  return db.selectFrom('connections').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function findConnection(db: Db, id: string): Promise<ConnectionRow | undefined> {
  return db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateConnection(
  db: Db,
  id: string,
  patch: Updateable<ConnectionsTable>,
): Promise<void> {
  await db.updateTable('connections').set(patch).where('id', '=', id).execute();
}

export async function deleteConnection(db: Db, id: string): Promise<void> {
  await db.deleteFrom('connections').where('id', '=', id).execute();
}

/** Active connections whose next sync is due, not held by another process. */
export async function findDueConnections(db: Db, now: string): Promise<ConnectionRow[]> {
  return db
    .selectFrom('connections')
    .selectAll()
    .where('state', 'in', ['active', 'failing'])
    .where('next_sync_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('next_sync_at')
    .execute();
}

/** Takes a connection's sync for `owner` until `until`; false when another process holds it. */
export async function leaseConnection(db: Db, id: string, owner: string, now: string, until: string) {
  const result = await db
    .updateTable('connections')
    .set({ lease_owner: owner, lease_until: until })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Ends a sync: its outcome and the next one, with the lease given back (if still held). A pause an
 * admin made while it ran stands: the state is decided in the update itself, not from a read
 * before it (a pause that committed between the two was lost, and the connection synced on).
 */
export async function finishConnectionSync(
  db: Db,
  id: string,
  owner: string,
  patch: Updateable<ConnectionsTable> & { state: 'active' | 'failing' },
): Promise<void> {
  await db
    .updateTable('connections')
    .set((eb) => ({
      ...patch,
      state: eb.case().when('state', '=', 'paused').then('paused').else(patch.state).end(),
      lease_owner: null,
      lease_until: null,
    }))
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

export async function findCursor(db: Db, connectionId: string, objectType: string): Promise<string | null> {
  const row = await db
    .selectFrom('connection_cursors')
    .select('cursor')
    .where('connection_id', '=', connectionId)
    .where('object_type', '=', objectType)
    .executeTakeFirst();
  return row?.cursor ?? null;
}

export async function findCursors(db: Db, connectionId: string) {
  return db
    .selectFrom('connection_cursors')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .orderBy('object_type')
    .execute();
}

export async function saveCursor(
  db: Db,
  connectionId: string,
  objectType: string,
  cursor: string,
  at: string,
) {
  await db
    .insertInto('connection_cursors')
    .values({ connection_id: connectionId, object_type: objectType, cursor, updated_at: at })
    .onConflict((oc) => oc.columns(['connection_id', 'object_type']).doUpdateSet({ cursor, updated_at: at }))
    .execute();
}

export async function findLinksByRemote(
  db: Db,
  connectionId: string,
  objectType: string,
  remoteIds: readonly string[],
): Promise<ConnectionLinkRow[]> {
  if (remoteIds.length === 0) return [];
  return db
    .selectFrom('connection_links')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('object_type', '=', objectType)
    .where('remote_id', 'in', remoteIds)
    .execute();
}

export async function findLinksByLocal(
  db: Db,
  connectionId: string,
  objectType: string,
  localIds: readonly string[],
): Promise<ConnectionLinkRow[]> {
  if (localIds.length === 0) return [];
  return db
    .selectFrom('connection_links')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('object_type', '=', objectType)
    .where('local_id', 'in', localIds)
    .execute();
}

/**
 * Links a record on both sides. A Baton record linked to another remote one before (merged in the
 * CRM, deleted and made again) is relinked: one local record, one remote record.
 */
export async function upsertLink(db: Db, row: Insertable<ConnectionLinksTable>): Promise<void> {
  await db
    .deleteFrom('connection_links')
    .where('connection_id', '=', row.connection_id)
    .where('object_type', '=', row.object_type)
    .where('local_id', '=', row.local_id)
    .where('remote_id', '!=', row.remote_id)
    .execute();
  const rest = {
    local_id: row.local_id,
    pushed_hash: row.pushed_hash ?? null,
    pushed_at: row.pushed_at ?? null,
    pulled_hash: row.pulled_hash ?? null,
    pulled_at: row.pulled_at ?? null,
    // Read or written again: the record is there (restored in the CRM).
    removed_at: row.removed_at ?? null,
  };
  await db
    .insertInto('connection_links')
    .values(row)
    .onConflict((oc) => oc.columns(['connection_id', 'object_type', 'remote_id']).doUpdateSet(rest))
    .execute();
}

/** Marks records deleted (or merged away) in the CRM: Baton writes to them no more. */
export async function markLinksRemoved(
  db: Db,
  connectionId: string,
  objectType: string,
  remoteIds: readonly string[],
  at: string,
): Promise<ConnectionLinkRow[]> {
  if (remoteIds.length === 0) return [];
  return db
    .updateTable('connection_links')
    .set({ removed_at: at })
    .where('connection_id', '=', connectionId)
    .where('object_type', '=', objectType)
    .where('remote_id', 'in', remoteIds)
    .where('removed_at', 'is', null)
    .returningAll()
    .execute();
}

/** Links many records at once, in one transaction. */
export async function upsertLinks(db: Db, rows: readonly Insertable<ConnectionLinksTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const row of rows) await upsertLink(trx, row);
  });
}

export async function countLinks(db: Db, connectionId: string) {
  return db
    .selectFrom('connection_links')
    .select(['object_type', (eb) => eb.fn.countAll<string | number>().as('count')])
    .where('connection_id', '=', connectionId)
    .groupBy('object_type')
    .execute();
}

export async function insertLogEntries(db: Db, rows: Insertable<ConnectionLogTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('connection_log').values(rows).execute();
}

export async function findLog(
  db: Db,
  connectionId: string,
  { outcome, limit, offset }: { outcome?: string; limit: number; offset: number },
) {
  let query = db.selectFrom('connection_log').where('connection_id', '=', connectionId);
  if (outcome) query = query.where('outcome', '=', outcome);
  const rows = await query
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  const total = await query
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

export async function findLogEntry(db: Db, connectionId: string, id: string) {
  return db
    .selectFrom('connection_log')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Whether an entry with this code was logged for this record already (an unknown owner, once). */
export async function hasLogEntry(db: Db, connectionId: string, code: string, remoteId: string) {
  const row = await db
    .selectFrom('connection_log')
    .select('id')
    .where('connection_id', '=', connectionId)
    .where('code', '=', code)
    .where('remote_id', '=', remoteId)
    .where('replayed_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

export async function markReplayed(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('connection_log').set({ replayed_at: at }).where('id', '=', id).execute();
}

/** Active users by their email (lowercase), to match a CRM's owners with. */
export async function findActiveUsersByEmail(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('users').select(['id', 'email']).where('is_active', '=', true).execute();
  return new Map(rows.map((r) => [r.email.toLowerCase(), r.id]));
}

/** Stages whose leads Baton writes into the CRM: from the handover on. */
export const pushedStages = ['mql', 'sal', 'sql', 'opportunity', 'customer', 'recycled', 'disqualified'];

/**
 * People changed since `since` that Baton writes out (an owner, or a stage from the handover on),
 * oldest change first.
 */
export async function findChangedLeads(db: Db, since: string, afterId: string, limit: number) {
  return db
    .selectFrom('contacts')
    .leftJoin('accounts', 'accounts.id', 'contacts.account_id')
    .select([
      'contacts.id',
      'contacts.email',
      'contacts.owner_id',
      'contacts.stage',
      'contacts.updated_at',
      'contacts.first_name',
      'contacts.last_name',
      'contacts.title',
      'contacts.phone',
      'accounts.name as company',
    ])
    .where('contacts.email', 'is not', null)
    .where((eb) => eb.or([eb('contacts.owner_id', 'is not', null), eb('contacts.stage', 'in', pushedStages)]))
    .where(afterPlace('contacts.updated_at', 'contacts.id', since, afterId))
    .orderBy('contacts.updated_at')
    .orderBy('contacts.id')
    .limit(limit)
    .execute();
}

export async function findContactsForPush(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('contacts')
    .leftJoin('accounts', 'accounts.id', 'contacts.account_id')
    .select([
      'contacts.id',
      'contacts.email',
      'contacts.owner_id',
      'contacts.stage',
      'contacts.updated_at',
      'contacts.first_name',
      'contacts.last_name',
      'contacts.title',
      'contacts.phone',
      'accounts.name as company',
    ])
    .where('contacts.id', 'in', ids)
    .execute();
}

/** Leads sent back (recycled or disqualified) recorded since a point, with the reason's label, oldest first. */
export async function findRejections(db: Db, since: string, afterId: string, limit: number) {
  return (
    db
      .selectFrom('stage_changes as s')
      .leftJoin('rejection_reasons as r', 'r.key', 's.reason_code')
      // actor_id is text (a user, a key or a connection): the user's id is compared as text.
      .leftJoin('users as u', (join) =>
        join
          .on((eb) => eb(eb.cast<string>('u.id', 'text'), '=', eb.ref('s.actor_id')))
          .on('s.actor_kind', '=', 'user'),
      )
      .select([
        'u.name as actor_name',
        's.id',
        's.contact_id',
        's.to_stage',
        's.occurred_at',
        's.recorded_at',
        's.actor_label',
        's.reason_code',
        's.note',
        'r.label_en',
      ])
      .where('s.to_stage', 'in', ['recycled', 'disqualified'])
      .where(afterPlace('s.recorded_at', 's.id', since, afterId))
      .orderBy('s.recorded_at')
      .orderBy('s.id')
      .limit(limit)
      .execute()
  );
}

/**
 * Opportunities made in Baton (no id in another system) changed since a point, with what a CRM's
 * deal needs, oldest change first.
 */
export async function findBatonOpportunities(db: Db, since: string, afterId: string, limit: number) {
  return db
    .selectFrom('opportunities as o')
    .innerJoin('opportunity_stages as s', 's.key', 'o.stage')
    .select([
      'o.id',
      'o.name',
      'o.contact_id',
      'o.owner_id',
      'o.stage',
      's.outcome',
      'o.amount_minor',
      'o.currency',
      'o.expected_close_on',
      'o.closed_on',
      'o.updated_at',
    ])
    .where('o.external_id', 'is', null)
    .where(afterPlace('o.updated_at', 'o.id', since, afterId))
    .orderBy('o.updated_at')
    .orderBy('o.id')
    .limit(limit)
    .execute();
}

/** Hands an opportunity to a CRM: its deal there is its record from now on. */
export async function setOpportunityExternalId(db: Db, id: string, externalId: string): Promise<void> {
  await db
    .updateTable('opportunities')
    .set({ external_id: externalId })
    .where('id', '=', id)
    .where('external_id', 'is', null)
    .execute();
}

/**
 * Baton's records being written to the CRM (a link to `pending:`), with the opportunity's name and
 * person: a deal read from the CRM that is one of them is adopted, not made again.
 */
export async function findPendingDeals(db: Db, connectionId: string) {
  return db
    .selectFrom('connection_links as l')
    .innerJoin('opportunities as o', (join) =>
      join.on((eb) => eb(eb.cast<string>('o.id', 'text'), '=', eb.ref('l.local_id'))),
    )
    .select(['o.id', 'o.name', 'o.contact_id'])
    .where('l.connection_id', '=', connectionId)
    .where('l.object_type', '=', 'deal')
    .where('l.remote_id', 'like', 'pending:%')
    .execute();
}

/** Opportunities by id, with what tells whether one is still open. */
export async function findOpportunitiesById(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('opportunities')
    .select(['id', 'name', 'status'])
    .where('id', 'in', [...ids])
    .execute();
}

/** Overwrites a person's details with the CRM's (the fields the CRM is the system of record of). */
export async function overwriteContactFields(
  db: Db,
  id: string,
  patch: Partial<Pick<Insertable<ContactsTable>, 'first_name' | 'last_name' | 'title' | 'phone'>>,
  at: string,
): Promise<void> {
  await db
    .updateTable('contacts')
    .set({ ...patch, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Follow-up clocks breached since a point, with the lead, the rep and the rep's manager, oldest first. */
export async function findBreaches(db: Db, since: string, afterId: string, limit: number) {
  return db
    .selectFrom('sla_instances as s')
    .innerJoin('contacts as c', 'c.id', 's.contact_id')
    .leftJoin('users as rep', 'rep.id', 's.user_id')
    .leftJoin('users as m', 'm.id', 'rep.manager_id')
    .select([
      's.id',
      's.contact_id',
      's.breached_at',
      's.deadline_at',
      's.target',
      'c.first_name',
      'c.last_name',
      'c.email',
      'rep.name as rep_name',
      'm.id as manager_id',
      'm.language as manager_language',
    ])
    .where('s.breached_at', 'is not', null)
    .where(afterPlace('s.breached_at', 's.id', since, afterId))
    .orderBy('s.breached_at')
    .orderBy('s.id')
    .limit(limit)
    .$narrowType<{ breached_at: string }>()
    .execute();
}
