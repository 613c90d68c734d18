import { Type, type Static } from 'typebox';
import { consentPurposes } from '../domain/capture/consent.ts';
import { CountryCode, Email, Id, Instant, Nullable, PageQuery, saneYear, StrictObject } from './common.ts';
import { StageChange } from './stages.ts';

/** A contact's custom fields, by column name. */
export const Attributes = Type.Record(Type.String(), Type.String(), {
  description: 'Custom fields from imports',
});
/** As stored: a contact without custom fields may hold none. */
export const StoredAttributes = Nullable(Attributes);
/** What a touch carried besides its type: free-form, at most a few kilobytes. */
export const TouchProperties = Type.Record(Type.String(), Type.Unknown());

export const consentStatuses = ['unknown', 'granted', 'withdrawn'] as const;

export const Consent = Type.Object({
  status: Type.Enum(consentStatuses),
  source: Nullable(
    Type.String({ description: 'Where consent was given or withdrawn, e.g. form:webinar-2026' }),
  ),
  at: Nullable(Instant),
});

export const OptOut = Type.Object({
  isOptedOut: Type.Boolean(),
  source: Nullable(Type.String()),
  at: Nullable(Instant),
});

export const Source = Nullable(
  Type.Object({
    touchId: Id,
    channel: Nullable(Type.String()),
    campaign: Nullable(Type.String()),
    at: Instant,
  }),
);

export const Contact = Type.Object({
  id: Id,
  email: Nullable(Email),
  externalId: Nullable(Type.String({ description: "The person's id in the system they were imported from" })),
  attributes: Attributes,
  outcome: Nullable(Type.Enum(['converted', 'not_converted'], { description: 'A known outcome, imported' })),
  firstName: Nullable(Type.String()),
  lastName: Nullable(Type.String()),
  title: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  country: Nullable(CountryCode),
  accountId: Nullable(Id),
  ownerId: Nullable(Id),
  stage: Type.String({ description: 'Key of the current lifecycle stage' }),
  stageEnteredAt: Instant,
  consent: Consent,
  optOut: OptOut,
  originalSource: Type.Union([Source], { description: 'The earliest marketing touch (first touch)' }),
  latestSource: Type.Union([Source], { description: 'The most recent marketing touch' }),
  leadTouchId: Nullable(Type.String({ description: 'The touch that created the lead' })),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Contact = Static<typeof Contact>;

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Phone = Type.String({
  pattern: '^\\+?[0-9 ()./-]{4,32}$',
  description: 'Phone number, e.g. +31 20 123 4567',
});

const ConsentInput = StrictObject({
  status: Type.Enum(consentStatuses),
  source: Type.String({ minLength: 1, maxLength: 200 }),
  at: Type.Optional(Instant),
});
const OptOutInput = StrictObject({
  isOptedOut: Type.Boolean(),
  source: Type.String({ minLength: 1, maxLength: 200 }),
  at: Type.Optional(Instant),
});

const contactFields = {
  firstName: Type.Optional(Nullable(Text(100))),
  lastName: Type.Optional(Nullable(Text(100))),
  title: Type.Optional(Nullable(Text(200))),
  phone: Type.Optional(Nullable(Phone)),
  country: Type.Optional(Nullable(CountryCode)),
  accountId: Type.Optional(Nullable(Id)),
  ownerId: Type.Optional(Nullable(Id)),
  consent: Type.Optional(ConsentInput),
  optOut: Type.Optional(OptOutInput),
};

export const CreateContactBody = StrictObject({
  email: Email,
  ...contactFields,
  stage: Type.Optional(
    Type.String({ minLength: 1, maxLength: 50, description: 'Initial stage, default lead' }),
  ),
});
export type CreateContactBody = Static<typeof CreateContactBody>;

export const UpdateContactBody = StrictObject({
  email: Type.Optional(Email),
  ...contactFields,
});
export type UpdateContactBody = Static<typeof UpdateContactBody>;

export const ListContactsQuery = StrictObject({
  ...PageQuery,
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Exact email, any case' })),
  stage: Type.Optional(Type.String({ maxLength: 50 })),
  ownerId: Type.Optional(Id),
  teamId: Type.Optional(Type.String({ format: 'uuid', description: 'Owned by a member of this team' })),
  accountId: Type.Optional(Id),
  country: Type.Optional(CountryCode),
  grade: Type.Optional(
    Type.String({
      pattern: '^[ABC][123]?$',
      description: 'The grade under the active scoring model (A1 … C3), or its fit letter alone (A, B, C)',
    }),
  ),
  source: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'The channel of the first touch, e.g. paid_search',
    }),
  ),
  campaign: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'The first or the latest campaign, or one the person was added to',
    }),
  ),
  createdFrom: Type.Optional(
    Type.String({
      format: 'date-time',
      pattern: `^${saneYear}-`,
      description: 'Added at or after (ISO 8601)',
    }),
  ),
  createdBefore: Type.Optional(
    Type.String({ format: 'date-time', pattern: `^${saneYear}-`, description: 'Added before (ISO 8601)' }),
  ),
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'Search in name, email (and so its domain) and company name, any case. When no contact contains it, the contacts it resembles despite typos, best first, on one page',
    }),
  ),
});
export type ListContactsQuery = Static<typeof ListContactsQuery>;

