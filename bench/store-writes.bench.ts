// Contacts created through the service (validation of owner and stage, the contact row, the stage
// history row and the event, in one transaction) on a SQLite file with Baton's durability settings,
// against raw single-row inserts into the same kind of file: the cost of Baton's write path.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { migrateToLatest, openDatabase } from '../src/server/db/database.ts';
import { createTestContext } from '../src/server/testing/world.ts';
import { opsPerSecond, round } from './measure.ts';

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  try {
    const raw = new SQLite(join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.exec('create table t (id integer primary key, email text not null unique, payload text)');
    const insert = raw.prepare('insert into t (email, payload) values (?, ?)');
    let n = 0;
    const rawRate = await opsPerSecond(() => {
      n += 1;
      insert.run(`raw${n}@example.nl`, 'x'.repeat(200));
    });
    raw.close();

    const database = openDatabase({ dialect: 'sqlite', path: join(dir, 'baton.db') });
    await migrateToLatest(database.db);
    const { services } = createTestContext(database);
    let m = 0;
    const batonRate = await opsPerSecond(async () => {
      m += 1;
      await services.contacts.createContact(
        { kind: 'cli' },
        { email: `lead${m}@example.nl`, firstName: 'Lead' },
      );
    });
    await database.close();

    return {
      metrics: {
        contact_creates_per_second: { value: round(batonRate), unit: 'contacts/s' },
        ratio_to_raw_insert: { value: round(batonRate / rawRate, 3), unit: 'ratio' },
      },
      baselines: { raw_sqlite_inserts_per_second: { value: round(rawRate), unit: 'rows/s' } },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
