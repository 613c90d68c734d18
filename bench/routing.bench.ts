// Routing on SQLite (durable commits), with 200 reps in 10 pools, 50 rules and BENCH_CONTACTS
// contacts (1M by default, as issue 5 asks):
// - decision: latency of deciding where one lead goes and why (the service's preview: no write);
// - decision_stored: the same decision stored durably with its assignment, owner and turn;
// - mql_to_email_queued: from a person moving a lead to `mql` until routing announced the
//   assignment, which it does after committing the assignment and the rep's email in the outbox
//   (checked: every sampled lead has its queued email);
// - baseline: latency of a raw better-sqlite3 read of one contact by id in the same database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { v7 } from 'uuid';
import { migrateToLatest, openDatabase } from '../src/server/db/database.ts';
import { createTestContext } from '../src/server/testing/world.ts';
import { round, size } from './measure.ts';

const totalContacts = size('BENCH_CONTACTS', 1_000_000, 2_000);
const samples = size('BENCH_SAMPLES', 2000, 20);
const cli = { kind: 'cli' } as const;
const countries = ['NL', 'BE', 'DE', 'FR', 'GB'];

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

/**
 * A Tuesday at 10:00 in Amsterdam: within everyone's working hours. The bench's clock stands here,
 * and the seeded contacts entered their stage a day before (a seed stamped with the real time would
 * be in the clock's future, and their move to MQL refused).
 */
const benchNow = '2026-12-01T09:00:00.000Z';
const seededAt = '2026-11-30T09:00:00.000Z';

