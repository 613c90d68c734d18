import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import {
  AttributionComparison,
  AttributionComparisonQuery,
  AttributionReport,
  AttributionReportQuery,
  AttributionSettings,
  CampaignCost,
  CreateCampaignCostBody,
  DealLedger,
  JourneyAnalysis,
  JourneysQuery,
  UpdateAttributionSettingsBody,
} from '../../../contract/attribution.ts';
import { IdParams } from '../../../contract/common.ts';
import { createError } from '../shared/errors.ts';
import type { ExportsService } from '../exports/exports.service.ts';
import { csvResponse, problemResponses, sendCsv, type App } from '../shared/http.ts';
import { attributionTable } from '../../../domain/reports/report-tables.ts';
import type { AttributionService } from './attribution.service.ts';

/** Marketing's share of deals: reports, the model comparison, a deal's ledger, journeys, costs, settings. */
export function attributionRoutes(
  app: App,
  { attribution, exports }: { attribution: AttributionService; exports: ExportsService },
) {
  const tags = ['attribution'];
  app.get(
    '/attribution/settings',
    {
      schema: {
        tags,
        summary: 'How attribution is computed, and the model agreed for recognition',
        response: { 200: AttributionSettings, ...problemResponses },
      },
    },
    async (request) => attribution.getSettings(request.actor),
  );
  app.patch(
    '/attribution/settings',
    {
      schema: {
        tags,
        summary:
          'Change the agreed model, the lookback window, the sales-touch switch, dedupe, half-life or custom weights',
        body: UpdateAttributionSettingsBody,
        response: { 200: AttributionSettings, ...problemResponses },
      },
    },
    async (request) => attribution.updateSettings(request.actor, request.body),
  );
  app.get(
    '/attribution/report',
    {
      schema: {
        tags,
        summary:
          'Revenue won and pipeline created in a period, credited under a model and grouped by channel, campaign, touch, deal or month; sourced versus influenced; campaign returns',
        querystring: AttributionReportQuery,
        response: { 200: AttributionReport, ...problemResponses },
      },
    },
    async (request) => attribution.report(request.actor, request.query),
  );
  app.get(
    '/attribution/report.csv',
    {
      schema: {
        tags,
        summary:
          'The attribution report as CSV: the credit per row under the model and grouping of GET /attribution/report',
        querystring: AttributionReportQuery,
        response: csvResponse,
      },
    },
    async (request, reply) =>
      sendCsv(
        reply,
        'baton-attribution.csv',
        await exports.exportReport(
          request.actor,
          'attribution.report',
          request.query,
          attributionTable(await attribution.report(request.actor, request.query)),
        ),
      ),
  );
  app.get(
    '/attribution/comparison',
    {
      schema: {
        tags,
        summary: 'Channels × models: revenue and pipeline per channel under every model',
        querystring: AttributionComparisonQuery,
        response: { 200: AttributionComparison, ...problemResponses },
      },
    },
    async (request) => attribution.compare(request.actor, request.query),
  );
  app.get(
    '/attribution/opportunities/:id',
    {
      schema: {
        tags,
        summary:
          'A deal’s credit ledger: each touch’s credit under every model with its reason, and the snapshot taken when it was won',
        params: IdParams,
        response: { 200: DealLedger, ...problemResponses },
      },
    },
    async (request) => attribution.ledger(request.actor, request.params.id),
  );
  app.post(
    '/attribution/journeys',
    {
      schema: {
        tags,
        summary:
          'Run every channel-level model on aggregated journeys (text/csv: path;total_conversions;total_conversion_value;total_null); nothing is stored',
        querystring: JourneysQuery,
        response: { 200: JourneyAnalysis, ...problemResponses },
      },
    },
    async (request) => {
      if (!request.headers['content-type']?.startsWith('text/csv'))
        throw createError('http.unsupported_media_type', 'Send the file as text/csv');
      return attribution.analyseJourneys(request.actor, request.body as Readable, request.query.order ?? 1);
    },
  );
  app.get(
    '/attribution/costs',
    {
      schema: {
        tags,
        summary: 'What campaigns cost, newest period first',
        response: { 200: Type.Object({ data: Type.Array(CampaignCost) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await attribution.listCosts(request.actor) }),
  );
  app.post(
    '/attribution/costs',
    {
      schema: {
        tags,
        summary: 'Enter what a campaign cost over a period (spread over its days in reports)',
        body: CreateCampaignCostBody,
        response: { 201: CampaignCost, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await attribution.createCost(request.actor, request.body)),
  );
  app.delete(
    '/attribution/costs/:id',
    {
      schema: {
        tags,
        summary: 'Remove a campaign cost',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await attribution.deleteCost(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
