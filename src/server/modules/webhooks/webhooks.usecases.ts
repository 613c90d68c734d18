import type { WebhookEventData, WebhookEventType } from '../../../contract/webhooks.ts';
import { disableAfterFailingMs, retryDelayMs } from '../../../domain/webhooks/webhooks.ts';
import type { Db, SqliteStatements } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import { readJson } from '../../db/json-column.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/ids.ts';
import type { SecretBox } from '../../platform/secret-box.ts';
import { signWebhook, type WebhookSender } from '../../platform/webhook-sender.ts';
import {
  disableFailingEndpoint,
  findEndpointsWithDueDeliveries,
  findUnfannedMessages,
  findWebhookEndpointById,
  findWebhookEndpoints,
  findStoredContactIds,
  findWebhookSettings,
  insertDeliveries,
  insertWebhookBatches,
  insertWebhookMessages,
  leaseDueDeliveries,
  markEndpointFailing,
  markEndpointHealthy,
  markFannedOut,
  recordOutcomes,
  takeWebhookBatches,
  type DeliveryOutcome,
  type WebhookEndpointRow,
  type WebhookMessageRow,
} from './webhooks.repository.ts';
import { Type } from 'typebox';

export const EventTypesColumn = Type.Array(Type.String());

/** One event for the endpoints that subscribe to its type. */
export interface WebhookEvent<T extends WebhookEventType = WebhookEventType> {
  type: T;
  /**
   * When it happened: a Date, or ISO 8601 text as `toISOString` writes it, kept as it is (the SLA
   * sweep's steps, read from each clock's stored ladder: a Date made and formatted again for each
   * of 10,000 steps cost 12–16 ms).
   */
  occurredAt: Date | string;
  data: WebhookEventData<T>;
}

/** Shorthand for building a typed event. */
export function webhookEvent<T extends WebhookEventType>(
  type: T,
  occurredAt: Date | string,
  data: WebhookEventData<T>,
): WebhookEvent<T> {
  return { type, occurredAt, data };
}

/** The person an event is about, when it names one. */
const contactOf = (data: object): string | null =>
  'contactId' in data && typeof data.contactId === 'string' ? data.contactId : null;

/** Events per batch row: what the dispatcher takes at once stays bounded, however many a transaction queued. */
const eventsPerBatch = 500;

/** A batch row's events, as `queueWebhooks` wrote them. */
const BatchEvents = Type.Array(
  Type.Object({
    type: Type.String(),
    occurredAt: Type.String(),
    data: Type.Record(Type.String(), Type.Unknown()),
  }),
);

/**
 * Queues webhook events in the caller's transaction (the outbox pattern), so that a decision and
 * its webhooks commit together or not at all. They are written as one row per 500 events, not a
 * message each: the SLA sweep queues one per due clock, and 10,000 messages with their indexes were
 * a third of its transaction. The dispatcher makes the messages (`fanOutMessages`).
 */
export async function queueWebhooks(
  trx: Db,
  events: readonly WebhookEvent[],
  sqlite?: SqliteStatements,
): Promise<void> {
  const rows = [];
  for (let i = 0; i < events.length; i += eventsPerBatch)
    rows.push({
      id: newId(),
      // An event is written as it is: a Date instant becomes its ISO text (Date#toJSON).
      events: JSON.stringify(events.slice(i, i + eventsPerBatch)),
    });
  await insertWebhookBatches(trx, rows, sqlite);
}

/**
 * Makes the oldest waiting batches their messages, 50 batches at a time until `limit` messages or
 * none left (so a round may make up to 50 × 500 more than `limit`, after a sweep of thousands).
 * Each message gets its `webhook-id` here, once: every endpoint and every retry sees the same one.
 * An event about a person erased since it was queued is dropped with them.
 */
