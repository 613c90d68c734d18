import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type {
  LoginResult,
  RecoveryCodes,
  SessionWithRecoveryCodes,
  TotpEnrolment,
} from '../../../contract/auth.ts';
import { toDbTime } from '../../db/dialect.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { signInAtProvider, startTestOidcProvider, type TestOidcProvider } from '../../testing/oidc.ts';
import {
  addUser,
  createTestApp,
  createTestContext,
  signIn,
  testPassword,
  type TestContext,
} from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;
/** The provider signs tokens by the host's clock; Baton's test clock is set from it. */
// eslint-disable-next-line no-restricted-syntax
const hostNow = () => Date.now();
const callbackUrl = 'https://baton.example.nl/api/v1/auth/oidc/callback';

/** The cookies an answer sets, as a Cookie header. */
function cookiesOf(response: { headers: Record<string, unknown> }): string {
  const set = response.headers['set-cookie'];
  const list = Array.isArray(set) ? (set as string[]) : typeof set === 'string' ? [set] : [];
  return list
    .map((c) => c.split(';')[0]!)
    .filter((c) => !c.endsWith('='))
    .join('; ');
}

describeEachDialect('a second factor (TOTP, RFC 6238) with recovery codes', (getDatabase) => {
  let context: TestContext;
  let app: App;
  const code = (secret: string, offsetSeconds = 0) =>
    generateSync({ secret, epoch: Math.floor(context.clock.now().getTime() / 1000) + offsetSeconds });

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    return () => app.close();
  });

  const login = (email: string) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: testPassword } });

  it('is set up from the profile, then asked at each sign-in; a code works once, a recovery code once', async () => {
    const rep = await addUser(context, 'sales_rep');
    const cookie = await signIn(app, rep.email);
    const started = await app.inject({
      method: 'POST',
      url: '/api/v1/me/second-factor/enrolment',
      headers: { cookie },
    });
    expect(started.statusCode).toBe(200);
    const { secret, uri } = started.json<TotpEnrolment>();
    expect(uri).toMatch(/^otpauth:\/\/totp\/Baton:.*secret=/);
    // Not in force before it is confirmed: the sign-in still needs only the password.
    expect((await login(rep.email)).json()).toHaveProperty('user');
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/me/second-factor/confirmation',
      headers: { cookie },
      payload: { code: '000000' === code(secret) ? '111111' : '000000' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({
      code: 'auth.invalid_second_factor',
      errors: [{ field: 'body.code' }],
    });
    const confirmed = await app.inject({
      method: 'POST',
      url: '/api/v1/me/second-factor/confirmation',
      headers: { cookie },
      payload: { code: code(secret) },
    });
    expect(confirmed.statusCode).toBe(200);
    const { recoveryCodes } = confirmed.json<RecoveryCodes>();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);

    // The password alone now opens a challenge, not a session.
    context.clock.advance(60_000);
    const first = await login(rep.email);
    expect(first.statusCode).toBe(200);
    expect(first.json<LoginResult>()).toMatchObject({ challenge: { method: 'password', enrol: false } });
    expect(cookiesOf(first)).toMatch(/^baton_challenge=/);
    expect(cookiesOf(first)).not.toContain('baton_session');
    const now = code(secret);
    const second = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor',
      headers: { cookie: cookiesOf(first) },
      payload: { code: now },
    });
    expect(second.statusCode).toBe(200);
    expect(second.json<SessionWithRecoveryCodes>().user.id).toBe(rep.id);
    const session = cookiesOf(second);
    expect(session).toMatch(/baton_session=/);
    expect((await app.inject({ url: '/api/v1/auth/session', headers: { cookie: session } })).statusCode).toBe(
      200,
    );

    // The same code again, in a new sign-in within its 30 seconds: refused as a replay.
    const again = await login(rep.email);
    const replay = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor',
      headers: { cookie: cookiesOf(again) },
      payload: { code: now },
    });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: 'auth.invalid_second_factor' });

    // A recovery code instead, typed carelessly: works once.
    const withRecovery = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor',
      headers: { cookie: cookiesOf(again) },
      payload: { recoveryCode: ` ${recoveryCodes[0]!.toUpperCase()} ` },
    });
    expect(withRecovery.statusCode).toBe(200);
    const third = await login(rep.email);
    const used = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor',
      headers: { cookie: cookiesOf(third) },
      payload: { recoveryCode: recoveryCodes[0] },
    });
    expect(used.statusCode).toBe(401);
    const status = await app.inject({ url: '/api/v1/me/second-factor', headers: { cookie } });
    expect(status.json()).toEqual({ enabled: true, required: false, recoveryCodesLeft: 9 });

    // Lost phone and codes: the operator resets it, the sessions end, and the password is enough again.
    await context.services.auth.resetSecondFactor(cli, rep.id);
    expect((await app.inject({ url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(401);
    expect((await login(rep.email)).json()).toHaveProperty('user');

    // Without the challenge cookie there is nothing to complete.
    const none = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor',
      payload: { code: code(secret) },
    });
    expect(none.json()).toMatchObject({ code: 'auth.challenge_missing' });

    const audit = await context.services.auditLog.list(cli, { limit: 50 });
    const actions = audit.data.map((e) => e.action);
    expect(actions).toContain('user.second_factor_enabled');
    expect(actions.filter((a) => a === 'user.second_factor_failed')).toHaveLength(2);
  });

  it('ends a challenge after five wrong codes, and counts them against the sign-in limit', async () => {
    const rep = await addUser(context, 'sales_rep');
    const cookie = await signIn(app, rep.email);
    const { secret } = (
      await app.inject({ method: 'POST', url: '/api/v1/me/second-factor/enrolment', headers: { cookie } })
    ).json<TotpEnrolment>();
    await app.inject({
      method: 'POST',
      url: '/api/v1/me/second-factor/confirmation',
      headers: { cookie },
      payload: { code: code(secret) },
    });
    context.clock.advance(60_000);
    const challenge = cookiesOf(await login(rep.email));
    const right = code(secret);
    const wrongCode = right === '123456' ? '654321' : '123456';
    for (let i = 0; i < 4; i++) {
      const attempt = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/second-factor',
        headers: { cookie: challenge },
        payload: { code: wrongCode },
      });
      expect(attempt.json()).toMatchObject({ code: 'auth.invalid_second_factor' });
    }
    // Four wrong codes and the reserved password attempt: the fifth failure of the window.
    const locked = await login(rep.email);
    expect(locked.statusCode).toBe(429);
  });

  it('makes a role set up the second factor at its next sign-in when the company requires it', async () => {
    const admin = await addUser(context, 'admin');
    const adminCookie = await signIn(app, admin.email);
    const rep = await addUser(context, 'sales_rep');
    const set = await app.inject({
      method: 'PATCH',
      url: '/api/v1/settings/security',
      headers: { cookie: adminCookie },
      payload: { mfaRequiredRoles: ['sales_rep', 'sales_manager'] },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({
      mfaRequiredRoles: ['sales_rep', 'sales_manager'],
      ssoRequired: false,
    });
    const first = await login(rep.email);
    expect(first.json()).toMatchObject({ challenge: { enrol: true } });
    const enrol = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor/enrolment',
      headers: { cookie: cookiesOf(first) },
    });
    expect(enrol.statusCode).toBe(200);
    const { secret } = enrol.json<TotpEnrolment>();
    const done = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor',
      headers: { cookie: cookiesOf(first) },
      payload: { code: code(secret) },
    });
    expect(done.statusCode).toBe(200);
    expect(done.json<SessionWithRecoveryCodes>().recoveryCodes).toHaveLength(10);
    const cookie = cookiesOf(done);
    // Required: it cannot be turned off.
    const off = await app.inject({
      method: 'DELETE',
      url: '/api/v1/me/second-factor',
      headers: { cookie },
      payload: { code: code(secret, 30) },
    });
    expect(off.json()).toMatchObject({ code: 'auth.second_factor_required' });
    // The change of policy is in the audit log; a rep may not change it.
    const audit = await context.services.auditLog.list(cli, { limit: 50 });
    expect(audit.data.map((e) => e.action)).toContain('security.settings_changed');
    const byRep = await app.inject({
      method: 'PATCH',
      url: '/api/v1/settings/security',
      headers: { cookie },
      payload: { mfaRequiredRoles: [] },
    });
    expect(byRep.statusCode).toBe(403);
  });

  it('refuses to require SSO without a provider', async () => {
    const admin = await addUser(context, 'admin');
    const response = await app.inject({
      method: 'PATCH',
      url: '/api/v1/settings/security',
      headers: { cookie: await signIn(app, admin.email) },
      payload: { ssoRequired: true, breakGlassUserId: admin.id },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ field: 'body.ssoRequired' }] });
  });
});

