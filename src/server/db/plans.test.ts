import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { lockDueInstances } from '../modules/sla/sla.repository.ts';
import { findRecentTouchpoints } from '../modules/capture/capture.repository.ts';
import {
  blankEmailBodiesBefore,
  deleteAnonymousTouchesBefore,
} from '../modules/privacy/privacy.repository.ts';
import { deleteAuditEntriesBefore } from '../modules/shared/audit.repository.ts';
import { describeEachDialect } from '../testing/databases.ts';
import type { Db } from './database.ts';
import type { DB } from './tables.ts';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, the root first. */
function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/** How a plan reads each table: `touchpoints: Index Scan touchpoints_contact_idx`, and so on. */
const reads = (plan: PlanNode) =>
  nodesOf(plan)
    .filter((n) => n['Relation Name'])
    .map((n) => `${n['Relation Name']}: ${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : ''}`);

/**
 * The queries whose cost grows with the store, planned by PostgreSQL on a store of some size with
 * fresh statistics: each reads its large table through an index, not all of it. Run as Baton builds
 * them (the repositories' own functions, on a connection that records what they send; changes are
 * rolled back, and EXPLAIN runs nothing). SQLite's plans are its own (and its sweep is measured by
 * `npm run bench -- sla`).
 */
describeEachDialect('the plans of the queries that grow with the store', (getDatabase, dialect) => {
  it.runIf(dialect === 'postgres')(
    'read the due clocks, a timeline and what retention removes through indexes, not whole tables',
    async () => {
      const { db, url } = getDatabase();
      // Two years of a company: 20,000 contacts, 100,000 touches (a fifth of them anonymous),
      // 20,000 emails and 20,000 clocks, of which a few are due now.
      await sql`insert into contacts (id, email, stage, stage_entered_at, consent_status, is_opted_out, created_at, updated_at, latest_touch_at)
        select gen_random_uuid(), 'person' || g || '@company' || (g % 3000) || '.nl', 'mql',
               now() - g * interval '52 minutes', 'unknown', false, now() - g * interval '52 minutes',
               now() - g * interval '52 minutes', now() - g * interval '50 minutes'
          from generate_series(1, 20000) g`.execute(db);
      await sql`insert into touchpoints (id, type, category, occurred_at, received_at, properties, is_lead_creating, source_kind, contact_id)
        select gen_random_uuid(), 'page_viewed', 'marketing', now() - g * interval '10 minutes',
               now() - g * interval '10 minutes', '{}'::jsonb, false, 'api',
               case when g % 5 = 0 then null else c.id end
          from generate_series(1, 100000) g
          join (select id, row_number() over (order by id) as n from contacts) c on c.n = 1 + g % 20000`.execute(
        db,
      );
      await sql`insert into outbox (id, dedupe_key, kind, channel, recipient, language, status, next_attempt_at, created_at, sent_at, body_text)
        select gen_random_uuid(), 'plan-' || g, 'lead.assigned', 'email', 'rep@example.nl', 'en',
               case when g % 100 = 0 then 'pending' else 'sent' end,
               now() - g * interval '50 minutes', now() - g * interval '50 minutes',
               case when g % 100 = 0 then null else now() - g * interval '50 minutes' end, 'A new lead'
          from generate_series(1, 20000) g`.execute(db);
      await sql`insert into sla_instances (id, contact_id, policy_id, stage, target, status, level, ladder, next_step, next_check_at, started_at, deadline_at, created_at, updated_at)
        select gen_random_uuid(), c.id, (select id from sla_policies order by id limit 1), 'mql', 'first_response',
               case when c.n % 3 = 0 then 'met' else 'running' end, 0, '[]'::jsonb, 0,
               case when c.n % 3 = 0 then null else now() + (c.n - 100) * interval '1 minute' end,
               now() - interval '1 hour', now() + c.n * interval '1 minute', now(), now()
          from (select id, row_number() over (order by id) as n from contacts) c`.execute(db);
      await sql`insert into audit_log (id, occurred_at, actor_kind, action, details)
        select gen_random_uuid(), now() - g * interval '1 hour', 'cli', 'users.created', '{}'::jsonb
          from generate_series(1, 20000) g`.execute(db);
      await sql`analyze`.execute(db);

      // The repositories' queries, recorded as they are sent.
      const sent: CompiledQuery[] = [];
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      const recording: Db = new Kysely<DB>({
        dialect: new PostgresDialect({ pool }),
        log: (event) => {
          if (event.level === 'query') sent.push(event.query);
        },
      });
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
        const explained = await db.executeQuery<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
          CompiledQuery.raw(`explain (format json) ${queries[0]!.sql}`, [...queries[0]!.parameters]),
        );
        return reads(explained.rows[0]!['QUERY PLAN'][0]!.Plan);
      };
      try {
        // The store's own clock, as the seeded rows were dated by it.
        const now = (await sql<{ now: Date }>`select now() as now`.execute(db)).rows[0]!.now;
        const yearAgo = new Date(now.getTime() - 365 * 86_400_000);
        const contact = (
          await sql<{ id: string }>`select contact_id as id from touchpoints
          where contact_id is not null limit 1`.execute(db)
        ).rows[0]!.id;

        // The SLA sweep's due clocks, every few seconds.
        expect(await planOf((trx) => lockDueInstances(trx, undefined, now, 10_000))).toEqual([
          'sla_instances: Index Scan sla_instances_due_idx',
        ]);
        // A lead's timeline.
        expect(await planOf((trx) => findRecentTouchpoints(trx, contact, 100))).toEqual([
          expect.stringMatching(/^touchpoints: Index Scan( Backward)? touchpoints_contact_idx$/),
        ]);
        // Retention, daily: what it removes or blanks is found by its time through an index. (Its
        // search for quiet leads reads the contacts whole: it looks at all of them, once a day.)
        const indexed = (table: string): unknown =>
          expect.arrayContaining([
            expect.stringMatching(new RegExp(`^${table}: (Index|Index Only|Bitmap Heap) Scan`)),
          ]);
        for (const dryRun of [true, false]) {
          const touches = await planOf((trx) => deleteAnonymousTouchesBefore(trx, yearAgo, dryRun));
          expect(touches).toEqual(indexed('touchpoints'));
          expect(touches).not.toContain('touchpoints: Seq Scan');
          const emails = await planOf((trx) => blankEmailBodiesBefore(trx, yearAgo, dryRun));
          expect(emails).toEqual(indexed('outbox'));
          expect(emails).not.toContain('outbox: Seq Scan');
        }
        // The store refuses to remove an entry younger than the audit log's retention.
        const { days } = (
          await sql<{ days: number }>`select retention_days as days from audit_settings where id = 1`.execute(
            db,
          )
        ).rows[0]!;
        const pastRetention = new Date(now.getTime() - (days + 1) * 86_400_000);
        const audit = await planOf((trx) => deleteAuditEntriesBefore(trx, pastRetention));
        expect(audit).toEqual(indexed('audit_log'));
        expect(audit).not.toContain('audit_log: Seq Scan');
      } finally {
        await recording.destroy();
      }
    },
  );
});
