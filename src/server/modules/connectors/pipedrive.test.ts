import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../testing/databases.ts';
import { startPipedriveFake, type PipedriveFake } from '../../testing/pipedrive-fake.ts';
import {
  addUser,
  createTestApp,
  createTestContext,
  routedLead,
  type TestContext,
} from '../../testing/world.ts';

const cli = { kind: 'cli' } as const;

/*
 * The Pipedrive connector against a local Pipedrive (src/server/testing/pipedrive-fake.ts, written
 * from Pipedrive's public API reference) through Pipedrive's official client.
 */
describeEachDialect('the Pipedrive connector', (getDatabase) => {
  let context: TestContext;
  let pipedrive: PipedriveFake;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    pipedrive = await startPipedriveFake({ clock: context.clock });
  });
  afterEach(() => pipedrive.close());

  const world = async () => {
    const manager = await addUser(context, 'sales_manager', { email: 'fleur@nordwind.nl' });
    const rep = await addUser(context, 'sales_rep', { email: 'ruud@nordwind.nl', managerId: manager.id });
    const user = pipedrive.addUser({ name: 'Ruud Bos', email: 'Ruud@nordwind.nl' });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    await context.services.scoring.ensureDefaultModel();
    const lead = await routedLead(context, { email: 'jan@klant.nl', firstName: 'Jan', ownerId: rep.id });
    const connection = await context.services.connectors.create(cli, {
      kind: 'pipedrive',
      token: pipedrive.token,
      baseUrl: pipedrive.url,
      webhookSecret: 'hook-password-1234',
      pollIntervalSeconds: 60,
    });
    return { rep, user, lead, connection };
  };
  const firstResponse = async (contactId: string) =>
    (await context.services.sla.listClocks(cli, contactId)).find((c) => c.target === 'first_response')!;
  const touches = async (contactId: string, type: string) =>
    (await context.services.contacts.listTouchpoints(cli, contactId)).filter((t) => t.type === type);
  const errors = async (id: string) =>
    (await context.services.connectors.log(cli, id, { outcome: 'error' })).data;

  it('writes a routed lead’s owner and Baton stage onto the person, and a call marked done there stops the clock at the next poll', async () => {
    const { user, lead, connection, rep } = await world();
    expect(connection).toMatchObject({
      kind: 'pipedrive',
      name: 'Pipedrive',
      backfill: { state: 'pending' },
    });
    const synced = await context.services.connectors.syncNow(cli, connection.id);
    expect(synced).toMatchObject({ state: 'active', lastError: null, backfill: { state: 'done' } });

    const code = pipedrive.fieldCode('Baton stage')!;
    expect(code).toMatch(/^[0-9a-f]{40}$/);
    const jan = pipedrive.personByEmail('jan@klant.nl')!;
    expect(jan).toMatchObject({ owner_id: user.id, custom_fields: { [code]: 'MQL – handed to Sales' } });

    // Baton's write comes back on the next poll: nothing changes on either side.
    const stamp = jan.update_time;
    const before = await context.services.contacts.getContact(cli, lead);
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(pipedrive.personByEmail('jan@klant.nl')!.update_time).toBe(stamp);
    expect((await context.services.contacts.getContact(cli, lead)).updatedAt).toBe(before.updatedAt);

    // A call planned is no contact yet; marked done, it is.
    expect((await firstResponse(lead)).status).toBe('running');
    context.clock.advance(60_000);
    const call = pipedrive.create('activities', {
      subject: 'Intake',
      type: 'call',
      owner_id: user.id,
      done: false,
      due_date: '2026-12-01',
      due_time: '09:02',
      person_id: jan.id,
      participants: [{ person_id: jan.id, primary: true }],
    });
    context.clock.advance(61_000);
    await context.services.connectors.syncDue('test-process');
    expect((await firstResponse(lead)).status).toBe('running');
    pipedrive.update('activities', call.id, { done: true, marked_as_done_time: '2026-12-01 09:04:00' });
    context.clock.advance(61_000);
    expect(await context.services.connectors.syncDue('test-process')).toBe(1);
    expect((await firstResponse(lead)).status).toBe('met');
    const calls = await touches(lead, 'call_logged');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ userId: rep.id, properties: { via: 'pipedrive', subject: 'Intake' } });

    // Accepted in Baton: the person's Baton stage follows.
    await context.services.handoff.accept({ kind: 'user', userId: rep.id, role: 'sales_rep' }, lead, {});
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(pipedrive.personByEmail('jan@klant.nl')!.custom_fields).toMatchObject({
      [code]: 'SAL – accepted by Sales',
    });
    expect(await errors(connection.id)).toEqual([]);
  });

  it('reads persons, organizations and deals in, loses none in a storm of 429s, and wins a deal Pipedrive won', async () => {
    const { user, connection } = await world();
    const org = pipedrive.create('organizations', {
      name: 'Klant BV',
      owner_id: user.id,
      address: { country: 'Netherlands' },
    });
    const people = Array.from({ length: 30 }, (_, n) =>
      pipedrive.create('persons', {
        name: `Persoon ${n}`,
        first_name: `Persoon${n}`,
        last_name: 'de Vries',
        emails: [{ value: `persoon${n}@klant.nl`, primary: true, label: 'work' }],
        phones: [{ value: `+3161234${String(n).padStart(4, '0')}`, primary: true, label: 'mobile' }],
        org_id: org.id,
        owner_id: user.id,
      }),
    );
    const deal = pipedrive.create('deals', {
      title: 'Klant BV — licences',
      value: 12500.5,
      currency: 'EUR',
      status: 'open',
      stage_id: 3,
      pipeline_id: 1,
      person_id: people[0]!.id,
      org_id: org.id,
      owner_id: user.id,
    });
    // Two 429s, each asking for a second's pause: the sync waits them out and loses nothing.
    pipedrive.storm(2, 1);
    const began = performance.now();
    const synced = await context.services.connectors.syncNow(cli, connection.id);
    expect(performance.now() - began).toBeGreaterThanOrEqual(1_900);
    expect(pipedrive.counts.limited).toBeGreaterThanOrEqual(2);
    expect(synced).toMatchObject({ state: 'active', backfill: { state: 'done' } });
    // 30 persons and Jan (written out), the organisation, the deal.
    expect(synced.linked).toMatchObject({ contact: 31, company: 1, deal: 1 });
    const [persoon] = (
      await context.services.contacts.listContacts(cli, { email: 'persoon7@klant.nl', limit: 1 })
    ).data;
    expect(persoon).toMatchObject({ firstName: 'Persoon7', lastName: 'de Vries', phone: '+31612340007' });
    const [account] = (await context.services.accounts.listAccounts(cli, { q: 'Klant BV' })).data;
    expect(account).toMatchObject({ name: 'Klant BV', country: 'NL' });
    const opportunities = async () =>
      (await context.services.opportunities.list(cli, { accountId: account!.id })).data;
    // Demo Scheduled (50 %) is Baton's Proposal (50 %).
    expect(await opportunities()).toMatchObject([
      { name: 'Klant BV — licences', stage: 'proposal', status: 'open', amountMinor: 1_250_050 },
    ]);

    context.clock.advance(61_000);
    pipedrive.update('deals', deal.id, { status: 'won', won_time: '2026-12-01 09:01:30' });
    await context.services.connectors.syncNow(cli, connection.id);
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(await opportunities()).toMatchObject([{ stage: 'won', status: 'won', closedOn: '2026-12-01' }]);
    expect(await errors(connection.id)).toEqual([]);

    // A storm longer than the tries stops the sync (8 tries); the next one goes on from the cursors.
    for (let n = 30; n < 40; n++)
      pipedrive.create('persons', {
        name: `Persoon ${n}`,
        emails: [{ value: `persoon${n}@klant.nl`, primary: true }],
      });
    pipedrive.storm(12, 0);
    context.clock.advance(61_000);
    const stopped = await context.services.connectors.syncNow(cli, connection.id);
    expect(stopped).toMatchObject({ state: 'failing' });
    expect((await errors(connection.id))[0]).toMatchObject({ code: 'connectors.rate_limited' });
    context.clock.advance(61_000);
    const resumed = await context.services.connectors.syncNow(cli, connection.id);
    expect(resumed).toMatchObject({ state: 'active', linked: { contact: 41 } });
  });

  it('a call marked done in Pipedrive stops the clock within 2 s through its webhook, and a webhook without the password is refused', async () => {
    const { user, lead, connection, rep } = await world();
    await context.services.connectors.syncNow(cli, connection.id);
    const jan = pipedrive.personByEmail('jan@klant.nl')!;
    const app = await createTestApp(context);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      pipedrive.subscribe(
        `${address}/api/v1/connectors/${connection.id}/webhooks`,
        'baton',
        'hook-password-1234',
      );
      context.clock.advance(60_000);
      const began = performance.now();
      pipedrive.create('activities', {
        subject: 'Intake',
        type: 'call',
        owner_id: user.id,
        done: true,
        due_date: '2026-12-01',
        due_time: '09:01',
        person_id: jan.id,
      });
      while ((await firstResponse(lead)).status !== 'met' && performance.now() - began < 10_000)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await firstResponse(lead)).status).toBe('met');
      expect(performance.now() - began).toBeLessThan(2000);

      // Jan is deleted in Pipedrive: its webhook tells, the sync log says so, and Baton keeps Jan
      // but writes to that person no more (nor makes them anew).
      pipedrive.remove('persons', jan.id);
      const deleted = async () =>
        (await context.services.connectors.log(cli, connection.id, { limit: 50 })).data.filter(
          (e) => e.code === 'connectors.deleted_in_crm',
        );
      const waited = performance.now();
      while ((await deleted()).length === 0 && performance.now() - waited < 10_000)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await deleted()).toMatchObject([
        { objectType: 'contact', outcome: 'skipped', remoteId: String(jan.id), localId: lead },
      ]);
      await context.services.handoff.accept({ kind: 'user', userId: rep.id, role: 'sales_rep' }, lead, {});
      context.clock.advance(61_000);
      await context.services.connectors.syncNow(cli, connection.id);
      expect(pipedrive.all('persons')).toHaveLength(0);
      expect((await context.services.contacts.getContact(cli, lead)).stage).toBe('sal');

      const forged = await app.inject({
        method: 'POST',
        url: `/api/v1/connectors/${connection.id}/webhooks`,
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from('baton:guess').toString('base64')}`,
        },
        payload: JSON.stringify({ meta: { action: 'create', entity: 'activity', entity_id: '1' }, data: {} }),
      });
      expect(forged.statusCode).toBe(401);
      expect(forged.json()).toMatchObject({ code: 'connectors.bad_signature' });
    } finally {
      app.server.closeAllConnections();
      await app.close();
    }
  });

  it('a lead sent back to Marketing is one note on the person with the reason, even when the answer to writing it is lost', async () => {
    const { lead, connection, rep } = await world();
    await context.services.connectors.syncNow(cli, connection.id);
    await context.services.handoff.reject({ kind: 'user', userId: rep.id, role: 'sales_rep' }, lead, {
      reasonCode: 'no_budget',
    });
    pipedrive.dropNextCreate();
    context.clock.advance(61_000);
    expect(await context.services.connectors.syncNow(cli, connection.id)).toMatchObject({ state: 'failing' });
    for (let turn = 0; turn < 2; turn++) {
      context.clock.advance(61_000);
      expect(await context.services.connectors.syncNow(cli, connection.id)).toMatchObject({
        state: 'active',
      });
    }
    const jan = pipedrive.personByEmail('jan@klant.nl')!;
    const notes = pipedrive.notesOf(jan.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.content).toMatch(/^Sent back to Marketing in Baton by .+: .+\./);
    expect(jan.custom_fields).toMatchObject({
      [pipedrive.fieldCode('Baton stage')!]: 'Recycled – back to Marketing',
    });
  });

  it('an opportunity made in Baton becomes one deal in Pipedrive, even across a crash, and is Pipedrive’s from then on', async () => {
    const { user, lead, connection, rep } = await world();
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
    pipedrive.dropNextCreate();
    context.clock.advance(61_000);
    expect(await context.services.connectors.syncNow(cli, connection.id)).toMatchObject({ state: 'failing' });
    for (let turn = 0; turn < 2; turn++) {
      context.clock.advance(61_000);
      expect(await context.services.connectors.syncNow(cli, connection.id)).toMatchObject({
        state: 'active',
      });
    }
    const jan = pipedrive.personByEmail('jan@klant.nl')!;
    const deals = pipedrive.all('deals');
    expect(deals).toHaveLength(1);
    expect(deals[0]).toMatchObject({
      title: 'Klant BV — licences',
      value: 12500.5,
      person_id: jan.id,
      owner_id: user.id,
    });
    const detail = async () => context.services.opportunities.get(cli, made.id);
    expect(await detail()).toMatchObject({
      externalId: `pipedrive:${connection.id}:${deals[0]!.id}`,
      stage: made.stage,
    });
    pipedrive.update('deals', deals[0]!.id, { status: 'won', won_time: '2026-12-01 09:05:00' });
    context.clock.advance(61_000);
    await context.services.connectors.syncNow(cli, connection.id);
    expect(await detail()).toMatchObject({ status: 'won' });
    expect((await context.services.opportunities.list(cli, {})).data).toHaveLength(1);
  });
  it('connects through OAuth 2 (HTTP Basic client credentials, as Pipedrive asks) and refreshes the access token before it expires', async () => {
    const ada = await addUser(context, 'admin', { email: 'ada@nordwind.nl' });
    const asAda = { kind: 'user', userId: ada.id, role: 'admin' } as const;
    pipedrive.create('persons', { name: 'Piet', emails: [{ value: 'piet@klant.nl', primary: true }] });
    const { clientId, clientSecret } = pipedrive.oauth.app;
    const start = await context.services.connectors.oauthStart(asAda, {
      kind: 'pipedrive',
      clientId,
      clientSecret,
      baseUrl: pipedrive.url,
    });
    expect(new URL(start.authorizeUrl).searchParams.get('state')).toBeTruthy();
    const back = new URL((await fetch(start.authorizeUrl, { redirect: 'manual' })).headers.get('location')!);
    const id = await context.services.connectors.oauthCallback(asAda, {
      state: back.searchParams.get('state')!,
      code: back.searchParams.get('code')!,
    });
    expect(await context.services.connectors.syncNow(cli, id)).toMatchObject({
      auth: 'oauth',
      state: 'active',
      lastError: null,
      linked: { contact: 1 },
    });
    context.clock.advance(56 * 60_000);
    pipedrive.create('persons', { name: 'Kees', emails: [{ value: 'kees@klant.nl', primary: true }] });
    expect(await context.services.connectors.syncNow(cli, id)).toMatchObject({
      state: 'active',
      lastError: null,
      linked: { contact: 2 },
    });
    expect(pipedrive.oauth.counts).toEqual({ exchanges: 1, refreshes: 1 });
  });
  it('a missed follow-up becomes one task for the rep’s manager on the person, in the manager’s language, when the connection asks for it', async () => {
    const { lead, connection, rep } = await world();
    const manager = await context.services.users.getUser(cli, rep.managerId!);
    await context.services.users.updateUser(cli, manager.id, { language: 'nl' });
    const fleur = pipedrive.addUser({ name: 'Fleur Smit', email: 'fleur@nordwind.nl' });
    await context.services.connectors.update(cli, connection.id, { breachTasks: true });
    await context.services.connectors.syncNow(cli, connection.id);
    const jan = pipedrive.personByEmail('jan@klant.nl')!;
    context.clock.set('2026-12-02T09:00:00.000Z');
    await context.services.leadFlow.sweepClocks();
    for (let turn = 0; turn < 2; turn++) {
      context.clock.advance(61_000);
      expect(await context.services.connectors.syncNow(cli, connection.id)).toMatchObject({
        state: 'active',
      });
    }
    const tasks = pipedrive.all('activities').filter((a) => a.person_id === jan.id);
    expect(tasks.map((t) => t.subject).sort()).toEqual([
      'Opvolging gemist (accepteren of afwijzen): Jan',
      'Opvolging gemist (eerste reactie): Jan',
    ]);
    const first = tasks.find((t) => String(t.subject).includes('eerste reactie'))!;
    expect(first).toMatchObject({ type: 'task', done: false, owner_id: fleur.id, due_date: '2026-12-02' });
    expect(first.note).toContain(`${rep.name} heeft Jan niet opgevolgd`);
    // The task is no contact with Jan: it stops no clock and is no sales touch.
    expect(await touches(lead, 'call_logged')).toEqual([]);
    expect(await errors(connection.id)).toEqual([]);
  });
});
