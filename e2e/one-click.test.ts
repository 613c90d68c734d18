import { describe, expect, it } from 'vitest';
import type { Pool } from '../src/contract/routing.ts';
import type { Lifecycle } from '../src/contract/stages.ts';
import type { Touchpoint } from '../src/contract/contacts.ts';
import type { User } from '../src/contract/users.ts';
import { startTestSmtpServer } from '../src/server/testing/smtp.ts';
import { en } from '../web/src/locales/en.ts';
import { hasBrowser, launchChromium, seriousViolations, shoot } from './browser.ts';
import { apiSession, createStoreEnv, startServerProcess, freePort } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@acme-ict.nl', BATON_ADMIN_PASSWORD: 'first admin password' };
const allWeek = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [['00:00', '24:00']]]),
);

describe.skipIf(!hasBrowser)('one-click actions from a real email, in Chromium', () => {
  it('accepts, rejects with a reason and logs a call from the links, each once, without signing in', async () => {
    const port = await freePort();
    const batonUrl = `http://127.0.0.1:${port}`;
    const smtp = await startTestSmtpServer();
    const { env, dispose } = await createStoreEnv('sqlite');
    const baton = await startServerProcess({
      ...env,
      ...admin,
      PORT: String(port),
      BATON_PUBLIC_URL: batonUrl,
      BATON_SMTP_URL: smtp.url,
      BATON_MAIL_FROM: 'Baton <baton@acme-ict.nl>',
      BATON_OUTBOX_INTERVAL_MS: '200',
    });
    const browser = await launchChromium();
    try {
      const call = await apiSession(batonUrl, admin.BATON_ADMIN_EMAIL, admin.BATON_ADMIN_PASSWORD);
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
      const leads: Record<string, string> = {};
      for (const name of ['Anna', 'Bram', 'Cor']) {
        const ingested = await call<{ results: { contactId: string }[] }>('POST', '/events', {
          type: 'page_viewed',
          occurredAt: new Date().toISOString(),
          email: `${name.toLowerCase()}@initech.nl`,
          firstName: name,
        });
        leads[name] = ingested.results[0]!.contactId;
        await call('POST', `/contacts/${leads[name]}/stage-changes`, { to: 'mql' });
      }
      // The rep's three "new lead" emails, as the mail server received them.
      const mails = await smtp.waitFor(3, 60_000);
      const linksOf = (name: string) => {
        const mail = mails.find((m) => m.subject?.startsWith(`New lead for you: ${name} `));
        expect(mail, mails.map((m) => m.subject).join(', ')).toBeTruthy();
        const link = (label: string) =>
          new RegExp(`^${label}: (http://\\S+)$`, 'm').exec(mail!.text ?? '')?.[1] ?? '';
        return { accept: link('Accept'), reject: link('Reject with a reason'), called: link('I called') };
      };
      const stageOf = async (name: string) =>
        (await call<Lifecycle>('GET', `/contacts/${leads[name]}/lifecycle`)).stage;

      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
      context.setDefaultTimeout(30_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));

      // Accept: opening the link (as a mail scanner would) changes nothing; confirming does.
      const anna = linksOf('Anna');
      await page.goto(anna.accept);
      await page.getByRole('heading', { name: en.oneClick.accept.replace('{{lead}}', 'Anna') }).waitFor();
      expect(await stageOf('Anna')).toBe('mql');
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: en.oneClick.confirm }).click();
      await page.getByRole('status').getByText(en.oneClick.done_accept.replace('{{lead}}', 'Anna')).waitFor();
      expect(await stageOf('Anna')).toBe('sal');
      const history = (await call<Lifecycle>('GET', `/contacts/${leads.Anna}/lifecycle`)).history;
      expect(history.at(-1)).toMatchObject({ to: 'sal', actor: { kind: 'user', id: rep.id } });
      await shoot(page, 'one-click-accepted.png');
      // The same link a second time: a clear page, and nothing changes.
      await page.goto('about:blank');
      await page.goto(anna.accept);
      await page.getByRole('alert').getByText(en.oneClick.used).waitFor();

      // Reject: the reason is asked on the page.
      await page.goto(linksOf('Bram').reject);
      await page.getByRole('heading', { name: en.oneClick.reject.replace('{{lead}}', 'Bram') }).waitFor();
      await page.getByRole('button', { name: en.oneClick.confirm }).click();
      await page.getByText(en.oneClick.reasonNeeded).waitFor();
      await page.getByRole('radio', { name: 'Not now / timing' }).check();
      await page.getByLabel(en.oneClick.note).fill('Budget in April');
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: en.oneClick.confirm }).click();
      await page.getByRole('status').getByText(en.oneClick.done_reject.replace('{{lead}}', 'Bram')).waitFor();
      expect(await stageOf('Bram')).toBe('recycled');

      // I called: a call by the rep, the first response.
      await page.goto(linksOf('Cor').called);
      await page.getByRole('heading', { name: en.oneClick.log_call.replace('{{lead}}', 'Cor') }).waitFor();
      await page.getByRole('button', { name: en.oneClick.confirm }).click();
      await page
        .getByRole('status')
        .getByText(en.oneClick.done_log_call.replace('{{lead}}', 'Cor'))
        .waitFor();
      const touches = await call<{ data: Touchpoint[] } | Touchpoint[]>(
        'GET',
        `/contacts/${leads.Cor}/touchpoints`,
      );
      const list = Array.isArray(touches) ? touches : touches.data;
      expect(list.find((t) => t.type === 'call_logged')).toMatchObject({ userId: rep.id });

      // A tampered link.
      await page.goto(`${batonUrl}/act#token=${'x'.repeat(43)}`);
      await page.getByRole('alert').getByText(en.oneClick.invalid).waitFor();
      // Nothing on the page scrolls sideways on a phone.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

      // Signed in, the rep finds the same three alerts under the bell, unread until opened.
      await page.goto(batonUrl);
      await page.getByLabel(en.signIn.email).fill('ruud@acme-ict.nl');
      await page.getByLabel(en.signIn.password).fill('ruud his own password');
      await page.getByRole('button', { name: en.signIn.submit }).click();
      const bell = page.getByRole('button', { name: en.inbox.bellUnread.replace('{{count}}', '3') });
      await bell.click();
      await page
        .getByRole('link', { name: en.inbox.kinds.lead_assigned.replace('{{lead}}', 'Anna') })
        .click();
      await page.waitForURL(`${batonUrl}/leads/${leads.Anna}`);
      await page.getByRole('button', { name: en.inbox.bell, exact: true }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await baton.stop();
      await smtp.close();
      await dispose();
    }
  });
});
