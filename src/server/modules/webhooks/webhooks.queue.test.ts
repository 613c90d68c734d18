import { expect, it } from 'vitest';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';
import { fanOutMessages, queueWebhooks, webhookEvent, type WebhookEvent } from './webhooks.usecases.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('the webhook queue', (getDatabase) => {
  const setUp = async () => {
    const context = createTestContext(getDatabase());
    await context.services.webhooks.updateSettings(cli, { allowPrivateTargets: true });
    const endpoint = await context.services.webhooks.createEndpoint(cli, {
      url: 'http://127.0.0.1:9/hooks',
      eventTypes: ['sla.reminder'],
    });
    return { context, endpoint };
  };
  const person = async (context: TestContext, email: string) => {
    const outcome = await context.services.capture.ingest(
      cli,
      { type: 'form_submitted', email, occurredAt: context.clock.now().toISOString() },
      undefined,
    );
    return outcome.body.results[0]!.contactId!;
  };
  /** A reminder about `contactId`, numbered so that the order of the messages can be read back. */
  const reminder = (context: TestContext, contactId: string, n: number): WebhookEvent =>
    webhookEvent('sla.reminder', new Date(context.clock.now().getTime() + n), {
      clockId: `clock-${n}`,
      contactId,
      repId: null,
      policyId: 'policy',
      target: 'first_response',
      deadlineAt: context.clock.now().toISOString(),
      level: 0,
      notified: 'rep',
    });
  const queue = (context: TestContext, events: WebhookEvent[]) =>
    context.database.db.transaction().execute((trx) => queueWebhooks(trx, events, context.database.sqlite));
  const batches = (context: TestContext) =>
    context.database.db.selectFrom('webhook_batches').select(['id', 'events']).execute();
  const messages = (context: TestContext) =>
    context.database.db
      .selectFrom('webhook_messages')
      .select(['id', 'type', 'payload', 'is_fanned_out'])
      .where('type', '=', 'sla.reminder')
      .orderBy('id')
      .execute();

  it('queues a transaction’s events as batches of 500, and two dispatchers at once make each one message and delivery', async () => {
    const { context, endpoint } = await setUp();
    const lead = await person(context, 'eva@globex.nl');
    await queue(
      context,
      Array.from({ length: 1_201 }, (_, n) => reminder(context, lead, n)),
    );
    const queued = await batches(context);
    expect(queued.map((b) => (JSON.parse(b.events) as unknown[]).length).sort((a, b) => a - b)).toEqual([
      201, 500, 500,
    ]);
    expect(await messages(context)).toEqual([]);

    // Dispatchers in two processes (PostgreSQL: two connections) take turns or skip each other.
    const now = context.clock.now();
    let rounds = 0;
    while (rounds++ < 20) {
      const taken = await Promise.all([
        fanOutMessages({ db: context.database.db, now, limit: 500 }),
        fanOutMessages({ db: context.database.db, now, limit: 500 }),
      ]);
      if (taken[0] + taken[1] === 0) break;
    }
    expect(await batches(context)).toEqual([]);
    const made = await messages(context);
    expect(made).toHaveLength(1_201);
    // In the order they were queued, each with its body as sent.
    expect(made.map((m) => (JSON.parse(m.payload) as { data: { clockId: string } }).data.clockId)).toEqual(
      Array.from({ length: 1_201 }, (_, n) => `clock-${n}`),
    );
    expect(JSON.parse(made[7]!.payload)).toEqual({
      type: 'sla.reminder',
      timestamp: new Date(context.clock.now().getTime() + 7).toISOString(),
      data: expect.objectContaining({ clockId: 'clock-7', contactId: lead, level: 0 }),
    });
    expect(made.every((m) => Boolean(m.is_fanned_out))).toBe(true);
    const deliveries = await context.database.db
      .selectFrom('webhook_deliveries')
      .select(['message_id', 'endpoint_id'])
      .execute();
    expect(deliveries).toHaveLength(1_201);
    expect(new Set(deliveries.map((d) => d.message_id)).size).toBe(1_201);
    expect(deliveries.every((d) => d.endpoint_id === endpoint.id)).toBe(true);
  });

  it('sends an instant given as ISO text as the same timestamp as the Date it names', async () => {
    const { context } = await setUp();
    const lead = await person(context, 'eva@globex.nl');
    const asDate = reminder(context, lead, 1);
    const asText = { ...reminder(context, lead, 2), occurredAt: (asDate.occurredAt as Date).toISOString() };
    await queue(context, [asDate, asText]);
    await fanOutMessages({ db: context.database.db, now: context.clock.now(), limit: 10 });
    const sent = (await messages(context)).map((m) => JSON.parse(m.payload) as { timestamp: string });
    expect(sent).toHaveLength(2);
    expect(sent[1]!.timestamp).toBe(sent[0]!.timestamp);
    expect(sent[0]!.timestamp).toBe((asDate.occurredAt as Date).toISOString());
  });

  it('takes an erased person out of the waiting batches, and drops an event about someone gone without losing the rest', async () => {
    const { context } = await setUp();
    const [eva, jan] = [await person(context, 'eva@globex.nl'), await person(context, 'jan@initech.nl')];
    await queue(context, [reminder(context, eva, 0), reminder(context, jan, 1), reminder(context, eva, 2)]);
    await queue(context, [reminder(context, eva, 3)]);
    await context.services.privacy.erase(cli, eva);
    const left = await batches(context);
    // The batch about Eva alone is gone; the other no longer names her.
    expect(left).toHaveLength(1);
    expect(left[0]!.events).not.toContain(eva);
    expect(left[0]!.events).toContain(jan);

    // A batch committed while the person was being erased (two writers on PostgreSQL) names
    // someone who is gone by the time the dispatcher takes it.
    await queue(context, [
      reminder(context, jan, 4),
      reminder(context, '00000000-0000-7000-8000-000000000000', 5),
      reminder(context, jan, 6),
    ]);
    await context.services.webhooks.fanOut();
    expect(
      (await messages(context)).map(
        (m) => (JSON.parse(m.payload) as { data: { clockId: string } }).data.clockId,
      ),
    ).toEqual(['clock-1', 'clock-4', 'clock-6']);
    expect(await batches(context)).toEqual([]);
  });

  it('makes waiting events messages before a replay reads them', async () => {
    const { context, endpoint } = await setUp();
    const lead = await person(context, 'eva@globex.nl');
    await queue(context, [reminder(context, lead, 0), reminder(context, lead, 1)]);
    const { replayed } = await context.services.webhooks.replayRange(cli, endpoint.id, {
      from: new Date(context.clock.now().getTime() - 60_000).toISOString(),
      to: new Date(context.clock.now().getTime() + 60_000).toISOString(),
    });
    // The catch-up gave each message its delivery; the replay sends those again.
    expect(replayed).toBe(2);
    expect(await batches(context)).toEqual([]);
    expect(await messages(context)).toHaveLength(2);
    const deliveries = await context.database.db.selectFrom('webhook_deliveries').select('id').execute();
    expect(deliveries).toHaveLength(2);
  });
});
