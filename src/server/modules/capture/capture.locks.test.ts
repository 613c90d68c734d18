import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../testing/databases.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';
import { findContactForUpdate } from '../contacts/contacts.repository.ts';
import { patchContactsStatement, type ContactPatchRow } from './capture.repository.ts';
import { fanOutMessages, queueWebhooks, webhookEvent } from '../webhooks/webhooks.usecases.ts';

// Only PostgreSQL locks rows: on SQLite every transaction holds the one write lock from its start.
const onPostgres = testDialects.includes('postgres') ? describe : describe.skip;

onPostgres('capture and routing beside other writers of the same contacts [postgres]', () => {
  let database: TestDatabase;
  let context: TestContext;
  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    context = createTestContext(database);
    context.clock.set('2026-03-02T09:00:00Z');
  });
  afterEach(async () => {
    await database.dispose();
  });

  const event = (id: string, email: string) => ({
    id,
    type: 'page_viewed' as const,
    occurredAt: '2026-03-02T08:00:00Z',
    email,
    url: 'https://www.example.nl/prijzen',
  });

  it('answers a batch that PostgreSQL ended to break a deadlock by running it again', async () => {
    const actor = { kind: 'cli' } as const;
    await context.services.capture.ingest(
      actor,
      {
        events: [event('first-a', 'anna@bedrijf.nl'), event('first-b', 'bram@bedrijf.nl')],
      },
      undefined,
    );
    const [low, high] = (await database.db.selectFrom('contacts').select('id').orderBy('id').execute()).map(
      (r) => r.id,
    );

    // Another writer holds the later contact, the batch takes the earlier one and waits for the later,
    // then the other writer asks for the earlier: a circle, which PostgreSQL breaks by ending the
    // transaction that has waited longest, the batch's.
    let otherWriter: 'committed' | 'ended' = 'committed';
    let answer: Promise<Awaited<ReturnType<typeof context.services.capture.ingest>>> | undefined;
    try {
      await database.db.transaction().execute(async (trx) => {
        await trx.updateTable('contacts').set({ title: 'CTO' }).where('id', '=', high!).execute();
        answer = context.services.capture.ingest(
          actor,
          { events: [event('second-a', 'anna@bedrijf.nl'), event('second-b', 'bram@bedrijf.nl')] },
          'the-batch',
        );
        // Awaited below; until then a failure of it must not count as unhandled.
        answer.catch(() => undefined);
        for (let waited = 0; ; waited += 20) {
          const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db);
          if (waiting.rows[0]!.n > 0) break;
          if (waited > 30_000) throw new Error('the batch never waited for the held contact');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await trx.updateTable('contacts').set({ title: 'CFO' }).where('id', '=', low!).execute();
      });
    } catch (error) {
      // When the machine is so slow that PostgreSQL checks this writer first, it is the one ended.
      if ((error as { code?: string }).code !== '40P01') throw error;
      otherWriter = 'ended';
    }

    const outcome = await answer!;
    expect(outcome.status).toBe(200);
    expect(outcome.body).toMatchObject({ accepted: 2, rejected: 0 });
    const touches = await database.db
      .selectFrom('touchpoints')
      .select('client_event_id')
      .where('client_event_id', 'in', ['second-a', 'second-b'])
      .execute();
    expect(touches).toHaveLength(2);
    // Both writers' work is kept: the batch was run again after the other writer committed.
    const titles = await database.db.selectFrom('contacts').select('title').orderBy('id').execute();
    expect(titles.map((t) => t.title)).toEqual(otherWriter === 'committed' ? ['CFO', 'CTO'] : [null, null]);
  });

  it('lets a row that names a lead be written while a routing holds the lead, and still no second routing', async () => {
    const actor = { kind: 'cli' } as const;
    const outcome = await context.services.capture.ingest(actor, event('one', 'anna@bedrijf.nl'), undefined);
    const contactId = outcome.body.results[0]!.contactId!;
    await database.db.transaction().execute((trx) =>
      queueWebhooks(trx, [
        webhookEvent('lead.assigned', context.clock.now(), {
          contactId,
          assignmentId: 'assignment',
          ownerId: null,
          previousOwnerId: null,
          kind: 'unassigned',
          reason: null,
        }),
      ]),
    );

    await database.db.transaction().execute(async (trx) => {
      // The routing's lock on the lead, held until this transaction ends.
      expect((await findContactForUpdate(trx, contactId))?.id).toBe(contactId);
      // The dispatcher makes the message about the lead (its foreign key checks the lead) at once,
      // in a transaction of its own: it never waits for the routing.
      let timer: NodeJS.Timeout | undefined;
      const made = await Promise.race([
        fanOutMessages({ db: database.db, now: context.clock.now(), limit: 10 }),
        new Promise<'waited'>((resolve) => (timer = setTimeout(() => resolve('waited'), 20_000))),
      ]).finally(() => clearTimeout(timer));
      expect(made).toBe(1);
      // A second routing of the lead still has to wait for the first.
      await expect(
        sql`select id from contacts where id = ${contactId} for no key update nowait`.execute(database.db),
      ).rejects.toMatchObject({ code: '55P03' });
    });
    const messages = await database.db.selectFrom('webhook_messages').select('contact_id').execute();
    expect(messages).toEqual([{ contact_id: contactId }]);
  });

  it("patches a group's contacts through their key, not by reading the whole table", async () => {
    await sql`insert into contacts (id, email, stage, stage_entered_at, consent_status, is_opted_out, created_at, updated_at)
      select gen_random_uuid(), 'p' || n || '@bedrijf.nl', 'lead', now(), 'unknown', false, now(), now()
      from generate_series(1, 5000) as n`.execute(database.db);
    await sql`analyze contacts`.execute(database.db);
    const ids = await database.db.selectFrom('contacts').select('id').orderBy('id').limit(9).execute();
    const rows = ids.map(({ id }): ContactPatchRow => ({
      id,
      original: false,
      original_id: null,
      original_at: null,
      original_source: null,
      original_campaign: null,
      latest: true,
      latest_id: null,
      latest_at: '2026-03-02T08:00:00.000Z',
      latest_source: 'organic',
      latest_campaign: null,
      attributes: null,
      outcome: null,
    }));
    const plan = await sql<{
      'QUERY PLAN': string;
    }>`explain ${patchContactsStatement(rows, '2026-03-02T09:00:00.000Z')}`.execute(database.db);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/(Index Scan using|Bitmap Index Scan on) contacts_pkey/);
    expect(text).not.toMatch(/Seq Scan on contacts/);
  });
});
