import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { startWebhookReceiver } from '../src/server/testing/webhook-receiver.ts';
import { en } from '../web/src/locales/en.ts';
import { nl } from '../web/src/locales/nl.ts';
import { hasBrowser, launchChromium, signedInPage, seriousViolations, shoot } from './browser.ts';
import { createStoreEnv, startServerProcess } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@acme-ict.nl', BATON_ADMIN_PASSWORD: 'first admin password' };

describe.skipIf(!hasBrowser)('webhooks set up from the browser, in Chromium', () => {
  it('registers an endpoint, shows its secret, and the delivery log shows what arrived; a resend keeps its webhook-id', async () => {
    const receiver = await startWebhookReceiver();
    const { env, dispose } = await createStoreEnv('sqlite');
    const baton = await startServerProcess({ ...env, ...admin, BATON_WEBHOOK_INTERVAL_MS: '100' });
    const browser = await launchChromium();
    try {
      const { context, page, errors } = await signedInPage(
        browser,
        baton.url,
        admin.BATON_ADMIN_EMAIL,
        admin.BATON_ADMIN_PASSWORD,
      );
      await page.goto(`${baton.url}/settings?tab=webhooks`);
      await page.getByText(en.webhooks.intro).waitFor();

      // A loopback receiver is refused beside the address until the admin allows such targets.
      await page.getByRole('textbox', { name: en.webhooks.url }).fill(`${receiver.url}/crm`);
      await page.getByLabel(en.webhooks.description).fill('Our CRM');
      await page.getByLabel(/Lead became an MQL/).check();
      await page.getByRole('button', { name: en.webhooks.addButton }).click();
      await page
        .locator('#url_help')
        .getByText(/private, loopback or reserved/)
        .waitFor();
      await page.getByRole('switch', { name: en.webhooks.allowPrivate }).click();
      await expect
        .poll(async () => page.getByRole('switch', { name: en.webhooks.allowPrivate }).isChecked())
        .toBe(true);
      await page.getByRole('button', { name: en.webhooks.addButton }).click();
      const secret = (await page.getByTestId('webhook-secret').innerText()).trim();
      expect(secret).toMatch(/^whsec_/);
      await page.getByRole('cell', { name: /Our CRM/ }).waitFor();
      const violations = await seriousViolations(page);
      expect(violations, violations.join('\n')).toEqual([]);

      // A lead becomes an MQL: the receiver gets it, signed with the secret the page showed.
      const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const call = async (method: string, path: string, body: object) => {
        const response = await fetch(`${baton.url}/api/v1${path}`, {
          method,
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(response.status, await response.clone().text()).toBeLessThan(300);
        return (await response.json()) as { results: { contactId: string }[] };
      };
      const ingested = await call('POST', '/events', {
        type: 'page_viewed',
        occurredAt: new Date().toISOString(),
        email: 'anna@initech.nl',
      });
      await call('POST', `/contacts/${ingested.results[0]!.contactId}/stage-changes`, { to: 'mql' });
      await expect.poll(() => receiver.received.length, { timeout: 30_000 }).toBe(1);
      const first = receiver.received[0]!;
      expect(new Webhook(secret).verify(first.body, first.headers as Record<string, string>)).toMatchObject({
        type: 'lead.mql',
      });

      await page.getByRole('button', { name: `${en.webhooks.deliveries}: ${receiver.url}/crm` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText(en.webhooks.statuses.delivered).waitFor();
      await dialog.getByRole('button', { name: new RegExp(`^${en.webhooks.replay}: `) }).click();
      await expect.poll(() => receiver.received.length, { timeout: 30_000 }).toBe(2);
      expect(receiver.received[1]!.headers['webhook-id']).toBe(first.headers['webhook-id']);
      await shoot(page, 'webhooks-deliveries.png');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // The tab in Dutch.
      await page.getByText('NL', { exact: true }).first().click();
      await page.getByText(nl.webhooks.intro).waitFor();
      await page.getByRole('cell', { name: nl.webhooks.events.lead.mql }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'webhooks-settings-nl.png');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await baton.stop();
      await receiver.close();
      await dispose();
    }
  });
});
