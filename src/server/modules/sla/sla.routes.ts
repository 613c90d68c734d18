import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import {
  CalendarHoliday,
  CalendarHolidaysQuery,
  CommitmentListQuery,
  CreateCommitmentBody,
  MarketingCommitment,
  HolidayCountry,
  MarketingCommitmentDetail,
  SaveSlaCalendarBody,
  SlaCalendar,
  SlaClock,
  SlaPolicy,
  SlaPreview,
  SlaPreviewBody,
  SlaQueue,
  SlaQueueQuery,
  SlaReport,
  SlaReportQuery,
  UpdateCommitmentBody,
  UpdateSlaPolicyBody,
  WaiveBody,
} from '../../../contract/sla.ts';
import type { ExportsService } from '../exports/exports.service.ts';
import { csvResponse, problemResponses, sendCsv, type App } from '../shared/http.ts';
import { slaTable } from '../../../domain/reports/report-tables.ts';
import type { CommitmentsService } from './commitments.service.ts';
import type { SlaService } from './sla.service.ts';

/**
 * Follow-up policies and business calendars, the deadline preview, a lead's clocks, waivers, the
 * report on both sides, and Marketing's commitments.
 */
export function slaRoutes(
  app: App,
  {
    sla,
    commitments,
    exports,
  }: { sla: SlaService; commitments: CommitmentsService; exports: ExportsService },
) {
  const tags = ['sla'];
  app.get(
    '/sla/policies',
    {
      schema: {
        tags,
        summary:
          'List follow-up policies: per stage and priority, the window in business time and the ladder',
        response: { 200: Type.Object({ data: Type.Array(SlaPolicy) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await sla.listPolicies(request.actor) }),
  );
  app.patch(
    '/sla/policies/:id',
    {
      schema: {
        tags,
        summary: 'Change a policy (clocks already running keep their ladder)',
        params: IdParams,
        body: UpdateSlaPolicyBody,
        response: { 200: SlaPolicy, ...problemResponses },
      },
    },
    async (request) => sla.updatePolicy(request.actor, request.params.id, request.body),
  );
  app.get(
    '/sla/calendars',
    {
      schema: {
        tags,
        summary: 'List business calendars',
        response: { 200: Type.Object({ data: Type.Array(SlaCalendar) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await sla.listCalendars(request.actor) }),
  );
  app.get(
    '/sla/holiday-countries',
    {
      // Public: the setup page of an empty store offers the countries, and this is library data.
      config: { isPublic: true },
      schema: {
        tags,
        summary:
          'The countries and regions whose public holidays a calendar can close on (from date-holidays)',
        security: [],
        response: { 200: Type.Object({ data: Type.Array(HolidayCountry) }), ...problemResponses },
      },
    },
    async () => ({ data: sla.holidayCountries() }),
  );
  app.get(
    '/sla/calendars/:id/holidays',
    {
      schema: {
        tags,
        summary:
          "The days a calendar is closed in a year besides its weekly hours: public holidays and the company's closures",
        params: IdParams,
        querystring: CalendarHolidaysQuery,
        response: { 200: Type.Object({ data: Type.Array(CalendarHoliday) }), ...problemResponses },
      },
    },
    async (request) => ({
      data: await sla.calendarHolidays(request.actor, request.params.id, request.query.year),
    }),
  );
  app.post(
    '/sla/calendars',
    {
      schema: {
        tags,
        summary: 'Create a business calendar',
        body: SaveSlaCalendarBody,
        response: { 201: SlaCalendar, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await sla.createCalendar(request.actor, request.body)),
  );
  app.put(
    '/sla/calendars/:id',
    {
      schema: {
        tags,
        summary: 'Replace a business calendar',
        params: IdParams,
        body: SaveSlaCalendarBody,
        response: { 200: SlaCalendar, ...problemResponses },
      },
    },
    async (request) => sla.updateCalendar(request.actor, request.params.id, request.body),
  );
  app.delete(
    '/sla/calendars/:id',
    {
      schema: {
        tags,
        summary:
          'Delete a business calendar that is not the default and that no policy or commitment counts in',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await sla.deleteCalendar(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/sla/preview',
    {
      schema: {
        tags,
        summary: 'When a lead arriving at an instant is due, and when each ladder step fires',
        body: SlaPreviewBody,
        response: { 200: SlaPreview, ...problemResponses },
      },
    },
    async (request) => sla.preview(request.actor, request.body),
  );
  app.get(
    '/sla/report',
    {
      schema: {
        tags,
        summary:
          "Both sides over a period: Sales' follow-up per rep and team (met, breached by level, waived, reassigned, compliance, time to first response) and Marketing's delivery against its commitments",
        querystring: SlaReportQuery,
        response: { 200: SlaReport, ...problemResponses },
      },
    },
    async (request) => sla.report(request.actor, request.query),
  );
  app.get(
    '/sla/report.csv',
    {
      schema: {
        tags,
        summary:
          'The SLA report as CSV: follow-up per rep, per team and in total, as GET /sla/report counts it',
        querystring: SlaReportQuery,
        response: csvResponse,
      },
    },
    async (request, reply) =>
      sendCsv(
        reply,
        'baton-sla-report.csv',
        await exports.exportReport(
          request.actor,
          'sla.report',
          request.query,
          slaTable(await sla.report(request.actor, request.query)),
        ),
      ),
  );
  app.get(
    '/sla/queue',
    {
      schema: {
        tags,
        summary:
          'The leads waiting for a follow-up, most urgent first, with the business time left: your own as a rep, your team’s as a manager, everyone’s as a director',
        querystring: SlaQueueQuery,
        response: { 200: SlaQueue, ...problemResponses },
      },
    },
    async (request) => sla.queue(request.actor, request.query),
  );
  app.get(
    '/contacts/:id/sla',
    {
      schema: {
        tags,
        summary: "A lead's follow-up clocks: due when, met or breached, escalated how far, waived by whom",
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(SlaClock) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await sla.listClocks(request.actor, request.params.id) }),
  );
  app.post(
    '/sla/clocks/:id/waive',
    {
      schema: {
        tags,
        summary: 'Waive a breach with a written reason (managers for their reps, directors, admins)',
        params: IdParams,
        body: WaiveBody,
        response: { 200: SlaClock, ...problemResponses },
      },
    },
    async (request) => sla.waive(request.actor, request.params.id, request.body),
  );
  app.get(
    '/sla/commitments',
    {
      schema: {
        tags,
        summary:
          "Marketing's commitments (MQLs per month or quarter at a minimum acceptance rate) with their pace",
        querystring: CommitmentListQuery,
        response: { 200: Type.Object({ data: Type.Array(MarketingCommitment) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await commitments.list(request.actor, request.query) }),
  );
  app.post(
    '/sla/commitments',
    {
      schema: {
        tags,
        summary: "Make Marketing's commitment for a month or quarter",
        body: CreateCommitmentBody,
        response: { 201: MarketingCommitment, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await commitments.create(request.actor, request.body)),
  );
  app.get(
    '/sla/commitments/:id',
    {
      schema: {
        tags,
        summary: 'A commitment with its pace and every completed day: delivered, cumulative, expected',
        params: IdParams,
        response: { 200: MarketingCommitmentDetail, ...problemResponses },
      },
    },
    async (request) => commitments.get(request.actor, request.params.id),
  );
  app.patch(
    '/sla/commitments/:id',
    {
      schema: {
        tags,
        summary: 'Change the terms of a commitment',
        params: IdParams,
        body: UpdateCommitmentBody,
        response: { 200: MarketingCommitment, ...problemResponses },
      },
    },
    async (request) => commitments.update(request.actor, request.params.id, request.body),
  );
  app.delete(
    '/sla/commitments/:id',
    {
      schema: {
        tags,
        summary: 'Delete a commitment made in error',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await commitments.remove(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
