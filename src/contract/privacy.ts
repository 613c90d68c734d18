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
