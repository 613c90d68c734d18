import { Readable } from 'node:stream';
import { unzipSync, strFromU8 } from 'fflate';
import { sql } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import type { SubjectLookup } from '../../../contract/privacy.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import { dialectOf } from '../../db/dialect.ts';
import { outlookInvitation } from '../../testing/invitations.ts';
import { startWebhookReceiver } from '../../testing/webhook-receiver.ts';
import { createWebhookSender } from '../../platform/webhook-sender.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';
import { findRecordsOfContact, personalTables } from './privacy.repository.ts';

const cli = { kind: 'cli' } as const;

/** The tables of the live schema with a column that references contacts, and the logs with a subject. */
async function tablesReferringToPeople(db: Db): Promise<string[]> {
  if (dialectOf(db) === 'sqlite') {
    const { rows } = await sql<{ name: string }>`
      select distinct m.name from sqlite_master m, pragma_foreign_key_list(m.name) f
      where m.type = 'table' and f."table" = 'contacts'
      union select distinct m.name from sqlite_master m, pragma_table_info(m.name) c
      where m.type = 'table' and c.name = 'subject_id'`.execute(db);
    return rows.map((r) => r.name).sort();
  }
  const { rows } = await sql<{ name: string }>`
    select distinct tc.table_name as name
    from information_schema.table_constraints tc
    join information_schema.constraint_column_usage ccu
      on ccu.constraint_name = tc.constraint_name and ccu.constraint_schema = tc.constraint_schema
    where tc.constraint_type = 'FOREIGN KEY' and ccu.table_name = 'contacts'
      and tc.table_schema = current_schema()
    union
    select distinct table_name from information_schema.columns
    where column_name = 'subject_id' and table_schema = current_schema()`.execute(db);
  return rows.map((r) => r.name).sort();
}

