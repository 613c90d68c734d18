// Searching contacts (issue 24): BENCH_SEARCH_CONTACTS contacts (1M by default) at a tenth as many
// companies, with Dutch names drawn from small pools (so a surname is shared by thousands), a third
// on free-mail addresses. The searches are a fixed mix a sales team types: a surname, a first and
// last name, a company, an email's own part, a domain, and each of those with a typo (no contact
// contains it, so the typo-tolerant fallback answers). Each search is the contacts service's list
// call as Marketing sees it (every contact), the first page of 50, as the web app asks.
// - metric search_p95 / search_p50 per store, and the p95 of the typo searches alone;
// - baseline raw_email_lookup_p95: the raw indexed lookup of one contact by email on the same
//   store, the floor of any read.
// SQLite runs on a file with durable commits; PostgreSQL runs when BATON_TEST_DATABASE_URL is set.
// BENCH_SEARCH_STORES=postgres (or sqlite) runs one of them. Each kind of search has its own p95.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { v7 } from 'uuid';
import { loadTestSettings } from '../src/server/config.ts';
import { migrateToLatest, openDatabase, type Database } from '../src/server/db/database.ts';
import { toDbTime } from '../src/server/db/dialect.ts';
import { indexPendingSearch } from '../src/server/modules/contacts/contacts.repository.ts';
import { createTestDatabase } from '../src/server/testing/databases.ts';
import { addUser, createTestContext } from '../src/server/testing/world.ts';
import { round, size, smoke } from './measure.ts';

const total = size('BENCH_SEARCH_CONTACTS', 1_000_000, 2_000);
const accounts = Math.max(10, Math.round(total / 10));
const rounds = smoke ? 1 : 5;

const firstNames =
  `jan piet kees henk willem johan gerrit bram daan lucas sem finn levi milan thijs ruben jesse
  lars tim bas koen joost niels sander stefan maarten emma sophie julia tess anna eva lisa sara fleur
  noor lotte sanne iris femke anouk maud roos esther marieke ingrid annemiek linda monique petra`.split(
    /\s+/,
  );
const lastNames =
  `jansen de-vries van-den-berg bakker visser smit meijer de-boer mulder de-groot bos vos peters
  hendriks van-leeuwen dekker brouwer de-wit dijkstra smits de-graaf van-der-meer van-der-linden kok jacobs
  de-haan vermeulen van-den-heuvel van-der-veen van-den-broek de-bruijn de-jong schouten van-beek willems
  van-vliet van-dijk hoekstra maas verhoeven koster prins blom huisman peeters de-lange kuipers van-wijk
  postma kramer timmermans schipper`.split(/\s+/);
const companyWords = `bakkerij installatie techniek bouw advies groep transport logistiek zorg data cloud
  netwerk software systemen solutions media print metaal hout energie water`.split(/\s+/);
const places = `noord zuid oost west delta rijn maas veluwe twente kempen utrecht amstel haven polder`.split(
  /\s+/,
);
const freeMail = ['gmail.com', 'hotmail.com', 'outlook.com', 'ziggo.nl', 'kpnmail.nl'];

/** A deterministic generator, so every run searches the same data. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
const pick = <T>(next: () => number, list: readonly T[]) => list[Math.floor(next() * list.length)]!;
const name = (slug: string) => slug.replaceAll('-', ' ');

interface Person {
  first: string;
  last: string;
  email: string;
  company: string;
  domain: string;
}

function companyOf(index: number) {
  const next = random(index + 7);
  const words = `${pick(next, companyWords)} ${pick(next, places)}`;
  return { name: `${words} ${index} B.V.`, domain: `${words.replace(' ', '')}${index}.nl` };
}

function personOf(index: number): Person & { account: number } {
  const next = random(index + 1_000_003);
  const first = pick(next, firstNames);
  const last = pick(next, lastNames);
  const account = Math.floor(next() * accounts);
  const { name: company, domain } = companyOf(account);
  const mailDomain = next() < 0.33 ? pick(next, freeMail) : domain;
  return { first, last, email: `${first}.${last}.${index}@${mailDomain}`, company, domain, account };
}

/** One letter dropped from the middle of a word: a typo no contact contains. */
const typo = (word: string) =>
  word.slice(0, Math.floor(word.length / 2)) + word.slice(Math.floor(word.length / 2) + 1);

