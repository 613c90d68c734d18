import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { expect, it, vi } from 'vitest';
import { startCheckpointer } from './checkpoints.ts';
import { openDatabase } from './database.ts';

const pages = async (database: ReturnType<typeof openDatabase>, pragma: string) =>
  Object.values((await sql.raw(`pragma ${pragma}`).execute(database.db)).rows[0] as object)[0] as number;

it('copies what a file store commits into the database file from a thread of its own, not in the commit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-checkpoints-'));
  const path = join(dir, 'baton.db');
  const database = openDatabase({ dialect: 'sqlite', path });
  try {
    // The committing connection leaves checkpoints to the thread until the log is ~40 MB.
    expect(await pages(database, 'wal_autocheckpoint')).toBe(10_000);
    await sql`create table t (id integer primary key, payload text not null)`.execute(database.db);
    const before = statSync(path).size;
    // ~3,000 pages in one transaction: past SQLite's own threshold (1,000), under the connection's.
    await database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 300; i++)
        await sql`insert into t (payload) values (${'x'.repeat(40_000)})`.execute(trx);
    });
    // The thread copies them into the file soon after; polled without a deadline of its own, so
    // that a loaded machine only makes it slower (the test's timeout is the limit).
    while (statSync(path).size < before + 10_000_000) await sleep(20);
    expect(statSync(path).size).toBeGreaterThan(before + 10_000_000);
    // Everything stays readable through the committing connection.
    expect(await pages(database, 'page_count')).toBeGreaterThan(2_900);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('checkpoints an in-memory store and the connections of Baton’s other threads as SQLite does', async () => {
  const memory = openDatabase({ dialect: 'sqlite', path: ':memory:' });
  const dir = mkdtempSync(join(tmpdir(), 'baton-checkpoints-'));
  const thread = openDatabase({
    dialect: 'sqlite',
    path: join(dir, 'baton.db'),
    backgroundCheckpoints: false,
  });
  try {
    expect(await pages(memory, 'wal_autocheckpoint')).toBe(1_000);
    expect(await pages(thread, 'wal_autocheckpoint')).toBe(1_000);
  } finally {
    await memory.close();
    await thread.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('checkpoints in the commits again, and says so, when its thread fails', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-checkpoints-'));
  const connection = new SQLite(join(dir, 'baton.db'));
  connection.pragma('journal_mode = WAL');
  const said: string[] = [];
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    said.push(String(chunk));
    return true;
  });
  try {
    // The thread cannot open a store that is not there: it fails as soon as it starts.
    const checkpointer = startCheckpointer(connection, join(dir, 'missing.db'));
    while (!said.some((line) => line.includes('checkpoints thread failed'))) await sleep(20);
    expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    await checkpointer.stop();
  } finally {
    stderr.mockRestore();
    connection.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
