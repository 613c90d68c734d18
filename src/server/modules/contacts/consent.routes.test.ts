import { beforeEach, expect, it } from 'vitest';
import type { Consents } from '../../../contract/contacts.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('consent per purpose', (getDatabase) => {
  let context: TestContext;
  let app: App;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    return () => app.close();
  });

  it('records each purpose with its text and version, and a withdrawn sales contact keeps the lead from every rep', async () => {
    const manager = await addUser(context, 'sales_manager');
    const rep = await addUser(context, 'sales_rep', { managerId: manager.id });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      strategy: 'round_robin',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const marketer = await signIn(app, (await addUser(context, 'marketing')).email);
    const contact = await context.services.contacts.createContact(cli, { email: 'sanne@bakkerij-jansen.nl' });
    const record = (payload: object) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/contacts/${contact.id}/consents`,
        headers: { cookie: marketer },
        payload,
      });

    const newsletter = await record({
      purpose: 'newsletter',
      status: 'granted',
      source: 'form:whitepaper',
      text: 'Ja, stuur mij de nieuwsbrief.',
      language: 'nl',
      at: '2026-11-30T10:00:00Z',
    });
    expect(newsletter.statusCode).toBe(201);
    const withdrawn = await record({ purpose: 'sales_contact', status: 'withdrawn', source: 'phone call' });
    expect(withdrawn.statusCode).toBe(201);
    const consents = withdrawn.json<Consents>();
    expect(consents.purposes).toEqual([
      {
        purpose: 'newsletter',
        status: 'granted',
        source: 'form:whitepaper',
        text: 'Ja, stuur mij de nieuwsbrief.',
        version: expect.stringMatching(/^[0-9a-f]{12}$/),
        at: '2026-11-30T10:00:00.000Z',
      },
      {
        purpose: 'sales_contact',
        status: 'withdrawn',
        source: 'phone call',
        text: null,
        version: null,
        at: '2026-12-01T09:00:00.000Z',
      },
    ]);
    // The newsletter's consent is the contact's marketing consent.
    expect(await context.services.contacts.getContact(cli, contact.id)).toMatchObject({
      consent: { status: 'granted', source: 'form:whitepaper' },
    });

    // An MQL who said no to Sales is routed to no one, and says why.
    await context.services.contacts.changeStage(cli, contact.id, { to: 'mql' });
    await expect
      .poll(async () => (await context.services.routing.listAssignments(cli, contact.id)).length)
      .toBe(1);
    const [held] = await context.services.routing.listAssignments(cli, contact.id);
    expect(held).toMatchObject({ userId: null, kind: 'unassigned' });
    expect(held!.explanation.route).toContain('withdrew consent to sales contact (phone call, 2026-12-01)');
    expect(held!.because).toEqual({
      code: 'no_consent',
      params: { source: 'phone call', date: '2026-12-01' },
    });
    const routedByHand = await context.services.routing.routeContact(cli, contact.id);
    expect(routedByHand.userId).toBeNull();
    await expect(
      context.services.routing.reassign(cli, contact.id, { userId: rep.id, reason: 'They called us' }),
    ).rejects.toMatchObject({ code: 'contacts.no_sales_consent' });

    // Consent given again: the lead can go to a rep.
    context.clock.advance(60_000);
    expect(
      (await record({ purpose: 'sales_contact', status: 'granted', source: 'email reply' })).statusCode,
    ).toBe(201);
    const routed = await context.services.routing.routeContact(cli, contact.id);
    expect(routed).toMatchObject({ userId: rep.id });

    const audit = await context.services.auditLog.list(cli, {
      action: 'contact.consent_recorded',
      limit: 10,
    });
    expect(audit.data).toHaveLength(3);
  });

  it('refuses an unknown purpose and a consent dated in the future, naming the field', async () => {
    const marketer = await signIn(app, (await addUser(context, 'marketing')).email);
    const contact = await context.services.contacts.createContact(cli, { email: 'bert@bakkerij-jansen.nl' });
    const post = (payload: object) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/contacts/${contact.id}/consents`,
        headers: { cookie: marketer },
        payload,
      });
    const purpose = await post({ purpose: 'phone', status: 'granted', source: 'x' });
    expect(purpose.statusCode).toBe(400);
    expect(purpose.json()).toMatchObject({ errors: [{ field: 'body.purpose' }] });
    const future = await post({
      purpose: 'newsletter',
      status: 'granted',
      source: 'x',
      at: '2027-01-01T00:00:00Z',
    });
    expect(future.statusCode).toBe(400);
    expect(future.json()).toMatchObject({ errors: [{ field: 'body.at', reason: 'is in the future' }] });
  });
});
