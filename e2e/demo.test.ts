import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifact, hasBrowser, launchChromium, seriousViolations } from './browser.ts';
import { createStoreEnv, runCli, startServerProcess } from './helpers.ts';

const password = 'baton demo 2026';

/** Every screen a role works in, with a text that only shows when the demo's data is there. */
const journeys: { email: string; pages: { path: string; heading: string; data: RegExp }[] }[] = [
  {
    email: 'erik@nordwind-ict.example',
    pages: [
      { path: '/overview', heading: 'Overzicht', data: /Ingestroomd/ },
      { path: '/attribution', heading: 'Attributie', data: /Webinar Cloud Security/ },
      { path: '/team', heading: 'SLA-bord van het team', data: /Naleving per accountmanager/ },
      { path: '/handoff', heading: 'Overdrachtsoverzicht', data: /Geaccepteerd/ },
    ],
  },
  {
    email: 'fleur@nordwind-ict.example',
    pages: [
      { path: '/team', heading: 'SLA-bord van het team', data: /Daan Smit|Emma Meijer|Jesse de Boer/ },
      { path: '/queue/unassigned', heading: 'Niet-toegewezen wachtrij', data: /Toewijzen|Elke lead/ },
    ],
  },
  {
    email: 'sanne@nordwind-ict.example',
    pages: [
      { path: '/handoff', heading: 'Overdrachtsoverzicht', data: /Afgewezen/ },
      { path: '/forms', heading: 'Formulieren', data: /Contact sales/ },
      { path: '/attribution', heading: 'Attributie', data: /paid_search/ },
      { path: '/glossary', heading: 'Begrippenlijst', data: /MQL/ },
      { path: '/scoring', heading: 'Scoremodel', data: /Demo aangevraagd|Demo requested/ },
    ],
  },
  {
    email: 'ada@nordwind-ict.example',
    pages: [
      { path: '/settings', heading: 'Settings', data: /Fleur Visser/ },
      { path: '/scoring', heading: 'Scoring model', data: /Calibration/ },
      { path: '/audit-log', heading: 'Audit log', data: /Signed in/ },
    ],
  },
  {
    email: 'lars@nordwind-ict.example',
    pages: [
      { path: '/overview', heading: 'Overview', data: /Marketing’s pace/ },
      { path: '/attribution', heading: 'Attribution', data: /Google Ads Managed Services/ },
    ],
  },
];

