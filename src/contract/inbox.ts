import { Type, type Static } from 'typebox';
import { Id, Instant, Nullable, StrictObject } from './common.ts';

/** The kinds of alert the bell shows: what Baton tells a person by email, also in the app. */
export const inboxKinds = [
  'lead.assigned',
  'lead.unassigned',
  'sla.reminder',
  'sla.breached',
  'handoff.digest',
  'commitment.pace',
  'plan.behind',
  'webhook.disabled',
  'connection.needs_admin',
] as const;
export type InboxKind = (typeof inboxKinds)[number];

export const InboxItem = Type.Object({
  id: Id,
  kind: Type.Enum(inboxKinds),
  at: Instant,
  unread: Type.Boolean(),
  lead: Nullable(Type.Object({ id: Id, name: Type.String() })),
  leads: Type.Integer({
    minimum: 0,
    description:
      'How many leads the alert is about: several in a digest of follow-up deadlines, then lead is null',
  }),
});
export type InboxItem = Static<typeof InboxItem>;

export const Inbox = Type.Object({
  data: Type.Array(InboxItem),
  unread: Type.Integer({ description: 'How many arrived since the person last read' }),
});
export type Inbox = Static<typeof Inbox>;

export const InboxQuery = StrictObject({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
