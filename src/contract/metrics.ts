import { Type, type Static } from 'typebox';
import { DEFAULT_PERIODS, METRIC_IDS } from '../domain/metrics/catalogue.ts';
import { StrictObject } from './common.ts';

const Text = Type.Object({ en: Type.String(), nl: Type.String() });

export const defaultPeriods = DEFAULT_PERIODS;

export const MetricDefinition = Type.Object({
  id: Type.Enum([...METRIC_IDS], { description: 'The metric’s stable id, e.g. sla_compliance' }),
  name: Text,
  unit: Type.Enum(['percent', 'count', 'duration', 'money']),
  definition: Text,
  numerator: Text,
  denominator: Type.Union([Text, Type.Null()], { description: 'Null for a count, a sum or a duration' }),
  exclusions: Text,
  period: Type.Object(
    { en: Type.String(), nl: Type.String() },
    { description: 'Which moment puts an item in a period' },
  ),
});
export type MetricDefinition = Static<typeof MetricDefinition>;

export const ReportingSettings = Type.Object({
  defaultPeriod: Type.Enum([...defaultPeriods], {
    description: 'The period every report page opens with',
  }),
});
export type ReportingSettings = Static<typeof ReportingSettings>;

export const UpdateReportingSettingsBody = StrictObject({
  defaultPeriod: Type.Enum([...defaultPeriods]),
});
export type UpdateReportingSettingsBody = Static<typeof UpdateReportingSettingsBody>;

export const MetricCatalogue = Type.Object({
  defaultPeriod: Type.Enum([...defaultPeriods]),
  data: Type.Array(MetricDefinition),
});
export type MetricCatalogue = Static<typeof MetricCatalogue>;
