import { Type, type Static } from 'typebox';
import { Currency, Id, Instant, StrictObject } from './common.ts';
import { Month, PeriodKind } from './planning.ts';

const Minor = Type.Integer({
  minimum: 0,
  maximum: 9_000_000_000_000_000,
  description: 'Amount in minor units (cents)',
});

export const PayoutCurve = StrictObject(
  {
    thresholdPct: Type.Number({
      minimum: 0,
      maximum: 100,
      description: 'Nothing is paid below this % of plan',
    }),
    thresholdPayoutPct: Type.Number({
      minimum: 0,
      maximum: 100,
      description: 'Payout at the threshold, rising to 100% at plan',
    }),
    acceleratorRate: Type.Number({
      minimum: 0,
      maximum: 10,
      description: 'Points of payout per point of attainment above plan',
    }),
    capPct: Type.Union([Type.Number({ minimum: 100, maximum: 1000 }), Type.Null()], {
      description: 'The highest payout, or none',
    }),
  },
  { description: 'How attainment turns into payout' },
);

export const componentSources = ['manual', 'own_bookings', 'own_pipeline'] as const;
export const BonusComponentInput = StrictObject({
  key: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }),
  label: Type.String({ minLength: 1, maxLength: 200 }),
  amountAtPlan: Minor,
  target: Type.Integer({ minimum: 1 }),
  source: Type.Enum(componentSources, {
    description: 'manual: the actual is entered; own_bookings/own_pipeline: read from the person’s own deals',
  }),
  actual: Type.Optional(Type.Integer({ minimum: 0, description: 'For a manual component' })),
});

export const BonusParticipantInput = StrictObject({
  userId: Id,
  side: Type.Enum(['marketing', 'sales']),
  weight: Type.Number({
    exclusiveMinimum: 0,
    maximum: 100,
    description: 'Share of the side’s amount, relative to the others',
  }),
  components: Type.Optional(Type.Array(BonusComponentInput, { maxItems: 10 })),
});

export const PutBonusPlanBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  periodKind: PeriodKind,
  periodStart: Month,
  metric: Type.Enum(['bookings', 'pipeline'], {
    description: 'bookings: revenue won in the period; pipeline: opportunity value created in it',
  }),
  plan: Type.Integer({ minimum: 1, description: 'The shared metric’s plan, minor units' }),
  currency: Currency,
  poolAtPlan: Minor,
  marketingSharePct: Type.Number({ minimum: 0, maximum: 100 }),
  curve: PayoutCurve,
  participants: Type.Array(BonusParticipantInput, { maxItems: 500 }),
});
export type PutBonusPlanBody = Static<typeof PutBonusPlanBody>;

export const BonusPlan = Type.Object({
  id: Id,
  name: Type.String(),
  periodKind: PeriodKind,
  periodStart: Month,
  metric: Type.Enum(['bookings', 'pipeline']),
  plan: Type.Integer(),
  currency: Currency,
  poolAtPlan: Type.Integer(),
  marketingSharePct: Type.Number(),
  curve: PayoutCurve,
  participants: Type.Array(
    Type.Object({
      userId: Id,
      name: Type.String(),
      side: Type.Enum(['marketing', 'sales']),
      weight: Type.Number(),
      components: Type.Array(BonusComponentInput),
    }),
  ),
  updatedAt: Instant,
});
export type BonusPlan = Static<typeof BonusPlan>;

const Line = Type.Object({
  key: Type.String(),
  label: Type.String(),
  amountAtPlan: Type.Integer(),
  target: Type.Integer(),
  actual: Type.Integer(),
  attainmentPct: Type.Number(),
  payoutPct: Type.Number(),
  payout: Type.Integer(),
});

export const BonusStatements = Type.Object({
  planId: Id,
  name: Type.String(),
  periodKind: PeriodKind,
  periodStart: Month,
  currency: Currency,
  asOf: Instant,
  metric: Type.Enum(['bookings', 'pipeline']),
  plan: Type.Integer(),
  actual: Type.Integer(),
  attainmentPct: Type.Number(),
  payoutPct: Type.Number(),
  band: Type.Enum(['below_threshold', 'to_plan', 'accelerated', 'capped']),
  sharedPayout: Type.Integer(),
  marketingAmount: Type.Integer(),
  salesAmount: Type.Integer(),
  unallocated: Type.Integer(),
  total: Type.Integer({ description: 'What the plan pays in all; the sum of every statement' }),
  statements: Type.Array(
    Type.Object({
      userId: Id,
      name: Type.String(),
      side: Type.Enum(['marketing', 'sales']),
      shared: Type.Object({
        sideAmount: Type.Integer(),
        weight: Type.Number(),
        sideWeight: Type.Number(),
        payout: Type.Integer(),
      }),
      components: Type.Array(Line),
      total: Type.Integer(),
    }),
    { description: 'Everyone’s for directors and admins; your own otherwise' },
  ),
});
export type BonusStatements = Static<typeof BonusStatements>;
