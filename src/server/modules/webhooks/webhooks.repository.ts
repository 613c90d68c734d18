import type { Insertable, Selectable, Updateable } from 'kysely';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { webhookEventTypes } from '../../../contract/webhooks.ts';
import { withoutWrittenText } from '../../../domain/webhooks/webhooks.ts';
import { bulkInsert } from '../../db/bulk.ts';
import type { Db, SqliteStatements } from '../../db/database.ts';
import { dialectOf, inListSql, toDbTime } from '../../db/dialect.ts';
import type {
  WebhookAttemptsTable,
  WebhookBatchesTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
  WebhookMessagesTable,
} from '../../db/tables.ts';

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
export type WebhookMessageRow = Selectable<WebhookMessagesTable>;

/**
 * Queues batches of webhook events in the caller's transaction: the decision and its webhooks
 * commit together. Many at once (the SLA sweep) go through prepared statements on SQLite.
 */
export async function insertWebhookBatches(
  db: Db,
  rows: readonly Insertable<WebhookBatchesTable>[],
  sqlite?: SqliteStatements,
): Promise<void> {
  await bulkInsert(db, sqlite, 'webhook_batches', rows as unknown as Record<string, string>[]);
}

/**
 * Takes the oldest waiting batches, up to `limit`, out of the queue, and returns them (in no
 * particular order). A batch is taken once: on PostgreSQL another dispatcher skips the rows
 * locked here, and a transaction that fails puts them back.
 */
export async function takeWebhookBatches(
  db: Db,
  limit: number,
): Promise<Pick<Selectable<WebhookBatchesTable>, 'id' | 'events'>[]> {
  const oldest = db.selectFrom('webhook_batches').select('id').orderBy('id').limit(limit);
  return db
    .deleteFrom('webhook_batches')
    .where('id', 'in', dialectOf(db) === 'postgres' ? oldest.forUpdate().skipLocked() : oldest)
    .returning(['id', 'events'])
    .execute();
}

/** The batches still waiting whose text names a person (their events are then read to be sure). */
function findBatchesNaming(db: Db, contactId: string) {
  return (
    db
      .selectFrom('webhook_batches')
      .select(['id', 'events'])
      // An id is hex digits and dashes.
      .where('events', 'like', `%${contactId.replace(/[^0-9a-f-]/gi, '')}%`)
      .execute()
  );
}

/**
 * Takes a person's events out of the batches still waiting (erasure): the dispatcher would drop
 * them once the person is gone, but until then the batch holds what they were about.
 */
export async function forgetContactInWebhookBatches(db: Db, contactId: string): Promise<void> {
  const batches = await findBatchesNaming(db, contactId);
  for (const batch of batches) {
    const events = JSON.parse(batch.events) as { data: { contactId?: unknown } }[];
    const kept = events.filter((e) => e.data.contactId !== contactId);
    if (kept.length === events.length) continue;
    if (kept.length === 0) await db.deleteFrom('webhook_batches').where('id', '=', batch.id).execute();
    else
      await db
        .updateTable('webhook_batches')
        .set({ events: JSON.stringify(kept) })
        .where('id', '=', batch.id)
        .execute();
  }
}

/** Whether the event type lets a field of its data be null (else it must be text). */
function acceptsNull(type: string, field: string): boolean {
  const types: Record<string, { data: { properties?: Record<string, TSchema> } } | undefined> =
    webhookEventTypes;
  const property = types[type]?.data.properties?.[field];
  return property === undefined || Value.Check(property, null);
}

/**
 * Anonymising a person: blanks what people wrote about them (notes, reasons) in the webhook events
 * about them — those still queued, the messages made (which a replay would send again) — and
 * what the receivers answered to those messages, which may quote them. The events stay.
 */
