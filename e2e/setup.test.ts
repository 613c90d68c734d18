import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Contact } from '../src/contract/contacts.ts';
import type { Assignment } from '../src/contract/routing.ts';
import { startTestSmtpServer } from '../src/server/testing/smtp.ts';
import { en } from '../web/src/locales/en.ts';
import { nl } from '../web/src/locales/nl.ts';
import { artifact, choose, hasBrowser, launchChromium, seriousViolations, shoot } from './browser.ts';
import { createStoreEnv, startServerProcess, startWebsite, freePort } from './helpers.ts';

/** Long enough for a loaded machine; short enough that a step that never comes names itself. */
const actionTimeoutMs = 30_000;

/** axe finds nothing serious on the page, in English and in Dutch (switched on the page itself). */
async function cleanInBothLanguages(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page), `${name} in English`).toEqual([]);
  await page.getByText('NL', { exact: true }).first().click();
  await page.locator('html[lang="nl"]').waitFor();
  expect(await seriousViolations(page), `${name} in Dutch`).toEqual([]);
  await shoot(page, `setup-${name}-nl.png`);
  await page.getByText('EN', { exact: true }).first().click();
  await page.locator('html[lang="en"]').waitFor();
}

describe.skipIf(!hasBrowser)('setting Baton up from an empty store, in Chromium', () => {
  it("goes from the setup token to a routed lead in a rep's queue, without the CLI and without JSON", async () => {
    const port = await freePort();
    const batonUrl = `http://127.0.0.1:${port}`;
    const smtp = await startTestSmtpServer();
    const { env, dispose } = await createStoreEnv('sqlite');
    const baton = await startServerProcess({
      ...env,
      PORT: String(port),
      BATON_PUBLIC_URL: batonUrl,
      BATON_SMTP_URL: smtp.url,
      BATON_SMTP_FROM: 'baton@nordwind-ict.example',
    });
    const browser = await launchChromium();
    let website: Awaited<ReturnType<typeof startWebsite>> | undefined;
    try {
      const token = /setup token: ([\w-]+)/.exec(baton.output())?.[1];
      expect(token, baton.output()).toBeTruthy();

      const adminContext = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        locale: 'en-GB',
      });
      adminContext.setDefaultTimeout(actionTimeoutMs);
      const page = await adminContext.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));

      // An empty store opens the setup page, guarded by the token of the log.
      await page.goto(batonUrl);
      await page.waitForURL(`${batonUrl}/setup`);
      await page.getByRole('heading', { name: en.setup.title }).waitFor();
      await cleanInBothLanguages(page, 'setup');
      await page.getByLabel(en.setup.token).fill('not the token');
      await page.getByLabel(en.setup.companyName).fill('Nordwind ICT');
      // A company in Brussels: the calendar's public holidays follow the time zone's country.
      await choose(page, page.getByLabel(en.setup.timeZone), 'Europe/Brussels', 'Brussels');
      await page
        .locator('.ant-form-item', { has: page.getByLabel(en.holidays.country) })
        .getByText('Belgium')
        .waitFor();
      await page.getByLabel(en.setup.name).fill('Erik Jansen');
      await page.getByLabel(en.setup.email).fill('erik@nordwind-ict.example');
      await page.getByLabel(en.setup.password, { exact: true }).fill('first admin password');
      await page.getByLabel(en.password.repeat).fill('first admin password');
      await page.getByRole('button', { name: en.setup.submit }).click();
      // The server's refusal shows beside the field it names.
      await page.locator('#token_help').getByText('wrong or expired').waitFor();
      await page.getByLabel(en.setup.token).fill(token!);
      await page.getByRole('button', { name: en.setup.submit }).click();

      // Signed in, the admin lands on the checklist; the calendar's hours were set with the company.
      await page.waitForURL(`${batonUrl}/getting-started`);
      await page
        .getByTestId('onboarding-progress')
        .getByText(en.onboarding.progress.replace('{{done}}', '1').replace('{{total}}', '8'))
        .waitFor();
      await cleanInBothLanguages(page, 'checklist');

      // People: a rep, invited by email in Dutch.
      await page.getByTestId('step-people').getByRole('link', { name: en.onboarding.open }).click();
      await page.waitForURL(`${batonUrl}/settings?tab=users`);
      await page.getByRole('button', { name: en.settings.addUser }).click();
      const userDialog = page.getByRole('dialog');
      await userDialog.getByRole('textbox', { name: en.signIn.email }).fill('sanne@nordwind-ict.example');
      await userDialog.getByRole('textbox', { name: en.profile.name }).fill('Sanne de Vries');
      // New people start in the company's language (English here); Sanne reads Dutch.
      await choose(page, userDialog.getByRole('combobox', { name: en.profile.language }), 'Nederlands');
      await userDialog.getByRole('button', { name: en.common.save }).click();
      await page.getByText(en.invite.sent.replace('{{email}}', 'sanne@nordwind-ict.example')).waitFor();
      const [invitation] = await smtp.waitFor(1, 60_000);
      expect(invitation!.subject).toBe('Je bent uitgenodigd voor Baton bij Nordwind ICT');
      const link = /(http:\/\/127\.0\.0\.1:\d+\/set-password#token=[\w%-]+)/.exec(
        invitation!.text ?? '',
      )?.[1];
      expect(link).toBeTruthy();

      // Routing: a pool with Sanne, and a rule built without JSON (an "any of" group), previewed and saved.
      await page.goto(`${batonUrl}/settings?tab=routing`);
      await page.getByRole('button', { name: en.builder.addPool }).click();
      const poolDialog = page.getByRole('dialog');
      await poolDialog.getByRole('textbox', { name: en.profile.name }).fill('Inbound Benelux');
      await poolDialog.getByRole('button', { name: en.builder.addMember }).click();
      await choose(page, poolDialog.getByLabel(`${en.builder.member} 1`), 'Sanne de Vries');
      await poolDialog.getByLabel(`${en.builder.capPerDay} 1`).fill('25');
      await poolDialog.getByRole('button', { name: en.common.save }).click();
      await page.getByRole('cell', { name: 'Sanne de Vries ≤25/d' }).waitFor();
      await cleanInBothLanguages(page, 'routing');

      await page.getByRole('button', { name: en.builder.addRule }).click();
      await page.getByLabel(`${en.builder.ruleName} 1`).fill('Dutch and Belgian leads');
      await page.getByRole('button', { name: en.builder.addGroup }).click();
      await page.getByLabel(`${en.builder.value} 1.1.1`).fill('NL');
      await choose(page, page.getByLabel(`${en.builder.field} 1.1.2`), en.builder.fields.emailDomain);
      await choose(page, page.getByLabel(`${en.builder.operator} 1.1.2`), en.builder.ops.contains);
      // Saving before the rule is complete is stopped in the page, beside what is missing.
      await page.getByRole('button', { name: en.builder.save }).click();
      await page.getByTestId('rule-1').getByText(en.builder.valueNeeded).waitFor();
      await page.getByLabel(`${en.builder.value} 1.1.2`).fill('.nl');
      await choose(page, page.getByLabel(`${en.builder.pool} 1`), 'Inbound Benelux');
      await page.getByRole('button', { name: en.builder.preview }).click();
      await page.getByText(en.builder.previewNone).waitFor();
      await page.getByRole('button', { name: en.builder.save }).click();
      await page.getByText(en.profile.saved).first().waitFor();
      await cleanInBothLanguages(page, 'rules');

      // The SLA: a shorter first response for MQLs.
      await page.goto(`${batonUrl}/settings?tab=sla`);
      await page
        .getByRole('button', { name: en.settings.editNamed.replace('{{name}}', 'MQL: first response') })
        .click();
      await page.getByRole('dialog').getByLabel(en.settings.windowMinutes).fill('120');
      await page.getByRole('dialog').getByRole('button', { name: en.common.save }).click();
      await page.getByRole('cell', { name: '2 h' }).first().waitFor();
      // The default calendar took Belgium's name and public holidays, and lists its closed days.
      for (const [texts, holiday, lang] of [
        [en, /National Holiday/, 'en'],
        [nl, /Nationale feestdag/, 'nl'],
      ] as const) {
        if (lang === 'nl') await page.getByText('NL', { exact: true }).first().click();
        await page
          .getByRole('button', { name: texts.settings.editNamed.replace('{{name}}', 'Belgium') })
          .click();
        const calendarDialog = page.getByRole('dialog');
        await calendarDialog.getByText(holiday).waitFor();
        expect(await seriousViolations(page), `calendar in ${lang}`).toEqual([]);
        await calendarDialog.getByRole('button', { name: texts.common.cancel }).click();
        await calendarDialog.waitFor({ state: 'hidden' });
      }
      await page.getByText('EN', { exact: true }).first().click();
      await page.locator('html[lang="en"]').waitFor();

      // A form for the website.
      const pages: Record<string, string> = {};
      website = await startWebsite(pages);
      await page.goto(`${batonUrl}/forms`);
      await page.getByRole('button', { name: en.forms.new }).click();
      const formDialog = page.getByRole('dialog');
      await formDialog.getByLabel(en.forms.name, { exact: true }).fill('Request a demo');
      await choose(page, formDialog.getByLabel(en.forms.records), 'Demo requested');
      await formDialog.getByLabel(en.forms.origins).fill(website.origin);
      await formDialog.getByLabel(en.forms.origins).press('Enter');
      await formDialog.getByRole('button', { name: en.common.save }).click();
      await page.getByRole('cell', { name: 'Request a demo', exact: true }).waitFor();
      await page.getByRole('button', { name: en.forms.embed }).first().click();
      const snippet = await page.getByLabel(en.forms.snippet).innerText();
      expect(snippet).toContain('<form');

      const checklist = (await (await page.request.get(`${batonUrl}/api/v1/setup/checklist`)).json()) as {
        steps: { key: string; done: boolean }[];
      };
      expect(checklist.steps.filter((s) => s.done).map((s) => s.key)).toEqual([
        'people',
        'calendars',
        'routing',
        'sla',
        'form',
      ]);

      // Sanne accepts the invitation from the real email, in Dutch, and sets her hours to all week.
      const repContext = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        locale: 'en-GB',
      });
      repContext.setDefaultTimeout(actionTimeoutMs);
      const rep = await repContext.newPage();
      rep.on('pageerror', (error) => errors.push(error.message));
      await rep.goto(link!);
      await rep.getByRole('heading', { name: 'Welkom bij Baton, Sanne de Vries' }).waitFor();
      expect(await seriousViolations(rep)).toEqual([]);
      await rep.getByLabel('Nieuw wachtwoord').fill('sanne her own password');
      await rep.getByLabel('Herhaal het wachtwoord').fill('sanne her own password');
      await rep.getByRole('button', { name: 'Opslaan en inloggen' }).click();
      await rep.getByRole('button', { name: 'Afmelden' }).waitFor();
      await rep.goto(`${batonUrl}/profile`);
      await rep.getByLabel('maandag van, tijdvak 1').waitFor();
      for (const day of ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag']) {
        const from = rep.getByLabel(`${day} van, tijdvak 1`);
        if ((await from.count()) === 0)
          await rep.getByRole('button', { name: `Tijdvak toevoegen aan ${day}` }).click();
        for (const [field, time] of [
          [from, '00:00'],
          [rep.getByLabel(`${day} tot, tijdvak 1`), '23:59'],
        ] as const) {
          await field.click();
          await field.fill(time);
          await field.press('Enter');
        }
      }
      await rep.getByRole('button', { name: 'Opslaan' }).nth(1).click();
      await rep.getByText('Opgeslagen').first().waitFor();

      // The link works once: a second visit says so, with a way to ask for a new one.
      const again = await (await browser.newContext({ locale: 'en-GB' })).newPage();
      await again.goto(link!);
      await again.getByRole('alert').getByText(en.password.used).waitFor();
      await cleanInBothLanguages(again, 'used-link');

      // A visitor submits the form on the company's website: the lead is routed to Sanne.
      pages['/'] = `<!doctype html><html lang="nl"><title>Nordwind</title><h1>Demo</h1>${snippet}</html>`;
      pages['/thanks'] = '<!doctype html><title>Bedankt</title><h1>Bedankt</h1>';
      const visitor = await browser.newPage();
      await visitor.goto(`${website.origin}/`);
      await visitor.fill('input[name="email"]', 'jan@bakkerij-jansen.nl');
      await visitor.fill('input[name="firstName"]', 'Jan');
      await visitor.click('button[type="submit"]');

      const api = async <T>(path: string) =>
        (await (await page.request.get(`${batonUrl}/api/v1${path}`)).json()) as T;
      await expect
        .poll(
          async () =>
            (await api<{ data: Contact[] }>('/contacts?email=jan@bakkerij-jansen.nl')).data[0]?.ownerId ??
            null,
          { timeout: 60_000, interval: 500 },
        )
        .not.toBeNull();
      const lead = (await api<{ data: Contact[] }>('/contacts?email=jan@bakkerij-jansen.nl')).data[0]!;
      const assignments = await api<{ data: Assignment[] }>(`/contacts/${lead.id}/assignments`);
      expect(assignments.data[0]).toMatchObject({
        kind: 'rule',
        explanation: { route: expect.stringContaining('Dutch and Belgian leads') },
      });
      await rep.goto(`${batonUrl}/leads`);
      await rep.getByRole('link', { name: /Jan/ }).first().waitFor();
      await shoot(rep, 'setup-routed-lead.png');
      expect(errors).toEqual([]);
    } catch (error) {
      const cookies = await browser.contexts()[0]?.cookies();
      const cookie = cookies?.map((c) => `${c.name}=${c.value}`).join('; ') ?? '';
      for (const path of ['/routing/pools', '/contacts?email=jan@bakkerij-jansen.nl'])
        process.stderr.write(
          `${path}: ${await (await fetch(`${batonUrl}/api/v1${path}`, { headers: { cookie } })).text()}\n`,
        );
      for (const [i, context] of browser.contexts().entries())
        for (const [j, open] of context.pages().entries())
          await open
            .screenshot({ path: artifact(`setup-failed-${i}-${j}.png`), fullPage: true })
            .catch(() => {});
      throw error;
    } finally {
      await browser.close();
      await baton.stop();
      await smtp.close();
      if (website) await new Promise((resolve) => website!.server.close(resolve));
      await dispose();
    }
  });
});
