import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest files start first, so that the run ends when the sum of the work is done rather than
 * when the one long file that started last is. (Vitest orders by the durations of earlier runs; a
 * fresh clone, as in CI, has none.) Files that mostly wait (the CRM connectors keep to the CRMs'
 * budgets of calls per second in real time; the mailbox sync waits on Dovecot) come before their
 * length would put them: they fill the gaps the busy ones leave (the HubSpot connector's file,
 * started at 374 s of a 498 s run, was the last to end). Measured in a full run; keep the longest
 * few here.
 */
const longestFirst = [
  'src/server/modules/connectors/connectors.test.ts',
  'e2e/demo.test.ts',
  'e2e/web-app.test.ts',
  'e2e/bench.test.ts',
  'src/server/modules/connectors/pipedrive.test.ts',
  'e2e/mailbox-sync.test.ts',
  'src/server/modules/permissions.test.ts',
  'e2e/crm-backfill-crash.test.ts',
  'e2e/setup.test.ts',
  'e2e/cli.test.ts',
  'e2e/crm-pipeline.test.ts',
  'e2e/connections-settings.test.ts',
  'e2e/contacts.test.ts',
  'e2e/backup.test.ts',
  'src/server/modules/mailbox/mailbox-sync.test.ts',
  'e2e/ingest-crash.test.ts',
  'e2e/server.test.ts',
  'e2e/sla-failover.test.ts',
  'e2e/email.test.ts',
];

const rank = (spec: TestSpecification) => {
  const index = longestFirst.findIndex((file) => spec.moduleId.endsWith(file));
  return index === -1 ? longestFirst.length : index;
};

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    // Array.prototype.sort is stable: files of equal rank keep Vitest's order.
    return [...base].sort((a, b) => rank(a) - rank(b));
  }
}
