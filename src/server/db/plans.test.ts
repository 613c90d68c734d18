import { CompiledQuery, sql } from 'kysely';
import { expect, it } from 'vitest';
import { lockDueInstances } from '../modules/sla/sla.repository.ts';
import { findRecentTouchpoints } from '../modules/capture/capture.repository.ts';
import {
  blankEmailBodiesBefore,
  deleteAnonymousTouchesBefore,
} from '../modules/privacy/privacy.repository.ts';
import { deleteAuditEntriesBefore } from '../modules/shared/audit.repository.ts';
import { findExpiredWebhookMessages } from '../modules/webhooks/webhooks.repository.ts';
import { newId } from '../platform/ids.ts';
import { describeEachDialect } from '../testing/databases.ts';
import { recordingBuilder } from '../testing/recording.ts';
import { bulkInsert } from './bulk.ts';
import type { Db, SqliteStatements } from './database.ts';
import { toDbTime } from './dialect.ts';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, the root first. */
function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/**
 * How a plan reads each table (by its alias in the query, if it has one), in both dialects' words
 * made one: `outbox: index` when it finds its rows through an index, `outbox: whole` when it reads
 * the table through (SQLite's `SCAN`, also in an index's order; PostgreSQL's `Seq Scan`).
 */
function readsOfPostgres(plan: PlanNode): string[] {
  return nodesOf(plan)
    .filter((n) => n['Relation Name'] && n['Node Type'] !== 'ModifyTable')
    .map((n) => `${n.Alias ?? n['Relation Name']}: ${n['Node Type'] === 'Seq Scan' ? 'whole' : 'index'}`);
}
function readsOfSqlite(details: string[]): string[] {
  return details.flatMap((detail) => {
    const search = /^SEARCH (\w+)/.exec(detail);
    if (search) return [`${search[1]}: index`];
    const scan = /^SCAN (\w+)/.exec(detail);
    return scan ? [`${scan[1]}: whole`] : [];
  });
}

const day = 86_400_000;

/** Two years of a company, written as Baton stores them. */
async function seed(db: Db, sqlite: SqliteStatements | undefined, now: Date) {
  const at = (msAgo: number) => toDbTime(new Date(now.getTime() - msAgo));
  const minutes = 60_000;
  const contacts = Array.from({ length: 20_000 }, (_, i) => ({
    id: newId(),
    email: `person${i}@company${i % 3000}.nl`,
    stage: 'mql',
    stage_entered_at: at(i * 52 * minutes),
    consent_status: 'unknown',
    is_opted_out: false,
    created_at: at(i * 52 * minutes),
    updated_at: at(i * 52 * minutes),
    latest_touch_at: at(i * 50 * minutes),
  }));
  await bulkInsert(db, sqlite, 'contacts', contacts);
  // 100,000 touches, a fifth of them of anonymous visitors.
  await bulkInsert(
    db,
    sqlite,
    'touchpoints',
    Array.from({ length: 100_000 }, (_, i) => ({
      id: newId(),
      type: 'page_viewed',
      category: 'marketing',
      occurred_at: at(i * 10 * minutes),
      received_at: at(i * 10 * minutes),
      properties: '{}',
      is_lead_creating: false,
      source_kind: 'api',
      contact_id: i % 5 === 0 ? null : contacts[i % contacts.length]!.id,
    })),
  );
  // 20,000 emails sent, a few waiting.
  await bulkInsert(
    db,
    sqlite,
    'outbox',
    Array.from({ length: 20_000 }, (_, i) => ({
      id: newId(),
      dedupe_key: `plan-${i}`,
      kind: 'lead.assigned',
      channel: 'email',
      recipient: 'rep@example.nl',
      language: 'en',
      status: i % 100 === 0 ? 'pending' : 'sent',
      next_attempt_at: at(i * 50 * minutes),
      created_at: at(i * 50 * minutes),
      sent_at: i % 100 === 0 ? null : at(i * 50 * minutes),
      body_text: 'A new lead',
    })),
  );
  // A clock per contact: a third answered, the rest due one a minute from 100 minutes ago on.
  const policy = await db.selectFrom('sla_policies').select('id').orderBy('id').executeTakeFirstOrThrow();
  await bulkInsert(
    db,
    sqlite,
    'sla_instances',
    contacts.map((contact, i) => ({
      id: newId(),
      contact_id: contact.id,
      policy_id: policy.id,
      stage: 'mql',
      target: 'first_response',
      status: i % 3 === 0 ? 'met' : 'running',
      level: 0,
      ladder: '[]',
      next_step: 0,
      next_check_at: i % 3 === 0 ? null : at((100 - i) * minutes),
      started_at: at(60 * minutes),
      deadline_at: at(-i * minutes),
      created_at: at(0),
      updated_at: at(0),
    })),
  );
  // 20,000 webhook messages, one an hour.
  await bulkInsert(
    db,
    sqlite,
    'webhook_messages',
    Array.from({ length: 20_000 }, (_, i) => ({
      id: `msg_${newId()}`,
      type: 'lead.assigned',
      occurred_at: at(i * 60 * minutes),
      payload: '{}',
      is_fanned_out: true,
    })),
  );
  await bulkInsert(
    db,
    sqlite,
    'audit_log',
    Array.from({ length: 20_000 }, (_, i) => ({
      id: newId(),
      occurred_at: at(i * 60 * minutes),
      actor_kind: 'cli',
      action: 'users.created',
      details: '{}',
    })),
  );
}

