import { Type, type Static } from 'typebox';
import { Instant, Nullable, StrictObject } from './common.ts';

/**
 * The kinds of alert a person or a team chooses channels for: the alerts Baton sends by email
 * that chat can carry too. An escalation is a missed follow-up told to the manager or the
 * director; a breach is the miss told to the rep.
 */
export const alertKinds = [
  'lead.assigned',
  'sla.reminder',
  'sla.escalated',
  'sla.breached',
  'lead.unassigned',
  'handoff.digest',
  'plan.behind',
] as const;
export type AlertKind = (typeof alertKinds)[number];

/** Where an alert can go. A team's channels are Slack and Teams only: email goes to people. */
export const alertChannels = ['email', 'slack', 'teams'] as const;
export type AlertChannel = (typeof alertChannels)[number];
export type ChatProvider = Exclude<AlertChannel, 'email'>;

const Channels = Type.Array(Type.Enum(alertChannels), { uniqueItems: true, maxItems: 3 });

/** For each kind of alert, the channels it goes to (none: only the bell). */
export const AlertRoutes = StrictObject({
  'lead.assigned': Type.Optional(Channels),
  'sla.reminder': Type.Optional(Channels),
  'sla.escalated': Type.Optional(Channels),
  'sla.breached': Type.Optional(Channels),
  'lead.unassigned': Type.Optional(Channels),
  'handoff.digest': Type.Optional(Channels),
  'plan.behind': Type.Optional(Channels),
});
export type AlertRoutes = Partial<Record<AlertKind, AlertChannel[]>>;

const ChatAddress = Type.Object({
  configured: Type.Boolean(),
  /** The host and the last characters of the address: it is a secret, so it is never shown whole. */
  hint: Nullable(Type.String()),
});

export const AlertSettings = Type.Object({
  owner: Type.Enum(['user', 'team']),
  slack: ChatAddress,
  teams: ChatAddress,
  routes: Type.Record(Type.String(), Channels, {
    description:
      "Every kind of alert the owner can be sent (a person's by their role; a team's channel every kind) with its channels, the defaults filled in",
  }),
  updatedAt: Nullable(Instant),
});
export type AlertSettings = Static<typeof AlertSettings>;

const WebhookAddress = Type.String({ minLength: 1, maxLength: 2000 });

export const AlertSettingsUpdate = StrictObject({
  slackUrl: Type.Optional(
    Nullable(WebhookAddress, {
      description: 'A Slack incoming-webhook address (https://hooks.slack.com/services/…); null removes it',
    }),
  ),
  teamsUrl: Type.Optional(
    Nullable(WebhookAddress, {
      description:
        'A Microsoft Teams Workflows webhook address ("Post to a channel when a webhook request is received"); null removes it',
    }),
  ),
  routes: Type.Optional(AlertRoutes),
});
export type AlertSettingsUpdate = Static<typeof AlertSettingsUpdate>;

export const AlertTest = StrictObject({ channel: Type.Enum(['slack', 'teams']) });
export type AlertTest = Static<typeof AlertTest>;

export const AlertTestResult = Type.Object({
  ok: Type.Boolean(),
  status: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
});
export type AlertTestResult = Static<typeof AlertTestResult>;