async function messagesFromBatches(
  trx: Db,
  limit: number,
): Promise<Pick<WebhookMessageRow, 'id' | 'type'>[]> {
  const made: Pick<WebhookMessageRow, 'id' | 'type'>[] = [];
  while (made.length < limit) {
    const batches = await takeWebhookBatches(trx, 50);
    if (batches.length === 0) break;
    const events = batches
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .flatMap((b) => readJson(BatchEvents, b.events, 'webhook_batches.events'));
    const named = [...new Set(events.map((e) => contactOf(e.data)).filter((id) => id !== null))];
    const stored = await findStoredContactIds(trx, named);
    const rows = events
      .filter((e) => {
        const contactId = contactOf(e.data);
        return contactId === null || stored.has(contactId);
      })
      .map((e) => ({
        id: `msg_${newId()}`,
        type: e.type,
        occurred_at: toDbTime(new Date(e.occurredAt)),
        payload: JSON.stringify({ type: e.type, timestamp: e.occurredAt, data: e.data }),
        is_fanned_out: true,
        contact_id: contactOf(e.data),
      }));
    await insertWebhookMessages(trx, rows);
    made.push(...rows);
  }
  return made;
}

export const eventTypesOf = (row: WebhookEndpointRow): string[] =>
  readJson(EventTypesColumn, row.event_types, 'webhook_endpoints.event_types');

/**
 * Gives queued events to the endpoints that subscribe to their types, in the caller's
 * transaction: makes waiting batches their messages, with a delivery per message and endpoint,
 * due now. Messages queued one by one before batches (migration 0063) are taken the same way.
 * Safe to run in several processes at once (a batch is taken once; a delivery that exists stays
 * as it is). Returns how many messages it handled.
 */
async function fanOutIn(trx: Db, now: Date, limit: number): Promise<number> {
  const made = await messagesFromBatches(trx, limit);
  const waiting = made.length < limit ? await findUnfannedMessages(trx, limit - made.length) : [];
  const messages = [...made, ...waiting];
  if (messages.length === 0) return 0;
  const endpoints = (await findWebhookEndpoints(trx))
    .filter((e) => fromDbBool(e.is_enabled))
    .map((e) => ({ id: e.id, types: new Set(eventTypesOf(e)) }));
  const at = toDbTime(now);
  await insertDeliveries(
    trx,
    messages.flatMap((m) =>
      endpoints
        .filter((e) => e.types.has(m.type))
        .map((e) => ({
          id: newId(),
          endpoint_id: e.id,
          message_id: m.id,
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: at,
          leased_by: null,
          leased_until: null,
          last_status: null,
          last_error: null,
          delivered_at: null,
          created_at: at,
        })),
    ),
  );
  await markFannedOut(
    trx,
    waiting.map((m) => m.id),
  );
  return messages.length;
}

/** The dispatcher's first step: `fanOutIn` in a transaction of its own. */
export async function fanOutMessages({
  db,
  now,
  limit,
}: {
  db: Db;
  now: Date;
  limit: number;
}): Promise<number> {
  return db.transaction().execute((trx) => fanOutIn(trx, now, limit));
}

/**
 * Gives every queued event to the endpoints now, in the caller's transaction, so that what reads
 * the messages (a replay of a time range, a person's export) sees all that is committed.
 */
export async function catchUpWebhooks(conn: Db, now: Date): Promise<void> {
  const step = (trx: Db) => fanOutIn(trx, now, 5_000);
  while ((conn.isTransaction ? await step(conn) : await conn.transaction().execute(step)) > 0);
}

export interface DeliveryPolicy {
  /** How long a dispatcher holds what it took; after that another may send it again. */
  leaseMs: number;
  /** Deliveries one endpoint gets at once. */
  batch: number;
  random: () => number;
}

const secretsOf = (row: WebhookEndpointRow, box: SecretBox, now: Date): string[] => {
  const current = box.open(row.secret);
  const previousValid =
    row.previous_secret !== null &&
    row.previous_secret_until !== null &&
    fromDbTime(row.previous_secret_until).getTime() > now.getTime();
  return previousValid ? [current, box.open(row.previous_secret!)] : [current];
};

