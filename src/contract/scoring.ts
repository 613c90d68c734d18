import { Type, type Static } from 'typebox';
import { eventTypes } from '../domain/capture/event-types.ts';
import { Id, Instant, Nullable, StrictObject } from './common.ts';

const Field = Type.String({
  minLength: 1,
  maxLength: 200,
  description:
    'A contact field (email, emailDomain, firstName, lastName, title, phone, country, source, latestSource), ' +
    'an account field (account.name, account.industry, account.employeeCount, account.country, account.domain), ' +
    "or a form's or an import's own field as attributes.<name>",
});
const Scalar = Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()]);
const Points = Type.Number({ minimum: -1000, maximum: 1000 });
const RuleId = Type.String({
  pattern: '^[A-Za-z0-9_.-]{1,64}$',
  description: 'Stable id, shown in explanations',
});
const Label = Type.String({ minLength: 1, maxLength: 200 });
const Group = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' });

const LeafCondition = Type.Union([
  StrictObject({ op: Type.Literal('equals'), field: Field, value: Scalar }),
  StrictObject({
    op: Type.Literal('in'),
    field: Field,
    values: Type.Array(Type.Union([Type.String({ maxLength: 500 }), Type.Number()]), {
      minItems: 1,
      maxItems: 500,
    }),
  }),
  StrictObject({
    op: Type.Literal('contains'),
    field: Field,
    value: Type.String({ minLength: 1, maxLength: 500 }),
  }),
  StrictObject({
    op: Type.Literal('range'),
    field: Field,
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
  }),
  StrictObject({ op: Type.Literal('exists'), field: Field }),
  StrictObject({ op: Type.Literal('free_mail') }),
]);

export const Condition = Type.Union([
  ...LeafCondition.anyOf,
  StrictObject(
    {
      op: Type.Literal('any'),
      conditions: Type.Array(LeafCondition, { minItems: 1, maxItems: 20 }),
    },
    {
      description:
        "A group: any one of its conditions must hold (OR), while all of a rule's conditions must (AND)",
    },
  ),
]);

export const FitRule = StrictObject({
  id: RuleId,
  label: Label,
  conditions: Type.Array(Condition, { minItems: 1, maxItems: 20 }),
  points: Points,
  group: Type.Optional(Group),
});

const touchFilter = {
  eventTypes: Type.Array(Type.Enum(eventTypes), { minItems: 1, uniqueItems: true }),
  urlContains: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  campaign: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  properties: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 500 }))),
};
export const TouchFilter = StrictObject(touchFilter);

export const EngagementRule = StrictObject({
  id: RuleId,
  label: Label,
  ...touchFilter,
  points: Points,
  maxPerPeriod: Type.Optional(
    StrictObject({
      count: Type.Integer({ minimum: 1, maximum: 10_000 }),
      days: Type.Integer({ minimum: 1, maximum: 366 }),
    }),
  ),
  cap: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
  group: Type.Optional(Group),
  decays: Type.Optional(
    Type.Boolean({ description: 'False for points that should not fade (default true)' }),
  ),
});

export const ScoringModelDefinition = StrictObject({
  fitRules: Type.Array(FitRule, { maxItems: 500 }),
  engagementRules: Type.Array(EngagementRule, { maxItems: 500 }),
  halfLifeDays: Type.Number({
    minimum: 0,
    maximum: 3650,
    description: 'Engagement halves every N days; 0: no decay',
  }),
  lookbackDays: Type.Integer({ minimum: 1, maximum: 3650, description: 'Older touches do not count' }),
  groupCaps: Type.Record(Group, Type.Number({ minimum: 0, maximum: 100_000 })),
  grades: StrictObject({
    fit: StrictObject({ a: Type.Number(), b: Type.Number() }),
    engagement: StrictObject({ one: Type.Number(), two: Type.Number() }),
  }),
  mql: StrictObject({
    fitAtLeast: Type.Number(),
    engagementAtLeast: Type.Number(),
    highIntent: Type.Array(TouchFilter, { maxItems: 50 }),
    highIntentWithinDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    recycleCoolOffDays: Type.Integer({ minimum: 0, maximum: 3650 }),
  }),
  accountEngagementCap: Type.Number({ minimum: 0, maximum: 1_000_000 }),
});
export type ScoringModelDefinition = Static<typeof ScoringModelDefinition>;

export const scoringModelStatuses = ['draft', 'active', 'retired'] as const;