export const ContactPage = Type.Object({
  data: Type.Array(Contact),
  nextCursor: Nullable(Type.String({ description: 'Cursor of the next page, null on the last page' })),
  match: Type.Optional(
    Type.Enum(['exact', 'similar'], {
      description:
        'With a search: `exact` when these contain it, `similar` when none did and these resemble it',
    }),
  ),
});
export type ContactPage = Static<typeof ContactPage>;

export const Touchpoint = Type.Object({
  id: Id,
  type: Type.String(),
  category: Type.Enum(['marketing', 'sales']),
  occurredAt: Instant,
  channel: Nullable(Type.String()),
  campaign: Nullable(Type.String()),
  utm: Type.Object({
    source: Nullable(Type.String()),
    medium: Nullable(Type.String()),
    campaign: Nullable(Type.String()),
    term: Nullable(Type.String()),
    content: Nullable(Type.String()),
  }),
  url: Nullable(Type.String()),
  properties: TouchProperties,
  isLeadCreating: Type.Boolean(),
  visitorId: Nullable(Type.String()),
  userId: Nullable(Id),
  eventId: Nullable(Type.String({ description: 'The id the sender gave the event' })),
});
export type Touchpoint = Static<typeof Touchpoint>;

export const MergeContactBody = StrictObject({
  duplicateId: Type.String({
    format: 'uuid',
    description: 'The contact to merge into this one; it is removed',
  }),
});
export type MergeContactBody = Static<typeof MergeContactBody>;

export const contactLikenesses = ['same_name_same_company', 'same_name_free_mail', 'same_phone'] as const;

export const ContactDuplicate = Type.Object({
  contact: Contact,
  because: Type.Enum(contactLikenesses, {
    description:
      'same_name_same_company: one name at one account or email domain; same_name_free_mail: one name, one of them from free mail; same_phone',
  }),
});
export type ContactDuplicate = Static<typeof ContactDuplicate>;

export const ConsentRecord = Type.Object({
  purpose: Type.Enum([...consentPurposes]),
  status: Type.String(),
  source: Type.String(),
  version: Nullable(Type.String({ description: 'The version of the text the person saw' })),
  text: Nullable(Type.String({ description: 'The consent text the person saw' })),
  language: Nullable(Type.String()),
  occurredAt: Instant,
});

export type ConsentRecord = Static<typeof ConsentRecord>;

export const RecordConsentBody = StrictObject({
  purpose: Type.Enum([...consentPurposes], {
    description: 'newsletter (marketing email) or sales_contact (being called or mailed by Sales)',
  }),
  status: Type.Enum(['granted', 'withdrawn']),
  source: Type.String({ minLength: 1, maxLength: 200, description: 'Where, e.g. phone call, email reply' }),
  text: Type.Optional(
    Type.String({ minLength: 1, maxLength: 2000, description: 'The text the person agreed to' }),
  ),
  version: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 50,
      description: 'Its version; derived from the text when left out',
    }),
  ),
  language: Type.Optional(Type.Enum(['en', 'nl'])),
  at: Type.Optional(Instant),
});
export type RecordConsentBody = Static<typeof RecordConsentBody>;

export const ConsentState = Type.Object({
  purpose: Type.Enum([...consentPurposes]),
  status: Type.Enum(['unknown', 'granted', 'withdrawn']),
  source: Nullable(Type.String()),
  text: Nullable(Type.String()),
  version: Nullable(Type.String()),
  at: Nullable(Instant),
});

/** Where each purpose stands now, and every record, oldest first. */
export const Consents = Type.Object({
  purposes: Type.Array(ConsentState),
  records: Type.Array(ConsentRecord),
});
export type Consents = Static<typeof Consents>;

/** Everything Baton holds about a person, for a request under GDPR/AVG art. 15 and 20. */
export const ContactExport = Type.Object({
  exportedAt: Instant,
  contact: Contact,
  account: Nullable(Type.Object({ id: Id, name: Type.String(), domains: Type.Array(Type.String()) })),
  /** Other addresses of this person (contacts merged into this one). */
  otherEmails: Type.Array(Type.String()),
  touchpoints: Type.Array(Touchpoint),
  stageChanges: Type.Array(StageChange),
  consentRecords: Type.Array(ConsentRecord),
  score: Nullable(
    Type.Object({
      modelVersion: Type.Integer(),
      fit: Type.Number(),
      engagement: Type.Number(),
      grade: Type.String(),
      qualifies: Type.Boolean(),
      scoredAt: Instant,
    }),
  ),
  events: Type.Array(
    Type.Object({
      type: Type.String(),
      occurredAt: Instant,
      payload: Type.Record(Type.String(), Type.Unknown()),
    }),
    { description: 'The audit log about this person' },
  ),
});
export type ContactExport = Static<typeof ContactExport>;
