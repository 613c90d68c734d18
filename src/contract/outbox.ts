import { Type, type Static } from 'typebox';
import { Id, Instant, Language, Nullable, Page, PageQuery, StrictObject } from './common.ts';

export const outboxStatuses = ['pending', 'sent', 'dead', 'cancelled'] as const;

export const OutboxMessage = Type.Object({
  id: Id,
  kind: Type.String({ description: 'What it tells about, e.g. lead.assigned, lead.unassigned' }),
  channel: Type.Enum(['email', 'in_app', 'slack', 'teams'], {
    description:
      'email; in_app (the person turned email off for this kind: the bell only); slack or teams (a chat alert)',
  }),
  recipientUserId: Nullable(Id),
  recipient: Type.String({ description: 'The email address, or the chat (Slack or Teams, and whose)' }),
  language: Language,
  subject: Nullable(
    Type.String({ description: 'Null until a message queued in bulk is rendered, just before sending' }),
  ),
  contactId: Nullable(Id),
  status: Type.Enum(outboxStatuses, {
    description: 'pending (waiting or being retried), sent, dead (gave up), cancelled',
  }),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Instant),
  lastError: Nullable(Type.String()),
  createdAt: Instant,
  sentAt: Nullable(Instant),
});
export type OutboxMessage = Static<typeof OutboxMessage>;

export const OutboxMessageDetail = Type.Intersect([
  OutboxMessage,
  Type.Object({ bodyText: Nullable(Type.String()), bodyHtml: Nullable(Type.String()) }),
]);
export type OutboxMessageDetail = Static<typeof OutboxMessageDetail>;

export const OutboxQuery = StrictObject({
  status: Type.Optional(Type.Enum(outboxStatuses)),
  contactId: Type.Optional(Id),
  ...PageQuery,
});
export type OutboxQuery = Static<typeof OutboxQuery>;

export const OutboxPage = Type.Intersect([
  Page(OutboxMessage),
  Type.Object({
    counts: Type.Object({
      pending: Type.Integer(),
      sent: Type.Integer(),
      dead: Type.Integer(),
      cancelled: Type.Integer(),
    }),
  }),
]);
export type OutboxPage = Static<typeof OutboxPage>;