const kinds = [
  'surname',
  'full_name',
  'company',
  'email',
  'domain',
  'surname_typo',
  'name_typo',
  'company_typo',
] as const;
type Kind = (typeof kinds)[number];

function searches(): { q: string; kind: Kind }[] {
  const next = random(42);
  const list: { q: string; kind: Kind }[] = [];
  for (let i = 0; i < 20; i += 1) {
    const person = personOf(Math.floor(next() * total));
    const last = name(person.last);
    list.push(
      { q: last, kind: 'surname' },
      { q: `${person.first} ${last}`, kind: 'full_name' },
      { q: person.company.split(' ').slice(0, 3).join(' '), kind: 'company' },
      { q: person.email.split('@')[0]!, kind: 'email' },
      { q: person.domain, kind: 'domain' },
      { q: typo(person.last.replaceAll('-', '')), kind: 'surname_typo' },
      { q: `${person.first} ${typo(person.last.split('-').at(-1)!)}`, kind: 'name_typo' },
      { q: `${typo(person.company.split(' ')[0]!)} ${person.company.split(' ')[1]}`, kind: 'company_typo' },
    );
  }
  return list;
}

async function seedSqlite(path: string) {
  const setup = openDatabase({ dialect: 'sqlite', path });
  await migrateToLatest(setup.db);
  await setup.close();
  const raw = new SQLite(path);
  raw.pragma('journal_mode = WAL');
  const at = new Date('2026-12-01T09:00:00.000Z').toISOString();
  const account = raw.prepare('insert into accounts (id, name, created_at, updated_at) values (?, ?, ?, ?)');
  const contact = raw.prepare(
    `insert into contacts (id, email, first_name, last_name, account_id, stage, stage_entered_at, consent_status, is_opted_out, created_at, updated_at)
     values (?, ?, ?, ?, ?, 'lead', ?, 'unknown', 0, ?, ?)`,
  );
  const accountIds: string[] = [];
  raw.transaction(() => {
    for (let i = 0; i < accounts; i += 1) {
      const id = v7();
      accountIds.push(id);
      account.run(id, companyOf(i).name, at, at);
    }
  })();
  const batch = 50_000;
  for (let start = 0; start < total; start += batch)
    raw.transaction(() => {
      for (let i = start; i < Math.min(total, start + batch); i += 1) {
        const p = personOf(i);
        contact.run(v7(), p.email, p.first, name(p.last), accountIds[p.account], at, at, at);
      }
    })();
  raw.close();
  // The new contacts into the search index, as the background does (migration 0052), counted in
  // the seeding.
  const database = openDatabase({ dialect: 'sqlite', path });
  while ((await indexPendingSearch(database.db, 50_000)) > 0);
  await database.close();
}

async function seedPostgres(database: Database) {
  const at = toDbTime(new Date('2026-12-01T09:00:00.000Z'));
  const batch = 5_000;
  const accountIds: string[] = [];
  for (let start = 0; start < accounts; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(accounts, start + batch); i += 1) {
      const id = v7();
      accountIds.push(id);
      rows.push({ id, name: companyOf(i).name, created_at: at, updated_at: at });
    }
    await database.db.insertInto('accounts').values(rows).execute();
  }
  for (let start = 0; start < total; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(total, start + batch); i += 1) {
      const p = personOf(i);
      rows.push({
        id: v7(),
        email: p.email,
        first_name: p.first,
        last_name: name(p.last),
        account_id: accountIds[p.account]!,
        stage: 'lead',
        stage_entered_at: at,
        consent_status: 'unknown',
        is_opted_out: false,
        created_at: at,
        updated_at: at,
      });
    }
    await database.db.insertInto('contacts').values(rows).execute();
  }
  await sql`analyze`.execute(database.db);
}

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

