import { Type, type Static } from 'typebox';
import { eventTypes } from '../domain/capture/event-types.ts';
import { CountryCode, Email, FieldError, Id, Instant, StrictObject } from './common.ts';

export const maxEventsPerBatch = 1000;
/** Serialised size limit of an event's free `properties`. */
export const maxPropertiesBytes = 8192;

const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, ...(description && { description }) });

export const EventInput = StrictObject({
  id: Type.Optional(
    Text(
      200,
      'Your id for this event. An event with an id Baton has seen before is reported as a duplicate.',
    ),
  ),
  type: Type.Enum(eventTypes, { description: 'What happened' }),
  occurredAt: Instant,
  email: Type.Optional(Email),
  visitorId: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{8,64}$',
      description: 'Anonymous visitor id from the tracking script; joined to the contact when it is known',
    }),
  ),
  firstName: Type.Optional(Text(100)),
  lastName: Type.Optional(Text(100)),
  company: Type.Optional(Text(300, 'Company name, used to match an account when the email is free-mail')),
  title: Type.Optional(Text(200)),
  phone: Type.Optional(Text(32)),
  country: Type.Optional(CountryCode),
  userId: Type.Optional(
    Type.String({ format: 'uuid', description: 'The Baton user who did a sales activity' }),
  ),
  channel: Type.Optional(Text(100, 'e.g. paid_search, email, organic, event, referral')),
  campaign: Type.Optional(Text(200)),
  utm: Type.Optional(
    StrictObject({
      source: Type.Optional(Text(200)),
      medium: Type.Optional(Text(200)),
      campaign: Type.Optional(Text(200)),
      term: Type.Optional(Text(200)),
      content: Type.Optional(Text(200)),
    }),
  ),
  url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })),
  properties: Type.Optional(
    Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
      description: `Free properties, at most ${maxPropertiesBytes} bytes as JSON`,
    }),
  ),
});
export type EventInput = Static<typeof EventInput>;

export const EventBatch = StrictObject({
  events: Type.Array(Type.Unknown(), {
    minItems: 1,
    maxItems: maxEventsPerBatch,
    description: `Up to ${maxEventsPerBatch} events, each as EventInput; each is answered on its own`,
  }),
});

/** One event, or a batch. */
export const IngestBody = Type.Union([EventInput, EventBatch]);

export const itemStatuses = ['accepted', 'duplicate', 'rejected'] as const;

export const EventResult = Type.Object({
  index: Type.Integer({ description: 'Position in the batch (0 for a single event)' }),
  status: Type.Enum(itemStatuses),
  touchId: Type.Optional(Id),
  contactId: Type.Optional(Id),
  errors: Type.Optional(Type.Array(FieldError)),
});
export type EventResult = Static<typeof EventResult>;

export const IngestResponse = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  rejected: Type.Integer(),
  results: Type.Array(EventResult),
});
export type IngestResponse = Static<typeof IngestResponse>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Retries with the same key return the first answer and store nothing twice (24 hours)',
    }),
  ),
});

/** A row of a contacts import, after its columns are mapped. */
export const contactOutcomes = ['converted', 'not_converted'] as const;

/** How spreadsheets and CRM exports say whether a lead converted. */
export const outcomeSpellings: Record<string, (typeof contactOutcomes)[number]> = {
  '1': 'converted',
  '0': 'not_converted',
  yes: 'converted',
  no: 'not_converted',
  ja: 'converted',
  nee: 'not_converted',
  true: 'converted',
  false: 'not_converted',
  won: 'converted',
  lost: 'not_converted',
  converted: 'converted',
  not_converted: 'not_converted',
};

export const ContactImportRow = StrictObject({
  email: Type.Optional(Email),
  externalId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: "The person's id in the system exported from" }),
  ),
  outcome: Type.Optional(
    Type.Enum(Object.keys(outcomeSpellings), {
      description: 'Whether the lead converted: 1/0, yes/no, ja/nee, true/false, won/lost',
    }),
  ),
  attributes: Type.Optional(
    Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 1000 }), {
      maxProperties: 200,
      description: 'Custom fields, by column name; fit rules test them as attributes.<name>',
    }),
  ),
  firstName: Type.Optional(Text(100)),
  lastName: Type.Optional(Text(100)),
  company: Type.Optional(Text(300)),
  title: Type.Optional(Text(200)),
  phone: Type.Optional(Text(32)),
  country: Type.Optional(CountryCode),
});
