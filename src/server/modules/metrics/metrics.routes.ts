import {
  MetricCatalogue,
  ReportingSettings,
  UpdateReportingSettingsBody,
} from '../../../contract/metrics.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { MetricsService } from './metrics.service.ts';

const tags = ['lifecycle'];

/** The metric catalogue (one definition per number) and the reporting settings. */
export function metricsRoutes(app: App, { metrics }: { metrics: MetricsService }) {
  app.get(
    '/metrics',
    {
      schema: {
        tags,
        summary:
          'The metric catalogue: each metric’s definition, numerator, denominator, exclusions and period rule, in English and Dutch, and the default period',
        response: { 200: MetricCatalogue, ...problemResponses },
      },
    },
    async (request) => metrics.catalogue(request.actor),
  );
  app.get(
    '/settings/reporting',
    {
      schema: {
        tags,
        summary: 'The reporting settings: the period every report page opens with',
        response: { 200: ReportingSettings, ...problemResponses },
      },
    },
    async (request) => metrics.settings(request.actor),
  );
  app.patch(
    '/settings/reporting',
    {
      schema: {
        tags,
        summary: 'Set the period every report page opens with (admin)',
        body: UpdateReportingSettingsBody,
        response: { 200: ReportingSettings, ...problemResponses },
      },
    },
    async (request) => metrics.updateSettings(request.actor, request.body),
  );
}
