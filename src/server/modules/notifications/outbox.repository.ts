import type { Insertable, Selectable } from 'kysely';
import { bulkInsert } from '../../db/bulk.ts';
import type { Db, SqliteStatements } from '../../db/database.ts';
import { dialectOf, toDbTime } from '../../db/dialect.ts';
import type { OutboxTable } from '../../db/tables.ts';

export type OutboxRow = Selectable<OutboxTable>;

/**
 * Queues many messages at once (the SLA sweeper), through prepared statements on SQLite; one
 * already queued under the same dedupe key is left as it is.
 */
export async function insertOutboxBulk(
  db: Db,
  sqlite: SqliteStatements | undefined,
  rows: readonly Record<string, string | number | null>[],
): Promise<void> {
  await bulkInsert(db, sqlite, 'outbox', rows, { ignoreConflicts: true });
}

/** Queues messages; one already queued under the same dedupe key is left as it is. */
export async function insertOutboxMessages(db: Db, rows: readonly Insertable<OutboxTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('outbox')
    .values([...rows])
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

/**
 * Leases due messages to one dispatcher until `leaseUntil`: pending, due, and not leased by another
 * dispatcher whose lease still runs. On PostgreSQL, rows another dispatcher is claiming right now
 * are skipped rather than waited for; the outer conditions are checked again on the locked row,
 * so two dispatchers never lease the same message.
 */
export async function leaseDueMessages(
  db: Db,
  input: {
    owner: string;
    now: Date;
    leaseUntil: Date;
    limit: number;
    /** Only messages on these channels (with no mail server, chat is still sent). */
    channels?: readonly OutboxRow['channel'][];
  },
): Promise<OutboxRow[]> {
  const now = toDbTime(input.now);
  let due = db
    .selectFrom('outbox')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', now)]))
    .orderBy('next_attempt_at')
    .limit(input.limit);
  if (input.channels) due = due.where('channel', 'in', [...input.channels]);
  return db
    .updateTable('outbox')
    .set({ leased_by: input.owner, leased_until: toDbTime(input.leaseUntil) })
    .where('id', 'in', dialectOf(db) === 'postgres' ? due.forUpdate().skipLocked() : due)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', now)]))
    .returningAll()
    .execute();
}

/** Records a delivery, if this dispatcher still holds the message. */
export async function markMessageSent(
  db: Db,
  input: { id: string; owner: string; at: Date; attempts: number; providerMessageId: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({
      status: 'sent',
      attempts: input.attempts,
      sent_at: toDbTime(input.at),
      provider_message_id: input.providerMessageId,
      last_error: null,
      leased_by: null,
      leased_until: null,
    })
    .where('id', '=', input.id)
    .where('leased_by', '=', input.owner)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records a failed attempt: tried again at `retryAt`, or given up (`dead`) when that is null. */
export async function markMessageFailed(
  db: Db,
  input: { id: string; owner: string; attempts: number; error: string; retryAt: Date | null },
): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({
      status: input.retryAt ? 'pending' : 'dead',
      attempts: input.attempts,
      last_error: input.error.slice(0, 2000),
      ...(input.retryAt && { next_attempt_at: toDbTime(input.retryAt) }),
      leased_by: null,
      leased_until: null,
    })
    .where('id', '=', input.id)
    .where('leased_by', '=', input.owner)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function findOutboxMessageById(db: Db, id: string): Promise<OutboxRow | undefined> {
  return db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Newest first, by id (UUIDv7 ids grow with time). */
export async function findOutboxMessages(
  db: Db,
  filter: { status?: OutboxRow['status']; contactId?: string; before?: string | undefined; limit: number },
): Promise<OutboxRow[]> {
  let query = db.selectFrom('outbox').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.contactId) query = query.where('contact_id', '=', filter.contactId);
  if (filter.before) query = query.where('id', '<', filter.before);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}

/** Sends a dead or cancelled message again, at once; a sent message stays sent. */
export async function requeueMessage(db: Db, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'pending', next_attempt_at: toDbTime(at), leased_by: null, leased_until: null })
    .where('id', '=', id)
    .where('status', 'in', ['dead', 'cancelled'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Stops a message that was not sent yet. */
export async function cancelMessage(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'cancelled', leased_by: null, leased_until: null })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'dead'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countOutboxByStatus(db: Db): Promise<Record<OutboxRow['status'], number>> {
  const rows = await db
    .selectFrom('outbox')
    .select((eb) => ['status', eb.fn.countAll().as('n')])
    .groupBy('status')
    .execute();
  const counts = { pending: 0, sent: 0, dead: 0, cancelled: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

/** Whether a message of this kind about this contact was queued at or after an instant. */
export async function hasOutboxMessage(
  db: Db,
  kind: string,
  contactId: string,
  since: Date,
): Promise<boolean> {
  const row = await db
    .selectFrom('outbox')
    .select('id')
    .where('contact_id', '=', contactId)
    .where('kind', '=', kind)
    .where('created_at', '>=', toDbTime(since))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Stores what a message rendered just before sending said, while this dispatcher holds it. */
export async function storeRendered(
  db: Db,
  input: { id: string; owner: string; subject: string; text: string; html: string | null },
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ subject: input.subject, body_text: input.text, body_html: input.html })
    .where('id', '=', input.id)
    .where('leased_by', '=', input.owner)
    .execute();
}

/**
 * The name of an SLA policy, for an escalation email rendered when it is sent. Read here rather
 * than through the SLA's repository: the SLA queues its emails through notifications, so
 * notifications imports nothing of the SLA.
 */
export async function findPolicyName(
  db: Db,
  policyId: string,
): Promise<{ en: string; nl: string } | undefined> {
  const row = await db
    .selectFrom('sla_policies')
    .select(['name_en', 'name_nl'])
    .where('id', '=', policyId)
    .executeTakeFirst();
  return row && { en: row.name_en, nl: row.name_nl };
}

/**
 * The rows the bell shows: each alert to a person is one email, or (email turned off for its
 * kind) one in_app row; chat copies are not shown twice.
 */
const bellChannels = ['email', 'in_app'] as const;

/** A person's alerts, newest first, with the lead each is about. */
export async function findInbox(db: Db, input: { userId: string; kinds: readonly string[]; limit: number }) {
  return db
    .selectFrom('outbox as o')
    .leftJoin('contacts as c', 'c.id', 'o.contact_id')
    .select([
      'o.id',
      'o.kind',
      'o.created_at',
      'o.contact_id',
      'o.template',
      'o.params',
      'c.first_name',
      'c.last_name',
      'c.email',
    ])
    .where('o.recipient_user_id', '=', input.userId)
    .where('o.channel', 'in', bellChannels)
    .where('o.kind', 'in', [...input.kinds])
    .where('o.status', '!=', 'cancelled')
    .orderBy('o.created_at', 'desc')
    .orderBy('o.id', 'desc')
    .limit(input.limit)
    .execute();
}

export async function countInboxSince(
  db: Db,
  input: { userId: string; kinds: readonly string[]; since: Date | null },
): Promise<number> {
  let query = db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('recipient_user_id', '=', input.userId)
    .where('channel', 'in', bellChannels)
    .where('kind', 'in', [...input.kinds])
    .where('status', '!=', 'cancelled');
  if (input.since) query = query.where('created_at', '>', toDbTime(input.since));
  return Number((await query.executeTakeFirstOrThrow()).n);
}

export async function findReadUpTo(db: Db, userId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('notification_reads')
    .select('read_up_to')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? new Date(row.read_up_to) : null;
}

export async function saveReadUpTo(db: Db, userId: string, at: Date): Promise<void> {
  await db
    .insertInto('notification_reads')
    .values({ user_id: userId, read_up_to: toDbTime(at) })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ read_up_to: toDbTime(at) }))
    .execute();
}
