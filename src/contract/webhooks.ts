import { Type, type Static, type TSchema } from 'typebox';
import { Id, Instant, Nullable, StrictObject } from './common.ts';

/**
 * Outgoing webhooks after the Standard Webhooks specification (https://www.standardwebhooks.com):
 * each request carries `webhook-id` (the same on every retry and for every endpoint, to deduplicate
 * on), `webhook-timestamp` and `webhook-signature` (`v1,` + HMAC-SHA256 in base64 over
 * `id.timestamp.body` under the endpoint's `whsec_` secret; during a rotation one signature per
 * valid secret, separated by spaces). The body is `{type, timestamp, data}`.
 */

const lead = {
  contactId: Id,
  stage: Type.String({ description: 'The stage the lead is in after the event' }),
  previousStage: Nullable(Type.String()),
  ownerId: Nullable(Id),
  actor: Type.Object({ kind: Type.String(), id: Nullable(Type.String()) }),
};
const stageMove = Type.Object({
  ...lead,
  reasonCode: Nullable(Type.String({ description: 'The reason given, a rejection reason key' })),
  note: Nullable(Type.String()),
});
const clock = Type.Object({
  clockId: Id,
  contactId: Id,
  repId: Nullable(Id),
  policyId: Id,
  target: Type.String({ description: 'What the clock waits for, e.g. first_response' }),
  deadlineAt: Instant,
  level: Type.Integer({
    description:
      '0 a reminder, 1 the deadline passed (the manager is told), 2 and up each escalation after it',
  }),
  notified: Nullable(Type.String({ description: 'Whom Baton told: rep, manager or director' })),
});
const opportunity = Type.Object({
  opportunityId: Id,
  name: Type.String(),
  stage: Type.String(),
  status: Type.String({ description: 'open, won or lost' }),
  amountMinor: Nullable(Type.Integer({ description: 'The amount in minor units (cents)' })),
  currency: Type.String(),
  ownerId: Nullable(Id),
  accountId: Nullable(Id),
  reason: Nullable(Type.String({ description: 'Why it was won or lost' })),
});

/** Every event a webhook endpoint may subscribe to, with what its `data` holds. */
export const webhookEventTypes = {
  'lead.mql': { description: 'A lead became marketing qualified', data: stageMove },
  'lead.assigned': {
    description: 'A lead was given to a rep (routed or reassigned), or found no one',
    data: Type.Object({
      contactId: Id,
      assignmentId: Id,
      ownerId: Nullable(Id),
      previousOwnerId: Nullable(Id),
      kind: Type.String({ description: 'How: owner, rule, fallback, manual, reassigned or unassigned' }),
      reason: Nullable(Type.String()),
    }),
  },
  'lead.accepted': { description: 'Sales accepted a lead (MQL → SAL)', data: stageMove },
  'lead.rejected': { description: 'Sales rejected a lead, with a reason', data: stageMove },
  'lead.recycled': { description: 'A lead went back to Marketing to nurture', data: stageMove },
  'sla.reminder': { description: 'A follow-up deadline is near; the rep was reminded', data: clock },
  'sla.breached': { description: 'A follow-up deadline passed unanswered', data: clock },
  'sla.escalated': {
    description: "An unanswered lead went up to the rep's manager or director",
    data: clock,
  },
  'sla.waived': {
    description: 'A manager waived a missed deadline, with a reason',
    data: Type.Object({ clockId: Id, contactId: Id, repId: Nullable(Id), reason: Type.String() }),
  },
  'opportunity.created': { description: 'A deal was opened', data: opportunity },
  'opportunity.won': { description: 'A deal was won', data: opportunity },
  'opportunity.lost': { description: 'A deal was lost', data: opportunity },
  'agreement.signed': {
    description: 'The alignment agreement got a signature; `inForce` once both heads signed',
    data: Type.Object({
      version: Type.Integer(),
      side: Type.String({ description: 'marketing or sales' }),
      signedBy: Nullable(Id),
      inForce: Type.Boolean(),
    }),
  },
  'plan.behind': {
    description: 'Stages of a plan fell behind its pace (checked daily)',
    data: Type.Object({
      planId: Id,
      planName: Type.String(),
      periodKind: Type.String({ description: 'month, quarter or year' }),
      periodStart: Type.String(),
      stages: Type.Array(
        Type.Object({
          stage: Type.String(),
          fellBehind: Type.Boolean({ description: 'True when it fell behind since the last check' }),
          message: Type.Object({ en: Type.String(), nl: Type.String() }),
        }),
      ),
    }),
  },
} as const satisfies Record<string, { description: string; data: TSchema }>;

export type WebhookEventType = keyof typeof webhookEventTypes;
export const webhookEventTypeNames = Object.keys(webhookEventTypes) as WebhookEventType[];
export type WebhookEventData<T extends WebhookEventType> = Static<(typeof webhookEventTypes)[T]['data']>;

