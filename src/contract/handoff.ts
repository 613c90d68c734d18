import { Type, type Static } from 'typebox';
import { AgreementSpans, Id, Instant, LocalizedText, Nullable, PageQuery, StrictObject } from './common.ts';
import { Account } from './accounts.ts';
import { Contact, Touchpoint } from './contacts.ts';
import { Assignment } from './routing.ts';
import { ContactScore } from './scoring.ts';
import { StageChange } from './stages.ts';

export const ReasonKey = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,63}$',
  description: 'Reason code, e.g. no_budget',
});
export const Note = Type.String({ minLength: 1, maxLength: 2000 });

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

export const OrderRejectionReasonsBody = StrictObject({
  keys: Type.Array(ReasonKey, {
    minItems: 1,
    maxItems: 200,
    uniqueItems: true,
    description: 'Every reason key, retired ones too, in the order reps see them',
  }),
});
export type OrderRejectionReasonsBody = Static<typeof OrderRejectionReasonsBody>;

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

export const activityTypes = ['call_logged', 'email_sent', 'meeting_held'] as const;

export const LogActivityBody = StrictObject({
  type: Type.Enum(activityTypes, { description: 'A call, an email or a meeting with the lead' }),
  occurredAt: Type.Optional(Instant),
  note: Type.Optional(Note),
});
export type LogActivityBody = Static<typeof LogActivityBody>;

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

export const rejectionDimensions = ['source', 'campaign', 'form', 'score_band', 'rep'] as const;

const fateFilter = {
  from: Instant,
  to: Instant,
  source: Type.Optional(Type.String({ maxLength: 200 })),
  campaign: Type.Optional(Type.String({ maxLength: 200 })),
  formId: Type.Optional(Id),
  repId: Type.Optional(Id),
};

/** The leads handed over in a period, filtered: the CSV export has them all. */
export const FatesFilterQuery = StrictObject(fateFilter);
export type FatesFilterQuery = Static<typeof FatesFilterQuery>;

/** The same, a page of leads at a time. */
export const FatesQuery = StrictObject({ ...fateFilter, ...PageQuery });
export type FatesQuery = Static<typeof FatesQuery>;

export const LeadFate = Type.Object({
  contactId: Id,
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  mqlAt: Instant,
  source: Nullable(Type.String({ description: 'Where the lead first came from' })),
  campaign: Nullable(
    Type.String({ description: 'The campaign of the last marketing touch before the handover' }),
  ),
  form: Nullable(Type.Object({ id: Id, name: Type.String() })),
  scoreBand: Nullable(Type.String({ description: 'The grade (fit letter, engagement digit)' })),
  assignedTo: Nullable(Id),
  assignedAt: Nullable(Instant),
  decision: Nullable(Type.Enum(['accepted', 'rejected'])),
  decidedAt: Nullable(Instant),
  decidedBy: Nullable(Type.String()),
  reasonCode: Nullable(Type.String()),
  rejectedTo: Nullable(Type.String()),
  sqlAt: Nullable(Instant),
  opportunity: Nullable(
    Type.Object({
      id: Id,
      status: Type.Enum(['open', 'won', 'lost']),
      amountMinor: Nullable(Type.Integer()),
      currency: Type.String(),
      closedOn: Nullable(Type.String()),
    }),
  ),
  stage: Type.String({ description: 'Where the lead is now' }),
});
export type LeadFate = Static<typeof LeadFate>;

export const FatesReport = Type.Object({
  from: Instant,
  to: Instant,
  agreements: AgreementSpans,
  summary: Type.Object({
    mqls: Type.Integer(),
    assigned: Type.Integer(),
    accepted: Type.Integer(),
    rejected: Type.Integer(),
    sql: Type.Integer(),
    opportunities: Type.Integer(),
    won: Type.Integer(),
    lost: Type.Integer(),
    wonAmountMinor: Type.Record(Type.String(), Type.Integer(), { description: 'Won amounts per currency' }),
  }),
  data: Type.Array(LeadFate, { description: 'Newest handover first, one page of them' }),
  nextCursor: Nullable(Type.String({ description: 'Cursor of the next page, null on the last page' })),
});
export type FatesReport = Static<typeof FatesReport>;

export const RejectionsQuery = StrictObject({
  from: Instant,
  to: Instant,
  by: Type.Enum(rejectionDimensions),
});
export type RejectionsQuery = Static<typeof RejectionsQuery>;

export const RejectionsReport = Type.Object({
  from: Instant,
  to: Instant,
  agreements: AgreementSpans,
  by: Type.Enum(rejectionDimensions),
  groups: Type.Array(
    Type.Object({
      key: Nullable(Type.String()),
      label: Nullable(Type.String({ description: 'A form or rep name for their id' })),
      mqls: Type.Integer(),
      accepted: Type.Integer(),
      rejected: Type.Integer(),
      rejectionRate: Nullable(Type.Number()),
      reasons: Type.Array(Type.Object({ code: Type.String(), count: Type.Integer() })),
    }),
  ),
});
export type RejectionsReport = Static<typeof RejectionsReport>;

export const HandoffContext = Type.Object({
  contact: Contact,
  score: Nullable(ContactScore),
  account: Nullable(Account),
  /** The latest routing decision: why the lead went where it did. */
  routing: Nullable(Assignment),
  timeline: Type.Array(
    Type.Union([
      Type.Object({ kind: Type.Literal('touch'), at: Instant, touch: Touchpoint }),
      Type.Object({ kind: Type.Literal('stage'), at: Instant, change: StageChange }),
    ]),
    { description: 'Touches, sales activities and stage changes, newest first' },
  ),
  recycles: Type.Array(
    Type.Object({
      at: Instant,
      to: Type.String(),
      reasonCode: Nullable(Type.String()),
      reason: Nullable(LocalizedText),
      note: Nullable(Type.String()),
      by: Nullable(Type.String()),
    }),
    { description: 'Earlier times Sales sent the lead back or out, with the reasons' },
  ),
  qualifications: Type.Array(Qualification),
});
export type HandoffContext = Static<typeof HandoffContext>;