export async function blankWrittenTextInWebhooks(db: Db, contactId: string): Promise<void> {
  const batches = await findBatchesNaming(db, contactId);
  for (const batch of batches) {
    const events = JSON.parse(batch.events) as { type: string; data: Record<string, unknown> }[];
    const blanked = events.map((e) =>
      e.data.contactId === contactId
        ? { ...e, data: withoutWrittenText(e.data, (field) => acceptsNull(e.type, field)) }
        : e,
    );
    const text = JSON.stringify(blanked);
    if (text !== batch.events)
      await db.updateTable('webhook_batches').set({ events: text }).where('id', '=', batch.id).execute();
  }
  const messages = await db
    .selectFrom('webhook_messages')
    .select(['id', 'type', 'payload'])
    .where('contact_id', '=', contactId)
    .execute();
  for (const message of messages) {
    const body = JSON.parse(message.payload) as { data: Record<string, unknown> };
    const text = JSON.stringify({
      ...body,
      data: withoutWrittenText(body.data, (field) => acceptsNull(message.type, field)),
    });
    if (text !== message.payload)
      await db.updateTable('webhook_messages').set({ payload: text }).where('id', '=', message.id).execute();
  }
  await db
    .updateTable('webhook_attempts')
    .set({ response_body: null })
    .where(
      'delivery_id',
      'in',
      db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_messages as m', 'm.id', 'd.message_id')
        .select('d.id')
        .where('m.contact_id', '=', contactId),
    )
    .where('response_body', 'is not', null)
    .execute();
}

/**
 * Retention: the webhook messages whose event occurred before the cutoff and whose every delivery
 * has finished (delivered, or failed for good). Deleting one deletes its deliveries and their
 * attempts with it.
 */
function expiredWebhookMessages(db: Db, cutoff: Date) {
  return db
    .selectFrom('webhook_messages as m')
    .where('m.occurred_at', '<', toDbTime(cutoff))
    .where('m.is_fanned_out', '=', true)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_deliveries as d')
            .select('d.id')
            .whereRef('d.message_id', '=', 'm.id')
            .where('d.status', '=', 'pending'),
        ),
      ),
    );
}

/** The oldest `limit` of those messages. */
export async function findExpiredWebhookMessages(db: Db, cutoff: Date, limit: number): Promise<string[]> {
  const rows = await expiredWebhookMessages(db, cutoff)
    .select('m.id')
    .orderBy('m.occurred_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** How many there are (a dry run). */
export async function countExpiredWebhookMessages(db: Db, cutoff: Date): Promise<number> {
  const row = await expiredWebhookMessages(db, cutoff)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function deleteWebhookMessages(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length > 0)
    await db
      .deleteFrom('webhook_messages')
      .where(inListSql(db, 'id', ids))
      .execute();
}

/** Which of `ids` are people still stored. */
export async function findStoredContactIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('contacts')
    .select('id')
    .where(inListSql(db, 'id', ids))
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Messages made from batches, in the dispatcher's transaction. */
export async function insertWebhookMessages(
  db: Db,
  rows: readonly (Insertable<WebhookMessagesTable> & Record<string, string | boolean | null>)[],
): Promise<void> {
  await bulkInsert(db, undefined, 'webhook_messages', rows);
}

export async function insertWebhookEndpoint(db: Db, row: Insertable<WebhookEndpointsTable>): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

export async function findWebhookEndpoints(db: Db): Promise<WebhookEndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function findWebhookEndpointById(db: Db, id: string): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateWebhookEndpointRow(
  db: Db,
  id: string,
  patch: Updateable<WebhookEndpointsTable>,
): Promise<void> {
  await db.updateTable('webhook_endpoints').set(patch).where('id', '=', id).execute();
}

export async function deleteWebhookEndpointRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
}

export async function findWebhookSettings(db: Db) {
  return db.selectFrom('webhook_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function updateWebhookSettingsRow(
  db: Db,
  allowPrivateTargets: boolean,
  at: Date,
): Promise<void> {
  await db
    .updateTable('webhook_settings')
    .set({ allow_private_targets: allowPrivateTargets, updated_at: toDbTime(at) })
    .where('id', '=', 1)
    .execute();
}

/** Messages not yet given to the endpoints, oldest first. */
export async function findUnfannedMessages(
  db: Db,
  limit: number,
): Promise<Pick<WebhookMessageRow, 'id' | 'type' | 'occurred_at'>[]> {
  return db
    .selectFrom('webhook_messages')
    .select(['id', 'type', 'occurred_at'])
    .where('is_fanned_out', '=', false)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** A delivery per message and endpoint; one that exists already (another dispatcher's) stays. */
export async function insertDeliveries(
  db: Db,
  rows: readonly Insertable<WebhookDeliveriesTable>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['message_id', 'endpoint_id']).doNothing())
      .execute();
}

export async function markFannedOut(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('webhook_messages')
    .set({ is_fanned_out: true })
    .where('id', 'in', [...ids])
    .execute();
}

/** Enabled endpoints with a delivery due now and not leased by a dispatcher whose lease runs. */
export async function findEndpointsWithDueDeliveries(db: Db, now: Date): Promise<string[]> {
  const at = toDbTime(now);
  const rows = await db
    .selectFrom('webhook_endpoints as e')
    .select('e.id')
    .where('e.is_enabled', '=', true)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('webhook_deliveries as d')
          .select('d.id')
          .whereRef('d.endpoint_id', '=', 'e.id')
          .where('d.status', '=', 'pending')
          .where('d.next_attempt_at', '<=', at)
          .where((w) => w.or([w('d.leased_until', 'is', null), w('d.leased_until', '<', at)])),
      ),
    )
    .execute();
  return rows.map((r) => r.id);
}

