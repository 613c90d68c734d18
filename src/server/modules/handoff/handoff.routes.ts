import { Type } from 'typebox';
import { IdParams, StrictObject } from '../../../contract/common.ts';
import {
  AcceptBody,
  CreateRejectionReasonBody,
  OrderRejectionReasonsBody,
  FatesFilterQuery,
  FatesQuery,
  FatesReport,
  HandoffContext,
  HandoffDecision,
  HandoffSettings,
  LogActivityBody,
  QualifyBody,
  RejectBody,
  RejectionReason,
  RejectionsQuery,
  RejectionsReport,
  UpdateHandoffSettingsBody,
  UpdateRejectionReasonBody,
} from '../../../contract/handoff.ts';
import { Touchpoint } from '../../../contract/contacts.ts';
import type { ExportsService } from '../exports/exports.service.ts';
import { csvResponse, problemResponses, sendCsv, type App } from '../shared/http.ts';
import { fatesTable, rejectionsTable } from '../../../domain/reports/report-tables.ts';
import type { HandoffService } from './handoff.service.ts';

const KeyParams = StrictObject({ key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }) });

/** Accept, reject and qualify a lead; the reasons and settings behind them. */
export function handoffRoutes(
  app: App,
  { handoff, exports }: { handoff: HandoffService; exports: ExportsService },
) {
  const tags = ['handoff'];
  app.get(
    '/contacts/:id/handoff',
    {
      schema: {
        tags,
        summary:
          "The rep's view at handoff: why an MQL, why routed to them, the account, the whole timeline, earlier recycles",
        params: IdParams,
        response: { 200: HandoffContext, ...problemResponses },
      },
    },
    async (request) => handoff.context(request.actor, request.params.id),
  );
  app.post(
    '/contacts/:id/accept',
    {
      schema: {
        tags,
        summary: 'Accept an MQL (→ SAL): the assigned rep, their manager or someone above them',
        params: IdParams,
        body: AcceptBody,
        response: { 200: HandoffDecision, ...problemResponses },
      },
    },
    async (request) => handoff.accept(request.actor, request.params.id, request.body),
  );
  app.post(
    '/contacts/:id/reject',
    {
      schema: {
        tags,
        summary:
          'Reject an MQL with a reason code: recycled to Marketing or disqualified, as the reason says',
        params: IdParams,
        body: RejectBody,
        response: { 200: HandoffDecision, ...problemResponses },
      },
    },
    async (request) => handoff.reject(request.actor, request.params.id, request.body),
  );
  app.post(
    '/contacts/:id/qualify',
    {
      schema: {
        tags,
        summary: 'Qualify an accepted lead (SAL → SQL) by confirming the checklist',
        params: IdParams,
        body: QualifyBody,
        response: { 200: HandoffDecision, ...problemResponses },
      },
    },
    async (request) => handoff.qualify(request.actor, request.params.id, request.body),
  );
  app.post(
    '/contacts/:id/activities',
    {
      schema: {
        tags,
        summary:
          'Log a call, email or meeting with the lead (its rep, their managers, admins): the genuine response its follow-up clock waits for',
        params: IdParams,
        body: LogActivityBody,
        response: { 201: Touchpoint, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await handoff.logActivity(request.actor, request.params.id, request.body)),
  );
  app.get(
    '/handoff/reasons',
    {
      schema: {
        tags,
        summary: 'The rejection reasons, each recycling or disqualifying the lead',
        response: { 200: Type.Object({ data: Type.Array(RejectionReason) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await handoff.listReasons(request.actor) }),
  );
  app.post(
    '/handoff/reasons',
    {
      schema: {
        tags,
        summary: 'Add a rejection reason',
        body: CreateRejectionReasonBody,
        response: { 201: RejectionReason, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await handoff.createReason(request.actor, request.body)),
  );
  app.patch(
    '/handoff/reasons/:key',
    {
      schema: {
        tags,
        summary: 'Change a rejection reason, or retire it (active: false)',
        params: KeyParams,
        body: UpdateRejectionReasonBody,
        response: { 200: RejectionReason, ...problemResponses },
      },
    },
    async (request) => handoff.updateReason(request.actor, request.params.key, request.body),
  );
  app.put(
    '/handoff/reasons/order',
    {
      schema: {
        tags,
        summary: 'Put the rejection reasons in the order reps see them (every key, once)',
        body: OrderRejectionReasonsBody,
        response: { 200: Type.Object({ data: Type.Array(RejectionReason) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await handoff.orderReasons(request.actor, request.body.keys) }),
  );
  app.get(
    '/handoff/settings',
    {
      schema: {
        tags,
        summary: 'How recycling and qualifying work: engagement reset, ping-pong limit, checklist',
        response: { 200: HandoffSettings, ...problemResponses },
      },
    },
    async (request) => handoff.getSettings(request.actor),
  );
  app.patch(
    '/handoff/settings',
    {
      schema: {
        tags,
        summary: 'Change how recycling and qualifying work',
        body: UpdateHandoffSettingsBody,
        response: { 200: HandoffSettings, ...problemResponses },
      },
    },
    async (request) => handoff.updateSettings(request.actor, request.body),
  );
  app.get(
    '/handoff/fates',
    {
      schema: {
        tags,
        summary:
          'The leads handed over in a period: the counts of them all, and a page of them, newest first, with their fate: who got it, accepted or rejected and why, SQL, opportunity, won or lost',
        querystring: FatesQuery,
        response: { 200: FatesReport, ...problemResponses },
      },
    },
    async (request) => handoff.fates(request.actor, request.query),
  );
  app.get(
    '/handoff/rejections',
    {
      schema: {
        tags,
        summary:
          'Rejections of the leads handed over in a period, by source, campaign, form, score band or rep',
        querystring: RejectionsQuery,
        response: { 200: RejectionsReport, ...problemResponses },
      },
    },
    async (request) => handoff.rejections(request.actor, request.query),
  );
  app.get(
    '/handoff/fates.csv',
    {
      schema: {
        tags,
        summary:
          'The handoff tracker as CSV: every lead handed over in the period and its fate, with the filters of GET /handoff/fates; the export is in the audit log',
        querystring: FatesFilterQuery,
        response: csvResponse,
      },
    },
    async (request, reply) =>
      sendCsv(
        reply,
        'baton-handoff-fates.csv',
        await exports.exportReport(
          request.actor,
          'handoff.fates',
          request.query,
          fatesTable(await handoff.allFates(request.actor, request.query)),
        ),
      ),
  );
  app.get(
    '/handoff/rejections.csv',
    {
      schema: {
        tags,
        summary:
          'Rejections by source, campaign, form, score band or rep as CSV, as GET /handoff/rejections counts them',
        querystring: RejectionsQuery,
        response: csvResponse,
      },
    },
    async (request, reply) =>
      sendCsv(
        reply,
        'baton-handoff-rejections.csv',
        await exports.exportReport(
          request.actor,
          'handoff.rejections',
          request.query,
          rejectionsTable(await handoff.rejections(request.actor, request.query)),
        ),
      ),
  );
}
