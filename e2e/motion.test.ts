import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../web/src/locales/en.ts';
import { hasBrowser, launchChromium } from './browser.ts';
import { createStoreEnv, startServerProcess, type ServerProcess } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@example.nl', BATON_ADMIN_PASSWORD: 'first admin password' };

/**
 * What moves after a click on "Sign in" with empty fields: the elements the click added (antd's
 * wave is one, for as long as it plays) and the animations still running once the form has said
 * what is missing. The added elements are recorded as they come, so a wave that ended before a
 * slow machine showed the message still counts.
 */
async function motionAfterClick(browser: Browser, url: string, reducedMotion: 'reduce' | 'no-preference') {
  const context = await browser.newContext({ reducedMotion, locale: 'en-GB' });
  try {
    const page = await context.newPage();
    await page.goto(`${url}/sign-in`);
    await page.getByRole('button', { name: en.signIn.submit, exact: true }).waitFor();
    await page.evaluate(`(() => {
      window.addedClasses = [];
      new MutationObserver((changes) => {
        for (const change of changes)
          for (const node of change.addedNodes)
            if (node.nodeType === 1) window.addedClasses.push(String(node.className ?? ''));
      }).observe(document.body, { childList: true, subtree: true });
    })()`);
    await page.getByRole('button', { name: en.signIn.submit, exact: true }).click();
    // The form says what is missing in both cases; only the way it appears differs.
    await page.locator('.ant-form-item-explain-error').first().waitFor();
    const added = await page.evaluate<string[]>('window.addedClasses');
    const running = await page.evaluate<string[]>(
      `document.getAnimations().filter((a) => a.playState === 'running').map((a) => String(a.effect?.target?.className ?? ''))`,
    );
    return { waved: added.some((name) => name.includes('ant-wave')), running };
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
    expect((await motionAfterClick(browser, baton.url, 'no-preference')).waved).toBe(true);
    expect(await motionAfterClick(browser, baton.url, 'reduce')).toEqual({ waved: false, running: [] });
  });
});