export interface LeasedDelivery {
  id: string;
  message_id: string;
  attempts: number;
  type: string;
  payload: string;
}

/**
 * Leases an endpoint's due deliveries to one dispatcher until `leaseUntil`. On PostgreSQL, rows
 * another dispatcher is claiming are skipped; the conditions are checked again on the locked row,
 * so two dispatchers never hold the same delivery at once.
 */
export async function leaseDueDeliveries(
  db: Db,
  input: { endpointId: string; owner: string; now: Date; leaseUntil: Date; limit: number },
): Promise<LeasedDelivery[]> {
  const now = toDbTime(input.now);
  const due = db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('endpoint_id', '=', input.endpointId)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', now)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(input.limit);
  const leased = await db
    .updateTable('webhook_deliveries')
    .set({ leased_by: input.owner, leased_until: toDbTime(input.leaseUntil) })
    .where('id', 'in', dialectOf(db) === 'postgres' ? due.forUpdate().skipLocked() : due)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', now)]))
    .returning(['id', 'message_id', 'attempts'])
    .execute();
  if (leased.length === 0) return [];
  const messages = await db
    .selectFrom('webhook_messages')
    .select(['id', 'type', 'payload'])
    .where('id', 'in', [...new Set(leased.map((l) => l.message_id))])
    .execute();
  const byId = new Map(messages.map((m) => [m.id, m]));
  return leased.map((l) => ({
    id: l.id,
    message_id: l.message_id,
    attempts: Number(l.attempts),
    type: byId.get(l.message_id)!.type,
    payload: byId.get(l.message_id)!.payload,
  }));
}

export interface DeliveryOutcome {
  deliveryId: string;
  attempts: number;
  /** Delivered, tried again at `retryAt`, or failed for good. */
  status: 'delivered' | 'pending' | 'failed';
  retryAt: Date | null;
  at: Date;
  attempt: Insertable<WebhookAttemptsTable>;
}