describe.skipIf(!hasBrowser)('the demo company', () => {
  it('fills a fresh store with a year of data that every screen shows without errors', async () => {
    const { env, dispose } = await createStoreEnv('sqlite');
    const browser = await launchChromium();
    let stop: (() => Promise<unknown>) | undefined;
    try {
      // A year of a company, simulated: some 25 s on a quiet machine, several times that on a busy one.
      const demo = await runCli(['demo'], env, '', { timeoutMs: 480_000 });
      expect(demo.code, demo.stderr).toBe(0);
      expect(demo.stdout).toMatch(/Demo company Nordwind ICT: \d+ people, \d+ touches over twelve months/);
      expect(demo.stdout).toContain('daan@nordwind-ict.example');
      // A second run refuses: the demo only fills a fresh store.
      const again = await runCli(['demo'], env);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain('already has users');

      const baton = await startServerProcess(env);
      stop = () => baton.stop();
      const errors: string[] = [];
      const violations: string[] = [];
      const watch = (page: Page) => {
        page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
            errors.push(`${page.url()}: ${message.text()}`);
        });
        page.on('response', (response) => {
          const path = new URL(response.url()).pathname;
          if (response.status() === 401 && path === '/api/v1/auth/session') return;
          if (response.status() >= 400) errors.push(`${page.url()}: ${response.status()} ${path}`);
        });
      };

      for (const journey of journeys) {
        const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
        const page = await context.newPage();
        watch(page);
        await page.goto(baton.url);
        await page.getByLabel(/Email|E-mail/).fill(journey.email);
        await page.getByLabel(/Password|Wachtwoord/).fill(password);
        await page.getByRole('button', { name: /Sign in|Aanmelden/ }).click();
        await page.getByRole('button', { name: /Sign out|Afmelden/ }).waitFor();
        for (const { path, heading, data } of journey.pages) {
          await page.goto(`${baton.url}${path}`);
          await page.getByRole('heading', { name: heading, exact: true }).waitFor();
          await page.getByText(data).first().waitFor();
          await page.waitForLoadState('networkidle');
          violations.push(...(await seriousViolations(page)).map((v) => `${path}: ${v}`));
          await page.screenshot({
            path: artifact(`demo-${journey.email.split('@')[0]}${path.replaceAll('/', '-')}.png`),
            fullPage: true,
          });
        }
        if (journey.email.startsWith('lars@')) {
          // From the overview to a commitment's days, and from the tracker to a lead's page.
          await page.goto(`${baton.url}/overview`);
          await page.locator('a[href^="/commitments/"]').first().click();
          await page.getByRole('heading', { name: 'Day by day' }).waitFor();
          violations.push(...(await seriousViolations(page)).map((v) => `commitment: ${v}`));
          await page.goto(`${baton.url}/handoff`);
          await page.locator('a[href^="/leads/"]').first().click();
          await page.getByRole('heading', { name: 'Timeline' }).waitFor();
          await page.getByRole('heading', { name: 'Why an MQL' }).waitFor();
          await page.waitForLoadState('networkidle');
          violations.push(...(await seriousViolations(page)).map((v) => `lead: ${v}`));
          await page.screenshot({ path: artifact('demo-lars-lead.png'), fullPage: true });
          await page.goto(`${baton.url}/profile`);
          await page.getByRole('heading', { name: 'Working hours' }).waitFor();
          violations.push(...(await seriousViolations(page)).map((v) => `profile: ${v}`));
          // A won deal's ledger: the credit recognised at the win, touch by touch.
          await page.goto(`${baton.url}/attribution`);
          await page.getByRole('button', { name: 'Ledger' }).first().click();
          await page
            .getByRole('dialog')
            .getByText(/Recognised at the win: W-shaped/)
            .waitFor();
          await page
            .getByRole('dialog')
            .getByText(/First touch/)
            .first()
            .waitFor();
          violations.push(...(await seriousViolations(page)).map((v) => `ledger: ${v}`));
          await page.screenshot({ path: artifact('demo-lars-ledger.png'), fullPage: true });
        }
        await context.close();
      }

      // A rep's queue and a lead's page, with the rep's own data.
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      watch(page);
      await page.goto(baton.url);
      await page.getByLabel(/Email|E-mail/).fill('emma@nordwind-ict.example');
      await page.getByLabel(/Password|Wachtwoord/).fill(password);
      await page.getByRole('button', { name: /Sign in|Aanmelden/ }).click();
      await page.getByRole('heading', { name: 'My leads' }).waitFor();
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: artifact('demo-emma-leads.png'), fullPage: true });
      const deals = await fetch(
        `${baton.url}/api/v1/handoff/fates?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`,
        {
          headers: { cookie: (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
        },
      );
      const fates = (await deals.json()) as { summary: { mqls: number; accepted: number; won: number } };
      expect(fates.summary.mqls).toBeGreaterThan(10);
      expect(fates.summary.accepted).toBeGreaterThan(5);
      await context.close();

      // The admin's settings, tab by tab.
      const admin = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      const settings = await admin.newPage();
      watch(settings);
      await settings.goto(baton.url);
      await settings.getByLabel('Email').fill('ada@nordwind-ict.example');
      await settings.getByLabel('Password').fill(password);
      await settings.getByRole('button', { name: 'Sign in' }).click();
      await settings.getByRole('button', { name: 'Sign out' }).waitFor();
      await settings.goto(`${baton.url}/settings`);
      for (const [tab, data] of [
        ['Teams', 'Sales Randstad'],
        ['Stages', 'Marketing qualified lead'],
        ['Routing', 'Enterprise (Randstad)'],
        ['Follow-up (SLA)', 'Dutch public holidays'],
        ['API keys', 'No API keys'],
      ] as const) {
        await settings.getByRole('tab', { name: tab }).click();
        await settings.getByRole('tabpanel').getByText(data).first().waitFor();
        violations.push(...(await seriousViolations(settings)).map((v) => `settings ${tab}: ${v}`));
        await settings.screenshot({
          path: artifact(`demo-settings-${tab.split(' ')[0]!.toLowerCase()}.png`),
          fullPage: true,
        });
      }
      await admin.close();

      expect(errors).toEqual([]);
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
      await stop?.();
      await dispose();
    }
  }, 600_000);
});
