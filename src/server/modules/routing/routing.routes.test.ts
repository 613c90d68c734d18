import { beforeEach, expect, it } from 'vitest';
import type { CreatedApiKey } from '../../../contract/api-keys.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestApp, createTestContext, seedCompany, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

describeEachDialect('routing a lead by hand', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let world: Awaited<ReturnType<typeof seedCompany>>;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    app = await createTestApp(context);
    world = await seedCompany(context, app);
    await context.services.routing.createPool(
      { kind: 'cli' },
      { name: 'Inside sales', strategy: 'round_robin', members: [{ userId: world.rep.id }] },
    );
    return () => app.close();
  });

  const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string>) =>
    app.inject({ method, url: `/api/v1${url}`, headers });

  it("refuses a manager another team's lead, as if it did not exist, and keeps it where it was", async () => {
    const cookie = { cookie: world.cookies.manager };
    const other = world.outsiderContact.id;
    const routed = await call('POST', `/contacts/${other}/route`, cookie);
    expect(routed.statusCode).toBe(404);
    expect(routed.json().code).toBe('contacts.not_found');
    const preview = await call('GET', `/contacts/${other}/route-preview`, cookie);
    expect(preview.statusCode).toBe(404);
    expect(preview.json().code).toBe('contacts.not_found');
    expect((await context.services.contacts.getContact({ kind: 'cli' }, other)).ownerId).toBe(
      world.outsider.id,
    );

    // Their own team's lead, and a lead nobody owns, they may route.
    expect((await call('GET', `/contacts/${world.repContact.id}/route-preview`, cookie)).statusCode).toBe(
      200,
    );
    const unowned = await context.services.contacts.createContact(
      { kind: 'cli' },
      { email: 'nobody@initech.nl' },
    );
    expect((await call('POST', `/contacts/${unowned.id}/route`, cookie)).statusCode).toBe(200);
  });

  it("refuses a sales manager's API key any lead someone owns", async () => {
    const key = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { cookie: world.cookies.admin },
        payload: { name: 'Manager tool', role: 'sales_manager' },
      })
    ).json<CreatedApiKey>().key;
    const bearer = { authorization: `Bearer ${key}` };
    expect((await call('POST', `/contacts/${world.outsiderContact.id}/route`, bearer)).statusCode).toBe(404);
    expect((await call('GET', `/contacts/${world.repContact.id}/route-preview`, bearer)).statusCode).toBe(
      404,
    );
    const unowned = await context.services.contacts.createContact(
      { kind: 'cli' },
      { email: 'nobody@initech.nl' },
    );
    expect((await call('GET', `/contacts/${unowned.id}/route-preview`, bearer)).statusCode).toBe(200);
  });
});
