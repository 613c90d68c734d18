import { describe, expect, it } from 'vitest';
import { createStoreEnv, e2eStores, startServerProcess } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@example.nl', BATON_ADMIN_PASSWORD: 'first admin password' };

async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: admin.BATON_ADMIN_EMAIL, password: admin.BATON_ADMIN_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

describe.each(e2eStores)('baton serve on %s', (store) => {
  it('creates the first admin, keeps what was written across a restart and a kill -9, and scores leads', async () => {
    const { env, dispose } = await createStoreEnv(store);
    try {
      let server = await startServerProcess({ ...env, ...admin });
      expect(await (await fetch(`${server.url}/api/health`)).json()).toMatchObject({
        status: 'ok',
        database: { dialect: store },
      });
      let cookie = await signIn(server.url);
      const created = await fetch(`${server.url}/api/v1/contacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ email: 'jan@acme.nl', firstName: 'Jan' }),
      });
      expect(created.status).toBe(201);
      expect(await server.stop('SIGTERM')).toBe(0);

      server = await startServerProcess({ ...env, ...admin });
      cookie = await signIn(server.url);
      const second = await fetch(`${server.url}/api/v1/contacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ email: 'piet@acme.nl' }),
      });
      expect(second.status).toBe(201);
      // No goodbye: the process dies on the spot, right after the answer.
      await server.stop('SIGKILL');

      server = await startServerProcess({ ...env, ...admin });
      cookie = await signIn(server.url);
      const list = await (await fetch(`${server.url}/api/v1/contacts`, { headers: { cookie } })).json();
      expect((list as { data: { email: string }[] }).data.map((c) => c.email).sort()).toEqual([
        'jan@acme.nl',
        'piet@acme.nl',
      ]);
      const users = await (await fetch(`${server.url}/api/v1/users`, { headers: { cookie } })).json();
      expect((users as { data: unknown[] }).data).toHaveLength(1);

      // The scoring thread (on its own connection) moves a demo request to MQL within seconds.
      const sent = await fetch(`${server.url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({
          type: 'demo_requested',
          occurredAt: new Date().toISOString(),
          email: 'cto@acme.nl',
        }),
      });
      const contactId = ((await sent.json()) as { results: { contactId: string }[] }).results[0]!.contactId;
      let stage = '';
      for (let i = 0; i < 100 && stage !== 'mql'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const lifecycle = await fetch(`${server.url}/api/v1/contacts/${contactId}/lifecycle`, {
          headers: { cookie },
        });
        stage = ((await lifecycle.json()) as { stage: string }).stage;
      }
      expect(stage).toBe('mql');
      const score = await (
        await fetch(`${server.url}/api/v1/contacts/${contactId}/score`, { headers: { cookie } })
      ).json();
      expect(score).toMatchObject({
        modelVersion: 1,
        qualifies: true,
        explanation: { mql: { by: 'high_intent' } },
      });
      expect(await server.stop('SIGTERM')).toBe(0);
    } finally {
      await dispose();
    }
  });
});
