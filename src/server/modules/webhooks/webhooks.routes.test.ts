import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type {
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '../../../contract/webhooks.ts';
import { createWebhookSender } from '../../platform/webhook-sender.ts';
import { startWebhookDispatcher } from '../../platform/webhook-dispatcher.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { startWebhookReceiver } from '../../testing/webhook-receiver.ts';
import {
  addUser,
  allWeekHours,
  createTestApp,
  createTestContext,
  signIn,
  type TestContext,
} from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('outgoing webhooks', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let admin: string;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const sender = createWebhookSender({ timeoutMs: 2_000, maxBodyBytes: 4096 });

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    // The specification's verifier compares the signed timestamp with the real time.
    // eslint-disable-next-line no-restricted-syntax
    context.clock.set(new Date(Date.now()));
    app = await createTestApp(context);
    admin = await signIn(app, (await addUser(context, 'admin')).email);
    await context.services.scoring.ensureDefaultModel();
    receiver = await startWebhookReceiver();
    return () => app.close();
  });
  afterEach(async () => {
    await receiver.close();
  });

  const call = (
    cookie: string,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
  ) => app.inject({ method, url: `/api/v1${url}`, headers: { cookie }, ...(payload && { payload }) });
  /** What the dispatcher does in a round, to the end of what is due now. */
  const deliverDue = async () => {
    await context.services.webhooks.fanOut();
    for (const id of await context.services.webhooks.dueEndpoints())
      while ((await context.services.webhooks.deliver(sender, 'test', id)) > 0);
  };
  const allowLoopback = () => call(admin, 'PUT', '/webhooks/settings', { allowPrivateTargets: true });
  const register = async (url: string, eventTypes: string[]) => {
    const created = await call(admin, 'POST', '/webhooks/endpoints', { url, eventTypes, description: 'CRM' });
    expect(created.statusCode, created.body).toBe(201);
    return created.json<WebhookEndpointWithSecret>();
  };
  /** Sales: a manager and a rep in the fallback pool. */
  const org = async () => {
    const manager = await addUser(context, 'sales_manager');
    // The clock is the real one (see above): the rep works at every hour the test may run.
    const rep = await addUser(context, 'sales_rep', { managerId: manager.id, workingHours: allWeekHours });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    return { manager, rep };
  };
  const demoRequest = async (email = 'eva@globex.nl') => {
    const outcome = await context.services.capture.ingest(
      cli,
      { type: 'demo_requested', email, occurredAt: context.clock.now().toISOString(), firstName: 'Eva' },
      undefined,
    );
    await context.services.scoring.scoreDue();
    return outcome.body.results[0]!.contactId!;
  };

  it('refuses private and odd targets by default, naming the field, and takes loopback once an admin allows it', async () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost/hook',
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://2130706433/hook',
      'ftp://files.example.com/hook',
      'https://user:secret@hooks.example.com/hook',
      'not an address',
    ]) {
      const refused = await call(admin, 'POST', '/webhooks/endpoints', { url, eventTypes: ['lead.mql'] });
      expect(refused.statusCode, url).toBe(400);
      expect(refused.json(), url).toMatchObject({
        code: 'webhooks.invalid_target',
        errors: [{ field: 'body.url' }],
      });
    }
    const unknownType = await call(admin, 'POST', '/webhooks/endpoints', {
      url: `${receiver.url}/`,
      eventTypes: ['lead.vanished'],
    });
    expect(unknownType.statusCode).toBe(400);
    expect(unknownType.json()).toMatchObject({ errors: [{ field: expect.stringContaining('eventTypes') }] });

    expect((await allowLoopback()).json()).toEqual({ allowPrivateTargets: true });
    const endpoint = await register(`${receiver.url}/`, ['lead.mql']);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // Only admins manage webhooks.
    const marketer = await signIn(app, (await addUser(context, 'marketing')).email);
    expect((await call(marketer, 'GET', '/webhooks/endpoints')).statusCode).toBe(403);
    expect((await call(marketer, 'GET', `/webhooks/endpoints/${endpoint.id}/secret`)).statusCode).toBe(403);
    // Every change is in the audit log.
    const audit = await call(admin, 'GET', '/audit-log?limit=50');
    expect(audit.json<{ data: { action: string }[] }>().data.map((e) => e.action)).toEqual(
      expect.arrayContaining(['webhook.settings_changed', 'webhook.endpoint_created']),
    );

    // Turned off again, a delivery to the loopback address is refused when it is sent, too.
    await call(admin, 'PUT', '/webhooks/settings', { allowPrivateTargets: false });
    await org();
    await demoRequest();
    await deliverDue();
    expect(receiver.received).toEqual([]);
    const [delivery] = (await call(admin, 'GET', `/webhooks/endpoints/${endpoint.id}/deliveries`)).json<{
      data: WebhookDelivery[];
    }>().data;
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringContaining('private'),
    });
  });

  it("tells an endpoint of a lead's journey, signed as the Standard Webhooks library verifies, with a delivery log", async () => {
    await allowLoopback();
    const endpoint = await register(`${receiver.url}/crm`, [
      'lead.mql',
      'lead.assigned',
      'lead.rejected',
      'lead.recycled',
    ]);
    const other = await register(`${receiver.url}/bi`, ['lead.assigned']);
    const { rep } = await org();
    const id = await demoRequest();
    await expect
      .poll(async () => (await context.services.contacts.getContact(cli, id)).ownerId, { timeout: 30_000 })
      .toBe(rep.id);
    const ruud = await signIn(app, rep.email);
    const rejected = await call(ruud, 'POST', `/contacts/${id}/reject`, {
      reasonCode: 'not_now',
      note: 'April',
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    await deliverDue();

    const verifier = new Webhook(endpoint.secret);
    const bodies = receiver.received
      .filter((r) => r.path === '/crm')
      .map(
        (r) => verifier.verify(r.body, r.headers as Record<string, string>) as { type: string; data: object },
      );
    expect(bodies.map((b) => b.type)).toEqual([
      'lead.mql',
      'lead.assigned',
      'lead.rejected',
      'lead.recycled',
    ]);
    expect(bodies[1]).toMatchObject({ data: { contactId: id, ownerId: rep.id, kind: 'fallback' } });
    expect(bodies[2]).toMatchObject({
      data: { contactId: id, stage: 'recycled', previousStage: 'mql', reasonCode: 'not_now', note: 'April' },
    });
    // Another endpoint's secret does not verify these; the same message has the same webhook-id everywhere.
    const assigned = receiver.received.find((r) => r.path === '/bi')!;
    expect(() =>
      new Webhook(other.secret).verify(
        receiver.received.find((r) => r.path === '/crm')!.body,
        receiver.received.find((r) => r.path === '/crm')!.headers as Record<string, string>,
      ),
    ).toThrow();
    expect(assigned.headers['webhook-id']).toBe(receiver.typesAt('/crm')[1]![0]);
    expect(receiver.typesAt('/bi')).toHaveLength(1);

    const log = (await call(admin, 'GET', `/webhooks/endpoints/${endpoint.id}/deliveries?limit=2`)).json<{
      data: WebhookDelivery[];
      nextCursor: string | null;
    }>();
    expect(log.data.map((d) => [d.eventType, d.status, d.attempts])).toEqual([
      ['lead.recycled', 'delivered', 1],
      ['lead.rejected', 'delivered', 1],
    ]);
    const next = (
      await call(
        admin,
        'GET',
        `/webhooks/endpoints/${endpoint.id}/deliveries?limit=2&cursor=${log.nextCursor}`,
      )
    ).json<{ data: WebhookDelivery[] }>();
    expect(next.data.map((d) => d.eventType)).toEqual(['lead.assigned', 'lead.mql']);
    const detail = (
      await call(admin, 'GET', `/webhooks/deliveries/${log.data[0]!.id}`)
    ).json<WebhookDeliveryDetail>();
    expect(detail.attemptLog).toEqual([
      expect.objectContaining({
        responseStatus: 204,
        error: null,
        request: {
          url: `${receiver.url}/crm`,
          headers: expect.objectContaining({ 'webhook-id': detail.messageId }),
        },
      }),
    ]);
    expect(JSON.parse(detail.payload)).toMatchObject({ type: 'lead.recycled' });
    const counted = (await call(admin, 'GET', `/webhooks/endpoints/${endpoint.id}`)).json<{
      counts: object;
    }>();
    expect(counted.counts).toEqual({ delivered: 4 });

    // Erasing the person (GDPR/AVG) removes what the messages said about them, and their log.
    await context.services.contacts.eraseContact(cli, id);
    const after = (await call(admin, 'GET', `/webhooks/endpoints/${endpoint.id}`)).json<{ counts: object }>();
    expect(after.counts).toEqual({});
    expect((await call(admin, 'GET', `/webhooks/deliveries/${log.data[0]!.id}`)).statusCode).toBe(404);
  });

  it('retries a failing endpoint with backoff under the same webhook-id, follows no redirect, and replays', async () => {
    await allowLoopback();
    const endpoint = await register(`${receiver.url}/`, ['lead.mql']);
    let answers = [500, 302, 200];
    receiver.answerWith((_r, res) => {
      const status = answers.shift() ?? 200;
      res.writeHead(status, status === 302 ? { location: 'http://127.0.0.1:9/elsewhere' } : {}).end('nope');
    });
    await org();
    await demoRequest();
    await deliverDue();
    const deliveries = async () =>
      (await call(admin, 'GET', `/webhooks/endpoints/${endpoint.id}/deliveries`)).json<{
        data: WebhookDelivery[];
      }>().data;
    const [first] = await deliveries();
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500 });
    const wait = new Date(first!.nextAttemptAt!).getTime() - context.clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(4_500);
    expect(wait).toBeLessThanOrEqual(5_500);
    // Not due yet: nothing is sent.
    await deliverDue();
    expect(receiver.received).toHaveLength(1);

    context.clock.advance(6_000);
    await deliverDue();
    const [second] = await deliveries();
    expect(second).toMatchObject({ status: 'pending', attempts: 2, lastStatus: 302 });
    expect(second!.lastError).toContain('do not follow redirects');
    expect(new Date(second!.nextAttemptAt!).getTime() - context.clock.now().getTime()).toBeGreaterThan(
      25_000,
    );

    context.clock.advance(40_000);
    await deliverDue();
    expect((await deliveries())[0]).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
    expect(ids).toHaveLength(3);

    // One delivery sent again by hand, then every message of a range: the same webhook-id.
    const replayed = await call(admin, 'POST', `/webhooks/deliveries/${first!.id}/replay`);
    expect(replayed.json()).toMatchObject({ status: 'pending' });
    await deliverDue();
    expect(receiver.received).toHaveLength(4);
    const from = new Date(context.clock.now().getTime() - 3_600_000).toISOString();
    const to = new Date(context.clock.now().getTime() + 60_000).toISOString();
    expect(
      (
        await call(admin, 'POST', `/webhooks/endpoints/${endpoint.id}/replay`, { from, to, onlyFailed: true })
      ).json(),
    ).toEqual({ replayed: 0 });
    expect(
      (await call(admin, 'POST', `/webhooks/endpoints/${endpoint.id}/replay`, { from, to })).json(),
    ).toEqual({
      replayed: 1,
    });
    await deliverDue();
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(receiver.received).toHaveLength(5);
    const backwards = await call(admin, 'POST', `/webhooks/endpoints/${endpoint.id}/replay`, {
      from: to,
      to: from,
    });
    expect(backwards.json()).toMatchObject({ errors: [{ field: 'body.to' }] });
    answers = [];
  });

  it('signs with the old and the new secret while a rotation lasts', async () => {
    await allowLoopback();
    const endpoint = await register(`${receiver.url}/`, ['lead.mql']);
    const rotated = (
      await call(admin, 'POST', `/webhooks/endpoints/${endpoint.id}/rotate-secret`, { graceHours: 1 })
    ).json<WebhookEndpointWithSecret>();
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.previousSecretValidUntil).not.toBeNull();
    await org();
    await demoRequest('a@globex.nl');
    await deliverDue();
    const first = receiver.received[0]!;
    expect(String(first.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [endpoint.secret, rotated.secret])
      expect(new Webhook(secret).verify(first.body, first.headers as Record<string, string>)).toMatchObject({
        type: 'lead.mql',
      });
    // After the grace period only the new secret signs.
    context.clock.advance(3_600_001);
    await demoRequest('b@globex.nl');
    await deliverDue();
    const second = receiver.received[1]!;
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() =>
      new Webhook(endpoint.secret).verify(second.body, second.headers as Record<string, string>),
    ).toThrow();
    expect(
      (await call(admin, 'GET', `/webhooks/endpoints/${endpoint.id}/secret`)).json<{ secret: string }>()
        .secret,
    ).toBe(rotated.secret);
  });

  it('turns off an endpoint that failed for five days and emails the admins; nothing it missed is lost', async () => {
    await allowLoopback();
    receiver.answerWith((_r, res) => res.writeHead(503).end());
    const endpoint = await register(`${receiver.url}/`, ['lead.mql']);
    await org();
    await demoRequest();
    await deliverDue();
    for (let day = 0; day < 6; day++) {
      context.clock.advance(24 * 3_600_000);
      await demoRequest(`lead${day}@globex.nl`);
      await deliverDue();
    }
    const off = (await call(admin, 'GET', `/webhooks/endpoints/${endpoint.id}`)).json<WebhookEndpoint>();
    expect(off).toMatchObject({ enabled: false, disabledReason: 'failing' });
    const outbox = await context.services.notifications.listOutbox(cli, { limit: 200 });
    const alerts = outbox.data.filter((m) => m.kind === 'webhook.disabled');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toBe(`Webhook turned off: ${receiver.url}/`);

    // Fixed and turned on again: a replay of the range brings everything it missed.
    receiver.answerWith((_r, res) => res.writeHead(200).end());
    await call(admin, 'PATCH', `/webhooks/endpoints/${endpoint.id}`, { enabled: true });
    const from = new Date(context.clock.now().getTime() - 8 * 24 * 3_600_000).toISOString();
    const replay = await call(admin, 'POST', `/webhooks/endpoints/${endpoint.id}/replay`, {
      from,
      to: new Date(context.clock.now().getTime() + 60_000).toISOString(),
      onlyFailed: true,
    });
    expect(replay.json()).toEqual({ replayed: 7 });
    const before = receiver.received.length;
    await deliverDue();
    expect(receiver.received.length - before).toBe(7);
    expect((await call(admin, 'GET', `/webhooks/endpoints/${endpoint.id}`)).json()).toMatchObject({
      enabled: true,
      failingSince: null,
    });
  });

  it('keeps a hanging endpoint and an endless answer from holding up another endpoint', async () => {
    await allowLoopback();
    const held: ServerResponse[] = [];
    receiver.answerWith((request, res) => {
      if (request.path === '/hangs') return held.push(res);
      if (request.path === '/endless') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = 'x'.repeat(16_384);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        return pump();
      }
      res.writeHead(204).end();
    });
    const hangs = await register(`${receiver.url}/hangs`, ['lead.mql']);
    const endless = await register(`${receiver.url}/endless`, ['lead.mql']);
    const healthy = await register(`${receiver.url}/fine`, ['lead.mql']);
    await org();
    await demoRequest();
    const dispatcher = startWebhookDispatcher(
      {
        fanOut: () => context.services.webhooks.fanOut(),
        dueEndpoints: () => context.services.webhooks.dueEndpoints(),
        deliver: (id) => context.services.webhooks.deliver(sender, 'dispatcher', id),
      },
      context.events,
      {
        intervalMs: 50,
        fanOutBatch: 500,
        wakeOn: ['webhook.queued'],
        onError: (e) => context.handlerErrors.push(e),
      },
    );
    try {
      const statusOf = async (id: string) =>
        (await call(admin, 'GET', `/webhooks/endpoints/${id}/deliveries`)).json<{ data: WebhookDelivery[] }>()
          .data[0]?.status;
      // The healthy endpoint has its message while the hanging one still waits for an answer.
      await expect.poll(() => statusOf(healthy.id), { timeout: 30_000 }).toBe('delivered');
      await expect.poll(() => statusOf(endless.id), { timeout: 30_000 }).toBe('delivered');
      // The hanging endpoint got its request and holds it (on a loaded machine it may start last).
      await expect.poll(() => held.length, { timeout: 30_000 }).toBe(1);
      await expect.poll(() => statusOf(hangs.id), { timeout: 30_000 }).toBe('pending');
      const [hung] = (await call(admin, 'GET', `/webhooks/endpoints/${hangs.id}/deliveries`)).json<{
        data: WebhookDelivery[];
      }>().data;
      await expect
        .poll(
          async () =>
            (await call(admin, 'GET', `/webhooks/deliveries/${hung!.id}`)).json<WebhookDeliveryDetail>()
              .attemptLog[0]?.error,
          {
            timeout: 30_000,
          },
        )
        .toContain('no complete answer within 2000 ms');
    } finally {
      await dispatcher.stop();
      for (const res of held) res.destroy();
    }
    expect(context.handlerErrors).toEqual([]);
  });

  it('describes every event and its body in the OpenAPI document’s webhooks section', async () => {
    const document = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      openapi: string;
      webhooks: Record<string, { post: { parameters: { name: string }[]; requestBody: object } }>;
    }>();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.webhooks)).toEqual(
      expect.arrayContaining([
        'lead.mql',
        'lead.assigned',
        'lead.accepted',
        'lead.rejected',
        'lead.recycled',
        'sla.reminder',
        'sla.escalated',
        'sla.breached',
        'sla.waived',
        'opportunity.created',
        'opportunity.won',
        'opportunity.lost',
        'agreement.signed',
        'plan.behind',
      ]),
    );
    expect(document.webhooks['lead.assigned']!.post.parameters.map((p) => p.name)).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
    expect(document.webhooks['lead.assigned']!.post.requestBody).toMatchObject({
      content: { 'application/json': { schema: { properties: { type: { const: 'lead.assigned' } } } } },
    });
  });
});
