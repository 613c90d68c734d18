import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createStoreEnv, e2eStores, runCli, startServerProcess, type ServerProcess } from './helpers.ts';

const run = promisify(execFile);

function event(n: number) {
  return {
    id: `backup-${n}`,
    type: n % 5 === 0 ? 'form_submitted' : 'page_viewed',
    occurredAt: new Date(Date.UTC(2026, 10, 2, 9) + n * 1000).toISOString(),
    email: `visitor${n % 300}@firm${n % 40}.nl`,
    url: `https://www.example.nl/page/${n % 20}`,
  };
}

async function createKey(env: Record<string, string>): Promise<string> {
  const created = await runCli(
    ['api-keys', 'create', '--name', 'Website', '--role', 'marketing', '--json'],
    env,
  );
  expect(created.code, created.stderr).toBe(0);
  return (JSON.parse(created.stdout) as { key: string }).key;
}

/**
 * Clients that send one event per request until told to stop, and note when each answer came:
 * a stream of writes like a busy website's.
 */
function streamEvents(server: ServerProcess, key: string, clients = 3) {
  const answeredAt = new Map<string, number>();
  let next = 0;
  let stopped = false;
  const done = Promise.all(
    Array.from({ length: clients }, async () => {
      while (!stopped) {
        const body = event(next++);
        const response = await fetch(`${server.url}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const answer = (await response.json()) as { accepted?: number };
        if (response.status === 200 && answer.accepted === 1) answeredAt.set(body.id, performance.now());
        else throw new Error(`event ${body.id}: ${response.status} ${JSON.stringify(answer)}`);
      }
    }),
  );
  return {
    answeredAt,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

function storedEventIds(file: string): Set<string> {
  const db = new SQLite(file, { readonly: true });
  try {
    const rows = db.prepare('select client_event_id as id from touchpoints').all() as { id: string }[];
    return new Set(rows.map((r) => r.id));
  } finally {
    db.close();
  }
}

describe('baton backup and restore on SQLite', () => {
  it('takes a consistent copy under a stream of events, restores it, and refuses what it cannot restore', async () => {
    const { env, dispose } = await createStoreEnv('sqlite');
    try {
      const key = await createKey(env);
      const server = await startServerProcess(env);
      const stream = streamEvents(server, key);
      try {
        // Let the stream run until the store has a few hundred events, then back up under it.
        while (stream.answeredAt.size < 300) await new Promise((r) => setTimeout(r, 50));
        const backupFile = join(dirname(env.BATON_SQLITE_PATH!), '..', 'backup.db');
        const began = performance.now();
        const before = [...stream.answeredAt].filter(([, at]) => at < began).map(([id]) => id);
        const backup = await runCli(['backup', backupFile, '--json'], env);
        expect(backup.code, backup.stderr).toBe(0);
        const answeredDuring = stream.answeredAt.size - before.length;
        await stream.stop();

        const report = JSON.parse(backup.stdout) as { integrity: string; schema: string; bytes: number };
        expect(report).toMatchObject({ integrity: 'ok', schema: expect.stringMatching(/^\d{4}_/) });
        expect(existsSync(`${backupFile}.partial`)).toBe(false);
        const db = new SQLite(backupFile, { readonly: true });
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        db.close();
        // Every event answered before the backup began is in it; the stream went on meanwhile.
        const inBackup = storedEventIds(backupFile);
        expect(before.length).toBeGreaterThanOrEqual(300);
        expect(before.filter((id) => !inBackup.has(id))).toEqual([]);
        expect(answeredDuring).toBeGreaterThan(0);

        // Restore: the store becomes the backup, the replaced one stays beside it, and Baton starts on it.
        await server.stop();
        const live = storedEventIds(env.BATON_SQLITE_PATH!);
        expect(live.size).toBeGreaterThan(inBackup.size);
        const restored = await runCli(['restore', backupFile], env);
        expect(restored.code, restored.stderr).toBe(0);
        expect(restored.stdout).toMatch(/The store it replaced is kept at .*before-restore-/);
        expect(storedEventIds(env.BATON_SQLITE_PATH!)).toEqual(inBackup);
        const kept = readdirSync(dirname(env.BATON_SQLITE_PATH!)).filter((f) =>
          f.includes('before-restore-'),
        );
        expect(kept).toHaveLength(1);
        expect(storedEventIds(join(dirname(env.BATON_SQLITE_PATH!), kept[0]!)).size).toBe(live.size);
        const again = await startServerProcess(env);
        const health = await fetch(`${again.url}/api/health`);
        expect(health.status).toBe(200);
        await again.stop();

        // A backup from a newer Baton is refused, naming its version; so is a file that is no store.
        const newer = join(dirname(backupFile), 'newer.db');
        copyFileSync(backupFile, newer);
        const edit = new SQLite(newer);
        edit
          .prepare('insert into schema_migrations (name, timestamp) values (?, ?)')
          .run('0099_from_the_future', new Date().toISOString());
        edit.close();
        const refused = await runCli(['restore', newer], env);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/comes from a newer Baton: its schema is at 0099_from_the_future/);
        const junk = join(dirname(backupFile), 'junk.db');
        writeFileSync(junk, 'this is not a database');
        const notAStore = await runCli(['restore', junk], env);
        expect(notAStore.code).toBe(1);
        expect(notAStore.stderr).toMatch(/junk\.db: not a SQLite database/);
        // Nothing was replaced by the refused restores.
        expect(storedEventIds(env.BATON_SQLITE_PATH!)).toEqual(inBackup);
      } finally {
        await stream.stop().catch(() => undefined);
        await server.stop();
      }
    } finally {
      await dispose();
    }
  });
});

describe.skipIf(!e2eStores.includes('postgres' as never))('the PostgreSQL backup routine', () => {
  it('dumps with pg_dump, restores with pg_restore into an empty database, and Baton starts on the copy', async () => {
    const source = await createStoreEnv('postgres');
    const target = await createStoreEnv('postgres');
    try {
      const key = await createKey(source.env);
      const server = await startServerProcess(source.env);
      for (let n = 0; n < 50; n++) {
        const response = await fetch(`${server.url}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(event(n)),
        });
        expect(((await response.json()) as { accepted: number }).accepted).toBe(1);
      }
      await server.stop();
      // The artifacts folder exists only once something was saved there (screenshots may be off).
      const artifacts = join(dirname(new URL(import.meta.url).pathname), 'artifacts');
      mkdirSync(artifacts, { recursive: true });
      const dump = join(artifacts, `pg-${Date.now()}.dump`);
      // The routine of the README, word for word but for the names.
      await run('pg_dump', ['--format=custom', `--file=${dump}`, source.env.DATABASE_URL!]);
      await run('pg_restore', [
        '--clean',
        '--if-exists',
        '--no-owner',
        `--dbname=${target.env.DATABASE_URL!}`,
        dump,
      ]);
      const check = await runCli(['migrate', '--json'], target.env);
      expect(check.code, check.stderr).toBe(0);
      expect((JSON.parse(check.stdout) as { applied: string[] }).applied.length).toBeGreaterThan(10);
      const copy = await startServerProcess(target.env);
      const keyWorks = await fetch(`${copy.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(event(1)),
      });
      // The copy knows the key, and the event already stored is not stored twice.
      expect(keyWorks.status).toBe(200);
      expect(await keyWorks.json()).toMatchObject({ accepted: 0, duplicates: 1 });
      await copy.stop();
      rmSync(dump);
    } finally {
      await source.dispose();
      await target.dispose();
    }
  });
});
