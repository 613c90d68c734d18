import { Type, type Static } from 'typebox';
import {
  Currency,
  LocalDate,
  Id,
  Instant,
  LocalizedText,
  Nullable,
  PageQuery,
  StrictObject,
} from './common.ts';

const AmountMinor = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'Amount in minor units (cents)',
});
export const opportunityRoles = [
  'decision_maker',
  'economic_buyer',
  'champion',
  'influencer',
  'user',
  'other',
] as const;
export const opportunityStatuses = ['open', 'won', 'lost'] as const;

export const OpportunityStage = Type.Object({
  key: Type.String(),
  name: LocalizedText,
  position: Type.Integer(),
  probability: Type.Number({ minimum: 0, maximum: 1 }),
  outcome: Type.Enum(opportunityStatuses),
  active: Type.Boolean(),
});
export type OpportunityStage = Static<typeof OpportunityStage>;

const ContactRole = StrictObject({ contactId: Id, role: Type.Enum(opportunityRoles) });

export const OpportunityStageChange = Type.Object({
  from: Nullable(Type.String()),
  to: Type.String(),
  occurredAt: Instant,
  actor: Type.Object({ kind: Type.String(), id: Nullable(Type.String()) }),
  reason: Nullable(Type.String()),
  note: Nullable(Type.String()),
});

export const Opportunity = Type.Object({
  id: Id,
  externalId: Nullable(Type.String()),
  name: Type.String(),
  accountId: Nullable(Id),
  contactId: Nullable(Id),
  ownerId: Nullable(Id),
  stage: Type.String(),
  status: Type.Enum(opportunityStatuses),
  amountMinor: Nullable(Type.Integer()),
  currency: Type.String(),
  product: Nullable(Type.String()),
  expectedCloseOn: Nullable(LocalDate),
  closedOn: Nullable(LocalDate),
  lostReason: Nullable(Type.String()),
  wonReason: Nullable(Type.String({ description: 'Why it was won, when the rep said' })),
  contacts: Type.Array(Type.Object({ contactId: Id, role: Type.String() })),
  stageEnteredAt: Instant,
  createdAt: Instant,
  updatedAt: Instant,
});
export type Opportunity = Static<typeof Opportunity>;

export const OpportunityDetail = Type.Intersect([
  Opportunity,
  Type.Object({ history: Type.Array(OpportunityStageChange) }),
]);
export type OpportunityDetail = Static<typeof OpportunityDetail>;

export const CreateOpportunityBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  contactId: Type.Optional(Id),
  accountId: Type.Optional(Nullable(Id)),
  ownerId: Type.Optional(Nullable(Id)),
  stage: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  amountMinor: Type.Optional(Nullable(AmountMinor)),
  currency: Type.Optional(Currency),
  product: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  expectedCloseOn: Type.Optional(Nullable(LocalDate)),
  contacts: Type.Optional(Type.Array(ContactRole, { maxItems: 50 })),
});
export type CreateOpportunityBody = Static<typeof CreateOpportunityBody>;

export const UpdateOpportunityBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  ownerId: Type.Optional(Nullable(Id)),
  amountMinor: Type.Optional(Nullable(AmountMinor)),
  currency: Type.Optional(Currency),
  product: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  expectedCloseOn: Type.Optional(Nullable(LocalDate)),
  contacts: Type.Optional(Type.Array(ContactRole, { maxItems: 50 })),
});
export type UpdateOpportunityBody = Static<typeof UpdateOpportunityBody>;

export const MoveOpportunityBody = StrictObject({
  stage: Type.String({ minLength: 1, maxLength: 64 }),
  reason: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Why it was won or lost (required for lost; the web app asks it for won too)',
    }),
  ),
  note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  occurredAt: Type.Optional(Instant),
});
export type MoveOpportunityBody = Static<typeof MoveOpportunityBody>;

export const ListOpportunitiesQuery = StrictObject({
  ...PageQuery,
  status: Type.Optional(Type.Enum(opportunityStatuses)),
  ownerId: Type.Optional(Id),
  accountId: Type.Optional(Id),
  contactId: Type.Optional(Id),
});
export type ListOpportunitiesQuery = Static<typeof ListOpportunitiesQuery>;

export const WinRatesQuery = StrictObject({
  by: Type.Enum(['owner', 'manager'], { description: "Per opportunity owner, or per owner's manager" }),
});
export type WinRatesQuery = Static<typeof WinRatesQuery>;

export const WinRates = Type.Object({
  by: Type.Enum(['owner', 'manager']),
  rows: Type.Array(
    Type.Object({
      userId: Nullable(Id),
      name: Nullable(Type.String()),
      won: Type.Integer(),
      lost: Type.Integer(),
      winRate: Nullable(Type.Number({ description: 'won ÷ (won + lost)' })),
    }),
  ),
});
export type WinRates = Static<typeof WinRates>;

const StageKeyPattern = Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' });

export const CreateOpportunityStageBody = StrictObject({
  key: StageKeyPattern,
  name: LocalizedText,
  position: Type.Integer({ minimum: 0, maximum: 100_000 }),
  probability: Type.Number({ minimum: 0, maximum: 1 }),
  outcome: Type.Enum(opportunityStatuses),
});
export type CreateOpportunityStageBody = Static<typeof CreateOpportunityStageBody>;

export const UpdateOpportunityStageBody = StrictObject({
  name: Type.Optional(LocalizedText),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  active: Type.Optional(Type.Boolean()),
});
export type UpdateOpportunityStageBody = Static<typeof UpdateOpportunityStageBody>;

export const StageKeyParams = StrictObject({ key: StageKeyPattern });
