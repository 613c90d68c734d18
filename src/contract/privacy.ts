import { Type, type Static } from 'typebox';
import { Email, Instant, StrictObject } from './common.ts';
import { Contact } from './contacts.ts';

export const SubjectQuery = StrictObject({ email: Email });
export type SubjectQuery = Static<typeof SubjectQuery>;

/** Who an address belongs to, for a request under the GDPR/AVG. */
export const SubjectLookup = Type.Object({
  email: Type.String(),
  contacts: Type.Array(Contact, {
    description: 'The people with this address, as their address or as another address of theirs (merged)',
  }),
  erasedAt: Type.Union([Instant, Type.Null()], {
    description: 'When a person with this address was erased: Baton will not store them again',
  }),
});
export type SubjectLookup = Static<typeof SubjectLookup>;

const Days = Type.Union([Type.Integer({ minimum: 30, maximum: 3650 }), Type.Null()], {
  description: 'Days to keep, 30 to 3650; null keeps the data',
});

export const RetentionReport = Type.Object({
  at: Instant,
  dryRun: Type.Boolean(),
  anonymousTouches: Type.Integer({ description: 'Touches of visitors never identified, deleted' }),
  unconvertedLeads: Type.Integer({ description: 'Leads that never became customers, anonymised' }),
  emailBodies: Type.Integer({ description: 'Delivered emails whose text was blanked' }),
  webhookMessages: Type.Integer({
    description:
      'Webhook messages whose every delivery had finished, deleted with their deliveries and attempts',
  }),
});
export type RetentionReport = Static<typeof RetentionReport>;

export const RetentionSettings = Type.Object({
  anonymousTouchesDays: Days,
  unconvertedLeadsDays: Days,
  emailBodiesDays: Days,
  webhookMessagesDays: Type.Union([Type.Integer({ minimum: 30, maximum: 3650 }), Type.Null()], {
    description:
      'Days to keep webhook messages (what was sent, with its deliveries and attempts), 30 to 3650; null keeps them. 90 unless changed; a message older than this can no longer be replayed',
  }),
  updatedAt: Instant,
  lastRun: Type.Union([RetentionReport, Type.Null()], { description: 'What the daily job did last' }),
});
export type RetentionSettings = Static<typeof RetentionSettings>;

export const UpdateRetentionSettingsBody = StrictObject({
  anonymousTouchesDays: Type.Optional(Days),
  unconvertedLeadsDays: Type.Optional(Days),
  emailBodiesDays: Type.Optional(Days),
  webhookMessagesDays: Type.Optional(Days),
});
export type UpdateRetentionSettingsBody = Static<typeof UpdateRetentionSettingsBody>;

export const RunRetentionBody = StrictObject({
  dryRun: Type.Optional(Type.Boolean({ description: 'Count what would go, change nothing' })),
});
export type RunRetentionBody = Static<typeof RunRetentionBody>;
