import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pool } from '../src/contract/routing.ts';
import type { User } from '../src/contract/users.ts';
import type { WebhookDelivery, WebhookEndpointWithSecret } from '../src/contract/webhooks.ts';
import { startWebhookReceiver } from '../src/server/testing/webhook-receiver.ts';
import { createStoreEnv, e2eStores, startServerProcess, type ServerProcess } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@acme-ict.nl', BATON_ADMIN_PASSWORD: 'first admin password' };
const leads = 30;

describe.each(e2eStores)('webhooks through a kill -9 of the server on %s', (store) => {
  const servers: ServerProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop('SIGKILL').catch(() => undefined);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('reaches every endpoint with every event at least once, each under one webhook-id', async () => {
    const { env: storeEnv, dispose } = await createStoreEnv(store);
    cleanups.push(dispose);
    // A receiver that takes its time, so that deliveries are in flight when the server dies.
    const receiver = await startWebhookReceiver((_request, response) => {
      setTimeout(() => response.writeHead(200).end('ok'), 100);
    });
    cleanups.push(receiver.close);
    const env = {
      ...storeEnv,
      ...admin,
      BATON_WEBHOOK_INTERVAL_MS: '50',
      BATON_WEBHOOK_LEASE_MS: '1500',
    };
    const first = await startServerProcess(env);
    servers.push(first);
    const login = await fetch(`${first.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: admin.BATON_ADMIN_EMAIL, password: admin.BATON_ADMIN_PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const call = async <T>(
      server: ServerProcess,
      method: string,
      path: string,
      body?: object,
    ): Promise<T> => {
      const response = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: { cookie, ...(body && { 'content-type': 'application/json' }) },
        ...(body && { body: JSON.stringify(body) }),
      });
      expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBeLessThan(300);
      return (await response.json()) as T;
    };

    await call(first, 'PUT', '/webhooks/settings', { allowPrivateTargets: true });
    const endpoints = [
      await call<WebhookEndpointWithSecret>(first, 'POST', '/webhooks/endpoints', {
        url: `${receiver.url}/crm`,
        eventTypes: ['lead.mql', 'lead.assigned'],
      }),
      await call<WebhookEndpointWithSecret>(first, 'POST', '/webhooks/endpoints', {
        url: `${receiver.url}/bi`,
        eventTypes: ['lead.mql', 'lead.assigned'],
      }),
    ];
    const rep = await call<User>(first, 'POST', '/users', {
      email: 'ruud@acme-ict.nl',
      name: 'Ruud',
      role: 'sales_rep',
    });
    const pool = await call<Pool>(first, 'POST', '/routing/pools', {
      name: 'Inside',
      members: [{ userId: rep.id }],
    });
    await call(first, 'PATCH', '/routing/settings', { fallbackPoolId: pool.id });

    for (let i = 0; i < leads; i++) {
      const ingested = await call<{ results: { contactId: string }[] }>(first, 'POST', '/events', {
        type: 'page_viewed',
        occurredAt: new Date().toISOString(),
        email: `lead${i}@initech.nl`,
      });
      await call(first, 'POST', `/contacts/${ingested.results[0]!.contactId}/stage-changes`, { to: 'mql' });
    }
    // Some deliveries made, others in flight: the server dies without warning.
    await expect
      .poll(() => receiver.received.length, { timeout: 60_000, interval: 20 })
      .toBeGreaterThanOrEqual(10);
    expect(await first.stop('SIGKILL')).toBeNull();
    servers.splice(servers.indexOf(first), 1);
    const beforeRestart = receiver.received.length;
    expect(beforeRestart).toBeLessThan(4 * leads);

    const second = await startServerProcess(env);
    servers.push(second);
    const deliveries = async (endpointId: string) => {
      const all: WebhookDelivery[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: WebhookDelivery[]; nextCursor: string | null } = await call(
          second,
          'GET',
          `/webhooks/endpoints/${endpointId}/deliveries?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        );
        all.push(...page.data);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    };
    const delivered = async () =>
      (await Promise.all(endpoints.map((e) => deliveries(e.id)))).map(
        (list) => list.filter((d) => d.status === 'delivered').length,
      );
    await expect.poll(delivered, { timeout: 120_000, interval: 250 }).toEqual([2 * leads, 2 * leads]);

    // Every message reached both endpoints; what arrived twice arrived under the same webhook-id.
    const messageIds = new Set((await deliveries(endpoints[0]!.id)).map((d) => d.messageId));
    expect(messageIds.size).toBe(2 * leads);
    expect(new Set((await deliveries(endpoints[1]!.id)).map((d) => d.messageId))).toEqual(messageIds);
    for (const [endpoint, path] of [
      [endpoints[0]!, '/crm'],
      [endpoints[1]!, '/bi'],
    ] as const) {
      const arrived = receiver.received.filter((r) => r.path === path);
      expect(new Set(arrived.map((r) => r.headers['webhook-id']))).toEqual(messageIds);
      const verifier = new Webhook(endpoint.secret);
      for (const request of arrived) {
        const body = verifier.verify(request.body, request.headers as Record<string, string>) as {
          type: string;
        };
        expect(['lead.mql', 'lead.assigned']).toContain(body.type);
      }
    }
    // A resend is only what the killed process had in hand: at most a batch per endpoint.
    expect(receiver.received.length - 4 * leads).toBeLessThanOrEqual(2 * 100);
  });
});
