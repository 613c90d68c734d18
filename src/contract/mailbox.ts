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
  updatedAt: Type.Union([Type.Null(), Instant]),
});
export type MailLogSettings = Static<typeof MailLogSettings>;

export const UpdateMailLogSettingsBody = StrictObject({
  ignoredDomains: Type.Array(Domain, { maxItems: 500, uniqueItems: true }),
});
export type UpdateMailLogSettingsBody = Static<typeof UpdateMailLogSettingsBody>;