async function measure(database: Database) {
  const context = createTestContext(database);
  const marketer = await addUser(context, 'marketing');
  const actor = { kind: 'user', userId: marketer.id, role: 'marketing' } as const;
  const mix = searches();
  const all: number[] = [];
  const typos: number[] = [];
  const byKind = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
  let found = 0;
  for (const { q } of mix) await context.services.contacts.listContacts(actor, { q, limit: 50 }); // warm-up
  for (let r = 0; r < rounds; r += 1)
    for (const { q, kind } of mix) {
      const start = performance.now();
      const page = await context.services.contacts.listContacts(actor, { q, limit: 50 });
      const ms = performance.now() - start;
      all.push(ms);
      byKind.get(kind)!.push(ms);
      if (kind.endsWith('_typo')) typos.push(ms);
      if (page.data.length > 0) found += 1;
    }
  for (const list of byKind.values()) list.sort((a, b) => a - b);
  const emails = mix.map((_, i) => personOf((i * 7919) % total).email);
  const lookups: number[] = [];
  for (let r = 0; r < rounds; r += 1)
    for (const email of emails) {
      const start = performance.now();
      await database.db.selectFrom('contacts').selectAll().where('email', '=', email).executeTakeFirst();
      lookups.push(performance.now() - start);
    }
  for (const list of [all, typos, lookups]) list.sort((a, b) => a - b);
  return {
    p50: percentile(all, 0.5),
    p95: percentile(all, 0.95),
    typoP95: percentile(typos, 0.95),
    foundShare: found / all.length,
    lookupP95: percentile(lookups, 0.95),
    kindP95: [...byKind].map(([kind, list]) => [kind, percentile(list, 0.95)] as const),
  };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-search-bench-'));
  const metrics: Record<string, { value: number; unit: string }> = {};
  const baselines: Record<string, { value: number; unit: string }> = {};
  /** One store's seeding and searches, under the store's name. */
  const record = (store: string, seedMs: number, result: Awaited<ReturnType<typeof measure>>) => {
    metrics[`${store}_seed_seconds`] = { value: round(seedMs / 1000), unit: 's' };
    metrics[`${store}_search_p95`] = { value: round(result.p95, 2), unit: 'ms' };
    metrics[`${store}_search_p50`] = { value: round(result.p50, 2), unit: 'ms' };
    metrics[`${store}_typo_search_p95`] = { value: round(result.typoP95, 2), unit: 'ms' };
    metrics[`${store}_searches_with_results`] = { value: round(result.foundShare, 3), unit: 'share' };
    for (const [kind, p95] of result.kindP95)
      metrics[`${store}_${kind}_p95`] = { value: round(p95, 2), unit: 'ms' };
    baselines[`${store}_raw_email_lookup_p95`] = { value: round(result.lookupP95, 3), unit: 'ms' };
  };
  try {
    const stores = (process.env.BENCH_SEARCH_STORES ?? 'sqlite,postgres').split(',');
    if (stores.includes('sqlite')) {
      const path = join(dir, 'baton.db');
      const start = performance.now();
      await seedSqlite(path);
      const seedMs = performance.now() - start;
      const database = openDatabase({ dialect: 'sqlite', path });
      try {
        record('sqlite', seedMs, await measure(database));
      } finally {
        await database.close();
      }
    }
    if (loadTestSettings().postgresUrl && stores.includes('postgres')) {
      const pg = await createTestDatabase('postgres');
      try {
        const start = performance.now();
        await seedPostgres(pg);
        record('postgres', performance.now() - start, await measure(pg));
      } finally {
        await pg.dispose();
      }
    }
    metrics.contacts = { value: total, unit: 'contacts' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { metrics, baselines };
}
