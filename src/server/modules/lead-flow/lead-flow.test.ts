// The journey's background loops, as a server process starts them: the first round (routing what
// waits, the daily checks, attribution's kept credit) is done before startLeadFlow resolves.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, migrateToLatest, type Database } from '../../db/database.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';
import { startLeadFlow, type RunningLeadFlow } from './lead-flow.ts';

const cli = { kind: 'cli' } as const;
let database: Database;
let context: TestContext;
let flow: RunningLeadFlow | undefined;

beforeEach(async () => {
  database = openDatabase({ dialect: 'sqlite', path: ':memory:' });
  await migrateToLatest(database.db);
  context = createTestContext(database);
  context.clock.set('2026-12-01T09:00:00.000Z');
});

afterEach(async () => {
  await flow?.stop();
  flow = undefined;
  await database.close();
});

it('brings attribution’s kept credit up to date in the background', async () => {
  const touched = await context.services.capture.ingest(
    cli,
    { type: 'webinar_attended', occurredAt: '2026-11-20T10:00:00Z', email: 'an@acme.nl', channel: 'webinar' },
    undefined,
  );
  const contactId = touched.body.results[0]!.contactId!;
  await context.services.contacts.changeStage(cli, contactId, { to: 'sql' });
  const deal = await context.services.opportunities.create(cli, {
    name: 'Acme',
    contactId,
    amountMinor: 5000,
  });
  const credit = () =>
    database.db
      .selectFrom('attribution_live_credits')
      .select(['changes', 'credited_changes', 'lines'])
      .where('opportunity_id', '=', deal.id)
      .executeTakeFirstOrThrow();
  expect((await credit()).credited_changes).toBeNull();

  flow = await startLeadFlow(
    context.services,
    context.events,
    {
      slaSweepMs: 3_600_000,
      smtpUrl: undefined,
      mailFrom: 'baton@acme-ict.nl',
      outboxIntervalMs: 3_600_000,
      webhookIntervalMs: 3_600_000,
      webhookTimeoutMs: 1_000,
      mailSyncIntervalSeconds: 3_600,
    },
    { error: (fields) => expect.fail(String(fields.err)), warn: () => undefined },
  );
  const after = await credit();
  expect(after.credited_changes).toBe(after.changes);
  expect(after.lines).toBe(1);
});