export const ScoringModel = Type.Object({
  id: Id,
  version: Type.Integer({ description: 'Increases with every model; every stored score names it' }),
  name: Type.String(),
  status: Type.Enum(scoringModelStatuses),
  origin: Type.Enum(['manual', 'learned']),
  basedOnId: Nullable(Id),
  definition: ScoringModelDefinition,
  createdAt: Instant,
  updatedAt: Instant,
  activatedAt: Nullable(Instant),
});
export type ScoringModel = Static<typeof ScoringModel>;

export const CreateScoringModelBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  definition: Type.Optional(ScoringModelDefinition),
  basedOnId: Type.Optional(
    Type.Unsafe<string>({
      ...Id,
      description: 'Start from a copy of this model (default: the built-in model)',
    }),
  ),
});
export type CreateScoringModelBody = Static<typeof CreateScoringModelBody>;

export const UpdateScoringModelBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  definition: Type.Optional(ScoringModelDefinition),
});
export type UpdateScoringModelBody = Static<typeof UpdateScoringModelBody>;

export const ScoringPreview = Type.Object({
  modelId: Id,
  contacts: Type.Integer({ description: 'Contacts scored' }),
  qualifying: Type.Integer({ description: 'Contacts the MQL rule holds for under this model' }),
  newMqls: Type.Integer({
    description: 'Contacts before the MQL stage that this model would move to MQL on activation',
  }),
  grades: Type.Record(Type.String(), Type.Integer(), { description: 'Contacts per grade (A1…C3)' }),
  fit: Type.Array(Type.Object({ from: Type.Number(), to: Type.Number(), contacts: Type.Integer() })),
  engagement: Type.Array(Type.Object({ from: Type.Number(), to: Type.Number(), contacts: Type.Integer() })),
  active: Nullable(
    Type.Object({
      modelId: Id,
      version: Type.Integer(),
      qualifying: Type.Integer(),
      grades: Type.Record(Type.String(), Type.Integer()),
    }),
  ),
});
export type ScoringPreview = Static<typeof ScoringPreview>;

export const ScoringRun = Type.Object({
  id: Id,
  modelId: Id,
  status: Type.Enum(['running', 'done', 'superseded']),
  total: Type.Integer(),
  done: Type.Integer(),
  startedAt: Instant,
  finishedAt: Nullable(Instant),
});
export type ScoringRun = Static<typeof ScoringRun>;

export const ActivationResult = Type.Object({ model: ScoringModel, run: ScoringRun });

const FitHit = Type.Object({
  ruleId: Type.String(),
  label: Type.String(),
  points: Type.Number(),
  group: Nullable(Type.String()),
});
const EngagementHit = Type.Object({
  ruleId: Type.String(),
  label: Type.String(),
  matched: Type.Integer({ description: 'Touches the rule matched within the lookback' }),
  counted: Type.Integer({ description: 'Touches counted after the per-period limit' }),
  pointsBeforeDecay: Type.Number(),
  pointsAfterDecay: Type.Number(),
  cappedBy: Type.Number({ description: 'Points the rule cap removed' }),
  points: Type.Number({ description: 'What the rule contributes' }),
  group: Nullable(Type.String()),
});

export const ScoreExplanation = Type.Object({
  fit: Type.Array(FitHit),
  engagement: Type.Array(EngagementHit),
  groupCaps: Type.Array(
    Type.Object({
      dimension: Type.Enum(['fit', 'engagement']),
      group: Type.String(),
      cap: Type.Number(),
      before: Type.Number(),
      after: Type.Number(),
    }),
  ),
  halfLifeDays: Type.Number(),
  mql: Type.Object({
    fitAtLeast: Type.Number(),
    engagementAtLeast: Type.Number(),
    qualifies: Type.Boolean(),
    by: Nullable(Type.Enum(['thresholds', 'high_intent'])),
    highIntentTouchId: Nullable(Type.String()),
  }),
});

export const ContactScore = Type.Object({
  contactId: Id,
  modelId: Id,
  modelVersion: Type.Integer(),
  fit: Type.Number(),
  engagement: Type.Number(),
  grade: Type.String({ description: 'Fit letter (A best) and engagement digit (1 best)' }),
  qualifies: Type.Boolean({ description: 'The MQL rule held at the last scoring' }),
  explanation: ScoreExplanation,
  scoredAt: Instant,
});
export type ContactScore = Static<typeof ContactScore>;

