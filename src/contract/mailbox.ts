import { Type, type Static } from 'typebox';
import { Instant } from './common.ts';

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
