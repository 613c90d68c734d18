import { Type, type Static } from 'typebox';
import { FieldError, Id, Instant, StrictObject } from './common.ts';
import { ListContactsQuery } from './contacts.ts';

/** The lists a view can be saved for. */
export const viewLists = ['contacts'] as const;

/** The columns of the contacts list, in their order on screen and in the export. */
export const contactColumns = ['name', 'email', 'phone', 'stage', 'owner', 'created'] as const;
export type ContactColumn = (typeof contactColumns)[number];

const Columns = Type.Array(Type.Enum(contactColumns), {
  minItems: 1,
  uniqueItems: true,
  description: 'The columns shown, in order',
});

/** What a view keeps: the search, the filters and the columns, as the list's address carries them. */
export const ViewState = StrictObject({
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  stage: Type.Optional(Type.String({ maxLength: 50 })),
  ownerId: Type.Optional(Id),
  teamId: Type.Optional(Id),
  grade: Type.Optional(Type.String({ pattern: '^[ABC][123]?$' })),
  source: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  campaign: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  createdFrom: Type.Optional(Instant),
  createdBefore: Type.Optional(Instant),
  columns: Type.Optional(Columns),
});
export type ViewState = Static<typeof ViewState>;

export const SavedView = Type.Object({
  id: Id,
  list: Type.Enum(viewLists),
  name: Type.String(),
  state: ViewState,
  shared: Type.Boolean({ description: 'Offered to everyone who sees the list, not only its owner' }),
  ownerId: Id,
  mine: Type.Boolean({ description: 'Whether the reader saved it (and so may change it)' }),
  createdAt: Instant,
  updatedAt: Instant,
});
export type SavedView = Static<typeof SavedView>;

const ViewName = Type.String({ minLength: 1, maxLength: 80 });

export const CreateViewBody = StrictObject({
  list: Type.Enum(viewLists),
  name: ViewName,
  state: ViewState,
  shared: Type.Optional(Type.Boolean({ default: false })),
});
export type CreateViewBody = Static<typeof CreateViewBody>;

export const UpdateViewBody = StrictObject({
  name: Type.Optional(ViewName),
  state: Type.Optional(ViewState),
  shared: Type.Optional(Type.Boolean()),
});
export type UpdateViewBody = Static<typeof UpdateViewBody>;

export const ListViewsQuery = StrictObject({ list: Type.Enum(viewLists) });
export type ListViewsQuery = Static<typeof ListViewsQuery>;

/** The most contacts one bulk action takes: what a person selects on screen, a few pages of it. */
export const maxBulkContacts = 500;

const ContactIds = Type.Array(Id, {
  minItems: 1,
  maxItems: maxBulkContacts,
  uniqueItems: true,
  description: `Up to ${maxBulkContacts} contacts; each is done or refused on its own`,
});

export const BulkContactsBody = Type.Union([
  StrictObject({
    action: Type.Literal('assign'),
    contactIds: ContactIds,
    userId: Id,
    reason: Type.String({ minLength: 3, maxLength: 500, description: 'Why, for the record and the rep' }),
  }),
  StrictObject({
    action: Type.Literal('recycle'),
    contactIds: ContactIds,
    reasonCode: Type.String({
      pattern: '^[a-z][a-z0-9_.-]{0,63}$',
      description: 'Reason code, e.g. not_now',
    }),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  }),
  StrictObject({
    action: Type.Literal('add_to_campaign'),
    contactIds: ContactIds,
    campaign: Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '\\S',
      description: 'The campaign by its name, as touches name it (e.g. "Nurture Q1"); a member once',
    }),
  }),
]);
export type BulkContactsBody = Static<typeof BulkContactsBody>;

export const BulkContactsResponse = Type.Object({
  done: Type.Integer(),
  failed: Type.Integer(),
  results: Type.Array(
    Type.Object({
      contactId: Id,
      status: Type.Enum(['done', 'failed']),
      code: Type.Optional(Type.String({ description: 'The problem code when it failed' })),
      detail: Type.Optional(Type.String()),
      errors: Type.Optional(Type.Array(FieldError)),
    }),
  ),
});
export type BulkContactsResponse = Static<typeof BulkContactsResponse>;

/** The list's search and filters, without its paging. */
const filters = Type.Omit(ListContactsQuery, ['limit', 'cursor']).properties;

export const ExportContactsQuery = StrictObject({
  ...filters,
  columns: Type.Optional(
    Type.String({
      pattern: `^(${contactColumns.join('|')})(,(${contactColumns.join('|')}))*$`,
      description: `The columns to write, comma-separated (${contactColumns.join(', ')}); all by default`,
    }),
  ),
});
export type ExportContactsQuery = Static<typeof ExportContactsQuery>;
