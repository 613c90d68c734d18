import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/server/db/database.ts';
import { createStoreEnv, e2eStores, runCli, startServerProcess, type ServerProcess } from './helpers.ts';

const batches = 40;
const perBatch = 250;

function batch(b: number) {
  return {
    events: Array.from({ length: perBatch }, (_, i) => {
      const n = b * perBatch + i;
      return {
        id: `crash-${n}`,
        type: n % 7 === 0 ? 'form_submitted' : 'page_viewed',
        occurredAt: new Date(Date.UTC(2026, 2, 1, 9, 0, 0) + n * 1000).toISOString(),
        email: `person${n % 1500}@company${(n % 1500) % 90}.nl`,
        url: `https://www.example.nl/page/${n % 40}`,
      };
    }),
  };
}

async function post(server: ServerProcess, key: string, b: number) {
  const response = await fetch(`${server.url}/api/v1/events`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': `batch-${b}`,
    },
    body: JSON.stringify(batch(b)),
  });
  return {
    status: response.status,
    body: (await response.json()) as { accepted: number; duplicates: number },
  };
}

describe.each(e2eStores)('a kill -9 during a long ingest on %s', (store) => {
  it('ends, after the client retries with the same keys, with every event stored exactly once', async () => {
    const { env, dispose } = await createStoreEnv(store);
    try {
      const created = await runCli(
        ['api-keys', 'create', '--name', 'Loader', '--role', 'marketing', '--json'],
        env,
      );
      const key = (JSON.parse(created.stdout) as { key: string }).key;

      let server = await startServerProcess(env);
      const answered = new Map<number, { accepted: number; duplicates: number }>();
      let next = 0;
      let killed = false;
      // Four clients send batches until the server dies under them, mid-stream.
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < batches && !killed) {
            const b = next++;
            try {
              const result = await post(server, key, b);
              if (result.status === 200) answered.set(b, result.body);
            } catch {
              // the connection died with the server: this batch is retried below
            }
            if (answered.size === 12 && !killed) {
              killed = true;
              await server.stop('SIGKILL');
            }
          }
        }),
      );
      expect(killed).toBe(true);
      expect(answered.size).toBeGreaterThanOrEqual(12);
      expect(answered.size).toBeLessThan(batches);

      // The client does not know which of its in-flight batches made it, so it sends them all again.
      server = await startServerProcess(env);
      for (let b = 0; b < batches; b++) {
        const result = await post(server, key, b);
        // On failure, the answer and the server's log say why.
        expect(result.status, `${JSON.stringify(result.body)}\n${server.output()}`).toBe(200);
        const first = answered.get(b);
        if (first) expect(result.body).toEqual(first);
      }
      await server.stop();

      const database =
        store === 'sqlite'
          ? openDatabase({ dialect: 'sqlite', path: env.BATON_SQLITE_PATH! })
          : openDatabase({ dialect: 'postgres', url: env.DATABASE_URL! });
      try {
        const rows = await database.db
          .selectFrom('touchpoints')
          .select((eb) => [eb.fn.countAll().as('n'), eb.fn.count('client_event_id').distinct().as('ids')])
          .executeTakeFirstOrThrow();
        expect(Number(rows.n)).toBe(batches * perBatch);
        expect(Number(rows.ids)).toBe(batches * perBatch);
        const contacts = await database.db
          .selectFrom('contacts')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        expect(Number(contacts.n)).toBe(1500);
      } finally {
        await database.close();
      }
    } finally {
      await dispose();
    }
  });
});
