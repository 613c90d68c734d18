import { Type, type Static } from 'typebox';
import { Id, Instant, Nullable, StrictObject } from './common.ts';

export const connectorKinds = ['hubspot', 'pipedrive'] as const;
export type ConnectorKind = (typeof connectorKinds)[number];

export const FieldMapping = StrictObject({
  field: Type.Enum(['firstName', 'lastName', 'title', 'phone', 'company', 'owner', 'stage'], {
    description: "Baton's field",
  }),
  property: Type.String({
    minLength: 1,
    maxLength: 100,
    pattern: '^[a-z0-9_]+$',
    description: "The CRM's property",
  }),
  direction: Type.Enum(['in', 'out', 'both'], {
    description: 'in: the CRM to Baton; out: Baton to the CRM; both: either way',
  }),
  systemOfRecord: Type.Enum(['baton', 'crm'], { description: 'Which side wins when both changed' }),
});
export type FieldMapping = Static<typeof FieldMapping>;

const Mapping = Type.Array(FieldMapping, { minItems: 1, maxItems: 50 });

export const Connection = Type.Object({
  id: Id,
  kind: Type.Enum(connectorKinds),
  name: Type.String(),
  baseUrl: Nullable(Type.String({ description: "The CRM's API address when it is not the vendor's own" })),
  auth: Type.Enum(['token', 'oauth'], {
    description: "token: a private app's or API token; oauth: OAuth 2, its access token refreshed by Baton",
  }),
  tokenHint: Type.String({
    description: "The last four characters of the token (OAuth 2: of the app's client id)",
  }),
  tokenExpiresAt: Nullable(Instant, { description: 'OAuth 2: when the access token held now expires' }),
  hasWebhookSecret: Type.Boolean(),
  webhookUrl: Type.String({ description: "Where the CRM's webhooks go: give this address to the CRM's app" }),
  mapping: Mapping,
  state: Type.Enum(['active', 'paused', 'failing']),
  lastError: Nullable(Type.String()),
  pollIntervalSeconds: Type.Integer(),
  breachTasks: Type.Boolean({
    description: "Whether a missed follow-up becomes a task for the rep's manager on the person in the CRM",
  }),
  lastSyncedAt: Nullable(Instant),
  nextSyncAt: Instant,
  backfill: Type.Object({
    state: Type.Enum(['pending', 'running', 'done']),
    done: Type.Integer({ description: 'Records read so far' }),
    total: Type.Integer({ description: 'Records the CRM said it has when the backfill began (0: unknown)' }),
  }),
  cursors: Type.Array(Type.Object({ objectType: Type.String(), cursor: Type.String(), updatedAt: Instant })),
  linked: Type.Record(Type.String(), Type.Integer(), { description: 'Records known on both sides, by type' }),
  createdAt: Instant,
});
export type Connection = Static<typeof Connection>;

const Token = Type.String({
  minLength: 8,
  maxLength: 500,
  description: "HubSpot: a private app's access token; Pipedrive: an API token (of a global admin)",
});
const PollInterval = Type.Integer({ minimum: 30, maximum: 86_400, description: 'Seconds between two polls' });
const WebhookSecret = Type.String({
  minLength: 8,
  maxLength: 500,
  description:
    "HubSpot: the app's client secret, which signs its webhooks (X-HubSpot-Signature-v3); Pipedrive: the HTTP Basic password given to its webhooks (user baton)",
});

export const CreateConnectionBody = StrictObject({
  kind: Type.Enum(connectorKinds),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  token: Token,
  baseUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 300 })),
  webhookSecret: Type.Optional(WebhookSecret),
  pollIntervalSeconds: Type.Optional(PollInterval),
  mapping: Type.Optional(Mapping),
  breachTasks: Type.Optional(
    Type.Boolean({ description: "A missed follow-up becomes a task for the rep's manager in the CRM" }),
  ),
});
export type CreateConnectionBody = Static<typeof CreateConnectionBody>;

export const UpdateConnectionBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  token: Type.Optional(Token),
  webhookSecret: Type.Optional(Nullable(WebhookSecret)),
  pollIntervalSeconds: Type.Optional(PollInterval),
  mapping: Type.Optional(Mapping),
  breachTasks: Type.Optional(
    Type.Boolean({ description: "A missed follow-up becomes a task for the rep's manager in the CRM" }),
  ),
  paused: Type.Optional(Type.Boolean({ description: 'Pause or resume syncing' })),
});
export type UpdateConnectionBody = Static<typeof UpdateConnectionBody>;

export const ConnectionTest = Type.Object({
  ok: Type.Boolean(),
  owners: Type.Integer({ description: 'The CRM users who can own records' }),
  matchedOwners: Type.Integer({ description: 'Of them, people in Baton with the same email' }),
});

export const SyncLogEntry = Type.Object({
  id: Id,
  at: Instant,
  direction: Type.Enum(['in', 'out']),
  objectType: Type.String(),
  remoteId: Nullable(Type.String()),
  localId: Nullable(Type.String()),
  outcome: Type.Enum(['ok', 'skipped', 'error']),
  code: Type.String(),
  message: Type.String(),
  replayable: Type.Boolean(),
  replayedAt: Nullable(Instant),
});
export type SyncLogEntry = Static<typeof SyncLogEntry>;

export const SyncLogQuery = StrictObject({
  outcome: Type.Optional(Type.Enum(['ok', 'skipped', 'error'])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
export type SyncLogQuery = Static<typeof SyncLogQuery>;

export const LogEntryParams = StrictObject({ id: Id, entryId: Id });

export const OAuthStartBody = StrictObject({
  kind: Type.Enum(connectorKinds),
  clientId: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: "The OAuth app's client id (for a connectionId: the app it has, unless given)",
    }),
  ),
  clientSecret: Type.Optional(
    Type.String({
      minLength: 8,
      maxLength: 500,
      description: "The OAuth app's client secret (for a connectionId: the app's it has, unless given)",
    }),
  ),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  baseUrl: Type.Optional(
    Type.String({
      format: 'uri',
      maxLength: 300,
      description: "The CRM's address when it is not the vendor's own (its API and its OAuth pages)",
    }),
  ),
  webhookSecret: Type.Optional(WebhookSecret),
  pollIntervalSeconds: Type.Optional(PollInterval),
  mapping: Type.Optional(Mapping),
  breachTasks: Type.Optional(
    Type.Boolean({ description: "A missed follow-up becomes a task for the rep's manager in the CRM" }),
  ),
  connectionId: Type.Optional(
    Type.String({ format: 'uuid', description: 'Grant access again to this connection (after a revoke)' }),
  ),
});
export type OAuthStartBody = Static<typeof OAuthStartBody>;

export const OAuthStart = Type.Object({
  authorizeUrl: Type.String({ description: 'Where to send the admin to grant Baton access' }),
  redirectUri: Type.String({
    description: "Baton's address the CRM sends the admin back to: register it in the app",
  }),
});

export const OAuthCallbackQuery = Type.Object({
  state: Type.String({ maxLength: 4000 }),
  code: Type.Optional(Type.String({ maxLength: 2000 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
});
