import { beforeEach, expect, it } from 'vitest';
import type { CreatedApiKey } from '../../../contract/api-keys.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import {
  addUser,
  createTestApp,
  createTestContext,
  signIn,
  testPassword,
  testPasswords,
  type TestContext,
} from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

describeEachDialect('signing in, sessions and API keys', (getDatabase) => {
  let context: TestContext;
  let app: App;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    app = await createTestApp(context);
    return () => app.close();
  });

  const login = (email: string, password: string, remoteAddress = '10.0.0.1') =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });

  it('signs in with an HttpOnly SameSite cookie, and signs out', async () => {
    const rep = await addUser(context, 'sales_rep');
    const response = await login(rep.email.toUpperCase(), testPassword);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user: { id: rep.id, role: 'sales_rep' } });
    const cookie = response.cookies.find((c) => c.name === 'baton_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy();

    const headers = { cookie: `baton_session=${cookie.value}` };
    expect((await app.inject({ url: '/api/v1/me', headers })).statusCode).toBe(200);
    const session = await app.inject({ url: '/api/v1/auth/session', headers });
    expect(session.json()).toEqual({ user: response.json().user, expiresAt: response.json().expiresAt });
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers })).statusCode).toBe(204);
    expect((await app.inject({ url: '/api/v1/me', headers })).statusCode).toBe(401);
  });

  it('marks the cookie Secure when configured for https', async () => {
    const secureApp = await createTestApp(context, { cookieSecure: 'always' });
    const rep = await addUser(context, 'sales_rep');
    const response = await secureApp.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: rep.email, password: testPassword },
    });
    expect(response.cookies.find((c) => c.name === 'baton_session')?.secure).toBe(true);
    await secureApp.close();
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const rep = await addUser(context, 'sales_rep');
    const wrong = await login(rep.email, 'wrong password!');
    const unknown = await login('nobody@example.nl', 'wrong password!');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().code).toBe('auth.invalid_credentials');
    expect(unknown.json().code).toBe('auth.invalid_credentials');
  });

  it('refuses sign-in after five failures for an email until the window has passed', async () => {
    const rep = await addUser(context, 'sales_rep');
    for (let i = 0; i < 5; i++) expect((await login(rep.email, `wrong ${i}`)).statusCode).toBe(401);

    const blocked = await login(rep.email, testPassword);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('auth.too_many_attempts');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);

    context.clock.advance(15 * 60_000 + 1000);
    expect((await login(rep.email, testPassword)).statusCode).toBe(200);
  });

  it('checks at most the limit of 200 parallel wrong passwords for one email against the hash', async () => {
    // A hasher that counts how often a password is checked against a hash.
    let verifications = 0;
    const counting = {
      ...testPasswords,
      verify: async (password: string, hash: string) => {
        verifications += 1;
        return testPasswords.verify(password, hash);
      },
    };
    const counted = createTestContext(context.database, context.clock, { passwords: counting });
    const countedApp = await createTestApp(counted);
    try {
      const rep = await addUser(counted, 'sales_rep');
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          countedApp.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { email: rep.email, password: `wrong ${i}` },
            remoteAddress: `10.1.${Math.floor(i / 250)}.${i % 250}`,
          }),
        ),
      );
      expect(verifications).toBeLessThanOrEqual(5);
      const statuses = answers.map((a) => a.statusCode);
      expect(statuses.filter((s) => s === 401)).toHaveLength(verifications);
      expect(statuses.filter((s) => s === 429)).toHaveLength(200 - verifications);
      // The right password, now, is refused too: the limit holds until the window has passed.
      const right = await countedApp.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: rep.email, password: testPassword },
      });
      expect(right.statusCode).toBe(429);
      expect(verifications).toBeLessThanOrEqual(5);
    } finally {
      await countedApp.close();
    }
  });

  it('refuses a signed-in change that comes from another site, and a text/plain body', async () => {
    const rep = await addUser(context, 'sales_rep');
    const cookie = await signIn(app, rep.email);
    const me = () => app.inject({ url: '/api/v1/me', headers: { cookie } });
    const rename = (headers: Record<string, string>, name = 'Renamed') =>
      app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { cookie, ...headers }, payload: { name } });

    // Another site's page: its Origin, or the browser's word that it is cross-site.
    for (const headers of [
      { origin: 'https://evil.example' } as Record<string, string>,
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: 'https://intranet.example.nl' },
    ]) {
      const refused = await rename(headers);
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json().code).toBe('auth.cross_origin');
    }
    // A body-less sign-out from another site does not end the session.
    const logout = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(logout.statusCode).toBe(403);
    expect((await me()).statusCode).toBe(200);
    // Nor may another site sign someone in (to an account of its choosing).
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'sec-fetch-site': 'cross-site' },
      payload: { email: rep.email, password: testPassword },
    });
    expect(login.statusCode).toBe(403);

    // Baton's own pages, and a client that says neither, go through.
    expect(
      (await rename({ origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' })).statusCode,
    ).toBe(200);
    expect((await rename({})).statusCode).toBe(200);
    // The address people open Baton at (BATON_PUBLIC_URL; here behind a proxy that ends TLS).
    expect((await rename({ origin: 'https://baton.example.nl' })).statusCode).toBe(200);
    expect((await me()).json().name).toBe('Renamed');

    // A text/plain body (which a form elsewhere can send without asking) is refused as such.
    const plain = await app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie, 'content-type': 'text/plain' },
      payload: '{"name":"Plain"}',
    });
    expect(plain.statusCode).toBe(415);
    expect(plain.json().code).toBe('http.unsupported_media_type');
  });

  it('limits one address trying many emails', async () => {
    for (let i = 0; i < 30; i++) await login(`guess${i}@example.nl`, 'wrong password');
    const rep = await addUser(context, 'sales_rep');
    expect((await login(rep.email, testPassword)).statusCode).toBe(429);
    expect((await login(rep.email, testPassword, '10.0.0.2')).statusCode).toBe(200);
  });

  it('ends every session of a user the moment they are deactivated', async () => {
    const admin = await addUser(context, 'admin');
    const rep = await addUser(context, 'sales_rep');
    const adminCookie = await signIn(app, admin.email);
    const repCookies = [await signIn(app, rep.email), await signIn(app, rep.email)];

    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${rep.id}`,
      headers: { cookie: adminCookie },
      payload: { isActive: false },
    });
    expect(response.json()).toMatchObject({ isActive: false });
    for (const cookie of repCookies) {
      expect((await app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
    }
    expect((await login(rep.email, testPassword)).statusCode).toBe(401);
  });

  it('expires a session after its lifetime', async () => {
    const rep = await addUser(context, 'sales_rep');
    const cookie = await signIn(app, rep.email);
    context.clock.advance(336 * 3_600_000 + 1000);
    expect((await app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('clears expired sessions and day-old attempts when someone signs in', async () => {
    const rep = await addUser(context, 'sales_rep');
    await signIn(app, rep.email);
    await login('nobody@example.nl', 'wrong password');
    context.clock.advance(336 * 3_600_000 + 1000);
    await signIn(app, rep.email);
    const db = getDatabase().db;
    expect(await db.selectFrom('sessions').select('id').execute()).toHaveLength(1);
    expect(await db.selectFrom('login_attempts').select('email').execute()).toEqual([{ email: rep.email }]);
  });

  it('accepts an API key as a Bearer token with its role, records its use, and refuses it once revoked', async () => {
    const admin = await addUser(context, 'admin');
    const cookie = await signIn(app, admin.email);
    const created = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { cookie },
        payload: { name: 'Website forms', role: 'marketing' },
      })
    ).json<CreatedApiKey>();
    expect(created.key).toMatch(/^baton_[\w-]{43}$/);

    // Only a hash is stored, and the key is never shown again.
    const row = await getDatabase().db.selectFrom('api_keys').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(created.key.slice(10));
    const listed = await app.inject({ url: '/api/v1/api-keys', headers: { cookie } });
    expect(listed.body).not.toContain(created.key.slice(10));

    const bearer = { authorization: `Bearer ${created.key}` };
    context.clock.advance(5000);
    expect((await app.inject({ url: '/api/v1/contacts', headers: bearer })).statusCode).toBe(200);
    const forbidden = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer,
      payload: { email: 'x@example.nl', name: 'X', role: 'admin' },
    });
    expect(forbidden.statusCode).toBe(403);
    const used = (await app.inject({ url: '/api/v1/api-keys', headers: { cookie } })).json<{
      data: CreatedApiKey[];
    }>();
    expect(used.data[0]?.lastUsedAt).toBe(context.clock.now().toISOString());

    await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${created.id}`, headers: { cookie } });
    const refused = await app.inject({ url: '/api/v1/contacts', headers: bearer });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('auth.invalid_api_key');
  });

  it('asks an anonymous caller to sign in before it looks at the request body', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      payload: { email: 'nonsense' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('auth.unauthenticated');
  });

  it('refuses a malformed Authorization header instead of treating the caller as anonymous', async () => {
    const response = await app.inject({ url: '/api/v1/stages', headers: { authorization: 'Basic abc' } });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('auth.invalid_api_key');
  });

  it('lets a user change their own password only with the current one, and ends other sessions', async () => {
    const rep = await addUser(context, 'sales_rep');
    const cookie = await signIn(app, rep.email);
    const wrong = await app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie },
      payload: { currentPassword: 'nope', newPassword: 'a brand new passphrase' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ errors: [{ field: 'body.currentPassword' }] });

    const short = await app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie },
      payload: { currentPassword: testPassword, newPassword: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ errors: [{ field: 'body.newPassword' }] });

    const ok = await app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie },
      payload: { currentPassword: testPassword, newPassword: 'a brand new passphrase' },
    });
    expect(ok.statusCode).toBe(200);
    expect((await login(rep.email, 'a brand new passphrase')).statusCode).toBe(200);
  });

  it('ends every other session when a user changes their own password, and keeps the one that did', async () => {
    const rep = await addUser(context, 'sales_rep');
    const laptop = await signIn(app, rep.email);
    const phone = await signIn(app, rep.email);
    const me = (cookie: string) => app.inject({ url: '/api/v1/me', headers: { cookie } });
    expect((await me(phone)).statusCode).toBe(200);
    const changed = await app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie: laptop },
      payload: { currentPassword: testPassword, newPassword: 'a brand new passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    expect((await me(laptop)).statusCode).toBe(200);
    expect((await me(phone)).statusCode).toBe(401);
  });

  it('counts wrong current passwords as failed sign-ins, so they cannot be guessed without limit', async () => {
    const rep = await addUser(context, 'sales_rep');
    const cookie = await signIn(app, rep.email);
    const change = (currentPassword: string) =>
      app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: { cookie },
        payload: { currentPassword, newPassword: 'a brand new passphrase' },
      });
    for (let i = 0; i < 5; i++) expect((await change(`guess ${i}`)).statusCode).toBe(401);
    const limited = await change(testPassword);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('auth.too_many_attempts');
    expect((await login(rep.email, testPassword)).statusCode).toBe(429);
    context.clock.advance(15 * 60_000 + 1000);
    expect((await change(testPassword)).statusCode).toBe(200);
  });
});