/** Records each outcome, if this dispatcher still holds the delivery, and logs every attempt. */
export async function recordOutcomes(
  db: Db,
  owner: string,
  outcomes: readonly DeliveryOutcome[],
): Promise<void> {
  for (const o of outcomes)
    await db
      .updateTable('webhook_deliveries')
      .set({
        status: o.status,
        attempts: o.attempts,
        next_attempt_at: o.retryAt ? toDbTime(o.retryAt) : null,
        last_status: o.attempt.response_status ?? null,
        last_error: o.attempt.error ?? null,
        delivered_at: o.status === 'delivered' ? toDbTime(o.at) : null,
        leased_by: null,
        leased_until: null,
      })
      .where('id', '=', o.deliveryId)
      .where('leased_by', '=', owner)
      .execute();
  for (let i = 0; i < outcomes.length; i += 300)
    await db
      .insertInto('webhook_attempts')
      .values(outcomes.slice(i, i + 300).map((o) => o.attempt))
      .execute();
}

export async function findDeliveriesOfEndpoint(
  db: Db,
  input: { endpointId: string; status?: WebhookDeliveryRow['status']; before?: string; limit: number },
) {
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_messages as m', 'm.id', 'd.message_id')
    .selectAll('d')
    .select('m.type')
    .where('d.endpoint_id', '=', input.endpointId)
    .orderBy('d.id', 'desc')
    .limit(input.limit);
  if (input.status) query = query.where('d.status', '=', input.status);
  if (input.before) query = query.where('d.id', '<', input.before);
  return query.execute();
}

export async function findDeliveryById(db: Db, id: string) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_messages as m', 'm.id', 'd.message_id')
    .selectAll('d')
    .select(['m.type', 'm.payload'])
    .where('d.id', '=', id)
    .executeTakeFirst();
}

export async function findAttemptsOfDelivery(db: Db, deliveryId: string): Promise<WebhookAttemptRow[]> {
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempted_at')
    .orderBy('id')
    .execute();
}

/** Sends a delivery again from now, with its webhook-id unchanged. */
export async function requeueDeliveries(db: Db, ids: readonly string[], at: Date): Promise<number> {
  let count = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const result = await db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: toDbTime(at), leased_by: null, leased_until: null })
      .where('id', 'in', ids.slice(i, i + 500))
      .executeTakeFirst();
    count += Number(result.numUpdatedRows);
  }
  return count;
}

/** The messages of a time range of the types an endpoint subscribes to, with its delivery of each. */
export async function findMessagesForReplay(
  db: Db,
  input: { endpointId: string; types: readonly string[]; from: Date; to: Date },
) {
  if (input.types.length === 0) return [];
  return db
    .selectFrom('webhook_messages as m')
    .leftJoin('webhook_deliveries as d', (join) =>
      join.onRef('d.message_id', '=', 'm.id').on('d.endpoint_id', '=', input.endpointId),
    )
    .select(['m.id as message_id', 'd.id as delivery_id', 'd.status'])
    .where('m.type', 'in', [...input.types])
    .where('m.occurred_at', '>=', toDbTime(input.from))
    .where('m.occurred_at', '<', toDbTime(input.to))
    .orderBy('m.id')
    .execute();
}

export async function markEndpointFailing(db: Db, id: string, since: Date): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ failing_since: toDbTime(since) })
    .where('id', '=', id)
    .where('failing_since', 'is', null)
    .execute();
}

export async function markEndpointHealthy(db: Db, id: string): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ failing_since: null })
    .where('id', '=', id)
    .where('failing_since', 'is not', null)
    .execute();
}

/** Turns an endpoint off because it kept failing; true when this call did it. */
export async function disableFailingEndpoint(
  db: Db,
  id: string,
  failingBefore: Date,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({ is_enabled: false, disabled_reason: 'failing', updated_at: toDbTime(at) })
    .where('id', '=', id)
    .where('is_enabled', '=', true)
    .where('failing_since', '<=', toDbTime(failingBefore))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countDeliveriesByStatus(db: Db, endpointId: string) {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('endpoint_id', '=', endpointId)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
