import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AlertSettings, AlertTestResult } from '../../../contract/alerts.ts';
import type { Inbox } from '../../../contract/inbox.ts';
import type { OutboxMessage } from '../../../contract/outbox.ts';
import type { Actor, Role } from '../../../domain/access/roles.ts';
import { startChatReceiver } from '../../testing/chat-receiver.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import {
  createTestApp,
  createTestContext,
  routedLead,
  signIn,
  testPassword,
  type TestContext,
} from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

interface SlackBody {
  text: string;
  blocks: { type: string; text?: { text: string }; elements?: { text: { text: string }; url: string }[] }[];
}
interface TeamsBody {
  attachments: {
    content: { version: string; body: { text: string }[]; actions: { title: string; url: string }[] };
  }[];
}

describeEachDialect('alerts in Slack and Teams', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let chat: Awaited<ReturnType<typeof startChatReceiver>>;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    // Tuesday 1 December 2026, 10:00 in Amsterdam.
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    chat = await startChatReceiver();
    await context.services.scoring.ensureDefaultModel();
    // The local Slack and Teams listen on 127.0.0.1: an admin allows private targets.
    await context.services.webhooks.updateSettings(cli, { allowPrivateTargets: true });
  });
  afterEach(async () => {
    await app.close();
    await chat.close();
  });

  let counter = 0;
  const person = (role: Role, extra: { managerId?: string; name?: string; language?: 'en' | 'nl' } = {}) => {
    counter += 1;
    return context.services.users.createUser(cli, {
      email: `${role}.${counter}@acme-ict.nl`,
      name: extra.name ?? `${role} ${counter}`,
      role,
      password: testPassword,
      ...(extra.managerId && { managerId: extra.managerId }),
      ...(extra.language && { language: extra.language }),
    });
  };
  const org = async () => {
    const director = await person('director', { name: 'Dirk Directeur' });
    const manager = await person('sales_manager', { managerId: director.id, name: 'Mirjam Manager' });
    const rep = await person('sales_rep', { managerId: manager.id, name: 'Ruud Rep', language: 'nl' });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    return { director, manager, rep };
  };
  const lead = (email: string, firstName: string, ownerId: string) =>
    routedLead(context, { email, firstName, ownerId });
  const put = (cookie: string, url: string, payload: unknown) =>
    app.inject({ method: 'PUT', url: `/api/v1${url}`, headers: { cookie }, payload: payload as object });
  const outbox = async () => (await context.services.notifications.listOutbox(cli, { limit: 200 })).data;
  const sendAll = async () => {
    while ((await context.services.notifications.sendDue(null, 'test', 50)) > 0);
  };

  it("posts a rep's new lead to their own Slack and Teams, in their language, with the one-click buttons; with email off, the bell still has it", async () => {
    const { rep } = await org();
    const ruud = await signIn(app, rep.email);
    const slackUrl = chat.slackUrl('ruud-secret-token');
    const saved = await put(ruud, '/me/alerts', {
      slackUrl,
      teamsUrl: chat.teamsUrl('ruud'),
      routes: { 'lead.assigned': ['slack', 'teams'] },
    });
    expect(saved.statusCode).toBe(200);
    const settings = saved.json<AlertSettings>();
    expect(settings).toMatchObject({
      owner: 'user',
      slack: { configured: true, hint: `127.0.0.1:${new URL(chat.url).port}/…oken` },
      routes: { 'lead.assigned': ['slack', 'teams'], 'sla.reminder': ['email'] },
    });
    // The address is a secret: it is never shown again, nor written to the audit log.
    expect(JSON.stringify(settings)).not.toContain('ruud-secret-token');
    const audit = await context.services.auditLog.list(cli, {});
    expect(audit.data.filter((e) => e.action === 'alerts.changed')).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('ruud-secret-token');

    const anna = await lead('anna@initech.nl', 'Anna', rep.id);
    await sendAll();
    // Sent side by side: in either order.
    expect(chat.posts.map((p) => [p.provider, p.problems]).sort()).toEqual([
      ['slack', []],
      ['teams', []],
    ]);
    const slack = chat.posts.find((p) => p.provider === 'slack')!.body as SlackBody;
    // In Ruud's language, without the greeting, with the one-click actions and the lead's link.
    expect(slack.text).toBe('Nieuwe lead voor jou: Anna (initech.nl)');
    expect(slack.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Nieuwe lead voor jou: Anna (initech.nl)' },
    });
    expect(JSON.stringify(slack)).not.toContain('Hallo Ruud');
    const buttons = slack.blocks.find((b) => b.type === 'actions')!.elements!;
    expect(buttons.map((b) => b.text.text)).toEqual([
      'Open de lead in Baton',
      'Accepteren',
      'Afwijzen met reden',
      'Ik heb gebeld',
    ]);
    expect(buttons[0]!.url).toMatch(new RegExp(`/leads/${anna}$`));
    expect(buttons.slice(1).every((b) => b.url.includes('/act#token='))).toBe(true);
    const card = (chat.posts.find((p) => p.provider === 'teams')!.body as TeamsBody).attachments[0]!.content;
    expect(card.version).toBe('1.5');
    expect(card.body[0]!.text).toBe('Nieuwe lead voor jou: Anna (initech.nl)');
    expect(card.actions.map((a) => a.url)).toEqual(buttons.map((b) => b.url));

    // No email went out (nothing for it to be sent through here either): the bell's row stands in.
    const rows = (await outbox()).filter((m) => m.kind === 'lead.assigned');
    expect(rows.map((m) => [m.channel, m.status]).sort()).toEqual([
      ['in_app', 'sent'],
      ['slack', 'sent'],
      ['teams', 'sent'],
    ]);
    const bell = await app.inject({
      method: 'GET',
      url: '/api/v1/me/notifications',
      headers: { cookie: ruud },
    });
    expect(bell.json<Inbox>()).toMatchObject({
      unread: 1,
      data: [{ kind: 'lead.assigned', lead: { id: anna } }],
    });
  });

  it("posts a team member's alerts once to the team's channel, which only its manager or an admin sets", async () => {
    const { manager, rep } = await org();
    const team = await context.services.teams.createTeam(cli, {
      name: 'Inside sales',
      managerId: manager.id,
      memberIds: [rep.id],
    });
    const url = `/teams/${team.id}/alerts`;
    const ruud = await signIn(app, rep.email);
    expect((await put(ruud, url, { routes: {} })).statusCode).toBe(403);
    const mirjam = await signIn(app, manager.email);
    // A team's alerts go to chat; email goes to each person.
    const withEmail = await put(mirjam, url, {
      slackUrl: chat.slackUrl('team'),
      routes: { 'lead.assigned': ['email'] },
    });
    expect(withEmail.statusCode).toBe(400);
    expect(withEmail.json()).toMatchObject({
      code: 'alerts.invalid_routes',
      errors: [
        { field: 'body.routes.lead.assigned', reason: expect.stringContaining('email goes to each person') },
      ],
    });
    const saved = await put(mirjam, url, {
      slackUrl: chat.slackUrl('team'),
      routes: { 'lead.assigned': ['slack'] },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json<AlertSettings>().routes).toMatchObject({
      'lead.assigned': ['slack'],
      'sla.reminder': [],
    });

    await lead('bram@initech.nl', 'Bram', rep.id);
    await sendAll();
    expect(chat.posts.map((p) => [p.path.endsWith('/team'), p.problems])).toEqual([[true, []]]);
    expect((chat.posts[0]!.body as SlackBody).text).toBe('Nieuwe lead voor jou: Bram (initech.nl)');
    // Ruud's own email is unchanged; the team's copy names the team.
    const rows = (await outbox()).filter((m) => m.kind === 'lead.assigned');
    expect(rows.map((m) => [m.channel, m.recipient]).sort()).toEqual([
      ['email', rep.email],
      ['slack', 'Slack · Inside sales'],
    ]);
  });

  it('refuses a chat with no address and an address it may not post to, naming the field', async () => {
    const { rep } = await org();
    const ruud = await signIn(app, rep.email);
    const noAddress = await put(ruud, '/me/alerts', { routes: { 'sla.reminder': ['email', 'teams'] } });
    expect(noAddress.statusCode).toBe(400);
    expect(noAddress.json()).toMatchObject({
      code: 'alerts.invalid_routes',
      errors: [
        { field: 'body.routes.sla.reminder', reason: 'Teams is chosen but has no address; add one first' },
      ],
    });
    const unknownKind = await put(ruud, '/me/alerts', { routes: { 'lead.won': ['email'] } });
    expect(unknownKind.statusCode).toBe(400);

    await context.services.webhooks.updateSettings(cli, { allowPrivateTargets: false });
    const loopback = await put(ruud, '/me/alerts', { slackUrl: chat.slackUrl('x') });
    expect(loopback.json()).toMatchObject({
      code: 'alerts.invalid_address',
      errors: [{ field: 'body.slackUrl' }],
    });
    const plain = await put(ruud, '/me/alerts', { teamsUrl: 'http://93.184.216.34/workflows/x' });
    expect(plain.json()).toMatchObject({
      code: 'alerts.invalid_address',
      errors: [{ field: 'body.teamsUrl', reason: 'must start with https://' }],
    });
    // Nothing was stored.
    const mine = await app.inject({ method: 'GET', url: '/api/v1/me/alerts', headers: { cookie: ruud } });
    expect(mine.json<AlertSettings>()).toMatchObject({
      slack: { configured: false },
      teams: { configured: false },
      updatedAt: null,
    });
  });

  it('lists each person the alerts of their role, and refuses a choice for one their role is never sent', async () => {
    const { director, manager, rep } = await org();
    const marketer = await person('marketing');
    const admin = await person('admin');
    const kindsOf = async (email: string) =>
      Object.keys(
        (
          await app.inject({
            method: 'GET',
            url: '/api/v1/me/alerts',
            headers: { cookie: await signIn(app, email) },
          })
        ).json<AlertSettings>().routes,
      );
    expect(await kindsOf(rep.email)).toEqual(['lead.assigned', 'sla.reminder', 'sla.breached']);
    expect(await kindsOf(manager.email)).toEqual([
      'lead.assigned',
      'sla.reminder',
      'sla.escalated',
      'sla.breached',
      'lead.unassigned',
    ]);
    expect(await kindsOf(director.email)).toEqual([
      'lead.assigned',
      'sla.reminder',
      'sla.escalated',
      'sla.breached',
      'lead.unassigned',
      'plan.behind',
    ]);
    expect(await kindsOf(marketer.email)).toHaveLength(7);
    expect(await kindsOf(admin.email)).not.toContain('handoff.digest');

    // A rep choosing a channel for escalations (sent to managers) is told, and nothing is stored.
    const ruud = await signIn(app, rep.email);
    const escalations = await put(ruud, '/me/alerts', {
      routes: { 'sla.reminder': ['email'], 'sla.escalated': ['email'], 'plan.behind': [] },
    });
    expect(escalations.statusCode).toBe(400);
    expect(escalations.json()).toMatchObject({
      code: 'alerts.invalid_routes',
      errors: [
        { field: 'body.routes.sla.escalated', reason: 'is not an alert your role is sent' },
        { field: 'body.routes.plan.behind', reason: 'is not an alert your role is sent' },
      ],
    });
    const mine = await app.inject({ method: 'GET', url: '/api/v1/me/alerts', headers: { cookie: ruud } });
    expect(mine.json<AlertSettings>().updatedAt).toBeNull();
    // Their own kinds are taken, and the answer lists only those.
    const own = await put(ruud, '/me/alerts', { routes: { 'sla.reminder': [] } });
    expect(own.statusCode).toBe(200);
    expect(own.json<AlertSettings>().routes).toEqual({
      'lead.assigned': ['email'],
      'sla.reminder': [],
      'sla.breached': ['email'],
    });
    // A team's channel carries its members' alerts: every kind.
    const team = await context.services.teams.createTeam(cli, { name: 'Inside', managerId: manager.id });
    const teamKinds = await app.inject({
      method: 'GET',
      url: `/api/v1/teams/${team.id}/alerts`,
      headers: { cookie: await signIn(app, manager.email) },
    });
    expect(Object.keys(teamKinds.json<AlertSettings>().routes)).toHaveLength(7);
  });

  it('tries a chat again after a failure for now, and gives up on a refusal for good or a removed address', async () => {
    const { rep } = await org();
    const ruud = await signIn(app, rep.email);
    await put(ruud, '/me/alerts', {
      slackUrl: chat.slackUrl('ruud'),
      routes: { 'lead.assigned': ['email', 'slack'] },
    });
    await lead('cor@initech.nl', 'Cor', rep.id);
    const slackRow = async () => (await outbox()).find((m) => m.channel === 'slack')!;

    chat.answer(() => 500);
    await context.services.notifications.sendDue(null, 'test', 50);
    expect(await slackRow()).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'Slack answered 500: error',
    });
    // The email waits for a mail server; chat went on without one.
    expect((await outbox()).find((m) => m.channel === 'email')).toMatchObject({
      status: 'pending',
      attempts: 0,
    });

    chat.answer(() => 404);
    context.clock.advance(10 * 60_000);
    await context.services.notifications.sendDue(null, 'test', 50);
    expect(await slackRow()).toMatchObject({
      status: 'dead',
      attempts: 2,
      lastError: 'Slack answered 404: channel_not_found',
    });

    chat.answer(undefined);
    await lead('dana@initech.nl', 'Dana', rep.id);
    // Removing the address takes Slack off every kind; what was queued for it is given up.
    const removed = await put(ruud, '/me/alerts', { slackUrl: null });
    expect(removed.json<AlertSettings>()).toMatchObject({
      slack: { configured: false },
      routes: { 'lead.assigned': ['email'] },
    });
    await context.services.notifications.sendDue(null, 'test', 50);
    const rows = (await outbox()).filter((m: OutboxMessage) => m.channel === 'slack');
    expect(rows.map((m) => [m.status, m.lastError])).toEqual([
      ['dead', 'the Slack address was removed'],
      ['dead', 'Slack answered 404: channel_not_found'],
    ]);
  });

  it('posts a test message on request and says how it went', async () => {
    const { rep } = await org();
    const ruud = await signIn(app, rep.email);
    const test = (channel: 'slack' | 'teams') =>
      app.inject({
        method: 'POST',
        url: '/api/v1/me/alerts/test',
        headers: { cookie: ruud },
        payload: { channel },
      });
    expect((await test('teams')).json()).toMatchObject({
      code: 'alerts.no_address',
      errors: [{ field: 'body.channel' }],
    });
    await put(ruud, '/me/alerts', { teamsUrl: chat.teamsUrl('ruud') });
    expect((await test('teams')).json<AlertTestResult>()).toEqual({ ok: true, status: null, error: null });
    const card = (chat.posts[0]!.body as TeamsBody).attachments[0]!.content;
    expect([chat.posts[0]!.problems, card.body[0]!.text]).toEqual([[], 'Baton is verbonden']);
    chat.answer(() => 404);
    expect((await test('teams')).json<AlertTestResult>()).toMatchObject({ ok: false, status: 404 });
  });

  it("posts the weekly digest to a marketer's Slack and a lead no one can take to the manager's Teams, each in the reader's language", async () => {
    const { manager, rep } = await org();
    const marketer = await person('marketing', { name: 'Maud Marketing', language: 'nl' });
    const maud = await signIn(app, marketer.email);
    const mirjam = await signIn(app, manager.email);
    expect(
      (
        await put(maud, '/me/alerts', {
          slackUrl: chat.slackUrl('maud'),
          routes: { 'handoff.digest': ['slack'] },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await put(mirjam, '/me/alerts', {
          teamsUrl: chat.teamsUrl('mirjam'),
          routes: { 'lead.unassigned': ['teams'] },
        })
      ).statusCode,
    ).toBe(200);
    // Tuesday: Ruud rejects one lead; then he leaves, and the next lead finds no one.
    const eva = await lead('eva@initech.nl', 'Eva', rep.id);
    const ruud: Actor = { kind: 'user', userId: rep.id, role: 'sales_rep' };
    await context.services.handoff.reject(ruud, eva, { reasonCode: 'not_now' });
    await context.services.users.updateUser(cli, rep.id, { isActive: false });
    const outcome = await context.services.capture.ingest(
      cli,
      {
        type: 'demo_requested',
        email: 'kees@globex.nl',
        firstName: 'Kees',
        occurredAt: '2026-12-01T08:30:00Z',
      },
      undefined,
    );
    await context.services.scoring.scoreDue();
    const kees = outcome.body.results[0]!.contactId!;
    await expect
      .poll(async () => (await context.services.routing.listUnassigned(cli)).map((q) => q.contactId), {
        timeout: 30_000,
      })
      .toEqual([kees]);
    // Monday 7 December, 09:00 in Amsterdam: the digest of the week before.
    context.clock.set('2026-12-07T08:00:00.000Z');
    expect(await context.services.handoff.sendWeeklyDigest()).toBe(1);
    await sendAll();

    const posts = chat.posts.map((p) => ({ provider: p.provider, problems: p.problems, body: p.body }));
    expect(posts.map((p) => [p.provider, p.problems])).toEqual(
      expect.arrayContaining([
        ['slack', []],
        ['teams', []],
      ]),
    );
    const slack = posts.find((p) => p.provider === 'slack')!.body as SlackBody;
    expect(slack.text).toBe('Wat er van je leads werd, week van 30 november 2026');
    const slackText = JSON.stringify(slack.blocks);
    expect(slackText).toContain('2 leads overgedragen.');
    expect(slackText).toContain('Nu niet / timing: 1');
    const teams = posts
      .filter((p) => p.provider === 'teams')
      .map((p) => (p.body as TeamsBody).attachments[0]!.content);
    expect(teams).toHaveLength(1);
    expect(teams[0]!.version).toBe('1.5');
    expect(teams[0]!.body[0]!.text).toMatch(/^No one could take a lead: Kees/);
    expect(teams[0]!.actions[0]!.url).toMatch(/unassigned/);
    // Each went to chat only: no email queued for either kind, the bell keeps them.
    const rows = (await outbox()).filter((m) => ['handoff.digest', 'lead.unassigned'].includes(m.kind));
    expect(rows.filter((m) => m.channel === 'email' && m.recipientUserId === marketer.id)).toEqual([]);
    expect(rows.map((m) => [m.kind, m.channel, m.status]).filter(([, c]) => c !== 'email')).toEqual(
      expect.arrayContaining([
        ['handoff.digest', 'slack', 'sent'],
        ['lead.unassigned', 'teams', 'sent'],
      ]),
    );
  });

  it('posts reminders and escalations, rendered when they are sent, to the chats their people chose', async () => {
    const { manager, rep } = await org();
    const ruud = await signIn(app, rep.email);
    const mirjam = await signIn(app, manager.email);
    await put(ruud, '/me/alerts', { slackUrl: chat.slackUrl('ruud'), routes: { 'sla.reminder': ['slack'] } });
    await put(mirjam, '/me/alerts', {
      teamsUrl: chat.teamsUrl('mirjam'),
      routes: { 'sla.escalated': ['email', 'teams'] },
    });
    await lead('eva@initech.nl', 'Eva', rep.id);

    context.clock.set('2026-12-01T11:00:00.000Z'); // half of the 4 business hours: the reminder
    await context.services.leadFlow.sweepClocks();
    context.clock.set('2026-12-01T13:00:00.000Z'); // the miss: to the manager
    await context.services.leadFlow.sweepClocks();
    await sendAll();
    expect(chat.posts.map((p) => [p.provider, p.problems]).sort()).toEqual([
      ['slack', []],
      ['teams', []],
    ]);
    const slack = chat.posts.find((p) => p.provider === 'slack')!.body as SlackBody;
    expect(slack.text).toMatch(/^Herinnering: Eva/);
    // The rep's own reminder carries the one-click actions; the manager's escalation only the link.
    const buttons = slack.blocks.find((b) => b.type === 'actions')!.elements!;
    expect(buttons.map((b) => b.text.text)).toEqual([
      'Open de lead in Baton',
      'Accepteren',
      'Afwijzen met reden',
      'Ik heb gebeld',
    ]);
    const card = (chat.posts.find((p) => p.provider === 'teams')!.body as TeamsBody).attachments[0]!.content;
    expect(card.body[0]!.text).toMatch(/^Missed follow-up: Ruud Rep has not responded to Eva/);
    expect(card.actions.map((a) => a.title)).toEqual(['Open the lead in Baton']);
    // Ruud's and Mirjam's steps (the director, who chose nothing, gets email as before).
    const rows = (await outbox()).filter(
      (m) => m.kind.startsWith('sla.') && [rep.id, manager.id].includes(m.recipientUserId!),
    );
    expect(rows.map((m) => [m.kind, m.channel, m.status, m.recipient]).sort()).toEqual([
      ['sla.breached', 'email', 'pending', manager.email],
      ['sla.breached', 'teams', 'sent', 'Teams · Mirjam Manager'],
      ['sla.reminder', 'in_app', 'sent', rep.email],
      ['sla.reminder', 'slack', 'sent', 'Slack · Ruud Rep'],
    ]);
  });
});
