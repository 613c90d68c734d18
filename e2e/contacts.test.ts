import { describe, expect, it } from 'vitest';
import type { Account } from '../src/contract/accounts.ts';
import type { Contact } from '../src/contract/contacts.ts';
import { en } from '../web/src/locales/en.ts';
import { nl } from '../web/src/locales/nl.ts';
import { choose, hasBrowser, launchChromium, signedInPage, seriousViolations, shoot } from './browser.ts';
import { apiSession, createStoreEnv, startServerProcess } from './helpers.ts';

const admin = {
  BATON_ADMIN_EMAIL: 'admin@nordwind-ict.example',
  BATON_ADMIN_PASSWORD: 'first admin password',
};

describe.skipIf(!hasBrowser)('the contact list, in Chromium', () => {
  it('finds a contact by its company despite a typo, keeps the search in the address, and opens the lead', async () => {
    const { env, dispose } = await createStoreEnv('sqlite');
    const baton = await startServerProcess({ ...env, ...admin });
    const browser = await launchChromium();
    try {
      const api = await apiSession(baton.url, admin.BATON_ADMIN_EMAIL, admin.BATON_ADMIN_PASSWORD);
      const bakery = await api<Account>('POST', '/accounts', {
        name: 'Bakkerij Jansen B.V.',
        domains: ['bakkerij-jansen.nl'],
      });
      const emma = await api<Contact>('POST', '/contacts', {
        email: 'emma@bakkerij-jansen.nl',
        firstName: 'Emma',
        lastName: 'de Vries',
        phone: '+31 20 123 4567',
        accountId: bakery.id,
      });
      const rep = await api<{ id: string }>('POST', '/users', {
        email: 'ruud@nordwind-ict.example',
        name: 'Ruud Rep',
        role: 'sales_rep',
      });
      for (const [first, last, ownerId] of [
        ['Sophie', 'Hendriks', null],
        ['Daan', 'Visser', rep.id],
      ] as const)
        await api('POST', '/contacts', {
          email: `${first.toLowerCase()}@${last.toLowerCase()}.example`,
          firstName: first,
          lastName: last,
          ...(ownerId && { ownerId }),
        });

      const { page, errors } = await signedInPage(
        browser,
        baton.url,
        admin.BATON_ADMIN_EMAIL,
        admin.BATON_ADMIN_PASSWORD,
      );

      await page.getByRole('menuitem', { name: en.nav.contacts }).click();
      await page.getByRole('heading', { name: en.contacts.title }).waitFor();
      await page.getByRole('link', { name: 'Sophie Hendriks' }).waitFor();
      expect(await page.getByRole('row').count()).toBe(4); // the header and three contacts
      await page
        .getByRole('row', { name: /Daan Visser/ })
        .getByText('Ruud Rep')
        .waitFor();

      // The owner filter: only Ruud's contact, and the filter is in the address too.
      await choose(page, page.getByRole('combobox', { name: en.contacts.owner }), 'Ruud Rep');
      await expect.poll(() => page.getByRole('row').count(), { timeout: 30_000 }).toBe(2);
      await page.getByRole('link', { name: 'Daan Visser' }).waitFor();
      expect(new URL(page.url()).searchParams.get('owner')).toBe(rep.id);
      await page
        .getByRole('combobox', { name: en.contacts.owner })
        .locator('xpath=ancestor::div[contains(@class,"ant-select")][1]')
        .hover();
      await page.locator('.ant-select-clear').last().click();
      await expect.poll(() => page.getByRole('row').count(), { timeout: 30_000 }).toBe(4);

      // A company name with a typo in each word: nothing contains it, so the contacts it resembles.
      await page.getByRole('searchbox', { name: en.contacts.search }).fill('Bakkery Jansn');
      await page
        .getByTestId('contacts-similar')
        .getByText(en.contacts.similar.replace('{{q}}', 'Bakkery Jansn'))
        .waitFor();
      await page.getByRole('link', { name: 'Emma de Vries' }).waitFor();
      await expect.poll(() => page.getByRole('row').count(), { timeout: 30_000 }).toBe(2);
      expect(new URL(page.url()).searchParams.get('q')).toBe('Bakkery Jansn');
      expect(await page.getByRole('link', { name: 'emma@bakkerij-jansen.nl' }).getAttribute('href')).toBe(
        'mailto:emma@bakkerij-jansen.nl',
      );
      expect(await page.getByRole('link', { name: '+31 20 123 4567' }).getAttribute('href')).toBe(
        'tel:+31201234567',
      );
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'contacts-similar.png');

      // The address is the view: opened again (or by a colleague), in Dutch, it shows the same.
      await page.getByText('NL', { exact: true }).first().click();
      await page.reload();
      await page.getByRole('heading', { name: nl.contacts.title }).waitFor();
      await page
        .getByTestId('contacts-similar')
        .getByText(nl.contacts.similar.replace('{{q}}', 'Bakkery Jansn'))
        .waitFor();
      expect(await seriousViolations(page)).toEqual([]);

      // An exact part of a name finds only what contains it; the name opens the lead's page.
      await page.getByRole('searchbox', { name: nl.contacts.search }).fill('de vries');
      await expect.poll(() => page.getByTestId('contacts-similar').count(), { timeout: 30_000 }).toBe(0);
      await page.getByRole('link', { name: 'Emma de Vries' }).click();
      await page.waitForURL(`${baton.url}/leads/${emma.id}`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await baton.stop();
      await dispose();
    }
  });
});
