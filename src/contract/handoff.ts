import { Type, type Static } from 'typebox';
import { Id, Instant, LocalizedText, Nullable, StrictObject } from './common.ts';
import { StageChange } from './stages.ts';

const ReasonKey = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,63}$',
  description: 'Reason code, e.g. no_budget',
});
const Note = Type.String({ minLength: 1, maxLength: 2000 });

export const rejectionOutcomes = ['recycle', 'disqualify'] as const;

export const RejectionReason = Type.Object({
  key: Type.String(),
  label: LocalizedText,
  outcome: Type.Enum(rejectionOutcomes, {
    description: 'recycle: back to Marketing for nurture; disqualify: out of the funnel',
  }),
  position: Type.Integer(),
  active: Type.Boolean(),
});
export type RejectionReason = Static<typeof RejectionReason>;

export const CreateRejectionReasonBody = StrictObject({
  key: ReasonKey,
  label: LocalizedText,
  outcome: Type.Enum(rejectionOutcomes),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
});
export type CreateRejectionReasonBody = Static<typeof CreateRejectionReasonBody>;

export const UpdateRejectionReasonBody = StrictObject({
  label: Type.Optional(LocalizedText),
  outcome: Type.Optional(Type.Enum(rejectionOutcomes)),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  active: Type.Optional(Type.Boolean()),
});
export type UpdateRejectionReasonBody = Static<typeof UpdateRejectionReasonBody>;

const ChecklistItem = StrictObject({
  key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
  label: LocalizedText,
});

export const HandoffSettings = Type.Object({
  engagementReset: Type.Boolean({
    description: "A recycled lead's engagement counts again from zero (earlier touches are ignored)",
  }),
  pingPongLimit: Type.Integer({
    minimum: 1,
    maximum: 20,
    description: 'After this many rejections a lead is routed again only by a person',
  }),
  qualificationChecklist: Type.Array(ChecklistItem, {
    minItems: 1,
    maxItems: 12,
    description: 'What a rep confirms to qualify a lead to SQL (need, budget, authority, timing)',
  }),
});
export type HandoffSettings = Static<typeof HandoffSettings>;

export const UpdateHandoffSettingsBody = StrictObject({
  engagementReset: Type.Optional(HandoffSettings.properties.engagementReset),
  pingPongLimit: Type.Optional(HandoffSettings.properties.pingPongLimit),
  qualificationChecklist: Type.Optional(HandoffSettings.properties.qualificationChecklist),
});
export type UpdateHandoffSettingsBody = Static<typeof UpdateHandoffSettingsBody>;

export const AcceptBody = StrictObject({ note: Type.Optional(Note) });
export type AcceptBody = Static<typeof AcceptBody>;

export const RejectBody = StrictObject({
  reasonCode: ReasonKey,
  note: Type.Optional(Note),
});
export type RejectBody = Static<typeof RejectBody>;

export const QualifyBody = StrictObject({
  answers: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.Boolean(), {
    description: 'Each checklist item confirmed (true) or not',
  }),
  note: Type.Optional(Note),
});
export type QualifyBody = Static<typeof QualifyBody>;

export const HandoffDecision = Type.Object({
  contactId: Id,
  stage: Type.String(),
  change: StageChange,
  rejectionCount: Type.Integer(),
  needsReview: Type.Boolean({
    description: 'Rejected as often as the ping-pong limit: routed again only by a person',
  }),
});
export type HandoffDecision = Static<typeof HandoffDecision>;

export const Qualification = Type.Object({
  id: Id,
  contactId: Id,
  userId: Nullable(Id),
  answers: Type.Record(Type.String(), Type.Boolean()),
  note: Nullable(Type.String()),
  occurredAt: Instant,
});
