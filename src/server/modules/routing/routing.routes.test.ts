import { beforeEach, expect, it } from 'vitest';
import type { CreatedApiKey } from '../../../contract/api-keys.ts';
import type { RulesPreview } from '../../../contract/routing.ts';
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

describeEachDialect('building routing rules without JSON', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let world: Awaited<ReturnType<typeof seedCompany>>;
  const cli = { kind: 'cli' } as const;

  beforeEach(async () => {
    context = createTestContext(getDatabase(), undefined, { reactions: false });
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    world = await seedCompany(context, app);
    return () => app.close();
  });

  const admin = () => ({ cookie: world.cookies.admin });

  it('previews which recent leads each rule takes, first match wins, with OR groups inside a rule', async () => {
    const benelux = await context.services.routing.createPool(cli, {
      name: 'Benelux',
      members: [{ userId: world.rep.id }],
    });
    for (const [email, country, stage] of [
      ['jan@a.nl', 'NL', 'mql'],
      ['piet@b.be', 'BE', 'sal'],
      ['hans@c.de', 'DE', 'mql'],
      ['anna@d.nl', 'NL', 'lead'], // not a lead handed over yet: not tried
    ] as const) {
      context.clock.advance(60_000);
      await context.services.contacts.createContact(cli, {
        email,
        country,
        stage,
        firstName: email.split('@')[0]!,
      });
    }
    const rules = [
      {
        name: 'Benelux',
        conditions: [
          {
            op: 'any',
            conditions: [
              { op: 'equals', field: 'country', value: 'NL' },
              { op: 'equals', field: 'country', value: 'be' },
            ],
          },
        ],
        target: { poolId: benelux.id },
      },
      {
        name: 'Everyone else in NL',
        conditions: [{ op: 'equals', field: 'country', value: 'NL' }],
        target: { userId: world.rep.id },
      },
    ];
    const preview = await app.inject({
      method: 'POST',
      url: '/api/v1/routing/rules/preview',
      headers: admin(),
      payload: { rules },
    });
    expect(preview.statusCode).toBe(200);
    const body = preview.json<RulesPreview>();
    expect(body.sampled).toBeGreaterThanOrEqual(3);
    expect(body.rules[0]!.matched).toBe(2);
    expect(body.rules[0]!.examples.map((e) => e.name).sort()).toEqual(['jan', 'piet']);
    // The NL lead was taken by the first rule already.
    expect(body.rules[1]!.matched).toBe(0);
    expect(body.unmatched).toBe(body.sampled - 2);

    // Saved, the OR group routes for real.
    const saved = await app.inject({
      method: 'PUT',
      url: '/api/v1/routing/rules',
      headers: admin(),
      payload: { rules },
    });
    expect(saved.statusCode).toBe(200);
    const belgian = await context.services.contacts.createContact(cli, { email: 'els@e.be', country: 'BE' });
    const decision = await context.services.routing.previewRoute(cli, belgian.id);
    expect(decision).toMatchObject({ kind: 'rule', poolId: benelux.id });
  });

  it('refuses a rule on an unknown field or for someone who cannot take leads, naming the field', async () => {
    const pool = await context.services.routing.createPool(cli, { name: 'Inbound', members: [] });
    const typo = await app.inject({
      method: 'PUT',
      url: '/api/v1/routing/rules',
      headers: admin(),
      payload: {
        rules: [
          {
            name: 'Fine',
            conditions: [{ op: 'exists', field: 'attributes.Budget' }],
            target: { poolId: pool.id },
          },
          {
            name: 'Typo',
            conditions: [{ op: 'equals', field: 'contry', value: 'NL' }],
            target: { poolId: pool.id },
          },
        ],
      },
    });
    expect(typo.statusCode).toBe(400);
    expect(typo.json()).toMatchObject({
      code: 'routing.invalid_rule',
      errors: [
        { field: 'body.rules.1.conditions.0', reason: expect.stringContaining('unknown field "contry"') },
      ],
    });
    await context.services.users.updateUser(cli, world.outsider.id, { isActive: false });
    const gone = await app.inject({
      method: 'POST',
      url: '/api/v1/routing/rules/preview',
      headers: admin(),
      payload: { rules: [{ name: 'To a leaver', conditions: [], target: { userId: world.outsider.id } }] },
    });
    expect(gone.json()).toMatchObject({
      code: 'routing.invalid_rule',
      errors: [{ field: 'body.rules.0.target.userId' }],
    });
    expect((await context.services.routing.getRules(cli)).length).toBe(0);
  });

  it('deletes a pool only when no rule and not the fallback sends leads to it', async () => {
    const pool = await context.services.routing.createPool(cli, {
      name: 'Spare',
      members: [{ userId: world.rep.id }],
    });
    await context.services.routing.replaceRules(cli, {
      rules: [{ name: 'All', conditions: [], target: { poolId: pool.id } }],
    });
    const inUse = await app.inject({
      method: 'DELETE',
      url: `/api/v1/routing/pools/${pool.id}`,
      headers: admin(),
    });
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().code).toBe('routing.pool_in_use');
    await context.services.routing.replaceRules(cli, { rules: [] });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/routing/pools/${pool.id}`, headers: admin() }))
        .statusCode,
    ).toBe(409);
    await context.services.routing.updateSettings(cli, { fallbackPoolId: null });
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/api/v1/routing/pools/${pool.id}`,
      headers: admin(),
    });
    expect(deleted.statusCode).toBe(204);
    expect(await context.services.routing.listPools(cli)).toEqual([]);
    const audit = await app.inject({
      method: 'GET',
      url: '/api/v1/audit-log?action=routing.pool_deleted',
      headers: admin(),
    });
    expect(audit.json().data).toHaveLength(1);
  });
});

describeEachDialect('nullable numbers in a request', (getDatabase) => {
  it('keeps an explicit null as null, not the 0 that type coercion would make of it', async () => {
    const context = createTestContext(getDatabase());
    const app = await createTestApp(context);
    const world = await seedCompany(context, app);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/routing/pools',
      headers: { cookie: world.cookies.admin },
      payload: {
        name: 'Caps',
        members: [{ userId: world.rep.id, weight: 1, capPerDay: 5, capPerWeek: null }],
      },
    });
    expect(created.json<{ members: unknown[] }>().members).toEqual([
      { userId: world.rep.id, weight: 1, capPerDay: 5, capPerWeek: null },
    ]);
    await app.close();
  });
});
