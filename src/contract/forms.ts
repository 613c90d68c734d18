import { Type, type Static } from 'typebox';
import { marketingEventTypes } from '../domain/capture/event-types.ts';
import { personImportFields } from '../domain/capture/guess-mapping.ts';
import { Id, Instant, Nullable, StrictObject } from './common.ts';

/**
 * Contact fields a form field can fill: what a visitor says about themselves (an import's id in
 * another CRM and its outcome are not for visitors to type).
 */
export const formTargets = personImportFields;

const FieldName = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' });
const Origin = Type.String({ pattern: '^https?://[^/\\s]+$', description: 'e.g. https://www.example.nl' });
const ConsentText = StrictObject({
  en: Type.String({ minLength: 1, maxLength: 2000 }),
  nl: Type.String({ minLength: 1, maxLength: 2000 }),
});

export const Form = Type.Object({
  id: Id,
  key: Type.String({ description: 'Public key in the form URL: POST /f/{key}' }),
  name: Type.String(),
  eventType: Type.String(),
  fieldMapping: Type.Record(Type.String(), Type.Enum(formTargets)),
  consentText: Nullable(Type.Object({ en: Type.String(), nl: Type.String() })),
  redirectUrl: Nullable(Type.String()),
  allowedOrigins: Type.Array(Type.String()),
  isActive: Type.Boolean(),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Form = Static<typeof Form>;

const formFields = {
  eventType: Type.Optional(Type.Enum(marketingEventTypes, { description: 'The event a submission records' })),
  fieldMapping: Type.Optional(
    Type.Record(FieldName, Type.Enum(formTargets), {
      description: 'Form field name → contact field; fields with these names map to themselves by default',
    }),
  ),
  consentText: Type.Optional(Nullable(ConsentText)),
  redirectUrl: Type.Optional(Nullable(Type.String({ format: 'uri', maxLength: 2000 }))),
  allowedOrigins: Type.Optional(Type.Array(Origin, { maxItems: 50, uniqueItems: true })),
};

export const CreateFormBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  ...formFields,
});
export type CreateFormBody = Static<typeof CreateFormBody>;

export const UpdateFormBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  isActive: Type.Optional(Type.Boolean()),
  ...formFields,
});
export type UpdateFormBody = Static<typeof UpdateFormBody>;

export const FormSnippet = Type.Object({
  html: Type.String({ description: 'Paste into any web page: the tracking script and the form' }),
});
export type FormSnippet = Static<typeof FormSnippet>;

export const FormKeyParams = StrictObject({ key: Type.String({ pattern: '^[A-Za-z0-9_-]{6,64}$' }) });
