import { Type, type Static } from 'typebox';
import { StrictObject } from './common.ts';

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
      description: 'Column overrides, COLUMN=field; repeat for several',
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
