import { Type, type Static } from 'typebox';
import { Id, Instant, Message, Nullable, StrictObject } from './common.ts';
import { Condition } from './scoring.ts';
export { routingFields } from '../domain/routing/fields.ts';

export const routingStrategies = ['round_robin', 'weighted', 'balanced'] as const;

const MemberInput = StrictObject({
  userId: Id,
  weight: Type.Optional(
    Type.Number({ minimum: 0, maximum: 100, description: 'Share in a weighted pool (1)' }),
  ),
  capPerDay: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 10_000 }))),
  capPerWeek: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 50_000 }))),
});

export const Pool = Type.Object({
  id: Id,
  name: Type.String(),
  strategy: Type.Enum(routingStrategies),
  performanceAware: Type.Boolean({
    description:
      "Each rep's share × their follow-up factor: 0.5 + SLA compliance (30 days), within 0.5–1.5; 1 with under 5 measured leads",
  }),
  members: Type.Array(
    Type.Object({
      userId: Id,
      weight: Type.Number(),
      capPerDay: Nullable(Type.Integer()),
      capPerWeek: Nullable(Type.Integer()),
    }),
  ),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Pool = Static<typeof Pool>;

export const CreatePoolBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  strategy: Type.Optional(Type.Enum(routingStrategies)),
  performanceAware: Type.Optional(Type.Boolean()),
  members: Type.Array(MemberInput, { maxItems: 500, description: 'In order: turns and ties follow it' }),
});
export type CreatePoolBody = Static<typeof CreatePoolBody>;

export const UpdatePoolBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  strategy: Type.Optional(Type.Enum(routingStrategies)),
  performanceAware: Type.Optional(Type.Boolean()),
  members: Type.Optional(Type.Array(MemberInput, { maxItems: 500 })),
});
export type UpdatePoolBody = Static<typeof UpdatePoolBody>;

const Target = Type.Union([StrictObject({ poolId: Id }), StrictObject({ userId: Id })]);

export const RoutingRuleInput = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  conditions: Type.Array(Condition, {
    maxItems: 20,
    description: 'All must hold; fields as in scoring, plus grade (A1…C3) and source',
  }),
  target: Target,
});

export const RoutingRule = Type.Object({
  id: Id,
  name: Type.String(),
  conditions: Type.Array(Condition),
  target: Target,
});
export type RoutingRule = Static<typeof RoutingRule>;

export const ReplaceRulesBody = StrictObject({
  rules: Type.Array(RoutingRuleInput, {
    maxItems: 500,
    description: 'In order: the first that matches wins',
  }),
});
export type ReplaceRulesBody = Static<typeof ReplaceRulesBody>;

export const RulesPreview = Type.Object({
  sampled: Type.Integer({
    description: 'How many recent leads were tried (the latest to become an MQL or further)',
  }),
  rules: Type.Array(
    Type.Object({
      matched: Type.Integer({ description: 'Leads this rule would take: the first rule that matches wins' }),
      examples: Type.Array(
        Type.Object({ id: Id, name: Nullable(Type.String()), company: Nullable(Type.String()) }),
        { maxItems: 5 },
      ),
    }),
  ),
  unmatched: Type.Integer({
    description: 'Leads no rule takes: they go to the fallback pool, or wait unassigned',
  }),
});
export type RulesPreview = Static<typeof RulesPreview>;

export const RoutingSettings = Type.Object({
  ownershipFirst: Type.Boolean({
    description: "An available owner of the contact's account keeps the account",
  }),
  fallbackPoolId: Nullable(Id),
  skipRejectingRep: Type.Boolean({
    description:
      "A rep who just rejected a lead is skipped when it is next routed, unless they own the lead's account",
  }),
});
export type RoutingSettings = Static<typeof RoutingSettings>;
export const UpdateRoutingSettingsBody = StrictObject({
  ownershipFirst: Type.Optional(Type.Boolean()),
  fallbackPoolId: Type.Optional(Nullable(Id)),
  skipRejectingRep: Type.Optional(Type.Boolean()),
});
export type UpdateRoutingSettingsBody = Static<typeof UpdateRoutingSettingsBody>;

const Verdict = Type.Object({
  userId: Id,
  eligible: Type.Boolean(),
  skipped: Nullable(
    Type.Enum(
      ['inactive', 'absent', 'rejected_this_lead', 'outside_hours', 'daily_cap', 'weekly_cap', 'zero_weight'],
      {
        description: 'Why the rep could not take this lead',
      },
    ),
  ),
  weight: Type.Number(),
  factor: Type.Number(),
  effectiveWeight: Type.Number(),
  record: Type.Optional(
    Nullable(
      Type.Object(
        { measured: Type.Integer(), met: Type.Integer() },
        { description: "The rep's follow-up record behind the factor (performance-aware pools)" },
      ),
    ),
  ),
  assignedInPeriod: Type.Integer(),
});

export const Assignment = Type.Object({
  id: Id,
  contactId: Id,
  userId: Nullable(Id),
  kind: Type.Enum(['owner', 'rule', 'fallback', 'unassigned', 'manual']),
  poolId: Nullable(Id),
  ruleId: Nullable(Id),
  reason: Nullable(Type.String()),
  /**
   * How the lead was routed, as a code with parameters: owner, rule (rule), fallback,
   * rule_nobody_now (rule), fallback_nobody_now, unassigned, held (rejections),
   * no_consent (source, date), manual.
   */
  because: Message,
  /** A reason Baton gave (sla_missed with the target); null when a person wrote the reason. */
  reasonMessage: Nullable(Message),
  explanation: Type.Object({
    route: Type.String({
      description: 'How the lead was routed, in English: the owner, a rule, the fallback pool, or no one',
    }),
    strategy: Nullable(Type.Enum(routingStrategies)),
    candidates: Type.Array(Verdict),
    performance: Type.Optional(
      Nullable(
        Type.Object(
          {
            formula: Type.String(),
            windowDays: Type.Integer(),
            min: Type.Number(),
            max: Type.Number(),
            minimumMeasured: Type.Integer(),
          },
          { description: 'How follow-up records shifted the shares, when the pool is performance-aware' },
        ),
      ),
    ),
  }),
  actor: Type.Object({ kind: Type.String(), id: Nullable(Type.String()) }),
  assignedAt: Instant,
});
export type Assignment = Static<typeof Assignment>;

export const UnassignedLead = Type.Intersect([
  Assignment,
  Type.Object({
    contact: Type.Object(
      {
        name: Nullable(Type.String()),
        email: Nullable(Type.String()),
        company: Nullable(Type.String()),
        stage: Type.String(),
      },
      { description: 'Who is waiting: managers see the queue before the lead is anyone’s' },
    ),
  }),
]);
export type UnassignedLead = Static<typeof UnassignedLead>;

export const ReassignBody = StrictObject({
  userId: Id,
  reason: Type.String({ minLength: 3, maxLength: 500, description: 'Why, for the record and the rep' }),
});
export type ReassignBody = Static<typeof ReassignBody>;

export const RoutePreview = Type.Object({
  contactId: Id,
  userId: Nullable(Id),
  kind: Type.Enum(['owner', 'rule', 'fallback', 'unassigned']),
  poolId: Nullable(Id),
  ruleId: Nullable(Id),
  because: Message,
  explanation: Assignment.properties.explanation,
});
export type RoutePreview = Static<typeof RoutePreview>;
