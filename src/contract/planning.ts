import { Type, type Static } from 'typebox';
import { WATERFALL_STAGES, WATERFALL_STEPS } from '../domain/planning/plan-waterfall.ts';
import { Currency, Id, Instant, Nullable, saneYear, StrictObject } from './common.ts';

const Minor = Type.Integer({ description: 'Amount in minor units (cents)' });
export const Month = Type.String({
  pattern: `^${saneYear}-(0[1-9]|1[0-2])$`,
  description: 'A month, YYYY-MM, in the years 1900 to 2999',
});
export const PeriodKind = Type.Enum(['month', 'quarter', 'year'], { description: 'The length of a period' });
export type PeriodKind = Static<typeof PeriodKind>;

export const targetMetrics = ['revenue', 'pipeline', 'wins', 'sql', 'sal', 'mql'] as const;
export const TargetMetric = Type.Enum(targetMetrics, {
  description: 'New revenue and pipeline are money (minor units); wins, SQL, SAL and MQL are counts',
});
export type TargetMetric = Static<typeof TargetMetric>;
export const OwnerKind = Type.Enum(['company', 'team', 'user'], { description: 'Whose target it is' });

export const Target = Type.Object({
  id: Id,
  periodKind: PeriodKind,
  periodStart: Month,
  metric: TargetMetric,
  owner: Type.Object({
    kind: OwnerKind,
    id: Nullable(Id),
    name: Type.String({ description: 'The company, team or person, for display' }),
  }),
  value: Type.Integer({ minimum: 0 }),
  currency: Nullable(Currency),
  joint: Type.Boolean({ description: 'Marketing and Sales share this target' }),
  note: Nullable(Type.String()),
  updatedAt: Instant,
});
export type Target = Static<typeof Target>;

export const TargetsQuery = StrictObject({
  periodStart: Type.Optional(Month),
  periodKind: Type.Optional(PeriodKind),
  metric: Type.Optional(TargetMetric),
});

export const PutTargetBody = StrictObject({
  periodKind: PeriodKind,
  periodStart: Month,
  metric: TargetMetric,
  ownerKind: OwnerKind,
  ownerId: Type.Optional(Nullable(Id)),
  value: Type.Integer({ minimum: 0, maximum: 9_000_000_000_000_000 }),
  currency: Type.Optional(Nullable(Currency)),
  joint: Type.Optional(Type.Boolean({ default: false })),
  note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
});
export type PutTargetBody = Static<typeof PutTargetBody>;

const Rate = Type.Number({ exclusiveMinimum: 0, maximum: 1 });
const Days = Type.Number({ minimum: 0, maximum: 730 });
const steps = <T extends typeof Rate>(schema: T) =>
  StrictObject({
    opportunityToWon: schema,
    sqlToOpportunity: schema,
    salToSql: schema,
    mqlToSal: schema,
    inquiryToMql: schema,
  });
const optionalSteps = <T extends typeof Rate>(schema: T) =>
  StrictObject({
    opportunityToWon: Type.Optional(schema),
    sqlToOpportunity: Type.Optional(schema),
    salToSql: Type.Optional(schema),
    mqlToSal: Type.Optional(schema),
    inquiryToMql: Type.Optional(schema),
  });

export const PlanInputBody = StrictObject({
  periodKind: PeriodKind,
  periodStart: Month,
  revenueTarget: Type.Integer({ minimum: 1, description: 'Revenue to win in the period, minor units' }),
  currency: Currency,
  averageDealSize: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'Minor units; from the won deals of the history window when left out',
    }),
  ),
  rates: Type.Optional(optionalSteps(Rate)),
  lagDays: Type.Optional(optionalSteps(Days)),
  phasing: Type.Optional(Type.Array(Type.Number({ minimum: 0 }), { maxItems: 12 })),
  historyMonths: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 36,
      default: 12,
      description: 'How far back the company’s own rates are read',
    }),
  ),
  sensitivityPoints: Type.Optional(Type.Number({ minimum: 1, maximum: 50, default: 5 })),
});
export type PlanInputBody = Static<typeof PlanInputBody>;

export const SavePlanBody = StrictObject({
  ...PlanInputBody.properties,
  name: Type.String({ minLength: 1, maxLength: 200 }),
});

const Source = Type.Object({
  source: Type.Enum(['given', 'history', 'default']),
  sample: Type.Integer({ description: 'How many records the history figure is read from' }),
});

const Stage = Type.Enum(WATERFALL_STAGES);
export const PlanResult = Type.Object({
  periodKind: PeriodKind,
  periodStart: Month,
  currency: Currency,
  revenueTarget: Minor,
  averageDealSize: Minor,
  rates: steps(Rate),
  lagDays: steps(Days),
  sources: Type.Object({
    averageDealSize: Source,
    rates: Type.Record(Type.String(), Source),
    lagDays: Type.Record(Type.String(), Source),
    historyFrom: Instant,
    historyTo: Instant,
  }),
  months: Type.Array(Month),
  rows: Type.Array(
    Type.Object({
      stage: Stage,
      exact: Type.Number(),
      needed: Type.Integer(),
      byMonth: Type.Array(Type.Object({ month: Month, needed: Type.Integer(), exact: Type.Number() })),
    }),
  ),
  sensitivity: Type.Array(
    Type.Object({
      step: Type.Enum(WATERFALL_STEPS),
      from: Type.Number(),
      to: Type.Number(),
      needed: Type.Record(Type.String(), Type.Integer()),
      change: Type.Record(Type.String(), Type.Integer()),
    }),
  ),
});
export type PlanResult = Static<typeof PlanResult>;

export const SavedPlan = Type.Object({
  id: Id,
  name: Type.String(),
  current: Type.Boolean({ description: 'The plan of its period (the latest saved)' }),
  createdAt: Instant,
  createdBy: Nullable(Type.String()),
  plan: PlanResult,
});
export type SavedPlan = Static<typeof SavedPlan>;

export const PeriodQuery = StrictObject({ periodKind: PeriodKind, periodStart: Month });

export const PaceStage = Type.Object({
  stage: Stage,
  planTotal: Type.Integer(),
  plannedToDate: Type.Number(),
  actualToDate: Type.Integer(),
  ratio: Nullable(Type.Number()),
  projection: Type.Integer(),
  status: Type.Enum(['not_started', 'ahead', 'on_track', 'behind']),
  byMonth: Type.Array(Type.Object({ month: Month, planned: Type.Integer(), actual: Type.Integer() })),
});
export const Pacing = Type.Object({
  plan: Nullable(Type.Object({ id: Id, name: Type.String() })),
  periodKind: PeriodKind,
  periodStart: Month,
  asOf: Instant,
  currency: Nullable(Currency),
  revenue: Type.Object({ planned: Minor, wonToDate: Minor, projection: Minor }),
  stages: Type.Array(PaceStage),
  alerts: Type.Array(
    Type.Object({ stage: Stage, message: Type.Object({ en: Type.String(), nl: Type.String() }) }),
  ),
  agreements: Type.Array(Type.Object({ version: Nullable(Type.Integer()), from: Instant, to: Instant }), {
    description: 'The agreement version in force in each part of the period',
  }),
});
export type Pacing = Static<typeof Pacing>;