export const AccountScore = Type.Object({
  accountId: Id,
  modelId: Id,
  modelVersion: Type.Integer(),
  fit: Type.Number({ description: "The account's own fit: the model's fit rules on account fields" }),
  engagement: Type.Number({ description: "Its contacts' engagement summed, up to the cap" }),
  engagementCap: Type.Number(),
  contacts: Type.Integer({ description: 'Scored contacts counted' }),
  grade: Type.String(),
});
export type AccountScore = Static<typeof AccountScore>;

const Rate = Nullable(Type.Number({ minimum: 0, maximum: 1 }));

export const CalibrationQuery = StrictObject({
  holdout: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      maximum: 0.9,
      description:
        'Report on this share of contacts only (a stable split by id), e.g. to compare with a learned model',
    }),
  ),
});

export const CalibrationReport = Type.Object({
  modelId: Id,
  modelVersion: Type.Integer(),
  scope: Type.Enum(['all', 'held_out']),
  contacts: Type.Integer({
    description: 'Contacts with a known outcome (label, or accepted/rejected/SQL/won)',
  }),
  converted: Type.Integer(),
  auc: Type.Object({
    score: Nullable(Type.Number({ description: 'AUC of fit + engagement' })),
    fit: Nullable(Type.Number()),
    engagement: Nullable(Type.Number()),
  }),
  bands: Type.Array(
    Type.Object({
      from: Nullable(Type.Number()),
      to: Nullable(Type.Number()),
      contacts: Type.Integer(),
      converted: Type.Integer(),
      rate: Rate,
    }),
    { description: 'Conversion by band of fit + engagement (quintiles)' },
  ),
  rules: Type.Array(
    Type.Object({
      ruleId: Type.String(),
      label: Type.String(),
      points: Type.Number(),
      withRule: Type.Object({ contacts: Type.Integer(), rate: Rate }),
      withoutRule: Type.Object({ contacts: Type.Integer(), rate: Rate }),
      lift: Nullable(Type.Number()),
    }),
  ),
  suggestedThreshold: Nullable(
    Type.Object({
      threshold: Type.Number({ description: 'On fit + engagement' }),
      truePositiveRate: Type.Number(),
      falsePositiveRate: Type.Number(),
      precision: Type.Number(),
      share: Type.Number({ description: 'Share of contacts at or above it' }),
    }),
  ),
});
export type CalibrationReport = Static<typeof CalibrationReport>;

export const LearnModelBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  basedOnId: Type.Optional(
    Type.Unsafe<string>({
      ...Id,
      description: 'Keep this model’s engagement rules (default: the active model)',
    }),
  ),
  exclude: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      maxItems: 200,
      description: 'Fields not to learn from, such as those Sales fills in after contact (attributes.Tags)',
    }),
  ),
  include: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      maxItems: 200,
      description:
        'Fields to learn from even though they predict the outcome almost perfectly on their own (left out by default as leaks)',
    }),
  ),
  holdout: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      maximum: 0.9,
      description: 'Share of contacts kept aside to test on (0.3)',
    }),
  ),
});
export type LearnModelBody = Static<typeof LearnModelBody>;

const FieldStrength = Type.Object({
  field: Type.String(),
  auc: Type.Number({ description: 'How well the field alone separates converters (0.5 chance, 1 perfect)' }),
  excluded: Type.Boolean({ description: 'Whether learning left it out' }),
});

export const LearnModelResult = Type.Object({
  model: ScoringModel,
  candidates: Type.Integer({ description: 'Conditions considered' }),
  leaks: Type.Array(FieldStrength, {
    description:
      'Fields that predict the outcome almost perfectly on their own (AUC ≥ 0.9): almost always filled in after the fact; left out unless included',
  }),
  suspects: Type.Array(FieldStrength, {
    description:
      'Strong fields under the leak bar (AUC ≥ 0.75), kept: check whether they are known before the outcome',
  }),
  training: Type.Object({ contacts: Type.Integer(), converted: Type.Integer() }),
  heldOut: Type.Object({
    contacts: Type.Integer(),
    converted: Type.Integer(),
    learnedAuc: Nullable(Type.Number()),
    basedOnAuc: Nullable(Type.Number({ description: 'The model it was based on, on the same contacts' })),
  }),
});
export type LearnModelResult = Static<typeof LearnModelResult>;