describeEachDialect('requests of a data subject (GDPR/AVG)', (getDatabase) => {
  let context: TestContext;
  let app: App;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    return () => app.close();
  });

  it('knows every table that refers to a person: a new one cannot be left out of the export', async () => {
    const referring = await tablesReferringToPeople(context.database.db);
    expect(referring.length).toBeGreaterThan(10);
    expect(referring.filter((t) => !(personalTables as readonly string[]).includes(t))).toEqual([]);
  });

  /** A person who went the whole way: touches, a form with consent, a merge, a score, routing, SLA, a won deal. */
  async function wholeJourney() {
    const manager = await addUser(context, 'sales_manager');
    const rep = await addUser(context, 'sales_rep', { managerId: manager.id });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      strategy: 'round_robin',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const form = await context.services.forms.createForm(cli, {
      name: 'Whitepaper',
      consentText: { en: 'You may contact me.', nl: 'U mag contact met mij opnemen.' },
    });
    const email = 'sanne@bakkerij-jansen.nl';
    const touched = await context.services.capture.ingest(
      cli,
      {
        type: 'page_viewed',
        occurredAt: '2026-12-01T08:00:00Z',
        email,
        visitorId: 'v-sanne-1',
        channel: 'paid_search',
        campaign: 'Cloud Q4',
      },
      undefined,
    );
    const id = touched.body.results[0]!.contactId!;
    const posted = await app.inject({
      method: 'POST',
      url: `/f/${form.key}`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: { email, consent: 'yes' },
    });
    expect(posted.statusCode).toBeLessThan(400);
    const duplicate = await context.services.contacts.createContact(cli, { email: 'sanne.jansen@gmail.com' });
    await context.services.contacts.mergeContacts(cli, id, { duplicateId: duplicate.id });
    await context.services.scoring.ensureDefaultModel();
    await context.services.scoring.scoreDue();
    await context.services.contacts.changeStage(cli, id, { to: 'mql' });
    await expect.poll(async () => (await context.services.routing.listAssignments(cli, id)).length).toBe(1);
    const asRep: Actor = { kind: 'user', userId: rep.id, role: 'sales_rep' };
    // The rep invites her to a meeting, BCC'ing the logging address.
    const { address } = await context.services.mailbox.myLoggingAddress(asRep);
    await context.services.mailbox.receive(
      { recipients: [address] },
      {
        from: rep.email,
        to: [email],
        cc: [],
        subject: 'Kennismaking',
        date: null,
        messageId: '<meet-sanne@example.nl>',
        forwarded: [],
        calendars: [
          outlookInvitation({ uid: 'meet-sanne@example.nl', start: '20261203T140000' }).replace(
            'jan@klant.nl',
            email,
          ),
        ],
      },
    );
    await context.services.handoff.accept(asRep, id, {});
    await context.services.contacts.addToCampaign(cli, id, 'Nurture Q1');
    await context.services.tasks.create(asRep, id, {
      title: 'Call Sanne back',
      dueAt: '2026-12-04T09:00:00Z',
    });
    await context.services.handoff.qualify(asRep, id, {
      answers: { need: true, budget: true, authority: true, timing: true },
    });
    const deal = await context.services.opportunities.create(asRep, {
      name: 'Bakkerij Jansen cloud',
      contactId: id,
      amountMinor: 1_200_000,
    });
    await context.services.opportunities.move(asRep, deal.id, { stage: 'won' });
    return { id, email, alias: 'sanne.jansen@gmail.com', form, manager };
  }

  it('finds a person by any address, exports a row from every table about them in one archive, and erases them for good', async () => {
    const person = await wholeJourney();
    const marketer = await signIn(app, (await addUser(context, 'marketing')).email);

    // Found by the address they wrote from, and by the one merged into them.
    for (const address of [person.email, person.alias.toUpperCase()]) {
      const found = await app.inject({
        url: `/api/v1/privacy/subjects?email=${encodeURIComponent(address)}`,
        headers: { cookie: marketer },
      });
      expect(found.statusCode).toBe(200);
      expect(found.json<SubjectLookup>()).toMatchObject({
        contacts: [{ id: person.id, email: person.email }],
        erasedAt: null,
      });
    }

    const response = await app.inject({
      url: `/api/v1/privacy/subjects/${person.id}/archive`,
      headers: { cookie: marketer },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="baton-person-${person.id}.zip"`,
    );
    const files = unzipSync(new Uint8Array(response.rawPayload));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['README.txt', 'person.json', 'records.json']));
    const records = JSON.parse(strFromU8(files['records.json']!)) as Record<
      string,
      Record<string, unknown>[]
    >;
    // The journey left rows in every table about people; each is in the archive, as JSON and as CSV.
    expect(Object.keys(records)).toEqual([...personalTables]);
    const empty = personalTables.filter((t) => records[t]!.length === 0);
    expect(empty).toEqual([]);
    for (const table of personalTables) expect(files[`tables/${table}.csv`], table).toBeDefined();
    expect(records.contact_aliases!.map((r) => r.email)).toEqual([person.alias]);
    expect(records.visitor_identities!.map((r) => r.visitor_id)).toEqual(['v-sanne-1']);
    expect(records.outbox!.length).toBeGreaterThan(0);
    expect(records.opportunities!.map((r) => r.status)).toEqual(['won']);
    const person_ = JSON.parse(strFromU8(files['person.json']!)) as { contact: { email: string } };
    expect(person_.contact.email).toBe(person.email);
    const csv = strFromU8(files['tables/contacts.csv']!);
    expect(csv.split('\n')[0]).toContain('"email"');
    expect(csv).toContain(person.email);

    // A rep may not export; nor may anyone export a person they cannot see.
    const rep = await signIn(app, (await addUser(context, 'sales_rep')).email);
    const refused = await app.inject({
      url: `/api/v1/privacy/subjects/${person.id}/archive`,
      headers: { cookie: rep },
    });
    expect(refused.statusCode).toBe(403);

    // Erased: every row about them goes, the logs keep only that something happened.
    const erased = await app.inject({
      method: 'DELETE',
      url: `/api/v1/contacts/${person.id}`,
      headers: { cookie: marketer },
    });
    expect(erased.statusCode, erased.body).toBe(204);
    const left = await findRecordsOfContact(context.database.db, person.id);
    for (const table of personalTables.filter((t) => t !== 'events' && t !== 'audit_log'))
      expect(left[table], table).toEqual([]);
    for (const row of [...left.events, ...left.audit_log]) {
      const text = JSON.stringify(row);
      expect(text).not.toContain('sanne');
    }
    expect(left.events.map((e) => e.type)).toContain('contact.erased');
    // Blanking is the one change the logs let through: any other rewrite is still refused.
    await expect(
      context.database.db
        .updateTable('events')
        .set({ payload: JSON.stringify({ forged: true }) })
        .where('subject_id', '=', person.id)
        .execute(),
    ).rejects.toThrow(/append-only/);
    await expect(
      context.database.db
        .updateTable('audit_log')
        .set({ details: JSON.stringify({ erased: true }), action: 'contact.created' })
        .where('subject_id', '=', person.id)
        .execute(),
    ).rejects.toThrow(/append-only/);

    // Re-imported by every door — an event, a form, a contacts file, the merged address — they stay gone.
    await context.services.capture.ingest(
      cli,
      { events: [{ type: 'page_viewed', occurredAt: '2026-12-02T08:00:00Z', email: person.email }] },
      undefined,
    );
    await app.inject({
      method: 'POST',
      url: `/f/${person.form.key}`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: { email: person.alias },
    });
    const imported = await context.services.imports.importCsv(
      cli,
      Readable.from([
        `email;first_name\n${person.email};Sanne\n${person.alias};Sanne\nnieuw@bakkerij-jansen.nl;Nieuw\n`,
      ]),
      { kind: 'contacts', overrides: {}, dryRun: false },
    );
    expect(imported).toMatchObject({ created: 1 });
    const lookup = await context.services.privacy.findSubject(cli, person.email);
    expect(lookup.contacts).toEqual([]);
    expect(lookup.erasedAt).toBe('2026-12-01T09:00:00.000Z');
    const rows = await context.database.db
      .selectFrom('contacts')
      .select('email')
      .where('email', 'in', [person.email, person.alias])
      .execute();
    expect(rows).toEqual([]);
  });
});

describeEachDialect('retention: how long each kind of data is kept', (getDatabase) => {
  it('deletes old anonymous touches, anonymises quiet leads that never became customers, blanks old email bodies, and the figures stay', async () => {
    const context = createTestContext(getDatabase());
    const app = await createTestApp(context);
    try {
      context.clock.set('2024-01-10T09:00:00.000Z');
      const rep = await addUser(context, 'sales_rep');
      const pool = await context.services.routing.createPool(cli, {
        name: 'Inside',
        strategy: 'round_robin',
        members: [{ userId: rep.id }],
      });
      await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
      const adminUser = await addUser(context, 'admin');
      // An anonymous visitor, a lead who went quiet after becoming an MQL, and a customer.
      await context.services.capture.ingest(
        cli,
        {
          events: [
            { type: 'page_viewed', occurredAt: '2024-01-10T08:00:00Z', visitorId: 'v-anonymous-1' },
            {
              type: 'form_submitted',
              occurredAt: '2024-01-10T08:30:00Z',
              email: 'stil@vergeten.nl',
              channel: 'paid_search',
              campaign: 'Cloud Q1',
              url: 'https://www.example.nl/whitepaper?naam=stil',
            },
            { type: 'page_viewed', occurredAt: '2024-01-10T08:40:00Z', email: 'klant@vast.nl' },
          ],
        },
        undefined,
      );
      const quiet = (await context.services.privacy.findSubject(cli, 'stil@vergeten.nl')).contacts[0]!;
      const customer = (await context.services.privacy.findSubject(cli, 'klant@vast.nl')).contacts[0]!;
      await context.services.contacts.changeStage(cli, quiet.id, { to: 'mql' });
      await expect
        .poll(async () => (await context.services.routing.listAssignments(cli, quiet.id)).length)
        .toBe(1);
      await context.services.contacts.changeStage(cli, customer.id, { to: 'mql' });
      await expect
        .poll(async () => (await context.services.routing.listAssignments(cli, customer.id)).length)
        .toBe(1);
      const asRep = { kind: 'user', userId: rep.id, role: 'sales_rep' } as const;
      await context.services.handoff.accept(asRep, customer.id, {});
      await context.services.handoff.qualify(asRep, customer.id, {
        answers: { need: true, budget: true, authority: true, timing: true },
      });
      const deal = await context.services.opportunities.create(asRep, {
        name: 'Vast contract',
        contactId: customer.id,
        amountMinor: 500_000,
      });
      await context.services.opportunities.move(asRep, deal.id, { stage: 'won' });
      // The emails of the routing were delivered then.
      await context.database.db
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: '2024-01-10T09:01:00.000Z' })
        .execute();

      context.clock.set('2026-12-01T09:00:00.000Z');
      const admin = await signIn(app, adminUser.email);
      const funnel = async () =>
        (
          await app.inject({
            url: '/api/v1/funnel?from=2024-01-01T00:00:00Z&to=2024-04-01T00:00:00Z',
            headers: { cookie: admin },
          })
        ).json<{ stages: unknown[] }>().stages;
      const before = await funnel();

      const set = await app.inject({
        method: 'PATCH',
        url: '/api/v1/settings/retention',
        headers: { cookie: admin },
        payload: { anonymousTouchesDays: 395, unconvertedLeadsDays: 730, emailBodiesDays: 180 },
      });
      expect(set.statusCode).toBe(200);
      const tooShort = await app.inject({
        method: 'PATCH',
        url: '/api/v1/settings/retention',
        headers: { cookie: admin },
        payload: { emailBodiesDays: 7 },
      });
      expect(tooShort.statusCode).toBe(400);
      expect(tooShort.json()).toMatchObject({ errors: [{ field: 'body.emailBodiesDays' }] });

      const run = (dryRun: boolean) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/settings/retention/run',
          headers: { cookie: admin },
          payload: { dryRun },
        });
      const dry = await run(true);
      expect(dry.json()).toMatchObject({ dryRun: true, anonymousTouches: 1, unconvertedLeads: 1 });
      const emails = dry.json<{ emailBodies: number }>().emailBodies;
      expect(emails).toBeGreaterThan(0);
      expect((await context.services.contacts.getContact(cli, quiet.id)).email).toBe('stil@vergeten.nl');

      const real = await run(false);
      expect(real.json()).toMatchObject({
        dryRun: false,
        anonymousTouches: 1,
        unconvertedLeads: 1,
        emailBodies: emails,
      });
      const db = context.database.db;
      expect(
        await db.selectFrom('touchpoints').select('id').where('contact_id', 'is', null).execute(),
      ).toEqual([]);
      const anonymised = (await db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', quiet.id)
        .executeTakeFirst())!;
      expect(anonymised).toMatchObject({
        email: null,
        first_name: null,
        stage: 'mql',
        original_source: 'paid_search',
      });
      expect(anonymised.anonymised_at).not.toBeNull();
      const touches = await db
        .selectFrom('touchpoints')
        .selectAll()
        .where('contact_id', '=', quiet.id)
        .execute();
      expect(touches.map((t) => [t.channel, t.campaign, t.url])).toEqual([['paid_search', 'Cloud Q1', null]]);
      expect((await context.services.contacts.getContact(cli, customer.id)).email).toBe('klant@vast.nl');
      const bodies = await db.selectFrom('outbox').select(['body_text', 'body_html', 'status']).execute();
      expect(bodies.every((b) => b.body_text === null && b.body_html === null)).toBe(true);
      // The figures already reported read the same.
      expect(await funnel()).toEqual(before);
      // Logged, and not again within the day.
      const settings = await app.inject({ url: '/api/v1/settings/retention', headers: { cookie: admin } });
      expect(settings.json()).toMatchObject({ lastRun: { unconvertedLeads: 1 }, emailBodiesDays: 180 });
      expect(await context.services.privacy.applyRetentionDaily()).toBeNull();
      context.clock.advance(86_400_000);
      expect(await context.services.privacy.applyRetentionDaily()).toMatchObject({
        anonymousTouches: 0,
        unconvertedLeads: 0,
      });
      const audit = await context.services.auditLog.list(cli, { action: 'retention.', limit: 10 });
      expect(audit.data.map((e) => e.action).sort()).toEqual([
        'retention.applied',
        'retention.applied',
        'retention.settings_changed',
      ]);
    } finally {
      await app.close();
    }
  });

  it('anonymises quiet leads a batch at a time until none is left, and a dry run counts them all', async () => {
    const context = createTestContext(getDatabase());
    context.clock.set('2024-01-10T09:00:00.000Z');
    // More quiet leads than one batch (200) holds, and one that stays active.
    const quiet = 450;
    await context.services.capture.ingest(
      cli,
      {
        events: Array.from({ length: quiet }, (_, n) => ({
          type: 'page_viewed',
          occurredAt: '2024-01-10T08:00:00Z',
          email: `stil${n}@vergeten.nl`,
        })),
      },
      undefined,
    );
    context.clock.set('2026-12-01T09:00:00.000Z');
    await context.services.capture.ingest(
      cli,
      { events: [{ type: 'page_viewed', occurredAt: '2026-11-24T10:00:00Z', email: 'actief@blijft.nl' }] },
      undefined,
    );
    await context.services.privacy.updateRetention(cli, { unconvertedLeadsDays: 730 });
    const anonymised = async () =>
      Number(
        (
          await context.database.db
            .selectFrom('contacts')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('anonymised_at', 'is not', null)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await context.services.privacy.runRetention(cli, true)).toMatchObject({ unconvertedLeads: quiet });
    expect(await anonymised()).toBe(0);
    expect(await context.services.privacy.runRetention(cli, false)).toMatchObject({
      unconvertedLeads: quiet,
    });
    expect(await anonymised()).toBe(quiet);
    expect((await context.services.privacy.findSubject(cli, 'actief@blijft.nl')).contacts).toHaveLength(1);
    expect(await context.services.privacy.runRetention(cli, false)).toMatchObject({ unconvertedLeads: 0 });
  });

  it('anonymising blanks what people wrote about the lead in its webhook events, queued or made, and the answers to them', async () => {
    const context = createTestContext(getDatabase());
    // The receiver answers with what it got: its answer quotes the note.
    const receiver = await startWebhookReceiver((hook, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(hook.body),
    );
    try {
      context.clock.set('2024-01-10T09:00:00.000Z');
      const sender = createWebhookSender({ timeoutMs: 30_000, maxBodyBytes: 4096 });
      await context.services.webhooks.updateSettings(cli, { allowPrivateTargets: true });
      await context.services.webhooks.createEndpoint(cli, {
        url: receiver.url,
        eventTypes: ['lead.mql', 'lead.rejected', 'lead.recycled'],
      });
      await context.services.capture.ingest(
        cli,
        {
          events: [
            { type: 'form_submitted', occurredAt: '2024-01-10T08:30:00Z', email: 'stil@vergeten.nl' },
            { type: 'form_submitted', occurredAt: '2024-01-10T08:31:00Z', email: 'actief@blijft.nl' },
          ],
        },
        undefined,
      );
      const idOf = async (email: string) =>
        (await context.services.privacy.findSubject(cli, email)).contacts[0]!.id;
      const quiet = await idOf('stil@vergeten.nl');
      const active = await idOf('actief@blijft.nl');
      const note = 'Zijn vrouw zegt dat hij na zijn operatie terugbelt';
      for (const id of [quiet, active]) {
        await context.services.contacts.changeStage(cli, id, { to: 'mql' });
        await context.services.contacts.changeStage(cli, id, { to: 'recycled', reasonCode: 'not_now', note });
      }
      // Made into messages and delivered; then one more event, still queued.
      await context.services.webhooks.fanOut();
      for (const endpoint of await context.services.webhooks.dueEndpoints())
        while ((await context.services.webhooks.deliver(sender, 'test', endpoint)) > 0);
      await context.services.contacts.changeStage(cli, quiet, { to: 'mql', note: `Weer bellen: ${note}` });
      const db = context.database.db;
      const stored = async () => {
        const messages = await db.selectFrom('webhook_messages').select(['contact_id', 'payload']).execute();
        const batches = await db.selectFrom('webhook_batches').select('events').execute();
        const answers = await db
          .selectFrom('webhook_attempts as a')
          .innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id')
          .innerJoin('webhook_messages as m', 'm.id', 'd.message_id')
          .select(['m.contact_id', 'a.response_body'])
          .execute();
        return {
          messages: messages.map(
            (m) => [m.contact_id, (JSON.parse(m.payload) as { data: object }).data] as const,
          ),
          queued: batches.flatMap((b) => JSON.parse(b.events) as { data: { contactId: string } }[]),
          answers,
        };
      };
      const before = await stored();
      expect(before.messages.filter(([c]) => c === quiet).map(([, d]) => d)).toContainEqual(
        expect.objectContaining({ note }),
      );
      expect(before.answers.filter((a) => a.contact_id === quiet).map((a) => a.response_body)).toContainEqual(
        expect.stringContaining(note),
      );
      expect(before.queued.map((e) => e.data)).toContainEqual(
        expect.objectContaining({ contactId: quiet, note: `Weer bellen: ${note}` }),
      );

      // Two years on: the active lead was touched last week; the quiet one is anonymised.
      context.clock.set('2026-12-01T09:00:00.000Z');
      await context.services.capture.ingest(
        cli,
        { events: [{ type: 'page_viewed', occurredAt: '2026-11-24T10:00:00Z', email: 'actief@blijft.nl' }] },
        undefined,
      );
      // Webhook messages kept for as long (else they would be gone after 90 days, words and all).
      await context.services.privacy.updateRetention(cli, {
        unconvertedLeadsDays: 730,
        webhookMessagesDays: null,
      });
      expect(await context.services.privacy.runRetention(cli, false)).toMatchObject({ unconvertedLeads: 1 });

      const after = await stored();
      const quietMessages = after.messages.filter(([c]) => c === quiet).map(([, d]) => d);
      expect(quietMessages).toHaveLength(before.messages.filter(([c]) => c === quiet).length);
      // lead.mql, lead.rejected and lead.recycled hold a note; it is gone from each.
      expect(quietMessages.filter((d) => 'note' in d).map((d) => d.note)).toEqual([null, null, null]);
      expect(quietMessages).toContainEqual(
        expect.objectContaining({ contactId: quiet, reasonCode: 'not_now', stage: 'recycled' }),
      );
      expect(after.answers.filter((a) => a.contact_id === quiet).map((a) => a.response_body)).toEqual(
        before.answers.filter((a) => a.contact_id === quiet).map(() => null),
      );
      expect(after.queued.map((e) => e.data)).toContainEqual(
        expect.objectContaining({ contactId: quiet, stage: 'mql', note: null }),
      );
      // The other lead's events and answers keep their words.
      expect(after.messages.filter(([c]) => c === active)).toEqual(
        before.messages.filter(([c]) => c === active),
      );
      expect(after.answers.filter((a) => a.contact_id === active)).toEqual(
        before.answers.filter((a) => a.contact_id === active),
      );
      expect(
        JSON.stringify([quietMessages, after.queued.filter((e) => e.data.contactId === quiet)]),
      ).not.toContain('operatie');
    } finally {
      await receiver.close();
    }
  });

  it('deletes webhook messages past their period (90 days unless changed) once every delivery of them finished, with their deliveries and attempts', async () => {
    const context = createTestContext(getDatabase());
    const receiver = await startWebhookReceiver();
    try {
      const sender = createWebhookSender({ timeoutMs: 30_000, maxBodyBytes: 4096 });
      const db = context.database.db;
      const mql = async (email: string) => {
        await context.services.capture.ingest(
          cli,
          { events: [{ type: 'form_submitted', occurredAt: context.clock.now().toISOString(), email }] },
          undefined,
        );
        const id = (await context.services.privacy.findSubject(cli, email)).contacts[0]!.id;
        await context.services.contacts.changeStage(cli, id, { to: 'mql' });
        return id;
      };
      const deliverDue = async () => {
        await context.services.webhooks.fanOut();
        for (const endpoint of await context.services.webhooks.dueEndpoints())
          while ((await context.services.webhooks.deliver(sender, 'test', endpoint)) > 0);
      };
      const messageOf = async (contactId: string) =>
        (
          await db
            .selectFrom('webhook_messages')
            .select('id')
            .where('contact_id', '=', contactId)
            .where('type', '=', 'lead.mql')
            .executeTakeFirstOrThrow()
        ).id;

      context.clock.set('2024-01-10T09:00:00.000Z');
      // Sent to no one (no endpoint yet), then delivered, then still failing (tried again later).
      const unsent = await mql('niemand@ontving.nl');
      await deliverDue();
      await context.services.webhooks.updateSettings(cli, { allowPrivateTargets: true });
      const endpoint = await context.services.webhooks.createEndpoint(cli, {
        url: receiver.url,
        eventTypes: ['lead.mql'],
      });
      const delivered = await mql('bezorgd@oud.nl');
      await deliverDue();
      receiver.answerWith((_hook, response) => response.writeHead(503).end('later'));
      const failing = await mql('faalt@nog.nl');
      await deliverDue();
      // Still failing weeks later: the retry keeps the delivery waiting.
      context.clock.set('2024-03-20T09:00:00.000Z');
      const recent = await mql('recent@bezorgd.nl');
      await deliverDue();
      const ids = {
        unsent: await messageOf(unsent),
        delivered: await messageOf(delivered),
        failing: await messageOf(failing),
        recent: await messageOf(recent),
      };
      const deliveryStatus = async (messageId: string) =>
        (
          await db
            .selectFrom('webhook_deliveries')
            .select('status')
            .where('message_id', '=', messageId)
            .execute()
        ).map((d) => d.status);
      expect(await deliveryStatus(ids.unsent)).toEqual([]);
      expect(await deliveryStatus(ids.delivered)).toEqual(['delivered']);
      expect(await deliveryStatus(ids.failing)).toEqual(['pending']);
      expect(await deliveryStatus(ids.recent)).toEqual(['pending']);
      const deliveredAttempts = await db
        .selectFrom('webhook_attempts as a')
        .innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id')
        .select('a.id')
        .where('d.message_id', '=', ids.delivered)
        .execute();
      expect(deliveredAttempts).toHaveLength(1);

      // 90 days after the first three: they are past the period the store started with.
      context.clock.set('2024-05-15T09:00:00.000Z');
      expect(await context.services.privacy.retentionSettings(cli)).toMatchObject({
        webhookMessagesDays: 90,
      });
      // Each lead's routing (lead.assigned, to no endpoint) made a message too: every message of
      // January goes, but for the one still being delivered.
      const all = await db.selectFrom('webhook_messages').select(['id', 'contact_id']).execute();
      const kept = all.filter((m) => m.contact_id === recent || m.id === ids.failing).map((m) => m.id);
      expect(all.length - kept.length).toBeGreaterThanOrEqual(3);
      const expired = { webhookMessages: all.length - kept.length };
      expect(await context.services.privacy.runRetention(cli, true)).toMatchObject(expired);
      expect(await context.services.privacy.runRetention(cli, false)).toMatchObject(expired);
      const left = await db.selectFrom('webhook_messages').select('id').execute();
      expect(left.map((m) => m.id).sort()).toEqual(kept.sort());
      expect(left.map((m) => m.id)).toEqual(expect.arrayContaining([ids.failing, ids.recent]));
      expect(await deliveryStatus(ids.delivered)).toEqual([]);
      expect(
        await db
          .selectFrom('webhook_attempts')
          .select('id')
          .where(
            'id',
            'in',
            deliveredAttempts.map((a) => a.id),
          )
          .execute(),
      ).toEqual([]);
      // A replay of the period sends what is left of it.
      const replay = await context.services.webhooks.replayRange(cli, endpoint.id, {
        from: '2024-01-01T00:00:00Z',
        to: '2024-04-01T00:00:00Z',
      });
      expect(replay.replayed).toBe(2);

      // Null keeps them, and the daily run then has nothing to do.
      const stored = (await db.selectFrom('webhook_messages').select('id').execute()).length;
      await context.services.privacy.updateRetention(cli, { webhookMessagesDays: null });
      context.clock.set('2026-01-01T09:00:00.000Z');
      expect(await context.services.privacy.applyRetentionDaily()).toBeNull();
      expect(await db.selectFrom('webhook_messages').select('id').execute()).toHaveLength(stored);
      const audit = await context.services.auditLog.list(cli, { action: 'retention.', limit: 10 });
      expect(audit.data.map((e) => e.action).sort()).toEqual([
        'retention.applied',
        'retention.settings_changed',
      ]);
    } finally {
      await receiver.close();
    }
  });
});
