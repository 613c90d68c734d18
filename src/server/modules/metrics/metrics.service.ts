import type {
  MetricCatalogue,
  ReportingSettings,
  UpdateReportingSettingsBody,
} from '../../../contract/metrics.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { DEFAULT_PERIODS, METRICS, type DefaultPeriod } from '../../../domain/metrics/catalogue.ts';
import { actorRef, authorize } from '../shared/access.ts';
import { insertAuditEntry } from '../shared/audit.repository.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { findDefaultPeriod, updateDefaultPeriod } from './metrics.repository.ts';

const asPeriod = (value: string): DefaultPeriod =>
  (DEFAULT_PERIODS as readonly string[]).includes(value) ? (value as DefaultPeriod) : 'this_quarter';

/** The metric catalogue as every page reads it (definitions for the info marks and the glossary) and the shared default period. */
export function createMetricsService({ db, clock }: ServiceDeps) {
  return {
    async catalogue(actor: Actor | null): Promise<MetricCatalogue> {
      authorize(actor, 'stages.read');
      return { defaultPeriod: asPeriod(await findDefaultPeriod(db)), data: Object.values(METRICS) };
    },

    async settings(actor: Actor | null): Promise<ReportingSettings> {
      authorize(actor, 'stages.read');
      return { defaultPeriod: asPeriod(await findDefaultPeriod(db)) };
    },

    /** Sets the period every report page opens with (admins); in the audit log. */
    async updateSettings(
      actor: Actor | null,
      input: UpdateReportingSettingsBody,
    ): Promise<ReportingSettings> {
      const who = authorize(actor, 'stages.write');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const before = asPeriod(await findDefaultPeriod(trx));
        if (before === input.defaultPeriod) return;
        await updateDefaultPeriod(trx, input.defaultPeriod, now);
        await insertAuditEntry(trx, {
          action: 'reporting.settings_changed',
          occurredAt: now,
          actor: actorRef(who),
          details: { defaultPeriod: { from: before, to: input.defaultPeriod } },
        });
      });
      return { defaultPeriod: input.defaultPeriod };
    },
  };
}

export type MetricsService = ReturnType<typeof createMetricsService>;
