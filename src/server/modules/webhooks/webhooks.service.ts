import { randomBytes } from 'node:crypto';
import type {
  CreateWebhookEndpointBody,
  ReplayWebhooksBody,
  RotateWebhookSecretBody,
  UpdateWebhookEndpointBody,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookDeliveriesQuery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventType,
  WebhookEventTypeInfo,
  WebhookSettings,
} from '../../../contract/webhooks.ts';
import { webhookEventTypeNames, webhookEventTypes } from '../../../contract/webhooks.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { targetProblem } from '../../../domain/webhooks/webhooks.ts';
import { fromDbBool, fromDbTime, fromDbTimeOrNull, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import {
  countDeliveriesByStatus,
  deleteWebhookEndpointRow,
  findAttemptsOfDelivery,
  findDeliveriesOfEndpoint,
  findDeliveryById,
  findMessagesForReplay,
  findWebhookEndpointById,
  findWebhookEndpoints,
  findWebhookSettings,
  insertDeliveries,
  insertWebhookEndpoint,
  requeueDeliveries,
  updateWebhookEndpointRow,
  updateWebhookSettingsRow,
  type WebhookAttemptRow,
  type WebhookEndpointRow,
} from './webhooks.repository.ts';
import {
  deliverEndpoint,
  endpointsWithDueWork,
  eventTypesOf,
  catchUpWebhooks,
  fanOutMessages,
  type DeliveryPolicy,
} from './webhooks.usecases.ts';
import { nameProblem, type WebhookSender } from '../../platform/webhook-sender.ts';
import type { Db } from '../../db/database.ts';
import { Type } from 'typebox';
import { readJson } from '../../db/json-column.ts';
import type { Insertable } from 'kysely';
import type { WebhookEndpointsTable } from '../../db/tables.ts';

const AttemptRequest = Type.Object({
  url: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
});

/** `whsec_` and 32 random bytes in base64, as the specification's libraries expect. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

function toEndpoint(row: WebhookEndpointRow, now: Date): WebhookEndpoint {
  const previousUntil = fromDbTimeOrNull(row.previous_secret_until);
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: eventTypesOf(row) as WebhookEventType[],
    enabled: fromDbBool(row.is_enabled),
    disabledReason: row.disabled_reason,
    failingSince: fromDbTimeOrNull(row.failing_since)?.toISOString() ?? null,
    previousSecretValidUntil:
      previousUntil && previousUntil.getTime() > now.getTime() ? previousUntil.toISOString() : null,
    createdAt: fromDbTime(row.created_at).toISOString(),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
  };
}

function toAttempt(row: WebhookAttemptRow): WebhookAttempt {
  return {
    id: row.id,
    attemptedAt: fromDbTime(row.attempted_at).toISOString(),
    durationMs: Number(row.duration_ms),
    request: readJson(AttemptRequest, row.request, 'webhook_attempts.request'),
    responseStatus: row.response_status === null ? null : Number(row.response_status),
    responseBody: row.response_body,
    error: row.error,
  };
}

type DeliveryRow = Awaited<ReturnType<typeof findDeliveriesOfEndpoint>>[number];

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    messageId: row.message_id,
    eventType: row.type as WebhookEventType,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt:
      row.status === 'pending' ? (fromDbTimeOrNull(row.next_attempt_at)?.toISOString() ?? null) : null,
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    deliveredAt: fromDbTimeOrNull(row.delivered_at)?.toISOString() ?? null,
    createdAt: fromDbTime(row.created_at).toISOString(),
  };
}

/**
 * Checks a webhook's address before it is stored: the rules that need no lookup, then, unless
 * private targets are allowed, every address its name resolves to (the sender checks again on
 * each connection, against a name that changes its answer later).
 */
async function checkTarget(url: string, allowPrivate: boolean): Promise<void> {
  const refuse = (reason: string) => {
    throw fieldError('webhooks.invalid_target', 'url', reason);
  };
  const problem = targetProblem(url, allowPrivate);
  if (problem === 'not_a_url') refuse('not a valid address');
  if (problem === 'not_http') refuse('must start with https:// or http://');
  if (problem === 'has_credentials') refuse('must not hold a user name or password; put a token in the path');
  if (problem === 'private_address')
    refuse(
      'is a private, loopback or reserved address; an admin may allow such targets in the webhook settings',
    );
  if (allowPrivate) return;
  const problemOfName = await nameProblem(url);
  if (problemOfName) refuse(problemOfName);
}

export function createWebhooksService(
  deps: ServiceDeps,
  options: {
    leaseMs?: number;
    batch?: number;
    /** Queues the admins' email about an endpoint turned off (notifications, handed in by services.ts). */
    tellAdmins: (trx: Db, endpoint: WebhookEndpointRow) => Promise<number>;
  },
) {
  const { db, clock, secrets, events } = deps;
  const policy: DeliveryPolicy = {
    leaseMs: options.leaseMs ?? 60_000,
    batch: options.batch ?? 100,
    random: Math.random,
  };
  /** Tells the dispatcher of this process that there is work now (a replay). */
  const wake = () => events.publish([{ type: 'webhook.queued', at: clock.now() }]);

  const load = async (id: string) => {
    const row = await findWebhookEndpointById(db, id);
    if (!row) throw createError('webhooks.not_found');
    return row;
  };
  const allowPrivate = async () => fromDbBool((await findWebhookSettings(db)).allow_private_targets);

  return {
    /** Gives queued messages to their endpoints (the dispatcher's first step). */
    fanOut: (limit = 500) => fanOutMessages({ db, now: clock.now(), limit }),

    dueEndpoints: () => endpointsWithDueWork(db, clock.now()),

    /** Sends a batch of one endpoint's due deliveries as dispatcher `owner`. */
    deliver: (sender: WebhookSender, owner: string, endpointId: string) =>
      deliverEndpoint({
        db,
        endpointId,
        sender,
        secrets,
        owner,
        clock,
        policy,
        onDisabled: async (trx, endpoint) => {
          const queued = await options.tellAdmins(trx, endpoint);
          await insertEvent(trx, {
            type: 'webhook.endpoint_disabled',
            occurredAt: clock.now(),
            actor: { kind: 'system', id: null },
            subject: { type: 'webhook_endpoint', id: endpoint.id },
            payload: { url: endpoint.url, reason: 'failing', adminsTold: queued },
          });
          if (queued > 0) events.publish([{ type: 'outbox.queued', count: queued, at: clock.now() }]);
        },
      }),

    eventTypes(actor: Actor | null): WebhookEventTypeInfo[] {
      authorize(actor, 'webhooks.manage');
      return webhookEventTypeNames.map((type) => ({
        type,
        description: webhookEventTypes[type].description,
      }));
    },

    async listEndpoints(actor: Actor | null): Promise<WebhookEndpoint[]> {
      authorize(actor, 'webhooks.manage');
      const now = clock.now();
      return (await findWebhookEndpoints(db)).map((row) => toEndpoint(row, now));
    },

    async getEndpoint(
      actor: Actor | null,
      id: string,
    ): Promise<WebhookEndpoint & { counts: Record<string, number> }> {
      authorize(actor, 'webhooks.manage');
      const row = await load(id);
      return { ...toEndpoint(row, clock.now()), counts: await countDeliveriesByStatus(db, id) };
    },

    /** The secret, for an admin setting up the receiver; reading it is in the audit log. */
    async revealSecret(actor: Actor | null, id: string): Promise<{ secret: string }> {
      const who = authorize(actor, 'webhooks.manage');
      const row = await load(id);
      await insertEvent(db, {
        type: 'webhook.secret_viewed',
        occurredAt: clock.now(),
        actor: actorRef(who),
        subject: { type: 'webhook_endpoint', id },
        payload: { url: row.url },
      });
      return { secret: secrets.open(row.secret) };
    },

    async createEndpoint(
      actor: Actor | null,
      input: CreateWebhookEndpointBody,
    ): Promise<WebhookEndpointWithSecret> {
      const who = authorize(actor, 'webhooks.manage');
      await checkTarget(input.url, await allowPrivate());
      const now = clock.now();
      const secret = newSecret();
      const row: WebhookEndpointRow & Insertable<WebhookEndpointsTable> = {
        id: newId(),
        url: input.url,
        description: input.description?.trim() ?? '',
        event_types: JSON.stringify(input.eventTypes),
        is_enabled: true,
        disabled_reason: null,
        secret: secrets.seal(secret),
        previous_secret: null,
        previous_secret_until: null,
        failing_since: null,
        created_by: who.kind === 'user' ? who.userId : null,
        created_at: toDbTime(now),
        updated_at: toDbTime(now),
      };
      await db.transaction().execute(async (trx) => {
        await insertWebhookEndpoint(trx, row);
        await insertEvent(trx, {
          type: 'webhook.endpoint_created',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'webhook_endpoint', id: row.id },
          payload: { url: row.url, eventTypes: input.eventTypes },
        });
      });
      return { ...toEndpoint(row, now), secret };
    },

    async updateEndpoint(
      actor: Actor | null,
      id: string,
      input: UpdateWebhookEndpointBody,
    ): Promise<WebhookEndpoint> {
      const who = authorize(actor, 'webhooks.manage');
      if (input.url !== undefined) await checkTarget(input.url, await allowPrivate());
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const row = await findWebhookEndpointById(trx, id);
        if (!row) throw createError('webhooks.not_found');
        await updateWebhookEndpointRow(trx, id, {
          ...(input.url !== undefined && { url: input.url }),
          ...(input.description !== undefined && { description: input.description.trim() }),
          ...(input.eventTypes !== undefined && { event_types: JSON.stringify(input.eventTypes) }),
          // Turned on again by a person: it starts afresh, without the failure that turned it off.
          ...(input.enabled !== undefined && {
            is_enabled: input.enabled,
            disabled_reason: null,
            ...(input.enabled && { failing_since: null }),
          }),
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'webhook.endpoint_changed',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'webhook_endpoint', id },
          payload: { ...input },
        });
        return toEndpoint((await findWebhookEndpointById(trx, id))!, now);
      });
    },

    async deleteEndpoint(actor: Actor | null, id: string): Promise<void> {
      const who = authorize(actor, 'webhooks.manage');
      await db.transaction().execute(async (trx) => {
        const row = await findWebhookEndpointById(trx, id);
        if (!row) throw createError('webhooks.not_found');
        await deleteWebhookEndpointRow(trx, id);
        await insertEvent(trx, {
          type: 'webhook.endpoint_deleted',
          occurredAt: clock.now(),
          actor: actorRef(who),
          subject: { type: 'webhook_endpoint', id },
          payload: { url: row.url },
        });
      });
    },

    /**
     * A new secret; the old one keeps signing beside it for `graceHours`, so the receiver can
     * switch without missing a message.
     */
    async rotateSecret(
      actor: Actor | null,
      id: string,
      input: RotateWebhookSecretBody,
    ): Promise<WebhookEndpointWithSecret> {
      const who = authorize(actor, 'webhooks.manage');
      const now = clock.now();
      const secret = newSecret();
      const graceHours = input.graceHours ?? 24;
      return db.transaction().execute(async (trx) => {
        const row = await findWebhookEndpointById(trx, id);
        if (!row) throw createError('webhooks.not_found');
        await updateWebhookEndpointRow(trx, id, {
          secret: secrets.seal(secret),
          previous_secret: graceHours > 0 ? row.secret : null,
          previous_secret_until:
            graceHours > 0 ? toDbTime(new Date(now.getTime() + graceHours * 3_600_000)) : null,
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'webhook.secret_rotated',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'webhook_endpoint', id },
          payload: { graceHours },
        });
        return { ...toEndpoint((await findWebhookEndpointById(trx, id))!, now), secret };
      });
    },

    async listDeliveries(
      actor: Actor | null,
      endpointId: string,
      query: WebhookDeliveriesQuery,
    ): Promise<{ data: WebhookDelivery[]; nextCursor: string | null }> {
      authorize(actor, 'webhooks.manage');
      await load(endpointId);
      const limit = query.limit ?? 50;
      const rows = await findDeliveriesOfEndpoint(db, {
        endpointId,
        ...(query.status && { status: query.status }),
        ...(query.cursor !== undefined && { before: decodeCursor(query.cursor) }),
        limit: limit + 1,
      });
      const { items, nextCursor } = toPage(rows, limit);
      return { data: items.map(toDelivery), nextCursor };
    },

    async getDelivery(actor: Actor | null, id: string): Promise<WebhookDeliveryDetail> {
      authorize(actor, 'webhooks.manage');
      const row = await findDeliveryById(db, id);
      if (!row) throw createError('webhooks.delivery_not_found');
      return {
        ...toDelivery(row),
        payload: row.payload,
        attemptLog: (await findAttemptsOfDelivery(db, id)).map(toAttempt),
      };
    },

    /** Sends one delivery again now, with the same webhook-id. */
    async replayDelivery(actor: Actor | null, id: string): Promise<WebhookDelivery> {
      const who = authorize(actor, 'webhooks.manage');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await findDeliveryById(trx, id);
        if (!row) throw createError('webhooks.delivery_not_found');
        await requeueDeliveries(trx, [id], now);
        await insertEvent(trx, {
          type: 'webhook.replayed',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'webhook_endpoint', id: row.endpoint_id },
          payload: { deliveries: 1, deliveryId: id },
        });
      });
      wake();
      return toDelivery((await findDeliveryById(db, id))!);
    },

    /**
     * Sends again every message of a time range that the endpoint subscribes to (or only those it
     * never received), including messages from before it subscribed or while it was off.
     */
    async replayRange(
      actor: Actor | null,
      endpointId: string,
      input: ReplayWebhooksBody,
    ): Promise<{ replayed: number }> {
      const who = authorize(actor, 'webhooks.manage');
      const from = new Date(input.from);
      const to = new Date(input.to);
      if (!(from.getTime() < to.getTime()))
        throw fieldError('http.validation_failed', 'to', 'must be after from');
      const now = clock.now();
      const replayed = await db.transaction().execute(async (trx) => {
        const row = await findWebhookEndpointById(trx, endpointId);
        if (!row) throw createError('webhooks.not_found');
        await catchUpWebhooks(trx, now);
        const messages = await findMessagesForReplay(trx, { endpointId, types: eventTypesOf(row), from, to });
        const again = messages
          .filter((m) => m.delivery_id !== null && (!input.onlyFailed || m.status !== 'delivered'))
          .map((m) => m.delivery_id!);
        const missing = messages.filter((m) => m.delivery_id === null);
        await requeueDeliveries(trx, again, now);
        await insertDeliveries(
          trx,
          missing.map((m) => ({
            id: newId(),
            endpoint_id: endpointId,
            message_id: m.message_id,
            status: 'pending' as const,
            attempts: 0,
            next_attempt_at: toDbTime(now),
            leased_by: null,
            leased_until: null,
            last_status: null,
            last_error: null,
            delivered_at: null,
            created_at: toDbTime(now),
          })),
        );
        const count = again.length + missing.length;
        await insertEvent(trx, {
          type: 'webhook.replayed',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'webhook_endpoint', id: endpointId },
          payload: {
            deliveries: count,
            from: input.from,
            to: input.to,
            onlyFailed: input.onlyFailed ?? false,
          },
        });
        return count;
      });
      wake();
      return { replayed };
    },

    async settings(actor: Actor | null): Promise<WebhookSettings> {
      authorize(actor, 'webhooks.manage');
      return { allowPrivateTargets: await allowPrivate() };
    },

    async updateSettings(actor: Actor | null, input: WebhookSettings): Promise<WebhookSettings> {
      const who = authorize(actor, 'webhooks.manage');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await updateWebhookSettingsRow(trx, input.allowPrivateTargets, now);
        await insertEvent(trx, {
          type: 'webhook.settings_changed',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'webhook_settings', id: '1' },
          payload: { allowPrivateTargets: input.allowPrivateTargets },
        });
      });
      return { allowPrivateTargets: input.allowPrivateTargets };
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
