// A company at scale, written straight into a migrated store (SQLite file or PostgreSQL database)
// for the report benchmarks: accounts of ten people each, the people who came in over the last
// year with their touches, the stage
// history of those who went on (MQL, accepted or sent back, SQL), deals of the SQLs (won, lost,
// open) and follow-up clocks of the MQLs. Rows are made in JavaScript from the person's number, so
// a run is the same every time, and written in bulk: prepared statements in transactions of
// 50,000 on SQLite, `insert … select from unnest(…)` of 10,000 rows on PostgreSQL.
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { v7 } from 'uuid';

export interface ScaleSizes {
  contacts: number;
  touches: number;
  deals: number;
  clocks: number;
}

export interface ScaleCompany {
  managerId: string;
  repIds: string[];
}

type Value = string | number | boolean | null;

/** A table's columns with their PostgreSQL types (for unnest), in the order rows give them. */
interface TableShape {
  table: string;
  columns: [name: string, pgType: string][];
}

/** Where rows go: bulk-written in the order given, each table's rows in batches. */
export interface RowSink {
  write(shape: TableShape, rows: Value[][]): Promise<void>;
  close(): Promise<void>;
}

export function sqliteSink(raw: SQLite.Database): RowSink {
  return {
    async write({ table, columns }, rows) {
      const insert = raw.prepare(
        `insert into ${table} (${columns.map((c) => c[0]).join(', ')}) values (${columns.map(() => '?').join(', ')})`,
      );
      raw.transaction(() => {
        for (const row of rows) insert.run(row.map((v) => (typeof v === 'boolean' ? Number(v) : v)));
      })();
    },
    async close() {},
  };
}

export function postgresSink(client: pg.Client): RowSink {
  return {
    async write({ table, columns }, rows) {
      for (let i = 0; i < rows.length; i += 10_000) {
        const part = rows.slice(i, i + 10_000);
        await client.query(
          `insert into ${table} (${columns.map((c) => c[0]).join(', ')})
           select * from unnest(${columns.map((c, j) => `$${j + 1}::${c[1]}[]`).join(', ')})`,
          columns.map((_, j) => part.map((row) => row[j])),
        );
      }
    },
    async close() {},
  };
}

