import { Type, type Static } from 'typebox';
import { Id, Instant, Nullable, StrictObject } from './common.ts';

export const importKinds = ['contacts', 'events'] as const;

export const ImportParams = StrictObject({ kind: Type.Enum(importKinds) });

export const ImportQuery = StrictObject({
  dryRun: Type.Optional(Type.Boolean({ description: 'Check every row and report, store nothing' })),
  delimiter: Type.Optional(
    Type.Enum([',', ';', '\t'], { description: 'Column separator; read from the header line when absent' }),
  ),
  attributes: Type.Optional(
    Type.Boolean({
      description: 'Contacts: keep columns no field takes as custom attributes, by column name',
    }),
  ),
  blank: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      description: 'A value that means "not filled" in this file (e.g. Select); repeat for several',
    }),
  ),
  map: Type.Optional(
    Type.Array(Type.String({ pattern: '^[^=]+=[A-Za-z_]+$' }), {
      description: 'Column overrides, COLUMN=field (COLUMN=skip leaves a column out); repeat for several',
    }),
  ),
});

export const ImportRowError = Type.Object({
  row: Type.Integer({ description: 'Line in the file (the header is line 1)' }),
  column: Type.String({ description: 'The column, or the field when no single column is to blame' }),
  reason: Type.String(),
});

/** The encodings a CSV file is read in (server/modules/shared/csv-input.ts). */
export const csvEncodings = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;

export const ImportReport = Type.Object({
  kind: Type.Enum(importKinds),
  dryRun: Type.Boolean(),
  mapping: Type.Record(Type.String(), Type.String()),
  unmappedColumns: Type.Array(Type.String()),
  rows: Type.Integer(),
  valid: Type.Integer({ description: 'Rows that passed the checks (in a dry run: would be stored)' }),
  created: Type.Integer({ description: 'New contacts' }),
  stored: Type.Integer({ description: 'Events stored (events import)' }),
  duplicates: Type.Integer({ description: 'Events seen before: a second run of a file adds nothing' }),
  rejected: Type.Integer(),
  errors: Type.Array(ImportRowError, { description: 'The first 1,000 row errors' }),
  warnings: Type.Array(ImportRowError, {
    description:
      'The first 1,000 values of stored rows that were kept otherwise than given (a country Baton does not know: the country left empty, the value kept as an attribute)',
  }),
  encoding: Type.Enum(csvEncodings, {
    description:
      'How the file was read: its byte-order mark, else UTF-8 when valid, else Windows-1252. A row with bytes that are not text in it is refused.',
  }),
});
export type ImportReport = Static<typeof ImportReport>;

/** What an import from the browser can bring in: people and their touches, or a CRM's sales organisation. */
export const importJobKinds = ['contacts', 'events', 'users', 'accounts', 'opportunities'] as const;

export const ImportJobParams = StrictObject({ kind: Type.Enum(importJobKinds) });

export const ImportJobQuery = StrictObject({
  ...ImportQuery.properties,
  fileName: Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, description: 'Shown in the list of imports' }),
  ),
  currency: Type.Optional(
    Type.String({
      pattern: '^[A-Z]{3}$',
      description: 'Opportunities: the currency of the amounts (default EUR)',
    }),
  ),
  emailDomain: Type.Optional(
    Type.String({
      minLength: 3,
      maxLength: 200,
      description: 'Users: people the file gives no email get first.last@this domain',
    }),
  ),
});
export type ImportJobQuery = Static<typeof ImportJobQuery>;

export const ImportJobRow = Type.Object({
  row: Type.Integer({ description: 'Line in the file (the header is line 1)' }),
  column: Type.String({
    description: 'The column, or the field when no single column is to blame (may be empty)',
  }),
  reason: Type.String(),
});

export const ImportJobReport = Type.Object({
  rows: Type.Integer(),
  valid: Type.Integer({ description: 'Rows that passed the checks (in a dry run: would be stored)' }),
  created: Type.Integer({ description: 'New records (contacts, users, accounts or opportunities)' }),
  updated: Type.Integer({ description: 'Existing records completed or changed' }),
  stored: Type.Integer({ description: 'Events stored (events import)' }),
  duplicates: Type.Integer({ description: 'Events seen before: a second run of a file adds nothing' }),
  rejected: Type.Integer(),
  mapping: Type.Record(Type.String(), Type.String()),
  unmappedColumns: Type.Array(Type.String()),
  encoding: Type.Enum(csvEncodings),
  errors: Type.Array(ImportJobRow, { description: 'The first 1,000 row errors' }),
  warnings: Type.Array(ImportJobRow, { description: 'The first 1,000 values kept otherwise than given' }),
});
export type ImportJobReport = Static<typeof ImportJobReport>;

export const ImportJob = Type.Object({
  id: Id,
  kind: Type.Enum(importJobKinds),
  status: Type.Enum(['running', 'done', 'failed'], {
    description: 'failed: the file could not be read (its reason in error), or Baton stopped during the run',
  }),
  dryRun: Type.Boolean(),
  fileName: Type.String(),
  fileBytes: Type.Integer(),
  bytesRead: Type.Integer({ description: 'How far the run has read the file: the progress' }),
  rowsRead: Type.Integer(),
  report: Nullable(ImportJobReport),
  error: Nullable(Type.String()),
  createdBy: Nullable(Id),
  createdAt: Instant,
  finishedAt: Nullable(Instant),
});
export type ImportJob = Static<typeof ImportJob>;
