import { Type, type Static } from 'typebox';
import { Instant, StrictObject } from './common.ts';

export const LoggingAddress = Type.Object({
  address: Type.String({
    description: 'BCC this address on your email with leads, or forward a thread to it; keep it to yourself',
  }),
  createdAt: Instant,
});
export type LoggingAddress = Static<typeof LoggingAddress>;

const Count = Type.Integer({ minimum: 0 });

export const MailLogStatus = Type.Object({
  domain: Type.Union([Type.Null(), Type.String()], { description: 'The logging addresses’ domain' }),
  counts: Type.Object(
    {
      received: Count,
      logged: Count,
      duplicates: Count,
      unknownSender: Count,
      notALead: Count,
      refusedRecipients: Count,
      tooLarge: Count,
      malformed: Count,
      invitations: Count,
      brokenInvitations: Count,
      unknownTimeZones: Count,
      meetingsBooked: Count,
      meetingsHeld: Count,
      mailboxMessagesRead: Count,
      mailboxSyncFailures: Count,
    },
    { description: 'Since this process started' },
  ),
});
export type MailLogStatus = Static<typeof MailLogStatus>;

const Domain = Type.String({
  pattern: '^(?=.{1,253}$)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$',
  description: 'Internet domain, e.g. gmail.com',
});

export const MailLogSettings = Type.Object({
  ignoredDomains: Type.Array(Type.String(), {
    description: 'Domains never logged from mail, beside the company’s own (which never are)',
  }),
  storeExcerpt: Type.Boolean({
    description:
      'Whether the first words of a synced email are kept with its activity; by default only the subject, the time and the parties are',
  }),
  updatedAt: Type.Union([Type.Null(), Instant]),
});
export type MailLogSettings = Static<typeof MailLogSettings>;

export const UpdateMailLogSettingsBody = StrictObject({
  ignoredDomains: Type.Array(Domain, { maxItems: 500, uniqueItems: true }),
  storeExcerpt: Type.Optional(Type.Boolean()),
});
export type UpdateMailLogSettingsBody = Static<typeof UpdateMailLogSettingsBody>;

export const mailboxSecurities = ['tls', 'starttls', 'none'] as const;
export const mailboxAuths = ['password', 'oauth2'] as const;

export const ConnectMailboxBody = StrictObject({
  host: Type.String({
    minLength: 1,
    maxLength: 253,
    pattern: '^[A-Za-z0-9.:\\[\\]-]+$',
    description: 'The IMAP server, e.g. outlook.office365.com or imap.gmail.com',
  }),
  port: Type.Integer({ minimum: 1, maximum: 65535, description: '993 for TLS, 143 for STARTTLS' }),
  security: Type.Enum(mailboxSecurities, {
    description: 'tls (IMAPS), starttls, or none (only on a network you trust)',
  }),
  username: Type.String({ minLength: 1, maxLength: 320 }),
  auth: Type.Enum(mailboxAuths, {
    description: 'password (an app password), or oauth2: an access token, sent with XOAUTH2',
  }),
  secret: Type.String({ minLength: 1, maxLength: 8192, description: 'The password or the access token' }),
});
export type ConnectMailboxBody = Static<typeof ConnectMailboxBody>;

export const MailboxConnection = Type.Object({
  host: Type.String(),
  port: Type.Integer(),
  security: Type.Enum(mailboxSecurities),
  username: Type.String(),
  auth: Type.Enum(mailboxAuths),
  state: Type.Enum(['syncing', 'failing'] as const, {
    description:
      'syncing: read on schedule; failing: the last attempt failed (see lastError), it is tried again',
  }),
  lastError: Type.Union([Type.Null(), Type.String()]),
  lastSyncedAt: Type.Union([Type.Null(), Instant]),
  nextSyncAt: Instant,
  messagesRead: Count,
  activitiesLogged: Count,
  folders: Type.Array(
    Type.Object({
      folder: Type.Enum(['inbox', 'sent'] as const),
      path: Type.String(),
      lastUid: Count,
    }),
  ),
  connectedAt: Instant,
});
export type MailboxConnection = Static<typeof MailboxConnection>;

export const MyMailbox = Type.Object({
  connection: Type.Union([Type.Null(), MailboxConnection], {
    description: 'Your connected mailbox, or null when you have not connected one',
  }),
});
export type MyMailbox = Static<typeof MyMailbox>;
