import { Type, type Static } from 'typebox';
import { Id, Instant, LocalizedText, Nullable, StrictObject } from './common.ts';
import { Note, ReasonKey } from './handoff.ts';

/**
 * One-click actions from an email: the link opens a page, which shows what the link does and acts
 * only when the rep confirms (a POST), so a mail scanner that opens links changes nothing.
 */
export const OneClickAction = Type.Union([
  Type.Literal('accept'),
  Type.Literal('reject'),
  Type.Literal('log_call'),
]);
export type OneClickAction = Static<typeof OneClickAction>;

export const OneClickTokenBody = StrictObject({ token: Type.String({ minLength: 10, maxLength: 200 }) });
export type OneClickTokenBody = Static<typeof OneClickTokenBody>;

export const OneClickPreview = Type.Object({
  action: OneClickAction,
  expiresAt: Instant,
  rep: Type.Object({ name: Type.String(), language: Type.String() }),
  lead: Type.Object({
    id: Id,
    name: Type.String(),
    company: Nullable(Type.String()),
    stage: Type.String(),
  }),
  reasons: Type.Array(Type.Object({ key: Type.String(), label: LocalizedText }), {
    description: 'The active rejection reasons, for a reject link',
  }),
});
export type OneClickPreview = Static<typeof OneClickPreview>;

export const OneClickActBody = StrictObject({
  token: Type.String({ minLength: 10, maxLength: 200 }),
  reasonCode: Type.Optional(ReasonKey),
  note: Type.Optional(Note),
});
export type OneClickActBody = Static<typeof OneClickActBody>;

export const OneClickDone = Type.Object({ action: OneClickAction, contactId: Id, stage: Type.String() });
export type OneClickDone = Static<typeof OneClickDone>;
