import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
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

  it('saves a search as a view, gives the leads it finds to a rep in one go, exports the rows it shows, and adds them to a campaign', async () => {
    const { env, dispose } = await createStoreEnv('sqlite');
    const baton = await startServerProcess({ ...env, ...admin });
    const browser = await launchChromium();
    try {
      const api = await apiSession(baton.url, admin.BATON_ADMIN_EMAIL, admin.BATON_ADMIN_PASSWORD);
      await api('POST', '/users', {
        email: 'ruud@nordwind-ict.example',
        name: 'Ruud Rep',
        role: 'sales_rep',
      });
      const people = ['Anna', 'Bram', 'Cor', 'Dirk', 'Eva'];
      for (const first of people)
        await api('POST', '/contacts', { email: `${first.toLowerCase()}@acme.example`, firstName: first });
      await api('POST', '/contacts', { email: 'olga@other.example', firstName: 'Olga' });

      const { page, errors } = await signedInPage(
        browser,
        baton.url,
        admin.BATON_ADMIN_EMAIL,
        admin.BATON_ADMIN_PASSWORD,
      );
      await page.getByRole('menuitem', { name: en.nav.contacts }).click();
      await page.getByRole('link', { name: 'Olga', exact: true }).waitFor();

      // Search, and keep only the name, the email and the owner as columns.
      await page.getByRole('searchbox', { name: en.contacts.search }).fill('acme.example');
      await expect.poll(() => page.getByRole('row').count(), { timeout: 30_000 }).toBe(people.length + 1);
      const columns = page.getByRole('combobox', { name: en.contacts.columns });
      for (const column of [en.contacts.phone, en.contacts.stage, en.contacts.created]) {
        await columns.click();
        await page
          .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: column })
          .click();
      }
      await page.keyboard.press('Escape');
      await expect
        .poll(() => page.getByRole('columnheader').allInnerTexts(), { timeout: 30_000 })
        .toEqual(['', en.contacts.name, en.contacts.email, en.contacts.owner]);

      // Saved as a view, and opened again from a clean list.
      await page.getByRole('button', { name: en.contacts.saveView }).click();
      const saving = page.getByRole('dialog', { name: en.contacts.saveViewTitle });
      await saving.getByLabel(en.contacts.viewName).fill('Acme');
      await saving.getByRole('button', { name: en.contacts.saveView }).click();
      await page.getByText(en.contacts.viewSaved.replace('{{name}}', 'Acme')).waitFor();
      await page.goto(`${baton.url}/contacts`);
      await page.getByRole('link', { name: 'Olga', exact: true }).waitFor();
      await choose(page, page.getByRole('combobox', { name: en.contacts.views }), 'Acme');
      await expect.poll(() => page.getByRole('row').count(), { timeout: 30_000 }).toBe(people.length + 1);
      expect(await page.getByRole('searchbox', { name: en.contacts.search }).inputValue()).toBe(
        'acme.example',
      );
      expect(await page.getByRole('columnheader').allInnerTexts()).toEqual([
        '',
        en.contacts.name,
        en.contacts.email,
        en.contacts.owner,
      ]);
      expect(await seriousViolations(page)).toEqual([]);

      // All five to Ruud at once.
      await page.locator('thead input[type=checkbox]').check();
      await page.getByText(en.contacts.selected_other.replace('{{count}}', String(people.length))).waitFor();
      await page.getByRole('button', { name: en.contacts.assign }).click();
      const assigning = page.getByRole('dialog', {
        name: en.contacts.assignTitle_other.replace('{{count}}', String(people.length)),
      });
      await choose(page, assigning.getByRole('combobox', { name: en.contacts.rep }), 'Ruud Rep');
      await assigning.getByLabel(en.contacts.reason).fill('Ruud covers Acme');
      await assigning.getByRole('button', { name: en.contacts.assign.replace('…', '') }).click();
      await page.getByText(en.contacts.bulkDone_other.replace('{{count}}', String(people.length))).waitFor();
      await expect
        .poll(() => page.getByRole('row', { name: /Ruud Rep/ }).count(), { timeout: 30_000 })
        .toBe(people.length);
      await shoot(page, 'contacts-bulk-assigned.png');

      // The export holds the rows on screen, in their order, with the columns on screen.
      const screen = await page.locator('tbody a[href^="mailto:"]').allInnerTexts();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: en.contacts.export }).click(),
      ]);
      const rows = parse<Record<string, string>>(await readFile(await download.path(), 'utf8'), {
        columns: true,
      });
      expect(rows.map((r) => r.email)).toEqual(screen);
      expect(Object.keys(rows[0]!)).toEqual([
        'id',
        'first_name',
        'last_name',
        'email',
        'owner_name',
        'owner_email',
      ]);
      expect(new Set(rows.map((r) => r.owner_name))).toEqual(new Set(['Ruud Rep']));

      // All five into Marketing's nurture campaign; the list filtered on it shows them.
      await page.locator('thead input[type=checkbox]').check();
      await page.getByRole('button', { name: en.contacts.addToCampaign }).click();
      const adding = page.getByRole('dialog', {
        name: en.contacts.campaignTitle_other.replace('{{count}}', String(people.length)),
      });
      await adding.getByLabel(en.contacts.campaign).fill('Acme nurture');
      await adding.getByRole('button', { name: en.contacts.addToCampaign.replace('…', '') }).click();
      // Done: the dialog closes (the message says so too, beside the assignment's, which may still show).
      await adding.waitFor({ state: 'hidden' });
      await page.goto(`${baton.url}/contacts?campaign=${encodeURIComponent('Acme nurture')}`);
      await expect.poll(() => page.getByRole('row').count(), { timeout: 30_000 }).toBe(people.length + 1);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await baton.stop();
      await dispose();
    }
  });
});