/**
 * (query-plans.test.ts reads SQLite's plans of the dashboards' statements under the statistics of
 * the reports benchmark's full-size company; this file plans the sweep's, a timeline's and
 * retention's on both stores, seeded with real rows.)
 *
 * The queries whose cost grows with the store, planned on a store of some size with the planner's
 * statistics as Baton keeps them (PostgreSQL's autovacuum analyses, Baton runs SQLite's
 * `pragma optimize`): each finds its rows through an index, not by reading the whole table. Run as
 * Baton builds them (the repositories' own functions, on a connection that records what they send;
 * changes are rolled back, and EXPLAIN runs nothing).
 */
describeEachDialect('the plans of the queries that grow with the store', (getDatabase, dialect) => {
  it('find the due clocks, a timeline and what retention removes through indexes, not whole tables', async () => {
    const database = getDatabase();
    const { db } = database;
    const now = new Date(Date.parse('2026-12-01T09:00:00.000Z'));
    await seed(db, database.sqlite, now);
    if (dialect === 'postgres') await sql`analyze`.execute(db);
    else database.optimize?.();

    // The repositories' queries, recorded as they are sent.
    const { db: recording, sent, close } = recordingBuilder(database);
    const planOf = async (work: (db: Db) => Promise<unknown>) => {
      sent.length = 0;
      await recording
        .transaction()
        .execute(async (trx) => {
          await work(trx);
          throw new Error('rolled back');
        })
        .catch((error: unknown) => {
          if (!(error instanceof Error) || error.message !== 'rolled back') throw error;
        });
      const queries = sent.filter((q) => !/^(begin|commit|rollback)/i.test(q.sql));
      expect(queries).toHaveLength(1);
      const { sql: text, parameters } = queries[0]!;
      if (dialect === 'postgres') {
        const explained = await db.executeQuery<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
          CompiledQuery.raw(`explain (format json) ${text}`, [...parameters]),
        );
        return readsOfPostgres(explained.rows[0]!['QUERY PLAN'][0]!.Plan);
      }
      const explained = await db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${text}`, [...parameters]),
      );
      return readsOfSqlite(explained.rows.map((r) => r.detail));
    };
    try {
      const yearAgo = new Date(now.getTime() - 365 * day);
      const contact = (
        await db
          .selectFrom('touchpoints')
          .select('contact_id')
          .where('contact_id', 'is not', null)
          .limit(1)
          .executeTakeFirstOrThrow()
      ).contact_id!;
      const indexed = (table: string): unknown => expect.arrayContaining([`${table}: index`]);

      // The SLA sweep's due clocks, every few seconds, each with its lead's stage by key (on
      // SQLite a statement of its own, recorded as it is prepared).
      const dueAndStages = ['sla_instances: index', 'contacts: index'];
      if (dialect === 'postgres')
        expect(await planOf((trx) => lockDueInstances(trx, undefined, now, 10_000))).toEqual(dueAndStages);
      else {
        const prepared: string[] = [];
        const statements = database.sqlite!;
        await lockDueInstances(
          db,
          { ...statements, prepare: (text: string) => (prepared.push(text), statements.prepare(text)) },
          now,
          10_000,
        );
        const explained = await db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`explain query plan ${prepared[0]!}`, [toDbTime(now), 10_000]),
        );
        expect(readsOfSqlite(explained.rows.map((r) => r.detail))).toEqual(dueAndStages);
      }
      // A lead's timeline.
      expect(await planOf((trx) => findRecentTouchpoints(trx, contact, 100))).toEqual(['touchpoints: index']);
      // Retention, daily: what it removes or blanks is found by its time through an index. (Its
      // search for quiet leads reads the contacts whole: it looks at all of them, once a day.)
      for (const dryRun of [true, false]) {
        const touches = await planOf((trx) => deleteAnonymousTouchesBefore(trx, yearAgo, dryRun));
        expect(touches).toEqual(indexed('touchpoints'));
        expect(touches).not.toContain('touchpoints: whole');
        const emails = await planOf((trx) => blankEmailBodiesBefore(trx, yearAgo, dryRun));
        expect(emails).toEqual(indexed('outbox'));
        expect(emails).not.toContain('outbox: whole');
      }
      const messages = await planOf((trx) =>
        findExpiredWebhookMessages(trx, new Date(now.getTime() - 90 * day), 500),
      );
      // (The query names webhook_messages `m`.)
      expect(messages).toEqual(indexed('m'));
      expect(messages).not.toContain('m: whole');
      // The store refuses to remove an entry younger than the audit log's retention.
      const { retention_days: days } = await db
        .selectFrom('audit_settings')
        .select('retention_days')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      const pastRetention = new Date(now.getTime() - (Number(days) + 1) * day);
      const audit = await planOf((trx) => deleteAuditEntriesBefore(trx, pastRetention));
      expect(audit).toEqual(indexed('audit_log'));
      expect(audit).not.toContain('audit_log: whole');
    } finally {
      await close();
    }
  });
});
