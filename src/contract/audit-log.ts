import { Type, type Static } from 'typebox';
import { Instant, Nullable, StrictObject } from './common.ts';

export const AuditLogQuery = StrictObject({
  actorId: Type.Optional(Type.String({ maxLength: 100, description: 'A user or API key id' })),
  action: Type.Optional(
    Type.String({
      maxLength: 100,
      pattern: '^[a-z_]+(\\.[a-z_]*)?$',
      description: 'An action (user.signed_in) or every action of a kind (user.)',
    }),
  ),
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});
export type AuditLogQuery = Static<typeof AuditLogQuery>;

export const AuditLogEntry = Type.Object({
  id: Type.String(),
  at: Instant,
  action: Type.String({
    description: 'What was done: user.signed_in, routing.pool_changed, contact.exported, …',
  }),
  actor: Type.Object({
    kind: Type.String({ description: 'user, api_key, system or anonymous' }),
    id: Nullable(Type.String()),
    name: Nullable(
      Type.String({ description: "The user's name, or what an anonymous caller gave (an email)" }),
    ),
  }),
  apiKeyId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  subject: Nullable(Type.Object({ type: Type.String(), id: Type.String() })),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type AuditLogEntry = Static<typeof AuditLogEntry>;

export const AuditLogPage = Type.Object({
  data: Type.Array(AuditLogEntry),
  nextCursor: Nullable(Type.String()),
});
export type AuditLogPage = Static<typeof AuditLogPage>;

export const AuditLogSettings = Type.Object({
  retentionDays: Type.Integer({ description: 'Entries older than this are removed, once a day' }),
});
export type AuditLogSettings = Static<typeof AuditLogSettings>;
export const UpdateAuditLogSettingsBody = StrictObject({
  retentionDays: Type.Integer({ minimum: 30, maximum: 3650, description: 'From a month to ten years' }),
});
export type UpdateAuditLogSettingsBody = Static<typeof UpdateAuditLogSettingsBody>;
