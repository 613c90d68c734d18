import { Type, type Static } from 'typebox';
import { attributionModels } from '../domain/attribution/rule-models.ts';
import { AgreementSpans, Currency, LocalDate, Id, Instant, Nullable, StrictObject } from './common.ts';

const Minor = Type.Integer({ description: 'Amount in minor units (cents)' });

export const AttributionModel = Type.Enum(attributionModels, { description: 'An attribution model' });
export type AttributionModel = Static<typeof AttributionModel>;

const Percent = Type.Number({ minimum: 0, maximum: 100 });
export const CustomWeights = StrictObject(
  {
    firstTouch: Percent,
    leadCreation: Percent,
    opportunityCreation: Percent,
    closedWon: Percent,
    rest: Percent,
  },
  { description: 'The custom model: percentages per milestone and for the touches between; they sum to 100' },
);

export const AttributionSettings = Type.Object({
  model: AttributionModel,
  lookbackDays: Type.Integer({ minimum: 1, maximum: 3650 }),
  includeSalesTouches: Type.Boolean(),
  dedupeMinutes: Type.Integer({ minimum: 0, maximum: 10_080 }),
  halfLifeDays: Type.Number({ exclusiveMinimum: 0, maximum: 3650 }),
  customWeights: CustomWeights,
  updatedAt: Instant,
});
export type AttributionSettings = Static<typeof AttributionSettings>;

export const UpdateAttributionSettingsBody = StrictObject({
  model: Type.Optional(AttributionModel),
  lookbackDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  includeSalesTouches: Type.Optional(Type.Boolean()),
  dedupeMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_080 })),
  halfLifeDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3650 })),
  customWeights: Type.Optional(CustomWeights),
});
export type UpdateAttributionSettingsBody = Static<typeof UpdateAttributionSettingsBody>;

export const attributionGroupings = ['channel', 'campaign', 'touch', 'deal', 'month'] as const;

export const AttributionReportQuery = StrictObject({
  from: LocalDate,
  to: LocalDate,
  model: Type.Optional(AttributionModel),
  groupBy: Type.Optional(Type.Enum(attributionGroupings, { default: 'channel' })),
  currency: Type.Optional(Currency),
});
export type AttributionReportQuery = Static<typeof AttributionReportQuery>;

const Figures = Type.Object({
  revenueMinor: Minor,
  wonDeals: Type.Integer(),
  pipelineMinor: Minor,
  pipelineDeals: Type.Integer(),
});

export const AttributionRow = Type.Object({
  key: Type.String({ description: 'The channel, campaign, touch type, deal id or month (YYYY-MM)' }),
  label: Type.String(),
  revenueMinor: Minor,
  pipelineMinor: Minor,
  /** Won deals credited to this row, in deal fractions (a deal split over three channels counts a third each). */
  wonDeals: Type.Number(),
  pipelineDeals: Type.Number(),
  touches: Type.Integer(),
});
export type AttributionRow = Static<typeof AttributionRow>;

export const CampaignReturn = Type.Object({
  campaign: Type.String(),
  costMinor: Minor,
  revenueMinor: Minor,
  pipelineMinor: Minor,
  /** (revenue − cost) ÷ cost; null without a cost. */
  roi: Nullable(Type.Number()),
  mqls: Type.Integer(),
  sqls: Type.Integer(),
  wonDeals: Type.Number(),
  costPerMqlMinor: Nullable(Minor),
  costPerSqlMinor: Nullable(Minor),
  costPerWonDealMinor: Nullable(Minor),
});
export type CampaignReturn = Static<typeof CampaignReturn>;

export const AttributionReport = Type.Object({
  model: AttributionModel,
  /** The model both heads agreed on for recognition (the settings' model). */
  agreedModel: AttributionModel,
  /** True when won deals are read from the snapshots taken when they were won. */
  recognised: Type.Boolean(),
  from: LocalDate,
  to: LocalDate,
  currency: Currency,
  groupBy: Type.Enum(attributionGroupings),
  totals: Type.Object({
    ...Figures.properties,
    /** Revenue and pipeline of deals without a touch in their window: credited to nobody. */
    unattributedRevenueMinor: Minor,
    unattributedPipelineMinor: Minor,
    /** Deals in the period in another currency, left out of this report. */
    otherCurrencyDeals: Type.Integer(),
  }),
  marketing: Type.Object({
    /** Deals whose first touch or lead creation was a marketing touch. */
    sourced: Figures,
    /** Deals with any marketing touch in their window. */
    influenced: Figures,
  }),
  rows: Type.Array(AttributionRow),
  campaigns: Type.Array(CampaignReturn),
  agreements: AgreementSpans,
});
export type AttributionReport = Static<typeof AttributionReport>;

