import type { Actor } from '../../../domain/access/roles.ts';
import type { ReportName, ReportTable } from '../../../domain/reports/report-tables.ts';
import { actorRef, authorize } from '../shared/access.ts';
import { insertAuditEntry } from '../shared/audit.repository.ts';
import { writeCsv } from '../shared/csv.ts';
import type { ServiceDeps } from '../shared/deps.ts';

/**
 * Reports taken out as CSV. Each report's route reads the report as its JSON route does, turns it
 * into its table (`domain/reports/report-tables.ts`) and hands it here: one path writes every
 * report file (formulas neutralised) and records it in the audit log.
 */
export function createExportsService({ db, clock }: ServiceDeps) {
  return {
    /**
     * A report as CSV: the table of the report the caller already read with the same query (so
     * the file has the screen's rows), written through `writeCsv` and recorded in the audit log.
     */
    async exportReport(
      actor: Actor | null,
      report: ReportName,
      filters: Record<string, unknown>,
      table: ReportTable,
    ): Promise<string> {
      // The tracker names people: like a contact list, it does not leave with a rep.
      const who = authorize(actor, report === 'handoff.fates' ? 'contacts.export_list' : 'contacts.read');
      const csv = writeCsv(table.rows, table.columns);
      await insertAuditEntry(db, {
        action: 'report.exported',
        occurredAt: clock.now(),
        actor: actorRef(who),
        details: { report, filters, rows: table.rows.length },
      });
      return csv;
    },
  };
}

export type ExportsService = ReturnType<typeof createExportsService>;
