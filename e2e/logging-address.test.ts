import { createTransport } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import type { LoggingAddress } from '../src/contract/mailbox.ts';
import { en } from '../web/src/locales/en.ts';
import { hasBrowser, launchChromium, seriousViolations, signedInPage } from './browser.ts';
import { apiSession, createStoreEnv, freePort, repWithRoutedLead, startServerProcess } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@nordwind.nl', BATON_ADMIN_PASSWORD: 'first admin password' };

describe('the logging address of a running server', () => {
  it('takes a rep’s BCC over SMTP and has stopped the lead’s first-response clock when the delivery is answered', async () => {
    const mailPort = await freePort();
    const { env, dispose } = await createStoreEnv('sqlite');
    const baton = await startServerProcess({
      ...env,
      ...admin,
      BATON_MAIL_LOG_PORT: String(mailPort),
      BATON_MAIL_LOG_HOST: '127.0.0.1',
      BATON_MAIL_LOG_DOMAIN: 'log.nordwind.nl',
    });
    try {
      const call = await apiSession(baton.url, admin.BATON_ADMIN_EMAIL, admin.BATON_ADMIN_PASSWORD);
      const { rep, lead, firstResponse } = await repWithRoutedLead(call);

      const asRep = await apiSession(baton.url, rep.email, 'ruud his own password');
      const { address } = await asRep<LoggingAddress>('GET', '/me/logging-address');
      expect(address).toMatch(/^log\+[a-z0-9]{20}@log\.nordwind\.nl$/);

      // As the logging domain's MX hands it over: the BCC copy, to the logging address only.
      await createTransport({ host: '127.0.0.1', port: mailPort, secure: false, ignoreTLS: true }).sendMail({
        from: 'Ruud Rep <ruud@nordwind.nl>',
        to: 'Jan <jan@klant.nl>',
        subject: 'Uw vraag over Baton',
        text: 'Beste Jan, ...',
        envelope: { from: 'ruud@nordwind.nl', to: [address] },
      });
      expect(await firstResponse()).toMatchObject({ status: 'met' });
      expect(await call('GET', '/mailbox/logging-status')).toMatchObject({
        domain: 'log.nordwind.nl',
        counts: { received: 1, logged: 1 },
      });

      // In the browser: the rep finds the address on their profile, and the email on the lead's
      // page says where it came from.
      if (!hasBrowser) return;
      const browser = await launchChromium();
      try {
        const { page, errors } = await signedInPage(browser, baton.url, rep.email, 'ruud his own password');
        await page.goto(`${baton.url}/profile`);
        await page.getByRole('heading', { name: en.loggingAddress.title }).waitFor();
        expect(await page.getByTestId('logging-address').innerText()).toContain(address);
        expect(await seriousViolations(page)).toEqual([]);
        await page.goto(`${baton.url}/leads/${lead}`);
        await page.getByText(en.lead.viaLoggingAddress).waitFor();
        await page.getByText('Uw vraag over Baton').waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      await baton.stop();
      await dispose();
    }
  });
});