describeEachDialect('single sign-on through an OpenID Provider', (getDatabase) => {
  let provider: TestOidcProvider;
  let context: TestContext;
  let app: App;

  beforeAll(async () => {
    provider = await startTestOidcProvider({
      redirectUri: callbackUrl,
      accounts: {
        anna: { email: 'Anna@Nordwind-ICT.example', name: 'Anna de Vries', groups: ['Sales NL'] },
        nieuw: { email: 'nieuw@nordwind-ict.example', name: 'Nieuwe Collega', groups: ['Baton admins'] },
        stranger: { email: 'stranger@elsewhere.example' },
        unverified: { email: 'unverified@nordwind-ict.example', emailVerified: false },
      },
    });
  });
  afterAll(() => provider.close());

  async function setUp(options: { signupRole?: 'sales_rep'; issuer?: string } = {}) {
    context = createTestContext(getDatabase(), undefined, {
      oidc: {
        issuer: options.issuer ?? provider.issuer,
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        name: 'Nordwind SSO',
        signupRole: options.signupRole,
        groupsClaim: 'groups',
        groupRoles: [
          ['Baton admins', 'admin'],
          ['Sales NL', 'sales_rep'],
        ],
      },
    });
    // The ID token's times are judged by Baton's clock: keep it at the provider's time.
    context.clock.set(new Date(hostNow()));
    app = await createTestApp(context);
  }
  beforeEach(() => () => app?.close());

  /** Starts a sign-in at Baton, signs in at the provider, and returns Baton's callback address. */
  async function throughProvider(login: string, returnTo = '/handoff') {
    const start = await app.inject({
      url: `/api/v1/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`,
    });
    expect(start.statusCode, start.body).toBe(302);
    const authorization = new URL(start.headers.location as string);
    expect(authorization.origin).toBe(provider.issuer);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    const back = new URL(await signInAtProvider(authorization.toString(), login));
    expect(`${back.origin}${back.pathname}`).toBe(callbackUrl);
    return `${back.pathname}${back.search}`;
  }

  const refusals = async () =>
    (await context.services.auditLog.list(cli, { action: 'user.sso_refused', limit: 20 })).data.map(
      (e) => (e.details as { reason: string }).reason,
    );

  it('signs a person in by email, sets their role from their groups, and a second visit of the callback is refused', async () => {
    await setUp();
    const anna = await addUser(context, 'marketing', { email: 'anna@nordwind-ict.example' });
    const options = await app.inject({ url: '/api/v1/auth/options' });
    expect(options.json()).toEqual({
      sso: { name: 'Nordwind SSO', startUrl: '/api/v1/auth/oidc/start' },
      passwordAllowed: true,
    });
    const callback = await throughProvider('anna');
    const done = await app.inject({ url: callback });
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe('/handoff');
    const cookie = cookiesOf(done);
    const session = await app.inject({ url: '/api/v1/auth/session', headers: { cookie } });
    expect(session.json()).toMatchObject({ user: { id: anna.id, role: 'sales_rep' } });

    // The same answer again (a replayed code and state): refused, with a page that says why.
    const replayed = await app.inject({ url: callback });
    expect(replayed.statusCode).toBe(302);
    expect(replayed.headers.location).toBe('/sign-in?sso_error=state_unknown');
    expect(await refusals()).toEqual(['state_unknown']);
    const audit = await context.services.auditLog.list(cli, { action: 'user.', limit: 20 });
    expect(audit.data.find((e) => e.action === 'user.signed_in')?.details).toMatchObject({ method: 'sso' });
    expect(audit.data.find((e) => e.action === 'user.updated')?.details).toMatchObject({
      role: { from: 'marketing', to: 'sales_rep' },
    });
  });

  it('asks for the second factor after SSO when the person has one', async () => {
    await setUp();
    const anna = await addUser(context, 'sales_rep', { email: 'anna@nordwind-ict.example' });
    const cookie = await signIn(app, anna.email);
    const { secret } = (
      await app.inject({ method: 'POST', url: '/api/v1/me/second-factor/enrolment', headers: { cookie } })
    ).json<TotpEnrolment>();
    const code = () => generateSync({ secret, epoch: Math.floor(context.clock.now().getTime() / 1000) });
    await app.inject({
      method: 'POST',
      url: '/api/v1/me/second-factor/confirmation',
      headers: { cookie },
      payload: { code: code() },
    });
    context.clock.advance(31_000);
    const done = await app.inject({ url: await throughProvider('anna', '/leads') });
    expect(done.headers.location).toBe('/sign-in?second_factor=1&returnTo=%2Fleads');
    expect(cookiesOf(done)).toMatch(/^baton_challenge=/);
    const second = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor',
      headers: { cookie: cookiesOf(done) },
      payload: { code: code() },
    });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ user: { id: anna.id } });
  });

  it('creates a person at their first sign-in only when sign-up is on, and refuses unknown or unverified people', async () => {
    await setUp();
    const unknown = await app.inject({ url: await throughProvider('stranger') });
    expect(unknown.headers.location).toBe('/sign-in?sso_error=no_account');
    await app.close();

    await setUp({ signupRole: 'sales_rep' });
    const created = await app.inject({ url: await throughProvider('nieuw') });
    expect(created.headers.location).toBe('/handoff');
    const session = await app.inject({
      url: '/api/v1/auth/session',
      headers: { cookie: cookiesOf(created) },
    });
    // The group's role wins over the default role of sign-up.
    expect(session.json()).toMatchObject({
      user: { email: 'nieuw@nordwind-ict.example', name: 'Nieuwe Collega', role: 'admin' },
    });
    const unverified = await app.inject({ url: await throughProvider('unverified') });
    expect(unverified.headers.location).toBe('/sign-in?sso_error=email_unverified');
    expect(await refusals()).toEqual(['email_unverified', 'no_account']);
  });

  it('refuses a wrong nonce, a clock out of step and a wrong issuer, each with its own reason in the audit log', async () => {
    await setUp();
    await addUser(context, 'sales_rep', { email: 'anna@nordwind-ict.example' });

    // The ID token answers another sign-in's nonce.
    const callback = await throughProvider('anna');
    await context.database.db.updateTable('oidc_logins').set({ nonce: 'someone-elses-nonce' }).execute();
    expect((await app.inject({ url: callback })).headers.location).toBe('/sign-in?sso_error=bad_nonce');

    // Baton's clock two hours ahead: the ID token has expired by its time.
    const late = await throughProvider('anna');
    context.clock.advance(2 * 3_600_000);
    // (Baton's own ten minutes for a sign-in in flight would refuse it first: keep it open here.)
    await context.database.db
      .updateTable('oidc_logins')
      .set({ expires_at: toDbTime(new Date(hostNow() + 3 * 3_600_000)) })
      .execute();
    expect((await app.inject({ url: late })).headers.location).toBe('/sign-in?sso_error=clock_skew');
    // And ten minutes behind: the token was issued in Baton's future.
    context.clock.set(new Date(hostNow()));
    const early = await throughProvider('anna');
    context.clock.set(new Date(hostNow() - 10 * 60_000));
    expect((await app.inject({ url: early })).headers.location).toBe('/sign-in?sso_error=clock_skew');
    expect((await refusals()).sort()).toEqual(['bad_nonce', 'clock_skew', 'clock_skew']);
    await app.close();

    // An address whose discovery document names another issuer (a proxy passing on the real one's).
    const metadata = await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).text();
    const impostor = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(metadata);
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      await setUp({ issuer: `http://127.0.0.1:${(impostor.address() as AddressInfo).port}` });
      const start = await app.inject({ url: '/api/v1/auth/oidc/start' });
      expect(start.headers.location).toBe('/sign-in?sso_error=wrong_issuer');
      expect((await refusals()).sort()).toEqual(['bad_nonce', 'clock_skew', 'clock_skew', 'wrong_issuer']);
    } finally {
      impostor.close();
    }
  });

  it('lets only the break-glass admin use a password once the company requires SSO', async () => {
    await setUp();
    const admin = await addUser(context, 'admin');
    const rep = await addUser(context, 'sales_rep');
    const set = await app.inject({
      method: 'PATCH',
      url: '/api/v1/settings/security',
      headers: { cookie: await signIn(app, admin.email) },
      payload: { ssoRequired: true, breakGlassUserId: admin.id },
    });
    expect(set.statusCode).toBe(200);
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: rep.email, password: testPassword },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'auth.sso_required', detail: 'Sign in with Nordwind SSO' });
    const breakGlass = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: admin.email, password: testPassword },
    });
    expect(breakGlass.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/auth/options' })).json()).toMatchObject({
      passwordAllowed: false,
    });
  });
});
