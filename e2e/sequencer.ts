import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest files start first, so that the run ends when the sum of the work is done rather than
 * when the one long file that started last is. (Vitest orders by the durations of earlier runs; a
 * fresh clone, as in CI, has none.) Measured in a full run; keep the longest few here.
 */
const longestFirst = [
  'e2e/demo.test.ts',
  'e2e/web-app.test.ts',
  'e2e/setup.test.ts',
  'e2e/bench.test.ts',
  'src/server/modules/permissions.test.ts',
  'e2e/crm-pipeline.test.ts',
  'e2e/cli.test.ts',
  'e2e/server.test.ts',
  'e2e/ingest-crash.test.ts',
  'e2e/email.test.ts',
  'e2e/sla-failover.test.ts',
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