export const AttributionComparisonQuery = StrictObject({
  from: LocalDate,
  to: LocalDate,
  currency: Type.Optional(Currency),
});
export type AttributionComparisonQuery = Static<typeof AttributionComparisonQuery>;

export const AttributionComparison = Type.Object({
  from: LocalDate,
  to: LocalDate,
  currency: Currency,
  models: Type.Array(AttributionModel),
  channels: Type.Array(
    Type.Object({
      channel: Type.String(),
      revenueMinor: Type.Record(Type.String(), Minor, { description: 'Per model' }),
      pipelineMinor: Type.Record(Type.String(), Minor, { description: 'Per model' }),
    }),
  ),
});
export type AttributionComparison = Static<typeof AttributionComparison>;

const milestoneKinds = [
  'first_touch',
  'lead_creation',
  'opportunity_creation',
  'closed_won',
  'last_touch',
] as const;
export const TouchReason = Type.Object({
  milestones: Type.Array(Type.Enum(milestoneKinds)),
  standsInFor: Type.Array(Type.Enum(milestoneKinds)),
  basis: Type.Enum(['milestone', 'rest', 'equal', 'decay', 'channel']),
  decayWeight: Type.Optional(Type.Number()),
});
export type TouchReason = Static<typeof TouchReason>;

export const LedgerCredit = Type.Object({ creditMinor: Minor, weight: Type.Number(), reason: TouchReason });

export const DealLedger = Type.Object({
  opportunity: Type.Object({
    id: Id,
    name: Type.String(),
    status: Type.Enum(['open', 'won', 'lost']),
    amountMinor: Minor,
    currency: Type.String(),
    createdAt: Instant,
    wonAt: Nullable(Instant),
  }),
  agreedModel: AttributionModel,
  sourced: Type.Boolean(),
  influenced: Type.Boolean(),
  touches: Type.Array(
    Type.Object({
      touchId: Id,
      occurredAt: Instant,
      type: Type.String(),
      channel: Type.String(),
      campaign: Nullable(Type.String()),
      category: Type.String(),
      contactId: Nullable(Id),
      credits: Type.Record(Type.String(), LedgerCredit, { description: 'Per model' }),
    }),
  ),
  /** The credit stored when the deal was won, under the model agreed then; it does not move. */
  snapshot: Nullable(
    Type.Object({
      model: AttributionModel,
      createdAt: Instant,
      lines: Type.Array(
        Type.Object({
          touchId: Id,
          occurredAt: Instant,
          channel: Type.String(),
          campaign: Nullable(Type.String()),
          ...LedgerCredit.properties,
        }),
      ),
    }),
  ),
});
export type DealLedger = Static<typeof DealLedger>;

export const CampaignCost = Type.Object({
  id: Id,
  campaign: Type.String(),
  channel: Nullable(Type.String()),
  startsOn: LocalDate,
  endsOn: LocalDate,
  amountMinor: Minor,
  currency: Type.String(),
  note: Nullable(Type.String()),
  createdAt: Instant,
});
export type CampaignCost = Static<typeof CampaignCost>;

export const CreateCampaignCostBody = StrictObject({
  campaign: Type.String({ minLength: 1, maxLength: 200 }),
  channel: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
  startsOn: LocalDate,
  endsOn: LocalDate,
  amountMinor: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  currency: Type.Optional(Currency),
  note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
});
export type CreateCampaignCostBody = Static<typeof CreateCampaignCostBody>;

export const JourneysQuery = StrictObject({
  order: Type.Optional(Type.Integer({ minimum: 1, maximum: 3, default: 1, description: 'Markov order' })),
});

const ChannelFigures = Type.Object({ conversions: Type.Number(), value: Type.Number() });
export const JourneyAnalysis = Type.Object({
  rows: Type.Integer(),
  errors: Type.Array(Type.Object({ row: Type.Integer(), column: Type.String(), reason: Type.String() })),
  paths: Type.Integer(),
  conversions: Type.Number(),
  value: Type.Number(),
  nulls: Type.Number(),
  markovOrder: Type.Integer(),
  conversionProbability: Type.Number(),
  channels: Type.Array(
    Type.Object({
      channel: Type.String(),
      firstTouch: ChannelFigures,
      lastTouch: ChannelFigures,
      linear: ChannelFigures,
      markov: Type.Object({
        removalEffect: Type.Number(),
        removalEffectValue: Type.Number(),
        conversions: Type.Number(),
        value: Type.Number(),
      }),
      shapley: ChannelFigures,
    }),
  ),
});
export type JourneyAnalysis = Static<typeof JourneyAnalysis>;
