import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AttributionReport } from '../../../contract/attribution.ts';
import { migrateToLatest, openDatabase, type Database } from '../../db/database.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';
import { startAttributionThread } from './attribution.thread-host.ts';

const cli = { kind: 'cli' } as const;
const dir = mkdtempSync(join(tmpdir(), 'baton-attribution-thread-'));
const path = join(dir, 'baton.db');
let database: Database;
let alone: TestContext;
let helper: ReturnType<typeof startAttributionThread>;
let helped: TestContext;
let calls = 0;
const failures: unknown[] = [];

beforeAll(async () => {
  database = openDatabase({ dialect: 'sqlite', path });
  await migrateToLatest(database.db);
  alone = createTestContext(database);
  const channels = ['webinar', 'email', 'ads', 'organic'];
  // Forty deals, each with a few touches in several channels, won or lost or still open.
  for (let i = 0; i < 40; i++) {
    const email = `p${i}@firm${i}.nl`;
    let contactId = '';
    for (let k = 0; k < 1 + (i % 4); k++) {
      const at = `2026-0${1 + (k % 3)}-${String(10 + (i % 15)).padStart(2, '0')}T10:00:00Z`;
      alone.clock.set(new Date(Date.parse(at) + 60_000).toISOString());
      const outcome = await alone.services.capture.ingest(
        cli,
        { type: 'page_viewed', occurredAt: at, email, channel: channels[(i + k) % 4], campaign: `c${k}` },
        undefined,
      );
      contactId = outcome.body.results[0]!.contactId!;
    }
    alone.clock.set('2026-04-01T09:00:00Z');
    await alone.services.contacts.changeStage(cli, contactId, { to: 'sql' });
    const deal = await alone.services.opportunities.create(cli, {
      name: `Deal ${i}`,
      contactId,
      amountMinor: 10_000 + i * 137,
    });
    alone.clock.set('2026-05-01T09:00:00Z');
    if (i % 3 === 0) await alone.services.opportunities.move(cli, deal.id, { stage: 'won' });
    if (i % 3 === 1)
      await alone.services.opportunities.move(cli, deal.id, { stage: 'lost', reason: 'price' });
  }
  helper = startAttributionThread({ dialect: 'sqlite', path }, { error: () => undefined }, { minDeals: 1 });
  await helper.ready;
  // Counted, and its failures kept: the service would hide one by crediting that half itself.
  helped = createTestContext(database, alone.clock, {
    attributionHelper: {
      minDeals: helper.minDeals,
      tally: async (input) => {
        calls++;
        try {
          return await helper.tally(input);
        } catch (error) {
          failures.push(error);
          throw error;
        }
      },
      journeys: async (input) => {
        calls++;
        try {
          return await helper.journeys(input);
        } catch (error) {
          failures.push(error);
          throw error;
        }
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await helper.stop();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

it('credits a report’s deals in two threads to the same figures as in one', async () => {
  for (const query of [
    { from: '2026-01-01', to: '2026-12-31', model: 'linear' as const, groupBy: 'channel' as const },
    // A model named: credited now (the agreed model's own report reads the kept credit instead).
    { from: '2026-01-01', to: '2026-12-31', model: 'w_shaped' as const, groupBy: 'campaign' as const },
    { from: '2026-01-01', to: '2026-12-31', model: 'markov' as const, groupBy: 'deal' as const },
  ]) {
    const one: AttributionReport = await alone.services.attribution.report(cli, query);
    const two: AttributionReport = await helped.services.attribution.report(cli, query);
    expect(one.totals.pipelineDeals).toBe(40);
    expect(two.totals).toEqual(one.totals);
    expect(two.marketing).toEqual(one.marketing);
    const byKey = (r: AttributionReport) =>
      Object.fromEntries(r.rows.map((x) => [x.key, x.revenueMinor + x.pipelineMinor]));
    expect(byKey(two)).toEqual(byKey(one));
    expect(two.campaigns.map((c) => [c.campaign, c.revenueMinor])).toEqual(
      one.campaigns.map((c) => [c.campaign, c.revenueMinor]),
    );
  }
  // Three reports in two halves, and the Markov one's learning in two halves too.
  expect(calls).toBe(4);
  expect(failures).toEqual([]);
});
