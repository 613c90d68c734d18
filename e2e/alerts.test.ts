import { describe, expect, it } from 'vitest';
import type { Lifecycle } from '../src/contract/stages.ts';
import type { Pool } from '../src/contract/routing.ts';
import type { User } from '../src/contract/users.ts';
import { startChatReceiver } from '../src/server/testing/chat-receiver.ts';
import { en } from '../web/src/locales/en.ts';
import { nl } from '../web/src/locales/nl.ts';
import { hasBrowser, launchChromium, seriousViolations, shoot } from './browser.ts';
import { apiSession, createStoreEnv, freePort, startServerProcess } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@acme-ict.nl', BATON_ADMIN_PASSWORD: 'first admin password' };
const allWeek = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [['00:00', '24:00']]]),
);

interface SlackBody {
  text: string;
  blocks: { type: string; elements?: { text: { text: string }; url: string }[] }[];
}

describe.skipIf(!hasBrowser)('alerts in Slack, chosen in the profile, in Chromium', () => {
  it('a rep sets their Slack, sends a test, takes new leads there instead of by email, and accepts one from the Slack button', async () => {
    const chat = await startChatReceiver();
    const port = await freePort();
    const batonUrl = `http://127.0.0.1:${port}`;
    const { env, dispose } = await createStoreEnv('sqlite');
    // No mail server: email waits, chat goes out all the same.
    const baton = await startServerProcess({
      ...env,
      ...admin,
      PORT: String(port),
      BATON_PUBLIC_URL: batonUrl,
      BATON_OUTBOX_INTERVAL_MS: '200',
    });
    const browser = await launchChromium();
    try {
      const call = await apiSession(batonUrl, admin.BATON_ADMIN_EMAIL, admin.BATON_ADMIN_PASSWORD);
      // The local Slack listens on 127.0.0.1, which an admin must allow.
      await call('PUT', '/webhooks/settings', { allowPrivateTargets: true });
      const rep = await call<User>('POST', '/users', {
        email: 'ruud@acme-ict.nl',
        name: 'Ruud Rep',
        role: 'sales_rep',
        workingHours: allWeek,
        password: 'ruud his own password',
      });
      const pool = await call<Pool>('POST', '/routing/pools', {
        name: 'Inside',
        members: [{ userId: rep.id }],
      });
      await call('PATCH', '/routing/settings', { fallbackPoolId: pool.id });

      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
      context.setDefaultTimeout(30_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(batonUrl);
      await page.getByLabel(en.signIn.email).fill(rep.email);
      await page.getByLabel(en.signIn.password).fill('ruud his own password');
      await page.getByRole('button', { name: en.signIn.submit }).click();
      await page.getByRole('button', { name: en.nav.signOut }).waitFor();
      await page.goto(`${batonUrl}/profile`);
      await page.getByText(en.alerts.intro).waitFor();

      // A rep chooses channels for the alerts a rep is sent: not for escalations, which go to their
      // manager, nor for Marketing's digest or the plan.
      await page.getByText(en.alerts.kinds.sla.breached).waitFor();
      for (const other of [
        en.alerts.kinds.sla.escalated,
        en.alerts.kinds.lead.unassigned,
        en.alerts.kinds.handoff.digest,
        en.alerts.kinds.plan.behind,
      ])
        expect(await page.getByText(other).count(), other).toBe(0);

      // Slack cannot be chosen before it has an address; once typed, it can.
      const slackForAssigned = page.getByRole('checkbox', {
        name: `${en.alerts.kinds.lead.assigned}: ${en.alerts.slack}`,
      });
      expect(await slackForAssigned.isDisabled()).toBe(true);
      const slackUrl = chat.slackUrl('ruud-secret');
      await page.getByRole('textbox', { name: en.alerts.slack }).fill(slackUrl);
      await slackForAssigned.check();
      await page
        .getByRole('checkbox', { name: `${en.alerts.kinds.lead.assigned}: ${en.alerts.email}` })
        .uncheck();
      await page.getByRole('button', { name: en.alerts.save }).click();
      await page.getByText(en.alerts.saved).waitFor();
      // The address is shown as a hint only, and a test message can be sent to it.
      await page.getByRole('button', { name: en.alerts.test }).click();
      await page.getByText(en.alerts.testSent).waitFor();
      expect(chat.posts.map((p) => [(p.body as SlackBody).text, p.problems])).toEqual([
        ['Baton is connected', []],
      ]);
      expect(await page.content()).not.toContain('ruud-secret');
      const violations = await seriousViolations(page);
      expect(violations, violations.join('\n')).toEqual([]);
      await shoot(page, 'alerts-profile.png');

      // A new lead reaches the rep in Slack, with the one-click buttons.
      const ingested = await call<{ results: { contactId: string }[] }>('POST', '/events', {
        type: 'page_viewed',
        occurredAt: new Date().toISOString(),
        email: 'anna@initech.nl',
        firstName: 'Anna',
      });
      const anna = ingested.results[0]!.contactId;
      await call('POST', `/contacts/${anna}/stage-changes`, { to: 'mql' });
      // A loaded machine routes and sends slowly; if it never comes, say where it stopped.
      const arrived = await expect
        .poll(() => chat.posts.length, { timeout: 90_000 })
        .toBe(2)
        .then(() => true)
        .catch(() => false);
      if (!arrived) {
        const assignments = await call<unknown>('GET', `/contacts/${anna}/assignments`);
        const queued = await call<unknown>('GET', '/outbox');
        throw new Error(
          `no Slack post for the lead: assignments ${JSON.stringify(assignments)}; outbox ${JSON.stringify(queued)}`,
        );
      }
      const post = chat.posts[1]!;
      expect(post.problems).toEqual([]);
      const slack = post.body as SlackBody;
      expect(slack.text).toBe('New lead for you: Anna (initech.nl)');
      const accept = slack.blocks
        .find((b) => b.type === 'actions')!
        .elements!.find((b) => b.text.text === 'Accept')!;

      // The Slack button opens the confirmation page; confirming accepts the lead as the rep.
      await page.goto(accept.url);
      await page.getByRole('heading', { name: en.oneClick.accept.replace('{{lead}}', 'Anna') }).waitFor();
      await page.getByRole('button', { name: en.oneClick.confirm }).click();
      await page.getByRole('status').getByText(en.oneClick.done_accept.replace('{{lead}}', 'Anna')).waitFor();
      const lifecycle = await call<Lifecycle>('GET', `/contacts/${anna}/lifecycle`);
      expect(lifecycle.stage).toBe('sal');
      expect(lifecycle.history.at(-1)).toMatchObject({ to: 'sal', actor: { kind: 'user', id: rep.id } });

      // No email was wanted for it: the bell has the alert.
      const outbox = await call<{ data: { kind: string; channel: string; status: string }[] }>(
        'GET',
        '/outbox',
      );
      expect(
        outbox.data
          .filter((m) => m.kind === 'lead.assigned')
          .map((m) => [m.channel, m.status])
          .sort(),
      ).toEqual([
        ['in_app', 'sent'],
        ['slack', 'sent'],
      ]);

      // The card in Dutch.
      await page.goto(`${batonUrl}/profile`);
      await page.getByText('NL', { exact: true }).first().click();
      await page.getByText(nl.alerts.intro).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'alerts-profile-nl.png');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await baton.stop();
      await chat.close();
      await dispose();
    }
  });
});
