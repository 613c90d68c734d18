import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { en } from '../web/src/locales/en.ts';
import { loadTestSettings } from '../src/server/config.ts';

const settings = loadTestSettings();

/** Whether Chromium is here; with BATON_TEST_REQUIRE_BROWSER set, its absence fails the run. */
export const hasBrowser = existsSync(settings.chromiumPath);
if (!hasBrowser) {
  if (settings.requireBrowser) {
    throw new Error(
      `BATON_TEST_REQUIRE_BROWSER is set but there is no Chromium at ${settings.chromiumPath}.`,
    );
  }
  console.warn(`[baton tests] no Chromium at ${settings.chromiumPath}: browser journeys are skipped.`);
}

/**
 * Starts Chromium as CI does. Every context it opens asks for reduced motion, as a user's system
 * can: the web app then turns antd's motion off (see `stillTheme`), so a click does not wait for a
 * dropdown to slide in or a dialog to fade, which made the journeys slow and, on a loaded machine,
 * flaky. A context opened with `reducedMotion: 'no-preference'` sees the animated app, as most
 * people do.
 */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: settings.chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = (options) => newContext({ reducedMotion: 'reduce', ...options });
  const newPage = browser.newPage.bind(browser);
  browser.newPage = (options) => newPage({ reducedMotion: 'reduce', ...options });
  return browser;
}

/** Screenshots of each journey land here, as test artifacts (not committed). */
export const artifactsDir = new URL('./artifacts/', import.meta.url).pathname;
export function artifact(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, name);
}

/**
 * Saves a screenshot of a page (the whole page unless `fullPage` is false) or of one element, as
 * an artifact to look at; nothing when BATON_E2E_SCREENSHOTS=0 (CI, where no one looks and each
 * full page costs a second of a busy machine).
 */
export async function shoot(target: Page | Locator, name: string, fullPage = true): Promise<void> {
  if (!settings.screenshots) return;
  await target.screenshot({ path: artifact(name), ...(fullPage && 'goto' in target && { fullPage: true }) });
}

/** The requests a page has in flight, and when the last one ended: counted from its first visit. */
const traffic = new WeakMap<Page, { inflight: number; quietSince: number }>();
function trafficOf(page: Page) {
  let seen = traffic.get(page);
  if (!seen) {
    const counts = { inflight: 0, quietSince: performance.now() };
    const ended = () => {
      // A request that began before the count did ends without having been counted.
      counts.inflight = Math.max(0, counts.inflight - 1);
      if (counts.inflight === 0) counts.quietSince = performance.now();
    };
    page.on('request', () => (counts.inflight += 1));
    page.on('requestfinished', ended);
    page.on('requestfailed', ended);
    traffic.set(page, counts);
    seen = counts;
  }
  return seen;
}

/**
 * Opens another screen of the signed-in app as its own menu and links do: a route change in the
 * page, not a new document. A new document costs Chromium some 0.8 s of CPU (the app starts again,
 * and axe is injected again), a route change 0.2 s; the journeys that walk every screen of every
 * role opened some 150. It returns when the screen it left is gone and no request has been in
 * flight for a quarter of a second, as `networkidle` does for a new document. A screen of the same
 * kind (one lead's page after another's, where the app keeps the page and changes its data), a
 * page that is not the signed-in app, or another origin is opened with `page.goto`.
 */
export async function visit(page: Page, url: string): Promise<void> {
  const here = new URL(page.url());
  const there = new URL(url, here);
  const kind = (path: string) => path.split('/')[1];
  const inApp = here.origin === there.origin && (await page.locator('.baton-main').count()) > 0;
  if (!inApp || kind(here.pathname) === kind(there.pathname)) {
    await page.goto(there.href);
    return;
  }
  const counts = trafficOf(page);
  // The screen being left is marked; a screen of another kind is another component, whose elements
  // React makes anew, so the mark is gone once the new one (or its loading state) is in place.
  await page.evaluate(
    `document.querySelector('.baton-main')?.firstElementChild?.setAttribute('data-left', '')`,
  );
  const to = JSON.stringify(there.pathname + there.search + there.hash);
  await page.evaluate(`history.pushState(null, '', ${to}); dispatchEvent(new PopStateEvent('popstate'))`);
  await page.waitForFunction(`document.querySelector('.baton-main [data-left]') === null`);
  const settled = () => counts.inflight === 0 && performance.now() - counts.quietSince >= 250;
  const until = performance.now() + 90_000;
  while (!settled()) {
    if (performance.now() > until) throw new Error(`${there.pathname} kept loading for 90 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe in the page and returns the serious and critical violations (WCAG 2 A/AA and best practice). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Judge the page at rest: a toast or a dialog still fading in has not reached its colours yet
  // (axe then measures a half-transparent text), which made these checks fail now and then. A
  // button still showing its spinner after a save is half-transparent too: wait for its answer.
  await page.waitForFunction(
    `document.querySelector('.ant-btn-loading') === null &&
      document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)`,
  );
  // Once per document: a route change in the app keeps it, a navigation does not.
  if (!(await page.evaluate(`typeof axe !== 'undefined'`))) await page.addScriptTag({ path: axePath });
  // Only the violations are read: axe then keeps one node of each passed or incomplete rule rather
  // than all (the same violations, 16% less of Chromium's time on the journeys' screens).
  const rules = JSON.stringify({
    runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    resultTypes: ['violations'],
  });
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(${rules}).then((r) => r.violations)`);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Picks an option of an antd select: opens it, clicks the option, and checks it took. On a loaded
 * machine the list can keep sliding in (the option "not stable" for long): the keyboard then walks
 * to the option and takes it. It tries three times.
 */
export async function choose(page: Page, select: Locator, option: string, search?: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    await select.click();
    // A long list (the time zones) is filtered first: only the options in view exist.
    if (search) await select.fill(search);
    const dropdown = page.locator('.ant-select-dropdown:visible');
    try {
      await dropdown.locator('.ant-select-item-option', { hasText: option }).first().click({ timeout: 5000 });
    } catch {
      for (let step = 0; step < 80; step += 1) {
        const active = await dropdown
          .locator('.ant-select-item-option-active')
          .first()
          .getAttribute('title', { timeout: 2000 })
          .catch(() => null);
        if (active === option) {
          await page.keyboard.press('Enter');
          break;
        }
        await page.keyboard.press('ArrowDown');
      }
    }
    try {
      await select
        .locator('xpath=ancestor::div[contains(@class,"ant-select")][1]')
        .getByText(option)
        .first()
        .waitFor({ timeout: 5000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * A desktop page in English, signed in through the sign-in page as `email`; its uncaught errors
 * are collected in `errors`. Every action waits at most 30 s.
 */
export async function signedInPage(browser: Browser, url: string, email: string, password: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.getByLabel(en.signIn.email).fill(email);
  await page.getByLabel(en.signIn.password).fill(password);
  await page.getByRole('button', { name: en.signIn.submit }).click();
  await page.getByRole('button', { name: en.nav.signOut }).waitFor();
  return { context, page, errors };
}
