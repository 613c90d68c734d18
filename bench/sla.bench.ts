// The SLA sweeper on SQLite (durable commits) over BENCH_SLA_INSTANCES running clocks (1M by
// default, as issue 6 asks) of which 1% are due:
// - empty_sweep: a sweep when nothing is due (the index answers "nothing");
// - due_sweep: one sweep taking the first escalation of every due clock (emails queued);
// - baselines: the same number of raw better-sqlite3 single-row updates by id in one transaction,
//   and the raw indexed "what is due" query.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { v7 } from 'uuid';
import { migrateToLatest, openDatabase } from '../src/server/db/database.ts';
import { createTestContext } from '../src/server/testing/world.ts';
import { round } from './measure.ts';

const total = Number(process.env.BENCH_SLA_INSTANCES ?? 1_000_000);
const dueShare = 0.01;
const cli = { kind: 'cli' } as const;
const now = new Date('2026-12-01T12:00:00.000Z');

/** Contacts, each with one running first-response clock; 1% past their first deadline. */
function seed(path: string, repId: string, policyId: string) {
  const raw = new SQLite(path);
  raw.pragma('journal_mode = WAL');
  const at = now.toISOString();
  const contact = raw.prepare(
    `insert into contacts (id, email, owner_id, stage, stage_entered_at, consent_status, is_opted_out, created_at, updated_at)
     values (?, ?, ?, 'mql', ?, 'unknown', 0, ?, ?)`,
  );
  const instance = raw.prepare(
    `insert into sla_instances (id, contact_id, policy_id, user_id, assignment_id, stage, target, status, level, ladder,
       next_step, next_check_at, started_at, deadline_at, created_at, updated_at)
     values (?, ?, ?, ?, null, 'mql', 'first_response', 'running', 0, ?, 0, ?, ?, ?, ?, ?)`,
  );
  const dueEvery = Math.round(1 / dueShare);
  const write = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = v7();
      contact.run(id, `p${i}@initech.nl`, repId, at, at, at);
      const due = i % dueEvery === 0;
      const start = new Date(now.getTime() - (due ? 5 : 1) * 3_600_000);
      const deadline = new Date(start.getTime() + 4 * 3_600_000);
      const ladder = JSON.stringify([
        { index: 0, kind: 'breach', level: 1, notify: 'manager', at: deadline.toISOString() },
        {
          index: 1,
          kind: 'breach',
          level: 2,
          notify: 'director',
          at: new Date(deadline.getTime() + 8 * 3_600_000).toISOString(),
        },
      ]);
      instance.run(
        v7(),
        id,
        policyId,
        repId,
        ladder,
        deadline.toISOString(),
        start.toISOString(),
        deadline.toISOString(),
        at,
        at,
      );
    }
  });
  for (let i = 0; i < total; i += 50_000) write(i, Math.min(total, i + 50_000));
  raw.close();
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-sla-'));
  try {
    const path = join(dir, 'baton.db');
    const database = openDatabase({ dialect: 'sqlite', path });
    await migrateToLatest(database.db);
    const setup = createTestContext(database);
    const director = await setup.services.users.createUser(cli, {
      email: 'd@b.example',
      name: 'D',
      role: 'director',
    });
    const manager = await setup.services.users.createUser(cli, {
      email: 'm@b.example',
      name: 'M',
      role: 'sales_manager',
      managerId: director.id,
    });
    const rep = await setup.services.users.createUser(cli, {
      email: 'r@b.example',
      name: 'R',
      role: 'sales_rep',
      managerId: manager.id,
    });
    const policy = (await setup.services.sla.listPolicies(cli)).find((p) => p.key === 'mql-first-response')!;
    await database.close();
    seed(path, rep.id, policy.id);

    const reopened = openDatabase({ dialect: 'sqlite', path });
    const context = createTestContext(reopened);
    // Nothing is due an hour before the first deadline.
    context.clock.set(new Date(now.getTime() - 6 * 3_600_000));
    await context.services.sla.sweep();
    const empties: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      await context.services.sla.sweep();
      empties.push(performance.now() - start);
    }
    empties.sort((x, y) => x - y);

    context.clock.set(now);
    const due = Math.round(total * dueShare);
    const start = performance.now();
    let swept = 0;
    for (let n = 1; n > 0 && swept < due; swept += n) n = await context.services.sla.sweep(due);
    const dueSweep = performance.now() - start;
    const queued = (await context.services.notifications.listOutbox(cli, { limit: 1 })).counts.pending;
    if (queued !== due) throw new Error(`expected ${due} escalation emails, found ${queued}`);
    await reopened.close();

    // Baselines in the same file: raw single-row updates by id, and the raw "what is due" query.
    const raw = new SQLite(path);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    const ids = raw.prepare('select id from sla_instances limit ?').pluck().all(due) as string[];
    const update = raw.prepare('update sla_instances set level = level + 1 where id = ?');
    const rawStart = performance.now();
    raw.transaction(() => {
      for (const id of ids) update.run(id);
    })();
    const rawUpdates = performance.now() - rawStart;
    const dueQuery = raw.prepare(
      'select id from sla_instances where next_check_at is not null and next_check_at <= ? order by next_check_at limit 500',
    );
    const queryStart = performance.now();
    for (let i = 0; i < 200; i++) dueQuery.all(new Date(now.getTime() - 6 * 3_600_000).toISOString());
    const rawQuery = (performance.now() - queryStart) / 200;
    raw.close();

    return {
      metrics: {
        empty_sweep_p50: { value: round(empties[100]!, 3), unit: 'ms' },
        empty_sweep_max: { value: round(empties.at(-1)!, 3), unit: 'ms' },
        due_sweep: { value: round(dueSweep, 1), unit: 'ms' },
        due_items: { value: due, unit: 'clocks' },
        instances: { value: total, unit: 'clocks' },
      },
      baselines: {
        raw_updates_same_count: { value: round(rawUpdates, 1), unit: 'ms' },
        raw_due_query: { value: round(rawQuery, 3), unit: 'ms' },
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
