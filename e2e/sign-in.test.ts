import { generateSync } from 'otplib';
import { describe, expect, it } from 'vitest';
import { startTestOidcProvider } from '../src/server/testing/oidc.ts';
import { hasBrowser, launchChromium, seriousViolations, shoot } from './browser.ts';
import { createStoreEnv, startServerProcess, freePort } from './helpers.ts';

const admin = {
  BATON_ADMIN_EMAIL: 'erik@nordwind-ict.example',
  BATON_ADMIN_PASSWORD: 'first admin password',
};

describe.skipIf(!hasBrowser)('signing in through single sign-on with a second factor, in Chromium', () => {
  it('sets up an authenticator app on the profile, then signs in through the OpenID Provider with a TOTP code', async () => {
    const port = await freePort();
    const batonUrl = `http://127.0.0.1:${port}`;
    const provider = await startTestOidcProvider({
      redirectUri: `${batonUrl}/api/v1/auth/oidc/callback`,
      accounts: { erik: { email: admin.BATON_ADMIN_EMAIL, name: 'Erik Jansen' } },
    });
    const { env, dispose } = await createStoreEnv('sqlite');
    const baton = await startServerProcess({
      ...env,
      ...admin,
      PORT: String(port),
      BATON_PUBLIC_URL: batonUrl,
      BATON_OIDC_ISSUER: provider.issuer,
      BATON_OIDC_CLIENT_ID: provider.clientId,
      BATON_OIDC_CLIENT_SECRET: provider.clientSecret,
      BATON_OIDC_NAME: 'Nordwind SSO',
    });
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));

      // First with the password, to set up the authenticator app on the profile.
      await page.goto(batonUrl);
      await page.getByRole('link', { name: 'Sign in with Nordwind SSO' }).waitFor();
      await page.getByLabel('Email').fill(admin.BATON_ADMIN_EMAIL);
      await page.getByLabel('Password').fill(admin.BATON_ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.goto(`${batonUrl}/profile`);
      await page.getByRole('button', { name: 'Set up' }).click();
      const secret = (await page.getByTestId('totp-secret').innerText()).trim();
      expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
      const code = (offsetSeconds = 0) =>
        generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });
      await page.getByLabel('Code from your authenticator app').fill(code());
      await page.getByRole('button', { name: 'Turn on' }).click();
      const codes = (await page.getByTestId('recovery-codes').innerText()).trim().split('\n');
      expect(codes).toHaveLength(10);
      await shoot(page, 'sign-in-recovery-codes.png', false);
      await page.getByRole('button', { name: 'I have saved them' }).click();
      await page.getByText('On', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();

      // Then through the provider: its own login page, back to Baton, and the code of the app.
      await page.getByRole('link', { name: 'Sign in with Nordwind SSO' }).click();
      await page.waitForURL(`${provider.issuer}/**`);
      await page.getByLabel('Account').fill('erik');
      await page.getByRole('button', { name: 'Sign in at the provider' }).click();
      await page.waitForURL(`${batonUrl}/sign-in?second_factor=1**`);
      await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'sign-in-second-factor.png', false);
      // The code of the step the app was confirmed in is spent; the app shows the next one.
      await page.getByLabel('Code from your authenticator app').fill(code(30));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      expect(new URL(page.url()).pathname).not.toBe('/sign-in');

      // The audit log names the way in: SSO and the second factor.
      const cookies = await context.cookies(batonUrl);
      const session = cookies.find((c) => c.name === 'baton_session')!;
      const audit = await fetch(`${batonUrl}/api/v1/audit-log?action=user.signed_in`, {
        headers: { cookie: `baton_session=${session.value}` },
      });
      const entries = ((await audit.json()) as { data: { details: Record<string, unknown> }[] }).data;
      expect(entries[0]!.details).toMatchObject({ method: 'sso', secondFactor: 'totp' });

      // The privacy officer's screens: a request about a person, and the sign-in and retention settings.
      await page.goto(`${batonUrl}/privacy`);
      await page.getByLabel('Email address').fill('onbekend@elders.nl');
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByText('Baton holds no person with this address.').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.goto(`${batonUrl}/settings`);
      await page.getByRole('tab', { name: 'Sign-in' }).click();
      await page.getByText('Everyone signs in with single sign-on').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('tab', { name: 'Data retention' }).click();
      // Webhook messages start at 90 days; the other kinds are kept until a period is set.
      expect(
        await page
          .getByLabel('Webhook messages once delivered, with their attempts (deleted; no longer replayable)')
          .inputValue(),
      ).toBe('90');
      await page.getByLabel('Text of delivered emails (blanked)').fill('180');
      await page.getByRole('button', { name: 'Save periods' }).click();
      await page.getByText('Retention periods saved.').waitFor();
      await page.getByRole('button', { name: 'What would go now?' }).click();
      // The dry run's answer (the daily job may have run already: its last run says the same).
      await page
        .getByRole('alert')
        .getByText('0 anonymous touches, 0 leads, 0 email bodies, 0 webhook messages')
        .waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'settings-retention.png', false);

      // A refused sign-in lands on a page that says why: here, a provider's answer used twice.
      await page.getByRole('button', { name: 'Sign out' }).click();
      const replay = await context.newPage();
      await replay.goto(`${batonUrl}/api/v1/auth/oidc/callback?code=used&state=already-used`);
      await replay.getByRole('alert').getByText('This sign-in link was already used or is unknown').waitFor();
      await shoot(replay, 'sign-in-refused.png', false);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await baton.stop();
      await provider.close();
      await dispose();
    }
  });
});
