import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../testing/databases.ts';
import { startHubSpotFake, type HubSpotFake } from '../../testing/hubspot-fake.ts';
import { toDbTime } from '../../db/dialect.ts';
import { finishConnectionSync } from './connectors.repository.ts';
import {
  addUser,
  createTestApp,
  createTestContext,
  routedLead,
  type TestContext,
} from '../../testing/world.ts';

const cli = { kind: 'cli' } as const;

/*
 * The HubSpot connector against a local HubSpot (src/server/testing/hubspot-fake.ts, written from
 * HubSpot's public API reference) through HubSpot's official client.
 */
describeEachDialect('the HubSpot connector', (getDatabase) => {
  let context: TestContext;
  let hubspot: HubSpotFake;

  /**
   * A portal with a larger search budget (as HubSpot's API limit increase gives) than the standard
   * five a second, which the budgets keep to in real time: a poll searches each object type, and
   * at four a second the tests of what a sync does waited two seconds a sync. The storm test
   * keeps HubSpot's standard numbers and Baton's defaults.
   */
  const largerSearchBudget = { portal: 50, baton: 40 };
  const testContext = (searchesPerSecond?: number) => {
    const made = createTestContext(getDatabase(), undefined, {
      ...(searchesPerSecond && { connectors: { searchesPerSecond } }),
    });
    // A Tuesday, 10:00 in Amsterdam: inside everyone's working hours.
    made.clock.set('2026-12-01T09:00:00.000Z');
    return made;
  };

  beforeEach(async () => {
    context = testContext(largerSearchBudget.baton);
    hubspot = await startHubSpotFake({ clock: context.clock, searchPerSecond: largerSearchBudget.portal });
  });
  afterEach(() => hubspot.close());

  /** A rep who is a HubSpot owner too, with a routed lead whose first-response clock runs. */
  const world = async () => {
    const manager = await addUser(context, 'sales_manager', { email: 'fleur@nordwind.nl' });
    const rep = await addUser(context, 'sales_rep', { email: 'ruud@nordwind.nl', managerId: manager.id });
    const owner = hubspot.addOwner({ email: 'Ruud@nordwind.nl', firstName: 'Ruud', lastName: 'Bos' });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    await context.services.scoring.ensureDefaultModel();
    const lead = await routedLead(context, { email: 'jan@klant.nl', firstName: 'Jan', ownerId: rep.id });
    const connection = await context.services.connectors.create(cli, {
      kind: 'hubspot',
      token: hubspot.token,
      baseUrl: hubspot.url,
      webhookSecret: 'app-secret-1234',
      pollIntervalSeconds: 60,
    });
    return { manager, rep, owner, lead, connection };
  };
  const firstResponse = async (contactId: string) =>
    (await context.services.sla.listClocks(cli, contactId)).find((c) => c.target === 'first_response')!;
  const touches = async (contactId: string, type: string) =>
    (await context.services.contacts.listTouchpoints(cli, contactId)).filter((t) => t.type === type);
  const errors = async (id: string) =>
    (await context.services.connectors.log(cli, id, { outcome: 'error' })).data;

  it('writes a routed lead’s owner and stage into HubSpot, and a call logged there stops the clock at the next poll', async () => {
    const { owner, lead, connection, rep } = await world();
    expect(connection).toMatchObject({
      state: 'active',
      tokenHint: `…${hubspot.token.slice(-4)}`,
      backfill: { state: 'pending' },
    });
    expect(JSON.stringify(connection)).not.toContain(hubspot.token);

    const synced = await context.services.connectors.syncNow(cli, connection.id);
    expect(synced).toMatchObject({
      state: 'active',
      lastError: null,
      backfill: { state: 'done' },
      linked: { contact: 1 },
    });
    const jan = hubspot.findBy('contacts', 'email', 'jan@klant.nl')!;
    expect(jan.properties).toMatchObject({
      hubspot_owner_id: owner.id,
      lifecyclestage: 'marketingqualifiedlead',
      hs_lead_status: 'NEW',
    });

    // Baton's own write comes back on the next poll as a change in HubSpot: nothing is done with it.
    const stamp = jan.updatedAt;
    const before = await context.services.contacts.getContact(cli, lead);
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(hubspot.findBy('contacts', 'email', 'jan@klant.nl')!.updatedAt).toBe(stamp);
    expect((await context.services.contacts.getContact(cli, lead)).updatedAt).toBe(before.updatedAt);

    // The rep calls Jan and logs it in HubSpot.
    expect((await firstResponse(lead)).status).toBe('running');
    context.clock.advance(60_000);
    hubspot.create(
      'calls',
      {
        hs_timestamp: context.clock.now().toISOString(),
        hubspot_owner_id: owner.id,
        hs_call_status: 'COMPLETED',
        hs_call_title: 'Intake',
      },
      { contacts: [jan.id] },
    );
    context.clock.advance(61_000);
    expect(await context.services.connectors.syncDue('test-process')).toBe(1);
    expect((await firstResponse(lead)).status).toBe('met');
    const calls = await touches(lead, 'call_logged');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ userId: rep.id, properties: { via: 'hubspot', subject: 'Intake' } });

    // Read again (the cursor's instant is read twice by design): still one call.
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(await touches(lead, 'call_logged')).toHaveLength(1);

    // The rep accepts the lead in Baton: HubSpot's lead status follows.
    await context.services.handoff.accept({ kind: 'user', userId: rep.id, role: 'sales_rep' }, lead, {});
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(hubspot.findBy('contacts', 'email', 'jan@klant.nl')!.properties).toMatchObject({
      lifecyclestage: 'marketingqualifiedlead',
      hs_lead_status: 'IN_PROGRESS',
    });
    expect(await errors(connection.id)).toEqual([]);
  });

  it('recycling moves HubSpot’s lifecycle stage back (clearing it first, as HubSpot asks) and writes the reason as one note, even across a crash', async () => {
    const { lead, connection, rep } = await world();
    await context.services.connectors.syncNow(cli, connection.id);
    await context.services.handoff.reject({ kind: 'user', userId: rep.id, role: 'sales_rep' }, lead, {
      reasonCode: 'no_budget',
    });
    // The note with the reason is made, but its answer is lost (a crash's view): the sync stops.
    hubspot.dropNextCreate();
    context.clock.advance(61_000);
    expect(await context.services.connectors.syncNow(cli, connection.id)).toMatchObject({ state: 'failing' });
    const jan = hubspot.findBy('contacts', 'email', 'jan@klant.nl')!;
    expect(jan.properties).toMatchObject({ lifecyclestage: 'lead', hs_lead_status: 'BAD_TIMING' });
    // The next syncs find that note: never a second one.
    for (let turn = 0; turn < 2; turn++) {
      context.clock.advance(61_000);
      expect(await context.services.connectors.syncNow(cli, connection.id)).toMatchObject({
        state: 'active',
      });
    }
    const notes = hubspot.all('notes').filter((n) => n.associations.contacts?.has(jan.id));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.properties.hs_note_body).toMatch(/^Sent back to Marketing in Baton by .+: .+\./);
    expect((await errors(connection.id)).map((e) => e.code)).toEqual(['connectors.sync_failed']);
  });

  it('reads people made in HubSpot into Baton within HubSpot’s standard budgets, and loses none in a storm of 429s', async () => {
    await hubspot.close();
    context = testContext();
    hubspot = await startHubSpotFake({ clock: context.clock });
    const { connection } = await world();
    for (let i = 0; i < 30; i++)
      hubspot.create('contacts', {
        email: `klant${i}@bedrijf${i}.nl`,
        firstname: `Klant ${i}`,
        jobtitle: 'CTO',
      });
    // Answered 429 five times in a row: each call waits what Retry-After says and tries again.
    hubspot.storm(5, 0);
    await context.services.connectors.syncNow(cli, connection.id);
    for (let i = 0; i < 30; i++) {
      const found = await context.services.contacts.listContacts(cli, {
        email: `klant${i}@bedrijf${i}.nl`,
        limit: 1,
      });
      expect(found.data[0]).toMatchObject({ firstName: `Klant ${i}`, title: 'CTO' });
    }
    expect(hubspot.counts.limited).toBeGreaterThanOrEqual(5);

    // A storm longer than the tries: the sync stops, says so, and the next one goes on from the cursor.
    for (let i = 30; i < 40; i++) hubspot.create('contacts', { email: `klant${i}@bedrijf${i}.nl` });
    hubspot.storm(50, 0);
    const stopped = await context.services.connectors.syncNow(cli, connection.id);
    expect(stopped.state).toBe('failing');
    expect(stopped.lastError).toMatch(/429/);
    expect((await errors(connection.id)).map((e) => e.code)).toContain('connectors.rate_limited');
    hubspot.storm(0);
    context.clock.advance(61_000);
    const resumed = await context.services.connectors.syncNow(cli, connection.id);
    expect(resumed.state).toBe('active');
    expect(resumed.linked.contact).toBe(41);
    const all = await context.services.contacts.listContacts(cli, { q: 'bedrijf', limit: 100 });
    expect(all.data.filter((c) => c.email?.startsWith('klant'))).toHaveLength(40);
  });

  it('keeps a pause an admin makes while a sync runs, and resumes when asked', async () => {
    const { connection } = await world();
    await context.services.connectors.syncNow(cli, connection.id);
    // The admin pauses while the next sync waits for HubSpot's answer: the sync ends, paused.
    hubspot.create('contacts', { email: 'anna@klant.nl', firstname: 'Anna' });
    context.clock.advance(61_000);
    let pausedMeanwhile: string | undefined;
    hubspot.beforeNextAnswer(async () => {
      pausedMeanwhile = (await context.services.connectors.update(cli, connection.id, { paused: true }))
        .state;
    });
    const synced = await context.services.connectors.syncNow(cli, connection.id);
    expect(pausedMeanwhile).toBe('paused');
    expect(synced.state).toBe('paused');
    expect((await context.services.connectors.get(cli, connection.id)).state).toBe('paused');
    // However late the pause comes, the sync's end keeps it: the state is decided in that one
    // update (before, it was read first, and a pause that committed in between was lost).
    const db = context.database.db;
    for (const [now, outcome] of [
      ['paused', 'active'],
      ['paused', 'failing'],
      ['failing', 'active'],
      ['active', 'failing'],
    ] as const) {
      await db
        .updateTable('connections')
        .set({
          state: now,
          lease_owner: 'sync-1',
          lease_until: toDbTime(new Date(context.clock.now().getTime() + 60_000)),
        })
        .where('id', '=', connection.id)
        .execute();
      await finishConnectionSync(db, connection.id, 'sync-1', { state: outcome });
      const row = await db
        .selectFrom('connections')
        .select(['state', 'lease_owner'])
        .where('id', '=', connection.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ state: now === 'paused' ? 'paused' : outcome, lease_owner: null });
    }
    // Resumed, it syncs again and is active.
    expect((await context.services.connectors.update(cli, connection.id, { paused: false })).state).toBe(
      'active',
    );
    context.clock.advance(61_000);
    expect((await context.services.connectors.syncNow(cli, connection.id)).state).toBe('active');
  });

  it('an unknown owner and a revoked token each give a clear entry in the sync log and an alert to the admins; the rest goes on', async () => {
    const { connection } = await world();
    const admin = await addUser(context, 'admin', { email: 'ada@nordwind.nl' });
    const stranger = hubspot.addOwner({ email: 'extern@bureau.nl', firstName: 'Ex', lastName: 'Tern' });
    const piet = hubspot.create('contacts', { email: 'piet@klant.nl', firstname: 'Piet' });
    hubspot.create(
      'calls',
      { hs_timestamp: context.clock.now().toISOString(), hubspot_owner_id: stranger.id },
      { contacts: [piet.id] },
    );
    await context.services.connectors.syncNow(cli, connection.id);
    const [unknown] = await errors(connection.id);
    expect(unknown).toMatchObject({
      code: 'connectors.unknown_owner',
      remoteId: stranger.id,
      objectType: 'owner',
    });
    expect(unknown!.message).toContain('extern@bureau.nl');
    // The admins hear of it, by email and in the bell: once.
    const alerts = async () =>
      (await context.services.notifications.listOutbox(cli, { limit: 200 })).data.filter(
        (m) => m.kind === 'connection.needs_admin',
      );
    expect((await alerts()).map((m) => m.subject)).toEqual(['CRM connection needs you: HubSpot']);
    expect((await alerts())[0]!.recipient).toBe(admin.email);
    // The call is on Piet all the same (by nobody Baton knows), and logged once however often it is read.
    const [pietInBaton] = (
      await context.services.contacts.listContacts(cli, { email: 'piet@klant.nl', limit: 1 })
    ).data;
    expect(await touches(pietInBaton!.id, 'call_logged')).toHaveLength(1);
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect((await errors(connection.id)).filter((e) => e.code === 'connectors.unknown_owner')).toHaveLength(
      1,
    );

    hubspot.revokeToken();
    context.clock.advance(61_000);
    const revoked = await context.services.connectors.syncNow(cli, connection.id);
    expect(revoked).toMatchObject({ state: 'failing' });
    expect(revoked.lastError).toMatch(/token/);
    expect((await errors(connection.id))[0]).toMatchObject({ code: 'connectors.token_revoked' });
    expect(await alerts()).toHaveLength(2);
    // Still refused at the next turn: told once.
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(await alerts()).toHaveLength(2);
  });

  it('a call logged in HubSpot stops the clock within 2 s through HubSpot’s signed webhook', async () => {
    const { owner, lead, connection } = await world();
    await context.services.connectors.syncNow(cli, connection.id);
    const jan = hubspot.findBy('contacts', 'email', 'jan@klant.nl')!;
    const app = await createTestApp(context);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      hubspot.subscribe(
        connection.webhookUrl,
        'app-secret-1234',
        `${address}/api/v1/connectors/${connection.id}/webhooks`,
      );
      const began = performance.now();
      hubspot.create(
        'calls',
        {
          hs_timestamp: context.clock.now().toISOString(),
          hubspot_owner_id: owner.id,
          hs_call_status: 'COMPLETED',
        },
        { contacts: [jan.id] },
      );
      while ((await firstResponse(lead)).status !== 'met' && performance.now() - began < 10_000)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const took = performance.now() - began;
      expect((await firstResponse(lead)).status).toBe('met');
      expect(took).toBeLessThan(2000);

      // Signed with another secret, or too old: refused.
      const body = JSON.stringify([
        { objectTypeId: '0-48', objectId: 1, subscriptionType: 'object.creation' },
      ]);
      const forged = await app.inject({
        method: 'POST',
        url: `/api/v1/connectors/${connection.id}/webhooks`,
        headers: {
          'content-type': 'application/json',
          'x-hubspot-signature-v3': 'bm90IGEgc2lnbmF0dXJl',
          'x-hubspot-request-timestamp': String(context.clock.now().getTime()),
        },
        payload: body,
      });
      expect(forged.statusCode).toBe(401);
      expect(forged.json()).toMatchObject({ code: 'connectors.bad_signature' });
    } finally {
      // The local HubSpot's keep-alive connection would hold the server open.
      app.server.closeAllConnections();
      await app.close();
    }
  });

  it('reads companies as accounts and deals as opportunities, moves each deal as HubSpot does, and reading it again changes nothing', async () => {
    const { owner, lead, connection, rep } = await world();
    const company = hubspot.create('companies', {
      name: 'Klant BV',
      domain: 'www.klant.nl',
      industry: 'COMPUTER_SOFTWARE',
      numberofemployees: '120',
      country: 'Netherlands',
      hubspot_owner_id: owner.id,
    });
    const jan = hubspot.create(
      'contacts',
      { email: 'jan@klant.nl', firstname: 'Jan' },
      {
        companies: [company.id],
      },
    );
    const deal = hubspot.create(
      'deals',
      {
        dealname: 'Klant BV — licences',
        amount: '12500.50',
        deal_currency_code: 'EUR',
        dealstage: 'qualifiedtobuy',
        pipeline: 'default',
        hubspot_owner_id: owner.id,
        closedate: '2027-01-31T00:00:00.000Z',
      },
      { contacts: [jan.id], companies: [company.id] },
    );

    const synced = await context.services.connectors.syncNow(cli, connection.id);
    expect(synced).toMatchObject({ state: 'active', backfill: { state: 'done' } });
    expect(synced.linked).toMatchObject({ company: 1, contact: 1, deal: 1 });
    const [account] = (await context.services.accounts.listAccounts(cli, { domain: 'klant.nl' })).data;
    expect(account).toMatchObject({
      name: 'Klant BV',
      domains: ['klant.nl'],
      employeeCount: 120,
      country: 'NL',
      ownerId: rep.id,
    });
    const opportunities = async () =>
      (await context.services.opportunities.list(cli, { accountId: account!.id })).data;
    const [opportunity] = await opportunities();
    expect(opportunity).toMatchObject({
      externalId: `hubspot:${connection.id}:${deal.id}`,
      name: 'Klant BV — licences',
      // Qualified To Buy (40 %) is Baton's open stage nearest in chance of a win: Proposal (50 %).
      stage: 'proposal',
      status: 'open',
      amountMinor: 1_250_050,
      currency: 'EUR',
      ownerId: rep.id,
      contactId: lead,
      expectedCloseOn: '2027-01-31',
    });

    // Won in HubSpot: won in Baton, closed on its close date; read again, nothing changes.
    context.clock.advance(61_000);
    hubspot.update('deals', deal.id, { dealstage: 'closedwon', closedate: '2026-12-01T09:01:00.000Z' });
    await context.services.connectors.syncNow(cli, connection.id);
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    const [won] = await opportunities();
    expect(won).toMatchObject({ id: opportunity!.id, stage: 'won', status: 'won', closedOn: '2026-12-01' });
    const detail = await context.services.opportunities.get(cli, won!.id);
    expect(detail.history.map((h) => [h.to, h.actor.kind, h.actor.id])).toEqual([
      ['proposal', 'connector', connection.id],
      ['won', 'connector', connection.id],
    ]);
    expect(await opportunities()).toHaveLength(1);
  });

  it('an opportunity made in Baton becomes one deal in HubSpot, even across a crash, and is HubSpot’s from then on', async () => {
    const { owner, lead, connection, rep } = await world();
    await context.services.connectors.syncNow(cli, connection.id);
    const asRep = { kind: 'user', userId: rep.id, role: 'sales_rep' } as const;
    await context.services.handoff.accept(asRep, lead, {});
    await context.services.handoff.qualify(asRep, lead, {
      answers: { need: true, budget: true, authority: true, timing: true },
    });
    const made = await context.services.opportunities.create(asRep, {
      name: 'Klant BV — licences',
      contactId: lead,
      amountMinor: 1_250_050,
    });
    // Made in HubSpot, its answer lost: the sync stops; the next finds the deal by Baton's marker.
    hubspot.dropNextCreate();
    context.clock.advance(61_000);
    expect(await context.services.connectors.syncNow(cli, connection.id)).toMatchObject({ state: 'failing' });
    for (let turn = 0; turn < 2; turn++) {
      context.clock.advance(61_000);
      expect(await context.services.connectors.syncNow(cli, connection.id)).toMatchObject({
        state: 'active',
      });
    }
    const deals = hubspot.all('deals');
    expect(deals).toHaveLength(1);
    expect(deals[0]!.properties).toMatchObject({
      dealname: 'Klant BV — licences',
      amount: '12500.50',
      hubspot_owner_id: owner.id,
    });
    const jan = hubspot.findBy('contacts', 'email', 'jan@klant.nl')!;
    expect(deals[0]!.associations.contacts?.has(jan.id)).toBe(true);
    // Read back, it is the same opportunity; won in HubSpot, it is won in Baton.
    const detail = async () => context.services.opportunities.get(cli, made.id);
    expect(await detail()).toMatchObject({
      externalId: `hubspot:${connection.id}:${deals[0]!.id}`,
      stage: made.stage,
    });
    hubspot.update('deals', deals[0]!.id, { dealstage: 'closedwon', closedate: '2026-12-01T09:05:00.000Z' });
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(await detail()).toMatchObject({ status: 'won' });
    expect((await context.services.opportunities.list(cli, {})).data).toHaveLength(1);
    expect(hubspot.all('deals')).toHaveLength(1);
  });
  it('a contact merged or deleted in HubSpot, a deal deleted there and a property whose options changed each give a clear entry in the sync log and, where an admin must act, an alert; Baton writes to removed records no more and the rest goes on', async () => {
    const { lead, connection, rep, owner } = await world();
    await addUser(context, 'admin', { email: 'ada@nordwind.nl' });
    const piet = await routedLead(context, { email: 'piet@klant.nl', firstName: 'Piet', ownerId: rep.id });
    await context.services.connectors.syncNow(cli, connection.id);
    const jan = hubspot.findBy('contacts', 'email', 'jan@klant.nl')!;
    const pietThere = hubspot.findBy('contacts', 'email', 'piet@klant.nl')!;
    const deal = hubspot.create(
      'deals',
      {
        dealname: 'Klant BV – licences',
        dealstage: 'qualifiedtobuy',
        amount: '1000',
        hubspot_owner_id: owner.id,
      },
      { contacts: [jan.id] },
    );
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect((await context.services.connectors.get(cli, connection.id)).linked).toMatchObject({
      contact: 2,
      deal: 1,
    });
    const alerts = async () =>
      (await context.services.notifications.listOutbox(cli, { limit: 200 })).data.filter(
        (m) => m.kind === 'connection.needs_admin',
      );
    const entries = async (code: string) =>
      (await context.services.connectors.log(cli, connection.id, { limit: 200 })).data.filter(
        (e) => e.code === code,
      );

    // A rep merges Piet into Jan in HubSpot: two people in Baton are one there.
    hubspot.merge('contacts', jan.id, pietThere.id);
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    const [merged] = await entries('connectors.merged_in_crm');
    expect(merged).toMatchObject({ outcome: 'error', remoteId: pietThere.id, localId: piet });
    expect(merged!.message).toContain('jan@klant.nl');
    expect(await alerts()).toHaveLength(1);
    // Piet changes in Baton: nothing is written to the merged-away record, and no new one is made.
    await context.services.handoff.accept({ kind: 'user', userId: rep.id, role: 'sales_rep' }, piet, {});
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(hubspot.all('contacts')).toHaveLength(1);
    // (HubSpot would take a write to the merged-away id as one to Jan.)
    expect(hubspot.get('contacts', jan.id)!.properties.hs_lead_status).toBe('NEW');

    // The deal is deleted in HubSpot while its opportunity is open in Baton: HubSpot's webhook tells.
    const [opportunity] = (await context.services.opportunities.list(cli, { limit: 10 })).data;
    expect(opportunity).toMatchObject({ status: 'open' });
    hubspot.archive('deals', deal.id);
    const body = JSON.stringify([
      { objectTypeId: '0-3', objectId: Number(deal.id), subscriptionType: 'object.deletion' },
    ]);
    const timestamp = String(context.clock.now().getTime());
    await context.services.connectors.receiveWebhook(connection.id, {
      rawBody: body,
      timestamp,
      signature: createHmac('sha256', 'app-secret-1234')
        .update(`POST${connection.webhookUrl}${body}${timestamp}`)
        .digest('base64'),
      authorization: undefined,
    });
    const [deleted] = await entries('connectors.deleted_in_crm');
    expect(deleted).toMatchObject({ outcome: 'error', objectType: 'deal', localId: opportunity!.id });
    expect(deleted!.message).toContain('Klant BV – licences');
    expect(await alerts()).toHaveLength(2);

    // Jan is deleted in HubSpot and no webhook tells: the hourly read of HubSpot's archive finds it.
    hubspot.archive('contacts', jan.id);
    context.clock.advance(61 * 60_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect((await entries('connectors.deleted_in_crm')).map((e) => [e.objectType, e.outcome])).toEqual([
      ['contact', 'skipped'],
      ['deal', 'error'],
    ]);
    // Jan is still in Baton, and changing him makes no new contact in HubSpot.
    await context.services.handoff.accept({ kind: 'user', userId: rep.id, role: 'sales_rep' }, lead, {});
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(hubspot.all('contacts')).toHaveLength(0);
    expect((await context.services.contacts.getContact(cli, lead)).stage).toBe('sal');

    // HubSpot's admin makes the lead status an enumeration without "In progress": that write is
    // refused, the admins are told once, and a lead whose status is allowed still goes out.
    hubspot.setPropertyOptions('contacts', 'hs_lead_status', ['NEW', 'OPEN', 'UNQUALIFIED']);
    const kees = await routedLead(context, { email: 'kees@klant.nl', firstName: 'Kees', ownerId: rep.id });
    await routedLead(context, { email: 'els@klant.nl', firstName: 'Els', ownerId: rep.id });
    await context.services.handoff.accept({ kind: 'user', userId: rep.id, role: 'sales_rep' }, kees, {});
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    const [refused] = await entries('connectors.property_refused');
    expect(refused).toMatchObject({ outcome: 'error', localId: kees, replayable: true });
    expect(refused!.message).toContain('hs_lead_status');
    expect(hubspot.findBy('contacts', 'email', 'kees@klant.nl')).toBeNull();
    expect(hubspot.findBy('contacts', 'email', 'els@klant.nl')!.properties.hs_lead_status).toBe('NEW');
    expect(await alerts()).toHaveLength(3);
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(await alerts()).toHaveLength(3);
  });
  it('connects through OAuth 2: the admin grants access in HubSpot and comes back, the access token is refreshed before it expires, and an uninstalled app is a refused token with an alert', async () => {
    const ada = await addUser(context, 'admin', { email: 'ada@nordwind.nl' });
    const bert = await addUser(context, 'admin', { email: 'bert@nordwind.nl' });
    const asAda = { kind: 'user', userId: ada.id, role: 'admin' } as const;
    const asBert = { kind: 'user', userId: bert.id, role: 'admin' } as const;
    hubspot.create('contacts', { email: 'piet@klant.nl', firstname: 'Piet' });
    const { clientId, clientSecret } = hubspot.oauth.app;
    const start = await context.services.connectors.oauthStart(asAda, {
      kind: 'hubspot',
      clientId,
      clientSecret,
      baseUrl: hubspot.url,
      pollIntervalSeconds: 60,
    });
    await expect(
      context.services.connectors.oauthStart(asAda, { kind: 'hubspot', clientId }),
    ).rejects.toMatchObject({
      code: 'http.validation_failed',
      fieldErrors: [{ field: 'body.clientSecret', reason: 'is required' }],
    });
    const authorize = new URL(start.authorizeUrl);
    expect(authorize.origin).toBe(hubspot.url);
    expect(authorize.searchParams.get('client_id')).toBe(clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(start.redirectUri);
    expect(authorize.searchParams.get('scope')).toContain('crm.objects.contacts.write');
    expect(start.authorizeUrl).not.toContain(clientSecret);

    // Ada grants access in HubSpot, which sends her browser back to Baton with a code.
    const granted = await fetch(start.authorizeUrl, { redirect: 'manual' });
    const back = new URL(granted.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(start.redirectUri);
    const answer = { state: back.searchParams.get('state')!, code: back.searchParams.get('code')! };
    // Another admin's browser cannot use Ada's answer, nor can a state Baton never made.
    await expect(context.services.connectors.oauthCallback(asBert, answer)).rejects.toMatchObject({
      code: 'connectors.oauth_state_invalid',
    });
    await expect(
      context.services.connectors.oauthCallback(asAda, { ...answer, state: 'made-up' }),
    ).rejects.toMatchObject({ code: 'connectors.oauth_state_invalid' });
    await expect(
      context.services.connectors.oauthCallback(asAda, { state: answer.state, error: 'access_denied' }),
    ).rejects.toMatchObject({ code: 'connectors.oauth_denied' });

    const id = await context.services.connectors.oauthCallback(asAda, answer);
    const connection = await context.services.connectors.get(cli, id);
    expect(connection).toMatchObject({
      auth: 'oauth',
      tokenHint: `…${clientId.slice(-4)}`,
      tokenExpiresAt: new Date(context.clock.now().getTime() + 1800_000).toISOString(),
    });
    expect(JSON.stringify(connection)).not.toContain(clientSecret);
    // A code is good once.
    await expect(context.services.connectors.oauthCallback(asAda, answer)).rejects.toMatchObject({
      code: 'connectors.connection_failed',
    });
    expect(await context.services.connectors.syncNow(cli, id)).toMatchObject({
      state: 'active',
      linked: { contact: 1 },
    });

    // 26 minutes on, the token has less than five minutes left: it is refreshed before the sync's
    // first call, and kept (sealed) for the next.
    context.clock.advance(26 * 60_000);
    hubspot.create('contacts', { email: 'kees@klant.nl', firstname: 'Kees' });
    const refreshed = await context.services.connectors.syncNow(cli, id);
    expect(refreshed).toMatchObject({ state: 'active', lastError: null, linked: { contact: 2 } });
    expect(hubspot.oauth.counts.refreshes).toBe(1);
    expect(refreshed.tokenExpiresAt).toBe(new Date(context.clock.now().getTime() + 1800_000).toISOString());
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, id);
    expect(hubspot.oauth.counts.refreshes).toBe(1);

    // The portal uninstalls the app: the refresh is refused, as a revoked token is, and the admins hear.
    hubspot.revokeToken();
    context.clock.advance(31 * 60_000);
    const revoked = await context.services.connectors.syncNow(cli, id);
    expect(revoked).toMatchObject({ state: 'failing' });
    expect(revoked.lastError).toMatch(/token/);
    expect((await errors(id))[0]).toMatchObject({ code: 'connectors.token_revoked' });
    const alerts = (await context.services.notifications.listOutbox(cli, { limit: 50 })).data.filter(
      (m) => m.kind === 'connection.needs_admin',
    );
    expect(alerts.map((m) => m.recipient).sort()).toEqual(['ada@nordwind.nl', 'bert@nordwind.nl']);

    // Access granted again to the same connection: it syncs on from its cursors.
    // (Through the app it has: no need to give its secret again.)
    const again = await context.services.connectors.oauthStart(asAda, {
      kind: 'hubspot',
      baseUrl: hubspot.url,
      connectionId: id,
    });
    const back2 = new URL((await fetch(again.authorizeUrl, { redirect: 'manual' })).headers.get('location')!);
    expect(
      await context.services.connectors.oauthCallback(asAda, {
        state: back2.searchParams.get('state')!,
        code: back2.searchParams.get('code')!,
      }),
    ).toBe(id);
    expect(await context.services.connectors.syncNow(cli, id)).toMatchObject({
      state: 'active',
      lastError: null,
    });
    // Disconnected while Ada was granting access again: there is nothing to give it to.
    const gone = await context.services.connectors.oauthStart(asAda, {
      kind: 'hubspot',
      baseUrl: hubspot.url,
      connectionId: id,
    });
    const back4 = new URL((await fetch(gone.authorizeUrl, { redirect: 'manual' })).headers.get('location')!);
    await context.services.connectors.remove(asAda, id);
    await expect(
      context.services.connectors.oauthCallback(asAda, {
        state: back4.searchParams.get('state')!,
        code: back4.searchParams.get('code')!,
      }),
    ).rejects.toMatchObject({ code: 'connectors.not_found' });
    // Ada's grant expired unused: too late.
    const late = await context.services.connectors.oauthStart(asAda, {
      kind: 'hubspot',
      clientId,
      clientSecret,
      baseUrl: hubspot.url,
    });
    const back3 = new URL((await fetch(late.authorizeUrl, { redirect: 'manual' })).headers.get('location')!);
    context.clock.advance(16 * 60_000);
    await expect(
      context.services.connectors.oauthCallback(asAda, {
        state: back3.searchParams.get('state')!,
        code: back3.searchParams.get('code')!,
      }),
    ).rejects.toMatchObject({ code: 'connectors.oauth_state_invalid' });
  });
  it('the field mapping holds: the side that is a field’s system of record overwrites the other, the other fills blanks, and the owner and stage only go out', async () => {
    const { lead, connection } = await world();
    await context.services.contacts.updateContact(cli, lead, { title: 'Inkoper', phone: '+31 20 123 4567' });
    await context.services.connectors.syncNow(cli, connection.id);
    const jan = hubspot.findBy('contacts', 'email', 'jan@klant.nl')!;
    // The default mapping reads the person's details from HubSpot: Baton's do not go out.
    expect(jan.properties.jobtitle).toBeUndefined();

    // A rep corrects Jan's title in HubSpot: HubSpot is its system of record, so it overwrites Baton's.
    context.clock.advance(61_000);
    hubspot.update('contacts', jan.id, { jobtitle: 'Hoofd inkoop', phone: '+31 6 1111 2222' });
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(await context.services.contacts.getContact(cli, lead)).toMatchObject({
      title: 'Hoofd inkoop',
      phone: '+31 6 1111 2222',
    });

    // The phone becomes Baton's (both ways, Baton winning): Baton's goes out, HubSpot's no longer overwrites.
    const mapping = connection.mapping.map((m) =>
      m.field === 'phone' ? { ...m, direction: 'both' as const, systemOfRecord: 'baton' as const } : m,
    );
    await context.services.connectors.update(cli, connection.id, { mapping });
    await context.services.contacts.updateContact(cli, lead, { phone: '+31 20 765 4321' });
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(hubspot.get('contacts', jan.id)!.properties.phone).toBe('+31 20 765 4321');
    hubspot.update('contacts', jan.id, { phone: '+31 6 9999 0000', jobtitle: 'Directeur' });
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(await context.services.contacts.getContact(cli, lead)).toMatchObject({
      title: 'Directeur',
      phone: '+31 20 765 4321',
    });

    // The owner and the stage are Baton's decisions: a mapping that reads them is refused, field by field.
    const wrong = connection.mapping.map((m) =>
      m.field === 'owner' ? { ...m, direction: 'in' as const, systemOfRecord: 'crm' as const } : m,
    );
    const index = wrong.findIndex((m) => m.field === 'owner');
    await expect(
      context.services.connectors.update(cli, connection.id, { mapping: wrong }),
    ).rejects.toMatchObject({
      code: 'http.validation_failed',
      fieldErrors: [
        {
          field: `body.mapping.${index}.direction`,
          reason: "the owner is Baton's decision: it only goes out",
        },
        {
          field: `body.mapping.${index}.systemOfRecord`,
          reason: "the owner is Baton's decision: Baton wins",
        },
      ],
    });
    expect(await errors(connection.id)).toEqual([]);
  });
  it('refuses a CRM address on a private, loopback or reserved address unless the server’s operator allows it', async () => {
    const guarded = createTestContext(getDatabase(), undefined, { connectors: { allowPrivate: false } });
    for (const baseUrl of [
      hubspot.url,
      'http://localhost:8080',
      'http://169.254.169.254/latest',
      'http://[::1]:9000',
    ])
      await expect(
        guarded.services.connectors.create(cli, { kind: 'hubspot', token: hubspot.token, baseUrl }),
      ).rejects.toMatchObject({
        code: 'http.validation_failed',
        fieldErrors: [{ field: 'body.baseUrl', reason: expect.stringContaining('BATON_CRM_ALLOW_PRIVATE') }],
      });
    await expect(
      guarded.services.connectors.create(cli, {
        kind: 'hubspot',
        token: hubspot.token,
        baseUrl: 'https://user:pw@api.hubapi.com',
      }),
    ).rejects.toMatchObject({
      fieldErrors: [{ field: 'body.baseUrl', reason: 'must not hold a user or password' }],
    });
    expect((await guarded.services.connectors.list(cli)).data).toEqual([]);
  });
  it('a missed follow-up becomes one task for the rep’s manager on the contact in HubSpot when the connection asks for it, even across a crash', async () => {
    const { lead, connection, rep } = await world();
    const fleur = hubspot.addOwner({ email: 'fleur@nordwind.nl', firstName: 'Fleur', lastName: 'Smit' });
    expect(connection.breachTasks).toBe(false);
    expect(
      (await context.services.connectors.update(cli, connection.id, { breachTasks: true })).breachTasks,
    ).toBe(true);
    await context.services.connectors.syncNow(cli, connection.id);
    const jan = hubspot.findBy('contacts', 'email', 'jan@klant.nl')!;
    const tasksOfJan = () => hubspot.all('tasks').filter((t) => t.associations.contacts?.has(jan.id));
    expect(tasksOfJan()).toEqual([]);

    // Nobody calls Jan: the next morning the clock is breached, and the task's answer is lost (a crash).
    context.clock.set('2026-12-02T09:00:00.000Z');
    await context.services.leadFlow.sweepClocks();
    expect((await firstResponse(lead)).status).toBe('breached');
    hubspot.dropNextCreate();
    expect(await context.services.connectors.syncNow(cli, connection.id)).toMatchObject({ state: 'failing' });
    for (let turn = 0; turn < 2; turn++) {
      context.clock.advance(61_000);
      expect(await context.services.connectors.syncNow(cli, connection.id)).toMatchObject({
        state: 'active',
      });
    }
    // One task per step missed (the first response, and accepting or rejecting), each once.
    const breached = (await context.services.sla.listClocks(cli, lead)).filter(
      (c) => c.status === 'breached',
    );
    expect(breached.map((c) => c.target).sort()).toEqual(['accept_or_reject', 'first_response']);
    expect(
      tasksOfJan()
        .map((t) => t.properties.hs_task_subject)
        .sort(),
    ).toEqual(['Follow-up missed (accept or reject): Jan', 'Follow-up missed (first response): Jan']);
    const task = tasksOfJan().find((t) => t.properties.hs_task_subject!.includes('first response'));
    expect(task!.properties).toMatchObject({ hs_task_status: 'NOT_STARTED', hubspot_owner_id: fleur.id });
    expect(task!.properties.hs_task_body).toContain(`${rep.name} did not follow Jan up before`);
    // The crash's turn is the one problem told: the task's answer that never came.
    expect((await errors(connection.id)).map((e) => e.code)).toEqual(['connectors.sync_failed']);
  });
  it('a person erased in Baton is linked to their HubSpot contact no more and is not made again from it; people merged in Baton keep one link', async () => {
    const { lead, connection, rep } = await world();
    const piet = await routedLead(context, { email: 'piet@klant.nl', firstName: 'Piet', ownerId: rep.id });
    hubspot.create('contacts', { email: 'kees@klant.nl', firstname: 'Kees' });
    await context.services.connectors.syncNow(cli, connection.id);
    expect((await context.services.connectors.get(cli, connection.id)).linked).toMatchObject({ contact: 3 });

    // Piet and Kees are one person: merged in Baton, the survivor keeps its own link.
    const [keesInBaton] = (
      await context.services.contacts.listContacts(cli, { email: 'kees@klant.nl', limit: 1 })
    ).data;
    await context.services.contacts.mergeContacts(cli, piet, { duplicateId: keesInBaton!.id });
    expect((await context.services.connectors.get(cli, connection.id)).linked).toMatchObject({ contact: 2 });

    // Jan asks to be erased: his link goes, and his HubSpot contact changing brings him not back.
    await context.services.privacy.erase(cli, lead);
    expect((await context.services.connectors.get(cli, connection.id)).linked).toMatchObject({ contact: 1 });
    const jan = hubspot.findBy('contacts', 'email', 'jan@klant.nl')!;
    context.clock.advance(61_000);
    hubspot.update('contacts', jan.id, { jobtitle: 'Inkoper' });
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(
      (await context.services.contacts.listContacts(cli, { email: 'jan@klant.nl', limit: 1 })).data,
    ).toEqual([]);
    const [refused] = await errors(connection.id);
    expect(refused).toMatchObject({ code: 'connectors.refused', remoteId: jan.id });
  });
});
