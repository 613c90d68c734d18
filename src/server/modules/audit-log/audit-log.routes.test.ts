import { beforeEach, expect, it } from 'vitest';
import type { AuditLogPage } from '../../../contract/audit-log.ts';
import { toDbTime } from '../../db/dialect.ts';
import { systemClock } from '../../platform/clock.ts';
import { newId } from '../../platform/ids.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import {
  addUser,
  createTestApp,
  createTestContext,
  signIn,
  testPassword,
  type TestContext,
} from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const browser = 'Mozilla/5.0 (X11; Linux x86_64) Chromium/140';

describeEachDialect('the audit log', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let admin: Awaited<ReturnType<typeof addUser>>;
  let cookie: string;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-03-10T12:00:00.000Z');
    app = await createTestApp(context);
    admin = await addUser(context, 'admin', { name: 'Ada Admin' });
    cookie = await signIn(app, admin.email);
    return () => app.close();
  });

  const read = async (query = '', as = cookie) => {
    const response = await app.inject({ url: `/api/v1/audit-log${query}`, headers: { cookie: as } });
    expect(response.statusCode).toBe(200);
    return response.json<AuditLogPage>();
  };

  it('records sign-ins, failed and successful, with where they came from', async () => {
    const rep = await addUser(context, 'sales_rep', { name: 'Rita Rep' });
    const attempt = (password: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'user-agent': browser },
        payload: { email: rep.email, password },
        remoteAddress: '203.0.113.7',
      });
    expect((await attempt('wrong password!')).statusCode).toBe(401);
    expect((await attempt(testPassword)).statusCode).toBe(200);
    const { data } = await read('?action=user.');
    const [ok, failed] = data.filter((e) => e.subject?.id === rep.id);
    expect(failed).toMatchObject({
      action: 'user.sign_in_failed',
      actor: { kind: 'anonymous', id: null, name: rep.email },
      ip: '203.0.113.7',
      userAgent: browser,
    });
    expect(ok).toMatchObject({
      action: 'user.signed_in',
      actor: { kind: 'user', id: rep.id, name: 'Rita Rep' },
      ip: '203.0.113.7',
      userAgent: browser,
    });
  });

  it('records changes to people, keys and routing, with the API key that made them, filterable by actor and period', async () => {
    const key = await context.services.apiKeys.createApiKey({ kind: 'cli' }, { name: 'Ops', role: 'admin' });
    const viaKey = await app.inject({
      method: 'POST',
      url: '/api/v1/routing/pools',
      headers: { authorization: `Bearer ${key.key}`, 'user-agent': 'ops-script/1.0' },
      payload: { name: 'Noord', members: [] },
    });
    expect(viaKey.statusCode).toBe(201);
    context.clock.set('2026-03-11T09:00:00.000Z');
    const team = await app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { cookie },
      payload: { name: 'Inside sales' },
    });
    expect(team.statusCode).toBe(201);

    const byKey = await read(`?actorId=${key.id}`);
    expect(byKey.data).toEqual([
      expect.objectContaining({
        action: 'routing.pool_created',
        actor: expect.objectContaining({ kind: 'api_key', id: key.id }),
        apiKeyId: key.id,
        userAgent: 'ops-script/1.0',
        details: expect.objectContaining({ name: 'Noord' }),
      }),
    ]);
    const onTheEleventh = await read('?from=2026-03-11T00:00:00Z&to=2026-03-12T00:00:00Z');
    expect(onTheEleventh.data.map((e) => e.action)).toEqual(['team.created']);
    expect(onTheEleventh.data[0]!.actor).toEqual({ kind: 'user', id: admin.id, name: 'Ada Admin' });

    // Pages follow one another without overlap.
    const first = await read('?limit=1');
    const second = await read(`?limit=1&cursor=${first.nextCursor}`);
    expect(second.data[0]!.id).not.toBe(first.data[0]!.id);
    expect(new Date(second.data[0]!.at).getTime()).toBeLessThanOrEqual(new Date(first.data[0]!.at).getTime());
  });

  it('is for admins only, and exports as formula-safe CSV, the export itself logged', async () => {
    const marketer = await addUser(context, 'marketing', { name: '=HYPERLINK("http://evil.example","x")' });
    const marketerCookie = await signIn(app, marketer.email);
    const refused = await app.inject({ url: '/api/v1/audit-log', headers: { cookie: marketerCookie } });
    expect(refused.statusCode).toBe(403);
    const csv = await app.inject({ url: '/api/v1/audit-log.csv?action=user.signed_in', headers: { cookie } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csv.body).not.toMatch(/(^|,)"=HYPERLINK/m);
    expect((await read('?action=audit_log.exported')).data).toHaveLength(1);
    // A kind with an underscore in its name: every action of it, and no other.
    expect((await read('?action=audit_log.')).data.map((e) => e.action)).toEqual(['audit_log.exported']);
  });

  it('cannot be changed or deleted in the store, except what is older than the retention, which goes', async () => {
    const db = context.database.db;
    await app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { cookie },
      payload: { name: 'A team' },
    });
    const [entry] = (await read()).data;
    await expect(
      db.updateTable('audit_log').set({ action: 'nothing.happened' }).where('id', '=', entry!.id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_log').where('id', '=', entry!.id).execute()).rejects.toThrow(
      /append-only/,
    );
    // An entry from long ago, past two years of retention (the store measures on its own clock).
    const old = newId();
    await db
      .insertInto('audit_log')
      .values({
        id: old,
        occurred_at: toDbTime(new Date('2019-01-01T00:00:00Z')),
        action: 'user.signed_in',
        actor_kind: 'user',
        actor_id: admin.id,
        actor_label: null,
        api_key_id: null,
        ip: null,
        user_agent: null,
        subject_type: null,
        subject_id: null,
        details: '{}',
      })
      .execute();
    context.clock.set(systemClock.now()); // the store's clock: retention is measured on it
    cookie = await signIn(app, admin.email); // the morning's session has long expired
    expect(await context.services.auditLog.purgeExpired()).toBe(1);
    const left = await db.selectFrom('audit_log').select('id').execute();
    expect(left.map((r) => r.id)).not.toContain(old);
    expect(left.map((r) => r.id)).toContain(entry!.id);

    const changed = await app.inject({
      method: 'PATCH',
      url: '/api/v1/audit-log/settings',
      headers: { cookie },
      payload: { retentionDays: 365 },
    });
    expect(changed.json(), changed.body).toEqual({ retentionDays: 365 });
    expect((await read('?action=audit_log.retention_changed')).data[0]!.details).toEqual({
      from: 730,
      to: 365,
    });
    const tooShort = await app.inject({
      method: 'PATCH',
      url: '/api/v1/audit-log/settings',
      headers: { cookie },
      payload: { retentionDays: 1 },
    });
    expect(tooShort.statusCode).toBe(400);
  });
});
