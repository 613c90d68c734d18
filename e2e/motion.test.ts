import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../web/src/locales/en.ts';
import { hasBrowser, launchChromium } from './browser.ts';
import { createStoreEnv, startServerProcess, type ServerProcess } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@example.nl', BATON_ADMIN_PASSWORD: 'first admin password' };

/** The names of the animations running in the page just after a click on "Sign in" with empty fields. */
async function animationsAfterClick(
  browser: Browser,
  url: string,
  reducedMotion: 'reduce' | 'no-preference',
) {
  const context = await browser.newContext({ reducedMotion, locale: 'en-GB' });
  try {
    const page = await context.newPage();
    await page.goto(`${url}/sign-in`);
    await page.getByRole('button', { name: en.signIn.submit, exact: true }).click();
    // The form says what is missing in both cases; only the way it appears differs.
    await page.locator('.ant-form-item-explain-error').first().waitFor();
    return await page.evaluate<string[]>(
      `document.getAnimations().filter((a) => a.playState === 'running').map((a) => String(a.effect?.target?.className ?? ''))`,
    );
  } finally {
    await context.close();
  }
}

describe.skipIf(!hasBrowser)("the system's reduce-motion setting, in Chromium", () => {
  let baton: ServerProcess;
  let browser: Browser;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const store = await createStoreEnv('sqlite');
    dispose = store.dispose;
    baton = await startServerProcess({ ...store.env, ...admin });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await baton?.stop();
    await dispose?.();
  });

  it('moves nothing when the system asks for less motion, and keeps the click wave otherwise', async () => {
    const animated = await animationsAfterClick(browser, baton.url, 'no-preference');
    expect(animated.some((name) => name.includes('ant-wave'))).toBe(true);
    expect(await animationsAfterClick(browser, baton.url, 'reduce')).toEqual([]);
  });
});
