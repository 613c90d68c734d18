import { NO_MIGRATIONS, sql } from 'kysely';
import { expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../testing/databases.ts';
import { createMigrator } from './database.ts';
import { migrations } from './migrations/index.ts';

/** A textual picture of the schema: tables, columns, indexes, triggers. */
async function describeSchema(database: TestDatabase): Promise<string> {
  if (database.dialect === 'sqlite') {
    const { rows } = await sql<{ type: string; name: string; sql: string | null }>`
      select type, name, sql from sqlite_master
      where name not like 'sqlite_%' and name not like 'schema_migrations%'
      order by type, name`.execute(database.db);
    return rows.map((r) => `-- ${r.type} ${r.name}\n${r.sql ?? '(automatic)'};`).join('\n\n') + '\n';
  }
  const columns = await sql<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>`
    select table_name, column_name, data_type, is_nullable from information_schema.columns
    where table_schema = current_schema() and table_name not like 'schema_migrations%'
    order by table_name, ordinal_position`.execute(database.db);
  const indexes = await sql<{ indexdef: string }>`
    select regexp_replace(indexdef, ' ON \\w+\\.', ' ON ') as indexdef from pg_indexes
    where schemaname = current_schema() and tablename not like 'schema_migrations%'
    order by indexname`.execute(database.db);
  const constraints = await sql<{ table_name: string; constraint_name: string; definition: string }>`
    select c.conrelid::regclass::text as table_name, c.conname as constraint_name, pg_get_constraintdef(c.oid) as definition
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where n.nspname = current_schema() and c.conrelid::regclass::text not like 'schema_migrations%'
    order by 1, 2`.execute(database.db);
  const triggers = await sql<{
    trigger_name: string;
    event_object_table: string;
    action_timing: string;
    event_manipulation: string;
  }>`
    select trigger_name, event_object_table, action_timing, event_manipulation from information_schema.triggers
    where trigger_schema = current_schema() order by trigger_name, event_manipulation`.execute(database.db);
  const tables = new Map<string, string[]>();
  for (const c of columns.rows) {
    tables.set(c.table_name, [
      ...(tables.get(c.table_name) ?? []),
      `  ${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}`,
    ]);
  }
  return (
    [
      ...[...tables].map(([name, cols]) => `table ${name}\n${cols.join('\n')}`),
      ...constraints.rows.map((c) => `constraint ${c.table_name}.${c.constraint_name} ${c.definition}`),
      ...indexes.rows.map((i) => i.indexdef),
      ...triggers.rows.map(
        (t) =>
          `trigger ${t.trigger_name} ${t.action_timing} ${t.event_manipulation} on ${t.event_object_table}`,
      ),
    ].join('\n') + '\n'
  );
}

const names = Object.keys(migrations);

/** A person as the first migrations store one, written in SQL (a migration test runs no live code). */
async function insertContact(database: TestDatabase, id: string, at: string): Promise<void> {
  await sql`insert into contacts (id, email, stage, stage_entered_at, consent_status, is_opted_out, created_at, updated_at)
    values (${id}, 'jan@acme.nl', 'lead', ${at}, 'unknown', ${database.dialect === 'postgres' ? sql`false` : sql`0`}, ${at}, ${at})`.execute(
    database.db,
  );
}

for (const dialect of testDialects) {
  // One step at a time from an empty database: each prefix is what a store of that release has,
  // and the next migration must apply to it (the state after a prefix does not depend on how it
  // was reached, so this is every prefix without migrating from scratch once per prefix).
  it(`applies every prefix of the migrations to an empty ${dialect} database`, async () => {
    const database = await createTestDatabase(dialect, { migrate: false });
    try {
      const migrator = await createMigrator(database.db);
      for (const [index, name] of names.entries()) {
        const { error, results } = await migrator.migrateTo(name);
        expect(error, name).toBeUndefined();
        expect(results?.map((r) => r.migrationName)).toEqual([names[index]]);
      }
      expect(await migrator.getMigrations()).toSatisfy((all: { executedAt?: Date }[]) =>
        all.every((m) => m.executedAt !== undefined),
      );
    } finally {
      await database.dispose();
    }
  });

  it(`keeps contacts and what hangs off them when 0004 makes the email optional on ${dialect}`, async () => {
    const database = await createTestDatabase(dialect, { migrate: false });
    try {
      const migrator = await createMigrator(database.db);
      expect((await migrator.migrateTo('0003_forms')).error).toBeUndefined();
      const contact = '0190a000-0000-7000-8000-000000000001';
      const at = '2026-01-01T00:00:00.000Z';
      await insertContact(database, contact, at);
      await sql`insert into touchpoints (id, type, category, occurred_at, received_at, contact_id, properties, is_lead_creating, source_kind)
        values ('0190a000-0000-7000-8000-000000000002', 'page_viewed', 'marketing', ${at}, ${at}, ${contact}, '{}', ${dialect === 'postgres' ? sql`true` : sql`1`}, 'api')`.execute(
        database.db,
      );
      expect((await migrator.migrateToLatest()).error).toBeUndefined();

      const { rows } = await sql<{ email: string | null; touches: number | string }>`
        select c.email, (select count(*) from touchpoints t where t.contact_id = c.id) as touches
        from contacts c where c.id = ${contact}`.execute(database.db);
      expect(rows.map((r) => ({ email: r.email, touches: Number(r.touches) }))).toEqual([
        { email: 'jan@acme.nl', touches: 1 },
      ]);
      // The foreign keys still point at the rebuilt table: erasing the person takes their touches.
      await sql`delete from contacts where id = ${contact}`.execute(database.db);
      const left = await sql<{ n: number | string }>`select count(*) as n from touchpoints`.execute(
        database.db,
      );
      expect(Number(left.rows[0]!.n)).toBe(0);
    } finally {
      await database.dispose();
    }
  });

  it(`turns the webhook batches still waiting into messages when 0063 is undone on ${dialect}`, async () => {
    const database = await createTestDatabase(dialect, { migrate: false });
    try {
      const migrator = await createMigrator(database.db);
      expect((await migrator.migrateTo('0063_webhook_batches')).error).toBeUndefined();
      const at = '2026-01-01T00:00:00.000Z';
      const contact = '0190a000-0000-7000-8000-000000000001';
      const gone = '0190a000-0000-7000-8000-000000000002';
      await insertContact(database, contact, at);
      const events = [
        { type: 'contact.mql', occurredAt: at, data: { contactId: contact, stage: 'mql' } },
        { type: 'agreement.signed', occurredAt: at, data: { inForce: false } },
        // About someone erased after it was queued: dropped, as the dispatcher drops it.
        { type: 'contact.mql', occurredAt: at, data: { contactId: gone, stage: 'mql' } },
      ];
      await sql`insert into webhook_batches (id, events) values ('0190a000-0000-7000-8000-000000000009', ${JSON.stringify(events)})`.execute(
        database.db,
      );
      expect((await migrator.migrateTo('0062_team_speeds')).error).toBeUndefined();
      const { rows } = await sql<{ id: string; type: string; payload: string; contact_id: string | null }>`
        select id, type, payload, contact_id from webhook_messages order by id`.execute(database.db);
      expect(rows.map((r) => [r.type, r.contact_id, JSON.parse(r.payload) as unknown])).toEqual([
        ['contact.mql', contact, { type: 'contact.mql', timestamp: at, data: events[0]!.data }],
        ['agreement.signed', null, { type: 'agreement.signed', timestamp: at, data: events[1]!.data }],
      ]);
      expect(rows.every((r) => /^msg_[0-9a-f-]{36}$/.test(r.id))).toBe(true);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
    } finally {
      await database.dispose();
    }
  });

  it(`fills 0055's, 0057's, 0059's and 0062's kept tables from the history a store already has on ${dialect}`, async () => {
    const database = await createTestDatabase(dialect, { migrate: false });
    try {
      const migrator = await createMigrator(database.db);
      expect((await migrator.migrateTo('0054_table_versions')).error).toBeUndefined();
      const bool = (b: boolean) => (dialect === 'postgres' ? sql`${sql.raw(String(b))}` : sql`${Number(b)}`);
      const id = (n: number) => `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`;
      const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T09:00:00.000Z`;
      // Anna came through a lead touch of the webinar; Bob only has an original campaign.
      await sql`insert into touchpoints (id, type, category, occurred_at, received_at, utm_campaign, properties, is_lead_creating, source_kind)
        values (${id(9)}, 'form_submitted', 'marketing', ${at(1)}, ${at(1)}, 'webinar', '{}', ${bool(true)}, 'api')`.execute(
        database.db,
      );
      for (const [n, lead, original] of [
        [1, id(9), 'fair'],
        [2, null, 'spring'],
      ] as const)
        await sql`insert into contacts (id, stage, stage_entered_at, consent_status, is_opted_out, created_at, updated_at, lead_touch_id, original_campaign)
          values (${id(n)}, 'lead', ${at(1)}, 'unknown', ${bool(false)}, ${at(1)}, ${at(1)}, ${lead}, ${original})`.execute(
          database.db,
        );
      // Anna is an MQL twice (sent back in between), Bob once and then an SQL.
      for (const [n, contact, stage, day] of [
        [11, 1, 'mql', 2],
        [12, 1, 'recycled', 3],
        [13, 1, 'mql', 5],
        [14, 2, 'mql', 2],
        [15, 2, 'sql', 4],
      ] as const)
        await sql`insert into stage_changes (id, contact_id, to_stage, occurred_at, recorded_at, actor_kind)
          values (${id(n)}, ${id(contact)}, ${stage}, ${at(day)}, ${at(day)}, 'system')`.execute(database.db);
      expect((await migrator.migrateTo('0055_campaign_stage_entries')).error).toBeUndefined();

      const rows = await database.db
        .selectFrom('campaign_stage_entries')
        .select(['stage_change_id', 'stage', 'campaign', 'occurred_at', 'previous_at'])
        .orderBy('stage_change_id')
        .execute();
      const time = (t: unknown) => (t === null ? null : new Date(t as string).toISOString());
      expect(
        rows.map((r) => [r.stage_change_id, r.stage, r.campaign, time(r.occurred_at), time(r.previous_at)]),
      ).toEqual([
        [id(11), 'mql', 'webinar', at(2), null],
        [id(13), 'mql', 'webinar', at(5), at(2)],
        [id(14), 'mql', 'spring', at(2), null],
        [id(15), 'sql', 'spring', at(4), null],
      ]);

      // The funnel's cohorts: each person's set of stages, and the stays they left.
      expect((await migrator.migrateTo('0057_funnel_cohorts')).error).toBeUndefined();
      const people = await database.db
        .selectFrom('funnel_people')
        .select(['contact_id', 'created_at', 'owner_id', 'stages'])
        .orderBy('contact_id')
        .execute();
      expect(people.map((p) => [p.contact_id, time(p.created_at), p.owner_id, p.stages])).toEqual([
        [id(1), at(1), null, 'mql,recycled'],
        [id(2), at(1), null, 'mql,sql'],
      ]);
      const stays = await database.db
        .selectFrom('funnel_stays')
        .select(['contact_id', 'stage', 'created_at', 'stay_ms'])
        .orderBy('contact_id')
        .orderBy('stage')
        .execute();
      const days = (n: number) => n * 86_400_000;
      expect(stays.map((s) => [s.contact_id, s.stage, time(s.created_at), Number(s.stay_ms)])).toEqual([
        [id(1), 'mql', at(1), days(1)],
        [id(1), 'recycled', at(1), days(2)],
        [id(2), 'mql', at(1), days(2)],
      ]);

      // Each rep's speed to lead per handover: Anna's first stay had clocks of two reps (one of
      // them twice), and one of Bob's was no rep's; an accept-or-reject clock counts for none.
      for (const n of [21, 22])
        await sql`insert into users (id, email, name, role, language, time_zone, is_active, created_at, updated_at)
          values (${id(n)}, ${`rep${n}@acme-ict.nl`}, 'Rep', 'sales_rep', 'en', 'Europe/Amsterdam', ${bool(true)}, ${at(1)}, ${at(1)})`.execute(
          database.db,
        );
      const policy = await database.db.selectFrom('sla_policies').select('id').executeTakeFirstOrThrow();
      const hour = (day: number, h: number) =>
        `2026-01-${String(day).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00.000Z`;
      for (const [n, contact, rep, target, started, responded] of [
        [31, 1, 21, 'first_response', hour(2, 10), hour(2, 14)],
        [32, 1, 21, 'first_response', hour(2, 12), hour(2, 13)],
        [33, 1, 22, 'first_response', hour(2, 11), null],
        [34, 1, 22, 'accept_or_reject', hour(2, 9), hour(2, 9)],
        [35, 2, null, 'first_response', hour(2, 10), hour(2, 11)],
      ] as const)
        await sql`insert into sla_instances (id, contact_id, policy_id, user_id, stage, target, status, level, ladder, next_step,
            started_at, deadline_at, responded_at, created_at, updated_at, stay_started_at)
          values (${id(n)}, ${id(contact)}, ${policy.id}, ${rep === null ? null : id(rep)}, 'mql', ${target}, 'met', 0, '[]', 0,
            ${started}, ${hour(3, 10)}, ${responded}, ${started}, ${started}, ${at(2)})`.execute(database.db);
      expect((await migrator.migrateTo('0059_rep_speeds')).error).toBeUndefined();
      const speeds = await database.db.selectFrom('rep_speeds').selectAll().orderBy('user_id').execute();
      const ms = (t: string) => Date.parse(t);
      expect(
        speeds.map((r) => [
          r.user_id,
          r.contact_id,
          time(r.stay_started_at),
          Number(r.started_ms),
          r.responded_ms === null ? null : Number(r.responded_ms),
          r.wait_ms === null ? null : Number(r.wait_ms),
        ]),
      ).toEqual([
        [id(21), id(1), at(2), ms(hour(2, 10)), ms(hour(2, 13)), 3 * 3_600_000],
        [id(22), id(1), at(2), ms(hour(2, 11)), null, null],
      ]);

      // A team of both reps: its handover is the earliest start and response over the two.
      await sql`insert into teams (id, name, created_at, updated_at) values (${id(41)}, 'Inside sales', ${at(1)}, ${at(1)})`.execute(
        database.db,
      );
      for (const n of [21, 22])
        await sql`insert into team_members (team_id, user_id, created_at) values (${id(41)}, ${id(n)}, ${at(1)})`.execute(
          database.db,
        );
      expect((await migrator.migrateTo('0062_team_speeds')).error).toBeUndefined();
      const team = await database.db.selectFrom('team_speeds').selectAll().execute();
      expect(
        team.map((r) => [
          r.team_id,
          r.contact_id,
          time(r.stay_started_at),
          Number(r.started_ms),
          Number(r.responded_ms),
          Number(r.wait_ms),
        ]),
      ).toEqual([[id(41), id(1), at(2), ms(hour(2, 10)), ms(hour(2, 13)), 3 * 3_600_000]]);
      const teamDays = await database.db.selectFrom('team_speed_days').selectAll().execute();
      // Three hours: within the fourth bound (240 minutes), band 3.
      expect(teamDays.map((d) => [d.team_id, d.day, Number(d.band), Number(d.handovers)])).toEqual([
        [id(41), '2026-01-02', 3, 1],
      ]);
    } finally {
      await database.dispose();
    }
  });

  it(`matches the schema snapshot on ${dialect}, and migrates down and up again to the same schema`, async () => {
    const database = await createTestDatabase(dialect);
    try {
      const schema = await describeSchema(database);
      await expect(schema).toMatchFileSnapshot(`./__snapshots__/schema.${dialect}.txt`);

      const migrator = await createMigrator(database.db);
      const down = await migrator.migrateTo(NO_MIGRATIONS);
      expect(down.error).toBeUndefined();
      expect(await describeSchema(database)).toBe('\n');
      const up = await migrator.migrateToLatest();
      expect(up.error).toBeUndefined();
      expect(await describeSchema(database)).toBe(schema);
    } finally {
      await database.dispose();
    }
  });
}
