import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../db/database.ts';
import { createTestContext } from '../../testing/world.ts';

// On a SQLite file, capture commits without waiting in fsync on the request thread and answers
// once the write-ahead log is synced (a libuv pool thread does it): the test holds the sync back.
it('answers an accepted event on a SQLite file only once its commit is synced to disk, and lets the next group write meanwhile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-capture-sync-'));
  const held: (() => void)[] = [];
  const database = openDatabase({
    dialect: 'sqlite',
    path: join(dir, 'baton.db'),
    syncLog: () => new Promise<void>((resolve) => held.push(resolve)),
  });
  try {
    await migrateToLatest(database.db);
    const context = createTestContext(database);
    context.clock.set('2026-03-02T09:00:00Z');
    const event = (id: string) => ({
      id,
      type: 'page_viewed' as const,
      occurredAt: '2026-03-02T08:00:00Z',
      email: `${id}@bedrijf.nl`,
      url: 'https://www.example.nl/prijzen',
    });
    const answered: string[] = [];
    const first = context.services.capture
      .ingest({ kind: 'cli' }, event('anna'), undefined)
      .then((outcome) => answered.push(`anna ${outcome.body.accepted}`));
    const stored = async () =>
      (await database.db.selectFrom('touchpoints').select('client_event_id').execute()).map(
        (r) => r.client_event_id,
      );
    await expect.poll(() => held.length).toBe(1);
    // Committed, not yet answered: the caller hears nothing while the log is not on disk.
    expect(await stored()).toEqual(['anna']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toEqual([]);
    // The next request's group is written while the first sync is still out.
    const second = context.services.capture
      .ingest({ kind: 'cli' }, event('bram'), undefined)
      .then((outcome) => answered.push(`bram ${outcome.body.accepted}`));
    await expect.poll(() => held.length).toBe(2);
    expect((await stored()).sort()).toEqual(['anna', 'bram']);
    expect(answered).toEqual([]);
    held[0]!();
    await first;
    expect(answered).toEqual(['anna 1']);
    held[1]!();
    await second;
    expect(answered).toEqual(['anna 1', 'bram 1']);
  } finally {
    for (const release of held) release();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
