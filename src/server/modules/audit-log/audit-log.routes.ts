import {
  AuditLogPage,
  AuditLogQuery,
  AuditLogSettings,
  UpdateAuditLogSettingsBody,
} from '../../../contract/audit-log.ts';
import { csvResponse, problemResponses, sendCsv, type App } from '../shared/http.ts';
import type { AuditLogService } from './audit-log.service.ts';

const tags = ['audit'];

/** Who did what, when and from where: for admins, filtered, paged, as CSV, with its retention. */
export function auditLogRoutes(app: App, { auditLog }: { auditLog: AuditLogService }) {
  app.get(
    '/audit-log',
    {
      schema: {
        tags,
        summary:
          'The audit log, newest first: sign-ins, people, keys, settings, manual routing, waivers, exports',
        querystring: AuditLogQuery,
        response: { 200: AuditLogPage, ...problemResponses },
      },
    },
    async (request) => auditLog.list(request.actor, request.query),
  );
  app.get(
    '/audit-log.csv',
    {
      schema: {
        tags,
        summary: 'The audit log as CSV (the same filters); the export is itself logged',
        querystring: AuditLogQuery,
        response: csvResponse,
      },
    },
    async (request, reply) => {
      const csv = await auditLog.exportCsv(request.actor, request.query);
      return sendCsv(reply, `baton-audit-log.csv`, csv);
    },
  );
  app.get(
    '/audit-log/settings',
    {
      schema: {
        tags,
        summary: 'How long the audit log keeps its entries',
        response: { 200: AuditLogSettings, ...problemResponses },
      },
    },
    async (request) => auditLog.getSettings(request.actor),
  );
  app.patch(
    '/audit-log/settings',
    {
      schema: {
        tags,
        summary: 'Change how long the audit log keeps its entries',
        body: UpdateAuditLogSettingsBody,
        response: { 200: AuditLogSettings, ...problemResponses },
      },
    },
    async (request) => auditLog.updateSettings(request.actor, request.body),
  );
}
