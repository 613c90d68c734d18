import { Type, type Static } from 'typebox';
import { Currency, Instant, Nullable, StrictObject } from './common.ts';
import { Month, Pacing, PeriodKind } from './planning.ts';
import { CommitmentSummary } from './sla.ts';

const Minor = Type.Integer({ description: 'Amount in minor units (cents)' });

export const BoardQuery = StrictObject({
  periodKind: PeriodKind,
  periodStart: Month,
  currency: Type.Optional(Currency),
});

export const Board = Type.Object({
  periodKind: PeriodKind,
  periodStart: Month,
  from: Instant,
  to: Instant,
  asOf: Instant,
  currency: Currency,
  agreements: Type.Array(Type.Object({ version: Nullable(Type.Integer()), from: Instant, to: Instant })),
  pacing: Pacing,
  velocity: Type.Object(
    {
      openOpportunities: Type.Integer(),
      winRate: Nullable(Type.Number({ description: 'Won ÷ closed over the last twelve months' })),
      averageDealMinor: Nullable(Minor),
      cycleDays: Nullable(
        Type.Number({ description: 'Median days from creation to win, last twelve months' }),
      ),
      perDayMinor: Nullable(Minor),
    },
    { description: 'Sales velocity: open opportunities × win rate × average deal ÷ cycle length, per day' },
  ),
  sla: Type.Object({
    sales: Type.Object({
      measured: Type.Integer(),
      met: Type.Integer(),
      breached: Type.Integer(),
      waived: Type.Integer(),
      compliance: Nullable(Type.Number()),
      speedToLeadMedianMs: Nullable(
        Type.Number({
          description: 'Metric speed_to_lead: the median wait of the leads handed over in the period',
        }),
      ),
    }),
    marketing: Type.Array(CommitmentSummary),
  }),
  marketing: Type.Object({
    model: Type.String({ description: 'The attribution model of recognition' }),
    revenueMinor: Minor,
    sourcedRevenueMinor: Minor,
    influencedRevenueMinor: Minor,
    sourcedPipelineMinor: Minor,
    influencedPipelineMinor: Minor,
    campaignCostMinor: Minor,
    newCustomers: Type.Integer({
      description: 'Metric new_customers: accounts whose first won deal ever closed in the period',
    }),
    cacMinor: Nullable(
      Type.Integer({ description: 'Metric cac: campaign cost ÷ new customers, in minor units' }),
    ),
  }),
  forecast: Type.Object({
    wonDeals: Type.Integer({
      description: 'Metric won_deals: deals won in the period (in the board’s currency)',
    }),
    wonMinor: Minor,
    weightedOpenMinor: Type.Integer({
      description: 'Open deals expected to close in the period × their stage probability',
    }),
    forecastMinor: Minor,
    planMinor: Nullable(Minor),
    gapMinor: Nullable(Type.Integer({ description: 'Forecast − plan; negative is short' })),
  }),
});
export type Board = Static<typeof Board>;
