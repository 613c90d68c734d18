import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/server/db/database.ts';
import { startHubSpotFake } from '../src/server/testing/hubspot-fake.ts';
import { createStoreEnv, e2eStores, runCli, startServerProcess, type ServerProcess } from './helpers.ts';

const people = 1500;
const deals = 150;
const calls = 1500;

interface ConnectionView {
  id: string;
  state: string;
  lastError: string | null;
  backfill: { state: string; done: number };
  linked: Record<string, number>;
}

/*
 * A CRM backfill cut by kill -9: Baton reads a local HubSpot (src/server/testing/hubspot-fake.ts)
 * whose budget is a third of what Baton asks for, so the backfill takes a while and meets 429s. The
 * server is killed in the middle; the next one takes the connection over when the dead one's lease
 * runs out, goes on from the saved cursors, and ends with every person, deal and call once.
 */
describe.each(e2eStores)('a kill -9 in the middle of a HubSpot backfill on %s', (store) => {
  it('resumes from the cursor and ends with no person, deal or activity twice', async () => {
    const { env, dispose } = await createStoreEnv(store);
    const hubspot = await startHubSpotFake({ tenSecondLimit: 60 });
    let server: ServerProcess | null = null;
    try {
      for (let n = 0; n < people; n++)
        hubspot.create('contacts', { email: `person${n}@firma${n % 100}.nl`, firstname: `P${n}` });
      const contacts = hubspot.all('contacts');
      for (let n = 0; n < deals; n++)
        hubspot.create(
          'deals',
          {
            dealname: `Deal ${n}`,
            amount: String(1000 + n),
            dealstage: n % 3 === 0 ? 'closedwon' : 'qualifiedtobuy',
            closedate: '2026-11-20T00:00:00.000Z',
            createdate: '2026-11-01T00:00:00.000Z',
          },
          { contacts: [contacts[(n * 10) % people]!.id] },
        );
      for (let n = 0; n < calls; n++)
        hubspot.create(
          'calls',
          {
            hs_timestamp: new Date(Date.UTC(2026, 10, 2, 9) + n * 60_000).toISOString(),
            hs_call_status: 'COMPLETED',
            hs_call_title: `Call ${n}`,
          },
          { contacts: [contacts[n % people]!.id] },
        );

      // A dead process's hold on the sync ends after 3 s (renewed after each page while alive).
      const serverEnv = { ...env, BATON_CRM_SYNC_LEASE_SECONDS: '3', BATON_CRM_ALLOW_PRIVATE: 'true' };
      const created = await runCli(
        ['api-keys', 'create', '--name', 'Setup', '--role', 'admin', '--json'],
        serverEnv,
      );
      const key = (JSON.parse(created.stdout) as { key: string }).key;
      const call = async (path: string, init: RequestInit = {}) => {
        const response = await fetch(`${server!.url}/api/v1${path}`, {
          ...init,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        });
        const body = (await response.json()) as ConnectionView;
        expect(response.status, `${JSON.stringify(body)}\n${server!.output()}`).toBeLessThan(300);
        return body;
      };
      const waitFor = async (id: string, until: (c: ConnectionView) => boolean, timeoutMs: number) => {
        const began = performance.now();
        for (;;) {
          const connection = await call(`/connectors/${id}`);
          if (until(connection)) return connection;
          if (performance.now() - began > timeoutMs)
            throw new Error(`waited ${timeoutMs} ms: ${JSON.stringify(connection)}\n${server!.output()}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };

      server = await startServerProcess(serverEnv);
      const connection = await call('/connectors', {
        method: 'POST',
        body: JSON.stringify({ kind: 'hubspot', token: hubspot.token, baseUrl: hubspot.url }),
      });
      // The lead flow's loop takes the connection up within seconds; it is killed a quarter in.
      const before = await waitFor(connection.id, (c) => c.backfill.done >= 750, 120_000);
      await server.stop('SIGKILL');
      server = null;
      expect(before.backfill.state).toBe('running');
      expect(before.backfill.done).toBeLessThan(people + deals + calls);

      server = await startServerProcess(serverEnv);
      const after = await waitFor(connection.id, (c) => c.backfill.state === 'done', 180_000);
      expect(after).toMatchObject({
        state: 'active',
        lastError: null,
        linked: { contact: people, deal: deals },
      });
      await server.stop();
      server = null;
      // Resumed, not begun again: each list page read once (15 + 2 + 15 pages of 100, one empty
      // page for each of companies, meetings and emails), and at most two pages again: the one cut
      // short and the one read ahead of it.
      expect(hubspot.counts.lists).toBeLessThanOrEqual(15 + 2 + 15 + 3 + 2);

      const database =
        store === 'sqlite'
          ? openDatabase({ dialect: 'sqlite', path: env.BATON_SQLITE_PATH! })
          : openDatabase({ dialect: 'postgres', url: env.DATABASE_URL! });
      try {
        const count = async (table: 'contacts' | 'opportunities' | 'opportunity_stage_changes') =>
          Number(
            (
              await database.db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          );
        expect(await count('contacts')).toBe(people);
        expect(await count('opportunities')).toBe(deals);
        // One stage change per deal: each was read into its stage once, however often it was read.
        expect(await count('opportunity_stage_changes')).toBe(deals);
        const touches = await database.db
          .selectFrom('touchpoints')
          .where('type', '=', 'call_logged')
          .select((eb) => [eb.fn.countAll().as('n'), eb.fn.count('client_event_id').distinct().as('ids')])
          .executeTakeFirstOrThrow();
        expect(Number(touches.n)).toBe(calls);
        expect(Number(touches.ids)).toBe(calls);
      } finally {
        await database.close();
      }
    } finally {
      await server?.stop('SIGKILL');
      await hubspot.close();
      await dispose();
    }
  });
});
