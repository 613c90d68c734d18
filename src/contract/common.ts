import { Type, type Static, type TProperties, type TSchema } from 'typebox';
import { roles } from '../domain/access/roles.ts';

/** An object that refuses properties it does not know, so a misspelt field is an error, not a no-op. */
export const StrictObject = <T extends TProperties>(properties: T, options: { description?: string } = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

/**
 * A value or null. Null comes first: the request validator coerces types (a query's "5" is 5),
 * and tried first against the value's schema, a null became 0 or "" (a cap of null read as 0).
 */
export const Nullable = <T extends TSchema>(schema: T, options?: { description?: string }) =>
  Type.Union([Type.Null(), schema], options);

/** Ids are UUIDv7 strings (docs/adr/0001-ids.md). */
export const Id = Type.String({ format: 'uuid', description: 'UUIDv7 identifier' });

/**
 * Dates and instants lie in the years 1900 to 2999: anything else is a typing error, and year 0000
 * does not exist in PostgreSQL (docs/adr/0002-time-and-money.md).
 */
export const saneYear = '(19|2\\d)\\d\\d';

/**
 * A text Baton made, as a code with parameters, so each reader gets it in their own language
 * (the web app and the emails render it; an integration can too).
 */
export const Message = Type.Object(
  {
    code: Type.String({ description: 'Stable: new codes may be added, none is renamed' }),
    params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
  },
  { description: "A text Baton made, as a code with parameters, rendered in the reader's language" },
);
export type Message = Static<typeof Message>;

/** Instants are ISO 8601 strings in UTC (docs/adr/0002-time-and-money.md). */
export const Instant = Type.String({
  format: 'date-time',
  pattern: `^${saneYear}-`,
  description: 'ISO 8601 instant, UTC, in the years 1900 to 2999',
});

/** YYYY-MM-DD in the sane years. */
export const localDatePattern = `^${saneYear}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$`;

/** A calendar day without a time zone, such as a close date or a report's first day. */
export const LocalDate = Type.String({
  pattern: localDatePattern,
  description: 'Local date, YYYY-MM-DD, in the years 1900 to 2999',
});

export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency, e.g. EUR' });

export const Email = Type.String({ format: 'email', maxLength: 254, description: 'Email address' });

export const languages = ['en', 'nl'] as const;
export const Language = Type.Enum(languages, { description: 'Language for the web app and emails' });
export type Language = Static<typeof Language>;

export const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone, e.g. Europe/Amsterdam',
});

export const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 country code, e.g. NL',
});

export const Role = Type.Enum(roles, { description: 'Role of a user or API key' });
export type Role = Static<typeof Role>;

export const LocalizedText = StrictObject({
  en: Type.String({ minLength: 1, maxLength: 4000 }),
  nl: Type.String({ minLength: 1, maxLength: 4000 }),
});
export type LocalizedText = Static<typeof LocalizedText>;

export const IdParams = StrictObject({ id: Id });

/** The alignment agreement version in force in each part of a report's period (null: none was). */
export const AgreementSpans = Type.Array(
  Type.Object({ version: Nullable(Type.Integer()), from: Instant, to: Instant }),
  { description: 'The agreement version in force in each part of the period' },
);

/** Cursor pagination: pass `nextCursor` back as `cursor` until it is null. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The nextCursor of the previous page' })),
};

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    data: Type.Array(item),
    nextCursor: Nullable(Type.String({ description: 'Cursor of the next page, null on the last page' })),
  });
/** One page of items of a schema, e.g. `PageOf<typeof User>`. */
export type PageOf<T extends TSchema> = Static<ReturnType<typeof Page<T>>>;

export const FieldError = Type.Object({
  field: Type.String({ description: 'Where the problem is, e.g. body.email or query.limit' }),
  reason: Type.String({ description: 'What is wrong with it' }),
});

/** RFC 9457 problem details with Baton's stable `code`. */
export const ProblemDetails = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable machine-readable code, e.g. contacts.not_found' }),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldError)),
  },
  { $id: 'ProblemDetails' },
);
export type ProblemDetails = Static<typeof ProblemDetails>;
