import { beforeEach, expect, it } from 'vitest';
import type { Contact, Touchpoint } from '../../../contract/contacts.ts';
import type { IngestResponse } from '../../../contract/events.ts';
import { eventTypes } from '../../../domain/capture/event-types.ts';
import { Client } from 'undici';
import { createTestDatabase, describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';
import { emailHash } from './capture.repository.ts';

describeEachDialect('the events API', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let authorization: string;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-03-10T12:00:00.000Z');
    app = await createTestApp(context);
    const key = await context.services.apiKeys.createApiKey(
      { kind: 'cli' },
      { name: 'Website', role: 'marketing' },
    );
    authorization = `Bearer ${key.key}`;
    return () => app.close();
  });

  const send = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization, ...headers },
      payload: payload as object,
    });
  const contactByEmail = async (email: string) =>
    (await context.services.contacts.listContacts({ kind: 'cli' }, { email })).data[0];
  const touchesOf = async (contactId: string): Promise<Touchpoint[]> =>
    context.services.contacts.listTouchpoints({ kind: 'cli' }, contactId);

  it('accepts every event type', async () => {
    for (const [i, type] of eventTypes.entries()) {
      const response = await send({ type, occurredAt: '2026-03-10T10:00:00Z', email: `p${i}@acme.nl` });
      expect({ type, status: response.statusCode }).toEqual({ type, status: 200 });
      const body = response.json<IngestResponse>();
      expect(body).toMatchObject({ accepted: 1, results: [{ index: 0, status: 'accepted' }] });
      const touches = await touchesOf(body.results[0]!.contactId!);
      expect(touches.map((t) => t.type)).toEqual([type]);
      expect(touches[0]!.category).toBe(
        ['call_logged', 'email_sent', 'meeting_held', 'email_received'].includes(type)
          ? 'sales'
          : 'marketing',
      );
    }
  });

  it('answers a mixed batch item by item and stores the good items', async () => {
    const response = await send({
      events: [
        {
          id: 'evt-1',
          type: 'page_viewed',
          occurredAt: '2026-03-10T10:00:00Z',
          email: 'jan@acme.nl',
          url: 'https://acme.nl/prijzen',
        },
        { type: 'page_viewed', occurredAt: 'yesterday', email: 'not-an-email' },
        { id: 'evt-1', type: 'page_viewed', occurredAt: '2026-03-10T10:00:00Z', email: 'jan@acme.nl' },
        { type: 'form_submitted', occurredAt: '2026-03-10T10:05:00Z' },
        { type: 'teleported', occurredAt: '2026-03-10T10:05:00Z', email: 'x@acme.nl' },
        { type: 'demo_requested', occurredAt: '2026-03-10T10:06:00Z', email: 'Piet@Acme.NL', bogus: 1 },
        {
          type: 'demo_requested',
          occurredAt: '2026-03-10T10:07:00Z',
          email: 'piet@acme.nl',
          firstName: 'Piet',
        },
      ],
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<IngestResponse>();
    expect(body.results.map((r) => r.status)).toEqual([
      'accepted',
      'rejected',
      'duplicate',
      'rejected',
      'rejected',
      'rejected',
      'accepted',
    ]);
    expect({ accepted: body.accepted, duplicates: body.duplicates, rejected: body.rejected }).toEqual({
      accepted: 2,
      duplicates: 1,
      rejected: 4,
    });
    expect(body.results[2]!.touchId).toBe(body.results[0]!.touchId);
    expect(body.results[1]!.errors!.map((e) => e.field).sort()).toEqual(['email', 'occurredAt']);
    expect(body.results[3]!.errors).toEqual([
      { field: 'email', reason: 'an email or a visitorId is required' },
    ]);
    expect(body.results[4]!.errors![0]!.field).toBe('type');
    expect(body.results[5]!.errors).toContainEqual({ field: 'bogus', reason: 'is not a known field' });

    expect((await contactByEmail('jan@acme.nl'))?.email).toBe('jan@acme.nl');
    expect(await contactByEmail('x@acme.nl')).toBeUndefined();
    const piet = (await contactByEmail('piet@acme.nl'))!;
    expect(piet.firstName).toBe('Piet');
    expect(piet.accountId).toBe((await contactByEmail('jan@acme.nl'))!.accountId);
  });

  it('announces each stored touch and each new contact, after the commit, and only once', async () => {
    const announced: string[] = [];
    context.events.subscribe('contact.created', (e) => void announced.push(`contact.created ${e.contactId}`));
    context.events.subscribe(
      'touch.recorded',
      (e) => void announced.push(`touch.recorded ${e.eventType} ${e.contactId}`),
    );
    const batch = {
      events: [
        { id: 'a1', type: 'page_viewed', occurredAt: '2026-03-10T10:00:00Z', email: 'jan@acme.nl' },
        { id: 'a2', type: 'demo_requested', occurredAt: '2026-03-10T10:01:00Z', email: 'jan@acme.nl' },
      ],
    };
    const response = await send(batch, { 'idempotency-key': 'announce-1' });
    const contactId = response.json<IngestResponse>().results[0]!.contactId!;
    await send(batch, { 'idempotency-key': 'announce-1' });
    await send(batch);
    expect(announced).toEqual([
      `contact.created ${contactId}`,
      `touch.recorded page_viewed ${contactId}`,
      `touch.recorded demo_requested ${contactId}`,
    ]);
    expect(context.handlerErrors).toEqual([]);
  });

  it('answers a single invalid event with 400 naming the fields', async () => {
    const response = await send({
      type: 'page_viewed',
      occurredAt: '2099-01-01T00:00:00Z',
      email: 'jan@acme.nl',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'http.validation_failed',
      errors: [{ field: 'body.occurredAt' }],
    });
    const tooMany = await send({ events: Array.from({ length: 1001 }, () => ({})) });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ errors: [{ field: 'body.events' }] });
  });

  it('replays the first answer for a repeated Idempotency-Key and refuses the key with another body', async () => {
    const batch = {
      events: [
        { type: 'form_submitted', occurredAt: '2026-03-10T10:00:00Z', email: 'jan@acme.nl' },
        { type: 'page_viewed', occurredAt: '2026-03-10T10:01:00Z', email: 'jan@acme.nl' },
      ],
    };
    const first = await send(batch, { 'idempotency-key': 'batch-42' });
    const again = await send(batch, { 'idempotency-key': 'batch-42' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    const contact = (await contactByEmail('jan@acme.nl'))!;
    expect(await touchesOf(contact.id)).toHaveLength(2);

    const other = await send({ events: [batch.events[0]] }, { 'idempotency-key': 'batch-42' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency.key_reused');
    expect(await touchesOf(contact.id)).toHaveLength(2);

    // After a day the key is forgotten, and its stored answer swept away.
    context.clock.advance(24 * 3_600_000 + 1000);
    const later = await send(batch, { 'idempotency-key': 'batch-42' });
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    context.clock.advance(24 * 3_600_000 + 1000);
    await send({ type: 'page_viewed', occurredAt: '2026-03-10T10:00:00Z', email: 'jan@acme.nl' });
    const keys = await getDatabase().db.selectFrom('idempotency_keys').select('key').execute();
    expect(keys).toEqual([]);
  });

  it('answers two requests with one key that arrive together once: the second replays the first', async () => {
    const batch = {
      events: [{ type: 'form_submitted', occurredAt: '2026-03-10T10:00:00Z', email: 'duo@acme.nl' }],
    };
    const other = {
      events: [{ type: 'page_viewed', occurredAt: '2026-03-10T10:00:00Z', email: 'duo@acme.nl' }],
    };
    const [a, b, c] = await Promise.all([
      send(batch, { 'idempotency-key': 'together' }),
      send(batch, { 'idempotency-key': 'together' }),
      send(other, { 'idempotency-key': 'together' }),
    ]);
    // Whichever arrives first owns the key: the same body again replays its answer, the other
    // body is refused, and only the owner's events are stored.
    const otherWon = c.statusCode === 200;
    if (otherWon) {
      expect([a.statusCode, b.statusCode]).toEqual([422, 422]);
    } else {
      expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([200, 200, 422]);
      expect(b.json()).toEqual(a.json());
      expect([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].sort()).toEqual([
        'true',
        undefined,
      ]);
    }
    const contact = (await contactByEmail('duo@acme.nl'))!;
    expect((await touchesOf(contact.id)).map((t) => t.type)).toEqual([
      otherWon ? 'page_viewed' : 'form_submitted',
    ]);
  });

  it('creates the contact once, marks the touch that created the lead, and keeps first and latest source apart', async () => {
    await send({
      type: 'webinar_registered',
      occurredAt: '2026-03-05T09:00:00Z',
      email: 'An@Initech.nl',
      channel: 'email',
      campaign: 'webinar-ai',
      company: 'Initech B.V.',
    });
    await send({
      type: 'ad_clicked',
      occurredAt: '2026-03-08T09:00:00Z',
      email: 'an@initech.nl',
      channel: 'paid_social',
      campaign: 'linkedin-q1',
    });
    // Imported later, but it happened first.
    await send({
      type: 'content_downloaded',
      occurredAt: '2026-02-01T09:00:00Z',
      email: 'an@initech.nl',
      channel: 'organic',
      campaign: 'whitepaper',
    });
    await send({ type: 'call_logged', occurredAt: '2026-03-09T09:00:00Z', email: 'an@initech.nl' });

    const contact = (await contactByEmail('an@initech.nl'))!;
    expect(contact.originalSource).toMatchObject({
      channel: 'organic',
      campaign: 'whitepaper',
      at: '2026-02-01T09:00:00.000Z',
    });
    expect(contact.latestSource).toMatchObject({ channel: 'paid_social', campaign: 'linkedin-q1' });
    const touches = await touchesOf(contact.id);
    expect(touches.map((t) => t.type)).toEqual([
      'content_downloaded',
      'webinar_registered',
      'ad_clicked',
      'call_logged',
    ]);
    const leadTouch = touches.find((t) => t.isLeadCreating)!;
    expect(leadTouch.type).toBe('webinar_registered');
    expect(contact.leadTouchId).toBe(leadTouch.id);
    expect(contact.stage).toBe('lead');

    const account = await context.services.accounts.getAccount({ kind: 'cli' }, contact.accountId!);
    expect(account).toMatchObject({ name: 'Initech B.V.', domains: ['initech.nl'] });
  });

  it('matches accounts by domain, never by free-mail domains, and by company name when there is no domain', async () => {
    const acme = await context.services.accounts.createAccount(
      { kind: 'cli' },
      { name: 'Acme Nederland B.V.', domains: ['acme.nl'] },
    );
    await send({
      events: [
        { type: 'form_submitted', occurredAt: '2026-03-10T10:00:00Z', email: 'jan@acme.nl' },
        {
          type: 'form_submitted',
          occurredAt: '2026-03-10T10:00:00Z',
          email: 'kees@gmail.com',
          company: 'ACME Nederland bv',
        },
        { type: 'form_submitted', occurredAt: '2026-03-10T10:00:00Z', email: 'els@ziggo.nl' },
      ],
    });
    expect((await contactByEmail('jan@acme.nl'))!.accountId).toBe(acme.id);
    expect((await contactByEmail('kees@gmail.com'))!.accountId).toBe(acme.id);
    expect((await contactByEmail('els@ziggo.nl'))!.accountId).toBeNull();
    const all = await context.services.accounts.listAccounts({ kind: 'cli' }, {});
    expect(all.data.map((a) => a.name)).toEqual(['Acme Nederland B.V.']);
  });

  it("joins a visitor's anonymous page views to the contact when the visitor fills in a form", async () => {
    const visitorId = 'v_8f3k2m9q1z';
    await send({
      events: [
        {
          type: 'page_viewed',
          occurredAt: '2026-03-01T09:00:00Z',
          visitorId,
          url: 'https://baton.example/',
          channel: 'organic',
        },
        {
          type: 'page_viewed',
          occurredAt: '2026-03-02T09:00:00Z',
          visitorId,
          url: 'https://baton.example/pricing',
        },
      ],
    });
    const form = await send({
      type: 'form_submitted',
      occurredAt: '2026-03-03T09:00:00Z',
      visitorId,
      email: 'mo@globex.nl',
      channel: 'direct',
    });
    const contactId = form.json<IngestResponse>().results[0]!.contactId!;
    const touches = await touchesOf(contactId);
    expect(touches.map((t) => t.type)).toEqual(['page_viewed', 'page_viewed', 'form_submitted']);
    const contact = await context.services.contacts.getContact({ kind: 'cli' }, contactId);
    expect(contact.originalSource).toMatchObject({ channel: 'organic', at: '2026-03-01T09:00:00.000Z' });
    expect(contact.latestSource).toMatchObject({ channel: 'direct' });
  });

  it("joins a known visitor's later anonymous touches at once, also within one batch", async () => {
    const visitorId = 'v_samebatch01';
    const first = await send({
      events: [
        { type: 'page_viewed', occurredAt: '2026-03-01T09:00:00Z', visitorId, channel: 'paid_search' },
        {
          type: 'form_submitted',
          occurredAt: '2026-03-01T09:05:00Z',
          visitorId,
          email: 'sam@hooli.nl',
          channel: 'direct',
        },
        { type: 'page_viewed', occurredAt: '2026-03-01T09:06:00Z', visitorId },
      ],
    });
    const results = first.json<IngestResponse>().results;
    const contactId = results[1]!.contactId!;
    expect(results[2]!.contactId).toBe(contactId);
    await send({ type: 'page_viewed', occurredAt: '2026-03-02T09:00:00Z', visitorId, channel: 'organic' });
    const touches = await touchesOf(contactId);
    expect(touches.map((t) => t.type)).toEqual([
      'page_viewed',
      'form_submitted',
      'page_viewed',
      'page_viewed',
    ]);
    const contact = await context.services.contacts.getContact({ kind: 'cli' }, contactId);
    expect(contact.originalSource).toMatchObject({ channel: 'paid_search' });
    expect(contact.latestSource).toMatchObject({ channel: 'organic', at: '2026-03-02T09:00:00.000Z' });
  });

  it('keeps an opted-out person opted out, and never stores an erased person again', async () => {
    const contact = await context.services.contacts.createContact(
      { kind: 'cli' },
      { email: 'out@acme.nl', optOut: { isOptedOut: true, source: 'email:unsubscribe' } },
    );
    await send({ type: 'form_submitted', occurredAt: '2026-03-10T10:00:00Z', email: 'OUT@acme.nl' });
    const after: Contact = await context.services.contacts.getContact({ kind: 'cli' }, contact.id);
    expect(after.optOut).toMatchObject({ isOptedOut: true, source: 'email:unsubscribe' });

    await getDatabase()
      .db.insertInto('suppressions')
      .values({
        email_hash: emailHash('gone@acme.nl'),
        reason: 'erased',
        created_at: '2026-03-01T00:00:00.000Z',
      })
      .execute();
    const response = await send({
      events: [{ type: 'page_viewed', occurredAt: '2026-03-10T10:00:00Z', email: 'Gone@Acme.nl' }],
    });
    expect(response.json<IngestResponse>().results[0]).toMatchObject({
      status: 'rejected',
      errors: [{ field: 'email' }],
    });
    expect(await contactByEmail('gone@acme.nl')).toBeUndefined();
  });

  it('erases a person on request and never stores them again, from an event or a form', async () => {
    const form = await context.services.forms.createForm({ kind: 'cli' }, { name: 'Newsletter' });
    const first = await send({
      type: 'form_submitted',
      occurredAt: '2026-03-10T10:00:00Z',
      email: 'forget@acme.nl',
    });
    const contactId = first.json<IngestResponse>().results[0]!.contactId!;
    const marketer = await addUser(context, 'marketing');
    const cookie = await signIn(app, marketer.email);
    const erased = await app.inject({
      method: 'DELETE',
      url: `/api/v1/contacts/${contactId}`,
      headers: { cookie },
    });
    expect(erased.statusCode).toBe(204);
    expect((await app.inject({ url: `/api/v1/contacts/${contactId}`, headers: { cookie } })).statusCode).toBe(
      404,
    );
    const db = getDatabase().db;
    expect(
      await db.selectFrom('touchpoints').select('id').where('contact_id', '=', contactId).execute(),
    ).toEqual([]);
    const suppressed = await db.selectFrom('suppressions').selectAll().execute();
    expect(JSON.stringify(suppressed)).not.toContain('forget@acme.nl');

    const again = await send({
      type: 'page_viewed',
      occurredAt: '2026-03-09T10:00:00Z',
      email: 'Forget@Acme.nl',
    });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({
      errors: [{ field: 'body.email', reason: expect.stringContaining('erased') }],
    });
    const posted = await app.inject({
      method: 'POST',
      url: `/f/${form.key}`,
      payload: { email: 'forget@acme.nl' },
    });
    expect(posted.statusCode).toBe(200);
    expect(await contactByEmail('forget@acme.nl')).toBeUndefined();
  });

  it('merges a duplicate: its touches move over, the earlier first source wins, and its address keeps leading here', async () => {
    const cli = { kind: 'cli' } as const;
    await send({
      type: 'page_viewed',
      occurredAt: '2026-03-05T09:00:00Z',
      email: 'jan@acme.nl',
      channel: 'email',
    });
    await send({
      type: 'content_downloaded',
      occurredAt: '2026-02-01T09:00:00Z',
      email: 'j.jansen@gmail.com',
      channel: 'organic',
      firstName: 'Jan',
    });
    const survivor = (await contactByEmail('jan@acme.nl'))!;
    const duplicate = (await contactByEmail('j.jansen@gmail.com'))!;
    await context.services.contacts.updateContact(cli, duplicate.id, {
      optOut: { isOptedOut: true, source: 'email:unsubscribe' },
    });

    const merged = await context.services.contacts.mergeContacts(cli, survivor.id, {
      duplicateId: duplicate.id,
    });
    expect(merged).toMatchObject({
      email: 'jan@acme.nl',
      firstName: 'Jan',
      originalSource: { channel: 'organic', at: '2026-02-01T09:00:00.000Z' },
      latestSource: { channel: 'email' },
      optOut: { isOptedOut: true },
    });
    expect((await touchesOf(survivor.id)).map((t) => t.type)).toEqual(['content_downloaded', 'page_viewed']);
    await expect(context.services.contacts.getContact(cli, duplicate.id)).rejects.toMatchObject({
      code: 'contacts.not_found',
    });

    const later = await send({
      type: 'email_clicked',
      occurredAt: '2026-03-06T09:00:00Z',
      email: 'J.Jansen@gmail.com',
    });
    expect(later.json<IngestResponse>().results[0]!.contactId).toBe(survivor.id);
    const audit = await getDatabase()
      .db.selectFrom('events')
      .select(['type', 'payload'])
      .where('subject_id', '=', survivor.id)
      .where('type', '=', 'contact.merged')
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.payload)).toContain('j.jansen@gmail.com');

    await expect(
      context.services.contacts.mergeContacts(cli, survivor.id, { duplicateId: survivor.id }),
    ).rejects.toMatchObject({ code: 'contacts.merge_same' });
    // The merged address stays the person's: it cannot become a new contact.
    await expect(
      context.services.contacts.createContact(cli, { email: 'J.Jansen@gmail.com' }),
    ).rejects.toMatchObject({ code: 'contacts.email_taken' });

    // Erasing the person erases every address they had.
    await context.services.contacts.eraseContact(cli, survivor.id);
    const again = await send({
      type: 'page_viewed',
      occurredAt: '2026-03-07T09:00:00Z',
      email: 'j.jansen@gmail.com',
    });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({
      errors: [{ field: 'body.email', reason: expect.stringContaining('erased') }],
    });
  });

  it("joins a known visitor's anonymous touch when the same batch names their merged address", async () => {
    const cli = { kind: 'cli' } as const;
    const visitorId = 'v_aliasvisit1';
    await send({
      type: 'form_submitted',
      occurredAt: '2026-03-01T09:00:00Z',
      email: 'kim@acme.nl',
      visitorId,
    });
    await send({ type: 'form_submitted', occurredAt: '2026-03-01T09:00:00Z', email: 'kim@gmail.com' });
    const survivor = (await contactByEmail('kim@acme.nl'))!;
    const duplicate = (await contactByEmail('kim@gmail.com'))!;
    await context.services.contacts.mergeContacts(cli, survivor.id, { duplicateId: duplicate.id });
    const response = await send({
      events: [
        { type: 'email_clicked', occurredAt: '2026-03-02T09:00:00Z', email: 'kim@gmail.com' },
        { type: 'page_viewed', occurredAt: '2026-03-02T09:01:00Z', visitorId },
      ],
    });
    expect(response.json<IngestResponse>().results.map((r) => r.contactId)).toEqual([
      survivor.id,
      survivor.id,
    ]);
  });

  it('records who in Sales did a sales activity, and refuses an unknown user', async () => {
    const rep = await addUser(context, 'sales_rep');
    const response = await send({
      events: [
        { type: 'call_logged', occurredAt: '2026-03-10T10:00:00Z', email: 'jan@acme.nl', userId: rep.id },
        {
          type: 'call_logged',
          occurredAt: '2026-03-10T10:00:00Z',
          email: 'jan@acme.nl',
          userId: '0190a5e8-0000-7000-8000-000000000000',
        },
      ],
    });
    const body = response.json<IngestResponse>();
    expect(body.results.map((r) => r.status)).toEqual(['accepted', 'rejected']);
    const touches = await touchesOf(body.results[0]!.contactId!);
    expect(touches[0]!.userId).toBe(rep.id);
  });
});

it('closes the connection of an import refused before its file was read, so the next request does not hang', async () => {
  const database = await createTestDatabase('sqlite');
  const context = createTestContext(database);
  const app = await createTestApp(context);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  // One keep-alive connection, as a client library keeps it.
  const client = new Client(url, { pipelining: 1 });
  try {
    const file = `email\n${Array.from({ length: 50_000 }, (_, i) => `p${i}@example.nl`).join('\n')}\n`;
    const refused = await client.request({
      method: 'POST',
      path: '/api/v1/imports/contacts',
      headers: { 'content-type': 'text/csv' },
      body: file,
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers.connection).toBe('close');
    await refused.body.dump();
    for (let i = 0; i < 2; i++) {
      const next = await client.request({
        method: 'GET',
        path: '/api/health',
        signal: AbortSignal.timeout(10_000),
      });
      expect(next.statusCode).toBe(200);
      await next.body.dump();
    }
  } finally {
    await client.close();
    await app.close();
    await database.dispose();
  }
});