/** Contacts with accounts of assorted sizes, written straight into the tables. */
function seed(path: string, reps: string[]) {
  const raw = new SQLite(path);
  raw.pragma('journal_mode = WAL');
  const now = seededAt;
  const account = raw.prepare(
    'insert into accounts (id, name, employee_count, industry, country, owner_id, created_at, updated_at) values (?, ?, ?, ?, ?, null, ?, ?)',
  );
  const contact = raw.prepare(
    `insert into contacts (id, email, country, account_id, stage, stage_entered_at, consent_status, is_opted_out, created_at, updated_at)
     values (?, ?, ?, ?, 'lead', ?, 'unknown', 0, ?, ?)`,
  );
  const ids: string[] = [];
  const accounts: string[] = [];
  raw.transaction(() => {
    for (let i = 0; i < 20_000; i++) {
      const id = v7();
      account.run(id, `Company ${i}`, [5, 30, 120, 600, 3000][i % 5], 'ICT', countries[i % 5], now, now);
      accounts.push(id);
    }
  })();
  const write = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = v7();
      contact.run(id, `p${i}@c${i % 20_000}.nl`, countries[i % 5], accounts[i % 20_000], now, now, now);
      if (i % Math.max(1, Math.floor(totalContacts / (samples * 2))) === 0) ids.push(id);
    }
  });
  for (let i = 0; i < totalContacts; i += 50_000) write(i, Math.min(totalContacts, i + 50_000));
  raw.close();
  return { ids, reps };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-routing-'));
  try {
    const path = join(dir, 'baton.db');
    const database = openDatabase({ dialect: 'sqlite', path });
    await migrateToLatest(database.db);
    const context = createTestContext(database);
    context.clock.set(benchNow);
    const reps: string[] = [];
    for (let i = 0; i < 200; i++) {
      const user = await context.services.users.createUser(cli, {
        email: `rep${i}@baton.example`,
        name: `Rep ${i}`,
        role: 'sales_rep',
      });
      reps.push(user.id);
    }
    const strategies = ['round_robin', 'weighted', 'balanced'] as const;
    const pools: { id: string }[] = [];
    for (let p = 0; p < 10; p++) {
      pools.push(
        await context.services.routing.createPool(cli, {
          name: `Pool ${p}`,
          strategy: strategies[p % 3],
          members: reps
            .slice(p * 20, p * 20 + 20)
            .map((userId, i) => ({ userId, weight: 1 + (i % 3), capPerDay: 1000 })),
        }),
      );
    }
    // 50 rules, most of which do not match: the first match is deep in the list.
    await context.services.routing.replaceRules(cli, {
      rules: Array.from({ length: 50 }, (_, r) => ({
        name: `Rule ${r}`,
        conditions: [
          { op: 'equals' as const, field: 'country', value: r < 45 ? `X${r}` : countries[r - 45]! },
          { op: 'range' as const, field: 'account.employeeCount', min: 10 },
        ],
        target: { poolId: pools[r % 10]!.id },
      })),
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pools[0]!.id });
    await database.close();

    const { ids } = seed(path, reps);
    const reopened = openDatabase({ dialect: 'sqlite', path });
    const ctx = createTestContext(reopened);
    ctx.clock.set(benchNow);

    const half = Math.floor(ids.length / 2);
    // The decision alone (where to, and why), as a preview: no write, no commit.
    const previews: number[] = [];
    for (const id of ids.slice(0, Math.min(half, samples))) {
      const start = performance.now();
      await ctx.services.routing.previewRoute(cli, id);
      previews.push(performance.now() - start);
    }
    const decisions: number[] = [];
    for (const id of ids.slice(0, Math.min(half, samples))) {
      const start = performance.now();
      await ctx.services.routing.routeContact(cli, id);
      decisions.push(performance.now() - start);
    }

    const toAssigned: number[] = [];
    for (const id of ids.slice(half, half + Math.min(half, samples))) {
      const assigned = new Promise<void>((resolve, reject) => {
        const offAssigned = ctx.events.subscribe('lead.assigned', (e) => {
          if (e.contactId !== id) return;
          offAssigned();
          offUnassigned();
          resolve();
        });
        const offUnassigned = ctx.events.subscribe('lead.unassigned', (e) => {
          if (e.contactId !== id) return;
          offAssigned();
          offUnassigned();
          reject(new Error(`lead ${id} found no one: the bench's pools should always have room`));
        });
      });
      const start = performance.now();
      await ctx.services.contacts.changeStage(cli, id, { to: 'mql' });
      await assigned;
      toAssigned.push(performance.now() - start);
    }
    const sampled = ids.slice(half, half + Math.min(half, samples));
    const raw = new SQLite(path, { readonly: true });
    const queued = (
      raw
        .prepare(
          `select count(distinct contact_id) as n from outbox where kind = 'lead.assigned' and contact_id in (${sampled.map(() => '?').join(',')})`,
        )
        .get(...sampled) as { n: number }
    ).n;
    if (queued !== sampled.length)
      throw new Error(`${sampled.length - queued} of the sampled MQLs have no queued email`);
    await reopened.close();

    const read = raw.prepare('select * from contacts where id = ?');
    const reads: number[] = [];
    for (const id of ids.slice(0, samples)) {
      const start = performance.now();
      read.get(id);
      reads.push(performance.now() - start);
    }
    raw.close();

    return {
      metrics: {
        decision_p50: { value: round(percentile(previews, 0.5), 3), unit: 'ms' },
        decision_p99: { value: round(percentile(previews, 0.99), 3), unit: 'ms' },
        decision_stored_p50: { value: round(percentile(decisions, 0.5), 3), unit: 'ms' },
        decision_stored_p99: { value: round(percentile(decisions, 0.99), 3), unit: 'ms' },
        mql_to_email_queued_p50: { value: round(percentile(toAssigned, 0.5), 3), unit: 'ms' },
        mql_to_email_queued_p99: { value: round(percentile(toAssigned, 0.99), 3), unit: 'ms' },
        emails_queued: { value: queued, unit: 'emails' },
        decisions: { value: decisions.length, unit: 'decisions' },
        reps: { value: 200, unit: 'reps' },
        rules: { value: 50, unit: 'rules' },
        contacts: { value: totalContacts, unit: 'contacts' },
      },
      baselines: {
        raw_contact_read_p50: { value: round(percentile(reads, 0.5), 4), unit: 'ms' },
        raw_contact_read_p99: { value: round(percentile(reads, 0.99), 4), unit: 'ms' },
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
