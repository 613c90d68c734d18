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
  findWebhookSettings,
  insertDeliveries,
  insertWebhookMessages,
  leaseDueDeliveries,
  markEndpointFailing,
  markEndpointHealthy,
  markFannedOut,
  recordOutcomes,
  type DeliveryOutcome,
  type WebhookEndpointRow,
} from './webhooks.repository.ts';
import { Type } from 'typebox';

export const EventTypesColumn = Type.Array(Type.String());

/** One event for the endpoints that subscribe to its type. */
export interface WebhookEvent<T extends WebhookEventType = WebhookEventType> {
  type: T;
  occurredAt: Date;
  data: WebhookEventData<T>;
}

/** Shorthand for building a typed event. */
export function webhookEvent<T extends WebhookEventType>(
  type: T,
  occurredAt: Date,
  data: WebhookEventData<T>,
): WebhookEvent<T> {
  return { type, occurredAt, data };
}

/** The person an event is about, when it names one. */
const contactOf = (data: object): string | null =>
  'contactId' in data && typeof data.contactId === 'string' ? data.contactId : null;

/**
 * Queues webhook events in the caller's transaction (the outbox pattern), so that a decision and
 * its webhooks commit together or not at all. Each gets its `webhook-id` here, once: every
 * endpoint and every retry sees the same one. The dispatcher gives them to the endpoints.
 */
export async function queueWebhooks(
  trx: Db,
  events: readonly WebhookEvent[],
  sqlite?: SqliteStatements,
): Promise<void> {
  await insertWebhookMessages(
    trx,
    events.map((event) => ({
      id: `msg_${newId()}`,
      type: event.type,
      occurred_at: toDbTime(event.occurredAt),
      payload: JSON.stringify({
        type: event.type,
        timestamp: event.occurredAt.toISOString(),
        data: event.data,
      }),
      is_fanned_out: false,
      contact_id: contactOf(event.data),
    })),
    sqlite,
  );
}

export const eventTypesOf = (row: WebhookEndpointRow): string[] =>
  readJson(EventTypesColumn, row.event_types, 'webhook_endpoints.event_types');

/**
 * Gives queued messages to the endpoints that subscribe to their types: a delivery per message and
 * endpoint, due now. Safe to run in several processes at once (a delivery that exists stays as
 * it is). Returns how many messages it handled.
 */
export async function fanOutMessages({
  db,
  now,
  limit,
}: {
  db: Db;
  now: Date;
  limit: number;
}): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const messages = await findUnfannedMessages(trx, limit);
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
      messages.map((m) => m.id),
    );
    return messages.length;
  });
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