const accountsShape: TableShape = {
  table: 'accounts',
  columns: [
    ['id', 'uuid'],
    ['name', 'text'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
};
const contactsShape: TableShape = {
  table: 'contacts',
  columns: [
    ['id', 'uuid'],
    ['email', 'text'],
    ['account_id', 'uuid'],
    ['owner_id', 'uuid'],
    ['stage', 'text'],
    ['stage_entered_at', 'timestamptz'],
    ['consent_status', 'text'],
    ['is_opted_out', 'boolean'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
    ['original_source', 'text'],
    ['latest_source', 'text'],
    ['original_campaign', 'text'],
    ['attributes', 'jsonb'],
    ['activity_version', 'integer'],
    ['scored_version', 'integer'],
    ['rejection_count', 'integer'],
    ['needs_review', 'boolean'],
  ],
};
const touchesShape: TableShape = {
  table: 'touchpoints',
  columns: [
    ['id', 'uuid'],
    ['type', 'text'],
    ['category', 'text'],
    ['occurred_at', 'timestamptz'],
    ['received_at', 'timestamptz'],
    ['contact_id', 'uuid'],
    ['user_id', 'uuid'],
    ['channel', 'text'],
    ['campaign', 'text'],
    ['properties', 'jsonb'],
    ['is_lead_creating', 'boolean'],
    ['source_kind', 'text'],
  ],
};
const changesShape: TableShape = {
  table: 'stage_changes',
  columns: [
    ['id', 'uuid'],
    ['contact_id', 'uuid'],
    ['from_stage', 'text'],
    ['to_stage', 'text'],
    ['occurred_at', 'timestamptz'],
    ['recorded_at', 'timestamptz'],
    ['actor_kind', 'text'],
    ['actor_id', 'text'],
    ['reason_code', 'text'],
  ],
};
const dealsShape: TableShape = {
  table: 'opportunities',
  columns: [
    ['id', 'uuid'],
    ['name', 'text'],
    ['account_id', 'uuid'],
    ['contact_id', 'uuid'],
    ['owner_id', 'uuid'],
    ['stage', 'text'],
    ['status', 'text'],
    ['amount_minor', 'bigint'],
    ['currency', 'text'],
    ['closed_on', 'text'],
    ['stage_entered_at', 'timestamptz'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
};
const dealContactsShape: TableShape = {
  table: 'opportunity_contacts',
  columns: [
    ['opportunity_id', 'uuid'],
    ['contact_id', 'uuid'],
    ['role', 'text'],
  ],
};
const assignmentsShape: TableShape = {
  table: 'assignments',
  columns: [
    ['id', 'uuid'],
    ['contact_id', 'uuid'],
    ['user_id', 'uuid'],
    ['kind', 'text'],
    ['explanation', 'jsonb'],
    ['actor_kind', 'text'],
    ['assigned_at', 'timestamptz'],
  ],
};
const clocksShape: TableShape = {
  table: 'sla_instances',
  columns: [
    ['id', 'uuid'],
    ['contact_id', 'uuid'],
    ['policy_id', 'uuid'],
    ['user_id', 'uuid'],
    ['stage', 'text'],
    ['target', 'text'],
    ['status', 'text'],
    ['level', 'integer'],
    ['ladder', 'jsonb'],
    ['next_step', 'integer'],
    ['next_check_at', 'timestamptz'],
    ['started_at', 'timestamptz'],
    ['deadline_at', 'timestamptz'],
    ['responded_at', 'timestamptz'],
    ['breached_at', 'timestamptz'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
    ['stay_started_at', 'timestamptz'],
  ],
};

const hour = 3_600_000;
const day = 24 * hour;
const channels = ['organic', 'email', 'ads', 'webinar', 'social', 'event', 'referral', 'direct'];
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Writes the company: `sizes.contacts` people who came in evenly over the year before `now`,
 * `sizes.touches` touches among them, a fifth of them MQLs (seven in ten accepted, half of those
 * SQL), `sizes.deals` deals over the SQLs and `sizes.clocks` clocks over the MQLs (with routing's
 * assignment of each first-response clock's rep). Returns when every row is written; the caller
 * makes the indexes' statistics (ANALYZE) if it wants.
 */
export async function writeScaleCompany(
  sink: RowSink,
  sizes: ScaleSizes,
  company: ScaleCompany & { policyIds: { firstResponse: string; acceptOrReject: string } },
  now: number,
): Promise<{ mqls: number; sqls: number }> {
  const start = now - 365 * day;
  const reps = company.repIds;
  const batch = 50_000;
  const contactIds: string[] = new Array<string>(sizes.contacts);
  // Ten people an account: a deal's account brings its colleagues' touches into its journey.
  const accountIds = Array.from({ length: Math.max(1, Math.floor(sizes.contacts / 10)) }, () => v7());
  const accountOf = (person: number) => accountIds[person % accountIds.length]!;
  for (let from = 0; from < accountIds.length; from += batch)
    await sink.write(
      accountsShape,
      accountIds
        .slice(from, from + batch)
        .map((id, i) => [id, `Company ${from + i} B.V.`, iso(start), iso(start)]),
    );
  const mqls: number[] = [];
  const sqls: number[] = [];
  const createdAt = (i: number) => start + Math.floor((i / sizes.contacts) * 364 * day) + (i % 97) * 60_000;
  for (let from = 0; from < sizes.contacts; from += batch) {
    const contacts: Value[][] = [];
    const changes: Value[][] = [];
    for (let i = from; i < Math.min(sizes.contacts, from + batch); i++) {
      const id = v7();
      contactIds[i] = id;
      const created = createdAt(i);
      const owner = reps[i % reps.length]!;
      // A fifth become MQLs a day after they came; of those, 70 % are accepted 4 hours later, 15 %
      // sent back; half of the accepted become SQL five days on.
      const isMql = i % 5 === 0 && created + 6 * day < now;
      const fate = (i / 5) % 20;
      let stage = 'lead';
      let entered = created;
      changes.push([v7(), id, null, 'lead', iso(created), iso(created), 'system', null, null]);
      if (isMql) {
        mqls.push(i);
        stage = 'mql';
        entered = created + day;
        changes.push([v7(), id, 'lead', 'mql', iso(entered), iso(entered), 'system', null, null]);
        if (fate < 14) {
          entered += 4 * hour;
          stage = 'sal';
          changes.push([v7(), id, 'mql', 'sal', iso(entered), iso(entered), 'user', owner, null]);
          if (fate % 2 === 0) {
            entered += 5 * day;
            stage = 'sql';
            sqls.push(i);
            changes.push([v7(), id, 'sal', 'sql', iso(entered), iso(entered), 'user', owner, null]);
          }
        } else if (fate < 17) {
          entered += 4 * hour;
          stage = 'recycled';
          changes.push([v7(), id, 'mql', 'recycled', iso(entered), iso(entered), 'user', owner, 'not_now']);
        }
      }
      contacts.push([
        id,
        `person${i}@company${i % accountIds.length}.nl`,
        accountOf(i),
        stage === 'lead' ? null : owner,
        stage,
        iso(entered),
        'unknown',
        false,
        iso(created),
        iso(entered),
        channels[i % channels.length]!,
        channels[(i + 3) % channels.length]!,
        // The campaign each person first came through (cost per MQL and per SQL group by it).
        `campaign-${Math.floor(i / 5) % 40}`,
        '{}',
        0,
        -1,
        stage === 'recycled' ? 1 : 0,
        false,
      ]);
    }
    await sink.write(contactsShape, contacts);
    await sink.write(changesShape, changes);
  }

  // Touches: spread over the people, each within the 60 days after they came (none in the future).
  for (let from = 0; from < sizes.touches; from += batch) {
    const touches: Value[][] = [];
    for (let t = from; t < Math.min(sizes.touches, from + batch); t++) {
      const person = t % sizes.contacts;
      const at = Math.min(now - hour, createdAt(person) + ((t * 7919) % 60) * day + (t % 1440) * 60_000);
      const isSales = t % 25 === 0;
      touches.push([
        v7(),
        isSales ? 'call_logged' : t % 10 === 0 ? 'form_submitted' : 'page_viewed',
        isSales ? 'sales' : 'marketing',
        iso(at),
        iso(at),
        contactIds[person]!,
        isSales ? reps[person % reps.length]! : null,
        channels[(person + t) % channels.length]!,
        `campaign-${(t >> 4) % 40}`,
        '{}',
        false,
        'api',
      ]);
    }
    await sink.write(touchesShape, touches);
  }

  // Deals over the SQLs: won, lost or open; closed a month after they were made (if that passed).
  const deals: Value[][] = [];
  const dealContacts: Value[][] = [];
  const flush = async () => {
    await sink.write(dealsShape, deals.splice(0));
    await sink.write(dealContactsShape, dealContacts.splice(0));
  };
  for (let d = 0; d < sizes.deals && sqls.length > 0; d++) {
    const person = sqls[d % sqls.length]!;
    const made = createdAt(person) + 7 * day + (d % 30) * hour;
    const closes = made + 30 * day;
    const status = closes > now ? 'open' : (['won', 'lost', 'open'] as const)[d % 3]!;
    const id = v7();
    deals.push([
      id,
      `Deal ${d}`,
      accountOf(person),
      contactIds[person]!,
      reps[person % reps.length]!,
      status === 'open' ? 'proposal' : status,
      status,
      100_000 + (d % 50) * 250_000,
      'EUR',
      status === 'open' ? null : iso(closes).slice(0, 10),
      iso(status === 'open' ? made : closes),
      iso(made),
      iso(status === 'open' ? made : closes),
    ]);
    dealContacts.push([id, contactIds[person]!, 'decision_maker']);
    if (deals.length >= batch) await flush();
  }
  await flush();

  // Clocks over the MQLs: first response and accept-or-reject, again after each reassignment;
  // routing's decision (an assignment to the clocks' rep) at the start of each pair.
  const clocks: Value[][] = [];
  const assignments: Value[][] = [];
  for (let c = 0; c < sizes.clocks && mqls.length > 0; c++) {
    const person = mqls[c % mqls.length]!;
    const round = Math.floor(c / mqls.length);
    const first = c % 2 === 0;
    const started = createdAt(person) + day + round * 8 * hour;
    const deadline = started + (first ? 4 : 8) * hour;
    const running = deadline > now;
    const breached = !running && c % 10 === 3;
    clocks.push([
      v7(),
      contactIds[person]!,
      first ? company.policyIds.firstResponse : company.policyIds.acceptOrReject,
      reps[(person + round) % reps.length]!,
      'mql',
      first ? 'first_response' : 'accept_or_reject',
      running ? 'running' : breached ? 'breached' : 'met',
      breached ? 1 + (c % 2) : 0,
      '[]',
      running ? 0 : 2,
      running ? iso(deadline) : null,
      iso(started),
      iso(deadline),
      running || breached ? null : iso(started + hour),
      breached ? iso(deadline) : null,
      iso(started),
      iso(running ? started : deadline),
      // The lead's handover: its MQL entry, a day after it came (above).
      iso(createdAt(person) + day),
    ]);
    if (first)
      assignments.push([
        v7(),
        contactIds[person]!,
        reps[(person + round) % reps.length]!,
        'rule',
        '{}',
        'system',
        iso(started),
      ]);
    if (clocks.length >= batch) {
      await sink.write(clocksShape, clocks.splice(0));
      await sink.write(assignmentsShape, assignments.splice(0));
    }
  }
  await sink.write(clocksShape, clocks.splice(0));
  await sink.write(assignmentsShape, assignments.splice(0));
  return { mqls: mqls.length, sqls: sqls.length };
}