/** The headers of one attempt: the Standard Webhooks three, one signature per valid secret. */
export function webhookHeaders(
  secrets: readonly string[],
  messageId: string,
  at: Date,
  body: string,
): Record<string, string> {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signWebhook(s, messageId, timestamp, body)).join(' '),
  };
}

/**
 * Sends one endpoint's due deliveries, a batch at a time, and records each outcome with its
 * attempt in the log: delivered on a 2xx, else tried again with backoff until the schedule ends.
 * An endpoint that has failed without a success for days is turned off, and `onDisabled` tells
 * the admins. Returns how many deliveries it tried.
 */
export async function deliverEndpoint({
  db,
  endpointId,
  sender,
  secrets,
  owner,
  clock,
  policy,
  onDisabled,
}: {
  db: Db;
  endpointId: string;
  sender: WebhookSender;
  secrets: SecretBox;
  owner: string;
  clock: Clock;
  policy: DeliveryPolicy;
  onDisabled: (trx: Db, endpoint: WebhookEndpointRow) => Promise<void>;
}): Promise<number> {
  const [endpoint, settings] = await Promise.all([
    findWebhookEndpointById(db, endpointId),
    findWebhookSettings(db),
  ]);
  if (!endpoint || !fromDbBool(endpoint.is_enabled)) return 0;
  const now = clock.now();
  const leased = await leaseDueDeliveries(db, {
    endpointId,
    owner,
    now,
    leaseUntil: new Date(now.getTime() + policy.leaseMs),
    limit: policy.batch,
  });
  if (leased.length === 0) return 0;
  const keys = secretsOf(endpoint, secrets, now);
  const allowPrivate = fromDbBool(settings.allow_private_targets);
  const outcomes = await Promise.all(
    leased.map(async (delivery): Promise<DeliveryOutcome> => {
      const sentAt = clock.now();
      const headers = webhookHeaders(keys, delivery.message_id, sentAt, delivery.payload);
      const answer = await sender.send({ url: endpoint.url, headers, body: delivery.payload, allowPrivate });
      const ok =
        answer.error === null && answer.status !== null && answer.status >= 200 && answer.status < 300;
      const attempts = delivery.attempts + 1;
      const retryIn = ok ? null : retryDelayMs(attempts, policy.random);
      const at = clock.now();
      return {
        deliveryId: delivery.id,
        attempts,
        status: ok ? 'delivered' : retryIn === null ? 'failed' : 'pending',
        retryAt: retryIn === null ? null : new Date(at.getTime() + retryIn),
        at,
        attempt: {
          id: newId(),
          delivery_id: delivery.id,
          attempted_at: toDbTime(sentAt),
          duration_ms: answer.durationMs,
          // The signature is left out of the log: it is what a replay would forge.
          request: JSON.stringify({
            url: endpoint.url,
            headers: {
              ...headers,
              'webhook-signature': `${headers['webhook-signature']!.split(' ').length} signature(s)`,
            },
          }),
          response_status: answer.status,
          response_body: answer.body,
          error: ok ? null : (answer.error ?? `answered ${answer.status}`),
        },
      };
    }),
  );
  const at = clock.now();
  await db.transaction().execute(async (trx) => {
    await recordOutcomes(trx, owner, outcomes);
    if (outcomes.some((o) => o.status === 'delivered')) await markEndpointHealthy(trx, endpointId);
    else {
      await markEndpointFailing(trx, endpointId, at);
      if (await disableFailingEndpoint(trx, endpointId, new Date(at.getTime() - disableAfterFailingMs), at))
        await onDisabled(trx, (await findWebhookEndpointById(trx, endpointId))!);
    }
  });
  return leased.length;
}

/** The endpoints with work due now, for the dispatcher to start one worker each. */
export async function endpointsWithDueWork(db: Db, now: Date): Promise<string[]> {
  return findEndpointsWithDueDeliveries(db, now);
}
