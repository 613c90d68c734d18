import { beforeEach, expect, it } from 'vitest';
import type { Checklist, Company, PasswordTokenInfo } from '../../../contract/setup.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

const setupBody = (token: string) => ({
  token,
  company: { name: 'Nordwind ICT', timeZone: 'Europe/Brussels', language: 'nl' },
  calendar: { from: '08:30', to: '17:00', holidays: { country: 'BE', region: 'VLG' } },
  admin: { name: 'Erik de Vries', email: 'Erik@Nordwind.example', password: 'a long setup password' },
});

/** The token of the newest password link emailed to an address, read from the email in the outbox. */
async function linkEmailedTo(context: TestContext, email: string) {
  const row = await context.database.db
    .selectFrom('outbox')
    .selectAll()
    .where('recipient', '=', email)
    .where('kind', 'in', ['user.invitation', 'user.password_reset'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  const match = /\/set-password#token=([\w%-]+)/.exec(row.body_text ?? '');
  return { row, token: match ? decodeURIComponent(match[1]!) : null };
}

const sessionCookieOf = (response: { cookies: { name: string; value: string }[] }) => {
  const cookie = response.cookies.find((c) => c.name === 'baton_session');
  return cookie ? `baton_session=${cookie.value}` : null;
};

describeEachDialect('setting Baton up from the browser', (getDatabase) => {
  let context: TestContext;
  let app: App;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    return () => app.close();
  });

  it('sets up an empty store once, with the token of the log: the company, its calendar and the first admin, signed in', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({
      needed: true,
      companyName: null,
    });
    const issued = await context.services.onboarding.issueSetupToken();
    expect(issued).not.toBeNull();

    const wrong = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: setupBody('guessed') });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ code: 'setup.invalid_token', errors: [{ field: 'body.token' }] });

    const badZone = await app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: {
        ...setupBody(issued!.token),
        company: { name: 'X', timeZone: 'Mars/Olympus', language: 'en' },
      },
    });
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json().errors).toEqual([{ field: 'body.company.timeZone', reason: expect.any(String) }]);
    const badRegion = await app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: {
        ...setupBody(issued!.token),
        calendar: { from: '08:30', to: '17:00', holidays: { country: 'BE', region: 'BY' } },
      },
    });
    expect(badRegion.json()).toMatchObject({
      code: 'sla.invalid_calendar',
      errors: [{ field: 'body.calendar.holidays.region' }],
    });

    const done = await app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: setupBody(issued!.token),
    });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      user: { email: 'erik@nordwind.example', role: 'admin', language: 'nl' },
    });
    const cookie = sessionCookieOf(done)!;
    expect(cookie).toBeTruthy();

    const company = await app.inject({ method: 'GET', url: '/api/v1/company', headers: { cookie } });
    expect(company.json<Company>()).toMatchObject({
      name: 'Nordwind ICT',
      timeZone: 'Europe/Brussels',
      language: 'nl',
      setUpAt: '2026-12-01T09:00:00.000Z',
    });
    const [calendar] = (await context.services.sla.listCalendars(cli)).filter((c) => c.isDefault);
    // The default calendar ("Nederland" in a new store) is named after its holidays' country.
    expect(calendar).toMatchObject({
      name: 'België',
      timeZone: 'Europe/Brussels',
      workingHours: { mon: [['08:30', '17:00']], fri: [['08:30', '17:00']] },
      holidays: { country: 'BE', region: 'VLG' },
    });
    // The admin's own sign-ins and the audit log show who set it up.
    const audit = await app.inject({
      method: 'GET',
      url: '/api/v1/audit-log?action=company.set_up',
      headers: { cookie },
    });
    expect(audit.json().data).toHaveLength(1);

    // Once set up, the token and setup are spent, and no new token is given.
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: setupBody(issued!.token),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('setup.done');
    expect(await context.services.onboarding.issueSetupToken()).toBeNull();
    expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({
      needed: false,
      companyName: 'Nordwind ICT',
    });
    // People added later start in the company's language and time zone.
    const rep = await addUser(context, 'sales_rep');
    expect(rep).toMatchObject({ language: 'nl', timeZone: 'Europe/Brussels' });
  });

  it('refuses an expired token and a token replaced by a newer one; two setups at once make one admin', async () => {
    const first = (await context.services.onboarding.issueSetupToken())!;
    const second = (await context.services.onboarding.issueSetupToken())!;
    const replaced = await app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: setupBody(first.token),
    });
    expect(replaced.json().code).toBe('setup.invalid_token');

    context.clock.advance(25 * 3_600_000);
    const expired = await app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: setupBody(second.token),
    });
    expect(expired.json().code).toBe('setup.invalid_token');

    const fresh = (await context.services.onboarding.issueSetupToken())!;
    const answers = await Promise.all(
      ['a@nordwind.example', 'b@nordwind.example'].map((email) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/setup',
          payload: {
            ...setupBody(fresh.token),
            admin: { name: 'Someone', email, password: 'a long setup password' },
          },
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, expect.any(Number)]);
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
    expect(['setup.done', 'setup.invalid_token']).toContain(
      answers.find((a) => a.statusCode !== 200)!.json().code,
    );
    expect(await context.services.users.countUsers()).toBe(1);
  });

  it("invites by email in the recipient's language, with a link that works once and sets the password", async () => {
    const admin = await addUser(context, 'admin', { name: 'Anna Admin' });
    const adminCookie = await signIn(app, admin.email);
    await context.services.onboarding.updateCompany(cli, { name: 'Nordwind ICT' });
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { cookie: adminCookie },
      payload: { email: 'sanne@nordwind.example', name: 'Sanne', role: 'sales_rep', language: 'nl' },
    });
    expect(created.statusCode).toBe(201);
    const sanne = created.json<{ id: string }>();

    const invited = await app.inject({
      method: 'POST',
      url: `/api/v1/users/${sanne.id}/invitation`,
      headers: { cookie: adminCookie },
    });
    expect(invited.statusCode).toBe(200);
    expect(invited.json()).toMatchObject({
      email: 'sanne@nordwind.example',
      expiresAt: '2026-12-08T09:00:00.000Z',
    });
    const email = (await linkEmailedTo(context, 'sanne@nordwind.example'))!;
    expect(email.row.subject).toBe('Je bent uitgenodigd voor Baton bij Nordwind ICT');
    expect(email.row.body_text).toContain('Anna Admin heeft je uitgenodigd');
    expect(email.row.body_html).toContain('https://baton.example.nl/set-password#token=');
    // Only the link's hash is stored.
    const stored = await context.database.db.selectFrom('password_tokens').select('token_hash').execute();
    expect(stored.map((s) => s.token_hash)).not.toContain(email.token);

    const info = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-link',
      payload: { token: email.token },
    });
    expect(info.json<PasswordTokenInfo>()).toEqual({
      purpose: 'invitation',
      email: 'sanne@nordwind.example',
      name: 'Sanne',
      language: 'nl',
      expiresAt: '2026-12-08T09:00:00.000Z',
    });
    const weak = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-link/password',
      payload: { token: email.token, password: 'short' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0].field).toBe('body.password');

    const set = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-link/password',
      payload: { token: email.token, password: 'sanne her own password' },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ user: { email: 'sanne@nordwind.example' } });
    expect(sessionCookieOf(set)).toBeTruthy();
    await signIn(app, 'sanne@nordwind.example', 'sanne her own password');

    const reused = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-link/password',
      payload: { token: email.token, password: 'someone elses password' },
    });
    expect(reused.statusCode).toBe(410);
    expect(reused.json().code).toBe('auth.link_used');
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-link',
      payload: { token: 'nope' },
    });
    expect(unknown.json().code).toBe('auth.link_invalid');

    const audit = await app.inject({
      method: 'GET',
      url: '/api/v1/audit-log?action=user.password_set',
      headers: { cookie: adminCookie },
    });
    expect(audit.json().data).toHaveLength(1);
  });

  it('expires an invitation after a week, and a new one retires the old link', async () => {
    const rep = await context.services.users.createUser(cli, {
      email: 'rep@nordwind.example',
      name: 'Rep',
      role: 'sales_rep',
    });
    await context.services.invitations.invite(cli, rep.id);
    const old = (await linkEmailedTo(context, rep.email))!.token!;
    context.clock.advance(60_000);
    await context.services.invitations.invite(cli, rep.id);
    const current = (await linkEmailedTo(context, rep.email))!.token!;
    expect(current).not.toBe(old);
    const retired = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-link',
      payload: { token: old },
    });
    expect(retired.statusCode).toBe(410);
    expect(retired.json().code).toBe('auth.link_expired');

    context.clock.advance(7 * 24 * 3_600_000);
    const expired = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-link/password',
      payload: { token: current, password: 'too late a password' },
    });
    expect(expired.json().code).toBe('auth.link_expired');
    // A deactivated user gets no invitation.
    await context.services.users.updateUser(cli, rep.id, { isActive: false });
    await expect(context.services.invitations.invite(cli, rep.id)).rejects.toMatchObject({
      code: 'http.validation_failed',
    });
  });

  it('"forgot password" answers alike for any address, mails a known one, and the new password ends other sessions', async () => {
    const rep = await addUser(context, 'sales_rep');
    const oldCookie = await signIn(app, rep.email);

    const stranger = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { email: 'nobody@nordwind.example' },
    });
    expect(stranger.statusCode).toBe(202);
    expect(await linkEmailedTo(context, 'nobody@nordwind.example')).toBeNull();

    const known = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { email: rep.email.toUpperCase() },
    });
    expect(known.statusCode).toBe(202);
    const email = (await linkEmailedTo(context, rep.email))!;
    expect(email.row.subject).toBe('Choose a new password for Baton');
    // Asked again at once: no second email.
    await app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: rep.email } });
    expect(
      await context.database.db
        .selectFrom('outbox')
        .select('id')
        .where('kind', '=', 'user.password_reset')
        .execute(),
    ).toHaveLength(1);

    const set = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-link/password',
      payload: { token: email.token, password: 'a brand new password' },
    });
    expect(set.statusCode).toBe(200);
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      headers: { cookie: oldCookie },
    });
    expect(me.statusCode).toBe(401);
    // An hour later a reset link no longer works.
    context.clock.advance(2 * 60_000);
    await app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: rep.email } });
    const later = (await linkEmailedTo(context, rep.email))!.token!;
    context.clock.advance(3_600_000);
    const expired = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-link',
      payload: { token: later },
    });
    expect(expired.json().code).toBe('auth.link_expired');
  });

  it("keeps the admins' checklist: done by what is set up, or marked done by hand", async () => {
    const admin = await addUser(context, 'admin');
    const cookie = await signIn(app, admin.email);
    const read = async () =>
      (
        await app.inject({ method: 'GET', url: '/api/v1/setup/checklist', headers: { cookie } })
      ).json<Checklist>();
    const stepOf = (list: Checklist, key: string) => list.steps.find((s) => s.key === key)!;

    const start = await read();
    expect(start).toMatchObject({ done: 0, total: 8 });
    expect(stepOf(start, 'routing')).toEqual({
      key: 'routing',
      done: false,
      confirmed: false,
      path: '/settings?tab=routing',
    });

    const manager = await addUser(context, 'sales_manager');
    const rep = await addUser(context, 'sales_rep', { managerId: manager.id });
    await context.services.teams.createTeam(cli, {
      name: 'Inside sales',
      managerId: manager.id,
      memberIds: [rep.id],
    });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inbound',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const confirmed = await app.inject({
      method: 'PUT',
      url: '/api/v1/setup/checklist/sla',
      headers: { cookie },
    });
    expect(stepOf(confirmed.json<Checklist>(), 'sla')).toMatchObject({ done: true, confirmed: true });

    const now = await read();
    expect(now.steps.filter((s) => s.done).map((s) => s.key)).toEqual(['people', 'teams', 'routing', 'sla']);
    expect(now.done).toBe(4);
    const undone = await app.inject({
      method: 'DELETE',
      url: '/api/v1/setup/checklist/sla',
      headers: { cookie },
    });
    expect(stepOf(undone.json<Checklist>(), 'sla').done).toBe(false);

    const repCookie = await signIn(app, rep.email);
    const refused = await app.inject({
      method: 'GET',
      url: '/api/v1/setup/checklist',
      headers: { cookie: repCookie },
    });
    expect(refused.statusCode).toBe(403);
    const unknownStep = await app.inject({
      method: 'PUT',
      url: '/api/v1/setup/checklist/coffee',
      headers: { cookie },
    });
    expect(unknownStep.statusCode).toBe(400);
  });

  it('lets admins change the company, naming a bad field', async () => {
    const admin = await addUser(context, 'admin');
    const cookie = await signIn(app, admin.email);
    const bad = await app.inject({
      method: 'PATCH',
      url: '/api/v1/company',
      headers: { cookie },
      payload: { timeZone: 'Nowhere/Else' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: 'body.timeZone', reason: expect.any(String) }]);
    const good = await app.inject({
      method: 'PATCH',
      url: '/api/v1/company',
      headers: { cookie },
      payload: { name: 'Nordwind' },
    });
    expect(good.json<Company>().name).toBe('Nordwind');
    const rep = await addUser(context, 'sales_rep');
    const repCookie = await signIn(app, rep.email);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/company', headers: { cookie: repCookie } }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await app.inject({
          method: 'PATCH',
          url: '/api/v1/company',
          headers: { cookie: repCookie },
          payload: { name: 'X' },
        })
      ).statusCode,
    ).toBe(403);
  });
});