export const WebhookEventTypeName = Type.Unsafe<WebhookEventType>({
  type: 'string',
  enum: webhookEventTypeNames,
  description: 'An event type of the webhooks section',
});

/** The body of every webhook request. */
export const webhookEnvelope = (type: WebhookEventType) =>
  Type.Object({
    type: Type.Literal(type),
    timestamp: Instant,
    data: webhookEventTypes[type].data,
  });

export const WebhookEventTypeInfo = Type.Object({ type: WebhookEventTypeName, description: Type.String() });
export type WebhookEventTypeInfo = Static<typeof WebhookEventTypeInfo>;

const Url = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'An http or https address; private and loopback addresses only when the settings allow them',
});

export const WebhookEndpoint = Type.Object({
  id: Id,
  url: Type.String(),
  description: Type.String(),
  eventTypes: Type.Array(WebhookEventTypeName),
  enabled: Type.Boolean(),
  disabledReason: Nullable(
    Type.String({ description: 'Why Baton turned it off: failing (for days), or null when a person did' }),
  ),
  failingSince: Nullable(Instant),
  previousSecretValidUntil: Nullable(
    Type.String({ description: 'Until when the secret before the last rotation still signs' }),
  ),
  createdAt: Instant,
  updatedAt: Instant,
});
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

export const WebhookEndpointWithSecret = Type.Object({
  ...WebhookEndpoint.properties,
  secret: Type.String({ description: 'The signing secret, `whsec_` and base64' }),
});
export type WebhookEndpointWithSecret = Static<typeof WebhookEndpointWithSecret>;

export const CreateWebhookEndpointBody = StrictObject({
  url: Url,
  description: Type.Optional(Type.String({ maxLength: 500 })),
  eventTypes: Type.Array(WebhookEventTypeName, { minItems: 1, uniqueItems: true }),
});
export type CreateWebhookEndpointBody = Static<typeof CreateWebhookEndpointBody>;

export const UpdateWebhookEndpointBody = StrictObject({
  url: Type.Optional(Url),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  eventTypes: Type.Optional(Type.Array(WebhookEventTypeName, { minItems: 1, uniqueItems: true })),
  enabled: Type.Optional(Type.Boolean()),
});
export type UpdateWebhookEndpointBody = Static<typeof UpdateWebhookEndpointBody>;

export const RotateWebhookSecretBody = StrictObject({
  graceHours: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 168,
      default: 24,
      description: 'How long the old secret still signs beside the new one',
    }),
  ),
});
export type RotateWebhookSecretBody = Static<typeof RotateWebhookSecretBody>;

export const WebhookDeliveryStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('delivered'),
  Type.Literal('failed'),
]);

export const WebhookAttempt = Type.Object({
  id: Id,
  attemptedAt: Instant,
  durationMs: Type.Integer(),
  request: Type.Object({ url: Type.String(), headers: Type.Record(Type.String(), Type.String()) }),
  responseStatus: Nullable(Type.Integer()),
  responseBody: Nullable(Type.String({ description: 'The first 4 KiB of the answer' })),
  error: Nullable(
    Type.String({ description: 'Why there was no usable answer: timeout, refused, redirect…' }),
  ),
});
export type WebhookAttempt = Static<typeof WebhookAttempt>;

export const WebhookDelivery = Type.Object({
  id: Id,
  endpointId: Id,
  messageId: Type.String({ description: 'The webhook-id header: the same on every attempt' }),
  eventType: WebhookEventTypeName,
  status: WebhookDeliveryStatus,
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Instant),
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  deliveredAt: Nullable(Instant),
  createdAt: Instant,
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const WebhookDeliveryDetail = Type.Object({
  ...WebhookDelivery.properties,
  payload: Type.String({ description: 'The request body, as sent' }),
  attemptLog: Type.Array(WebhookAttempt),
});
export type WebhookDeliveryDetail = Static<typeof WebhookDeliveryDetail>;

export const WebhookDeliveriesQuery = StrictObject({
  status: Type.Optional(WebhookDeliveryStatus),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type WebhookDeliveriesQuery = Static<typeof WebhookDeliveriesQuery>;

export const ReplayWebhooksBody = StrictObject({
  from: Instant,
  to: Instant,
  onlyFailed: Type.Optional(Type.Boolean({ default: false, description: 'Only what was never delivered' })),
});
export type ReplayWebhooksBody = Static<typeof ReplayWebhooksBody>;

export const ReplayedWebhooks = Type.Object({ replayed: Type.Integer() });

export const WebhookSettings = Type.Object({
  allowPrivateTargets: Type.Boolean({
    description:
      'Allow endpoints on private, loopback and link-local addresses (off: protection against server-side request forgery)',
  }),
});
export type WebhookSettings = Static<typeof WebhookSettings>;
export const UpdateWebhookSettingsBody = StrictObject({ allowPrivateTargets: Type.Boolean() });
