import { Type, type Static } from 'typebox';
import { AgreementSpans, Id, Instant, LocalizedText, Message, Nullable, StrictObject } from './common.ts';

const StageKey = Type.String({ pattern: '^[a-z][a-z0-9_]{0,49}$', description: 'Stage key, e.g. mql' });
const ReasonCode = Type.String({
  pattern: '^[a-z][a-z0-9_.-]{0,63}$',
  description: 'Reason code, e.g. not_now',
});

export const Stage = Type.Object({
  key: Type.String(),
  name: LocalizedText,
  definition: LocalizedText,
  position: Type.Integer(),
  isSide: Type.Boolean(),
  allowedNext: Type.Array(Type.String()),
});
export type Stage = Static<typeof Stage>;

export const StageParams = StrictObject({ key: StageKey });

export const CreateStageBody = StrictObject({
  key: StageKey,
  name: LocalizedText,
  definition: LocalizedText,
  position: Type.Integer({ minimum: 0, maximum: 10_000 }),
  isSide: Type.Optional(Type.Boolean()),
  allowedNext: Type.Optional(Type.Array(StageKey, { maxItems: 100, uniqueItems: true })),
});
export type CreateStageBody = Static<typeof CreateStageBody>;

export const UpdateStageBody = StrictObject({
  name: Type.Optional(LocalizedText),
  definition: Type.Optional(LocalizedText),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  allowedNext: Type.Optional(Type.Array(StageKey, { maxItems: 100, uniqueItems: true })),
});
export type UpdateStageBody = Static<typeof UpdateStageBody>;

export const stageActorKinds = ['user', 'api_key', 'rule', 'system'] as const;

export const StageChange = Type.Object({
  id: Id,
  contactId: Id,
  from: Nullable(Type.String()),
  to: Type.String(),
  occurredAt: Instant,
  actor: Type.Object({
    kind: Type.Enum(stageActorKinds),
    id: Nullable(Type.String()),
    label: Nullable(Type.String()),
  }),
  reasonCode: Nullable(Type.String()),
  note: Nullable(Type.String()),
  /**
   * The note as a code with parameters when Baton wrote it (null when a person did):
   * mql_thresholds (version, fit, fitAtLeast, engagement, engagementAtLeast), mql_intent
   * (version, fit, engagement), opportunity_created (name), opportunity_won (name), imported.
   */
  noteMessage: Nullable(Message),
  agreementVersion: Nullable(Type.Integer()),
});
export type StageChange = Static<typeof StageChange>;

export const ChangeStageBody = StrictObject({
  to: StageKey,
  reasonCode: Type.Optional(ReasonCode),
  note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  occurredAt: Type.Optional(Instant),
});
export type ChangeStageBody = Static<typeof ChangeStageBody>;

export const Lifecycle = Type.Object({
  contactId: Id,
  stage: Type.String(),
  stageEnteredAt: Instant,
  enteredAt: Type.Record(Type.String(), Instant, { description: 'When the contact last entered each stage' }),
  history: Type.Array(StageChange),
});
export type Lifecycle = Static<typeof Lifecycle>;

export const FunnelQuery = StrictObject({ from: Instant, to: Instant });
export type FunnelQuery = Static<typeof FunnelQuery>;

export const Funnel = Type.Object({
  from: Instant,
  to: Instant,
  agreements: AgreementSpans,
  stages: Type.Array(
    Type.Object({
      key: Type.String(),
      name: LocalizedText,
      reached: Type.Integer({
        description:
          'People who came in during the period (created in it) and reached the stage by now; reaching a later stage passes it',
      }),
      advanced: Type.Integer({ description: 'Of those, the ones that reached a later stage' }),
      conversion: Nullable(Type.Number({ description: 'advanced ÷ reached' })),
      left: Type.Integer({
        description: 'Of those that entered the stage itself, the ones that have left it since',
      }),
      medianMsInStage: Nullable(Type.Number({ description: 'Median time in the stage of those that left' })),
    }),
    { description: 'The main path in order (side stages such as recycled are not steps of it)' },
  ),
});
export type Funnel = Static<typeof Funnel>;
