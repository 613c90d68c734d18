import { describe, expect, it } from 'vitest';
import { startHubSpotFake } from '../src/server/testing/hubspot-fake.ts';
import { startPipedriveFake } from '../src/server/testing/pipedrive-fake.ts';
import { en } from '../web/src/locales/en.ts';
import { nl } from '../web/src/locales/nl.ts';
import { hasBrowser, launchChromium, signedInPage, seriousViolations, shoot } from './browser.ts';
import { createStoreEnv, freePort, startServerProcess } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@acme-ict.nl', BATON_ADMIN_PASSWORD: 'first admin password' };

describe.skipIf(!hasBrowser)('a CRM connected from the browser, in Chromium', () => {
  it('connects HubSpot with its token, follows the backfill, tests, maps a field, reads the sync log, pauses and disconnects', async () => {
    const hubspot = await startHubSpotFake();
    hubspot.addOwner({ email: admin.BATON_ADMIN_EMAIL, firstName: 'Ada', lastName: 'Admin' });
    for (let n = 0; n < 250; n++)
      hubspot.create('contacts', { email: `persoon${n}@klant${n % 20}.nl`, firstname: `Persoon${n}` });
    const { env, dispose } = await createStoreEnv('sqlite');
    // The local HubSpot listens on 127.0.0.1, which the server's operator must allow.
    const baton = await startServerProcess({ ...env, ...admin, BATON_CRM_ALLOW_PRIVATE: 'true' });
    const browser = await launchChromium();
    try {
      const { context, page, errors } = await signedInPage(
        browser,
        baton.url,
        admin.BATON_ADMIN_EMAIL,
        admin.BATON_ADMIN_PASSWORD,
      );
      // What the page asks the server to change, in order: what a failure is read against.
      const writes: string[] = [];
      page.on('request', (r) => {
        if (r.method() !== 'GET')
          writes.push(`${r.method()} ${new URL(r.url()).pathname} ${r.postData() ?? ''}`);
      });
      await page.goto(`${baton.url}/settings?tab=connections`);
      await page.getByText(en.connections.intro).waitFor();
      await page.getByText(en.connections.none).waitFor();

      // A wrong token is refused beside the field, and nothing is kept.
      await page.getByLabel(en.connections.tokenOf.hubspot).fill('pat-eu1-wrong-token');
      await page.getByLabel(en.connections.baseUrl).fill(hubspot.url);
      await page.getByRole('button', { name: en.connections.connect }).click();
      await page
        .locator('#token_help')
        .getByText(/token was refused/)
        .waitFor();

      await page.getByLabel(en.connections.tokenOf.hubspot).fill(hubspot.token);
      await page.getByRole('button', { name: en.connections.connect }).click();
      await page.getByText('…test').waitFor();
      // The lead flow's loop takes the connection up within seconds; the card follows the backfill.
      await page
        .getByText(en.connections.backfill.done.replace('{{done}}', '250'))
        .waitFor({ timeout: 60_000 });
      await page.getByText(`250 ${en.connections.linkedTypes.contact}`).waitFor();
      const violations = await seriousViolations(page);
      expect(violations, violations.join('\n')).toEqual([]);

      await page.getByRole('button', { name: en.connections.test }).click();
      await page
        .getByText(en.connections.testOk.replace('{{owners}}', '1').replace('{{matchedOwners}}', '1'))
        .waitFor();

      // The phone goes both ways, HubSpot winning.
      await page.getByRole('button', { name: en.connections.mapping }).click();
      const mapping = page.getByRole('dialog');
      await mapping.getByLabel(`${en.connections.direction}: ${en.connections.fields.phone}`).click();
      await page.getByTitle(en.connections.directions.both).click();
      await mapping.getByRole('button', { name: en.connections.saveMapping }).click();
      await mapping.waitFor({ state: 'hidden' });
      const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const connections = async () =>
        (await (await fetch(`${baton.url}/api/v1/connectors`, { headers: { cookie } })).json()) as {
          data: { mapping: { field: string; direction: string }[]; state: string }[];
        };
      expect((await connections()).data[0]!.mapping.find((m) => m.field === 'phone')).toMatchObject({
        direction: 'both',
      });

      // The sync log: no problems; everything shows the backfill's sync.
      await page.getByRole('button', { name: en.connections.log }).click();
      const log = page.getByRole('dialog');
      await log.getByText(en.connections.logEmpty).waitFor();
      await log.getByText(en.connections.show.all).click();
      await log.getByText('connectors.synced').first().waitFor();
      await shoot(page, 'connections-log.png');
      await page.keyboard.press('Escape');
      await log.waitFor({ state: 'hidden' });

      const answer = page.waitForResponse((r) => r.request().method() === 'PATCH');
      await page.getByRole('button', { name: en.connections.pause }).click();
      expect(((await (await answer).json()) as { state: string }).state).toBe('paused');
      await page.getByText(en.connections.states.paused).waitFor();
      const after = await connections();
      expect(
        after.data.map((c) => c.state),
        writes.join('\n'),
      ).toEqual(['paused']);
      await page.getByRole('button', { name: en.connections.resume }).click();
      await page.getByText(en.connections.states.active).waitFor();

      // In Dutch.
      await page.getByText('NL', { exact: true }).first().click();
      await page.getByText(nl.connections.intro).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'connections-settings-nl.png');

      await page.getByRole('button', { name: nl.connections.disconnect }).click();
      await page.getByRole('tooltip').getByRole('button', { name: nl.connections.disconnect }).click();
      await page.getByText(nl.connections.none).waitFor();
      expect((await connections()).data).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await baton.stop();
      await hubspot.close();
      await dispose();
    }
  });
  it('connects Pipedrive through an OAuth 2 app: on to Pipedrive to grant access and back, connected; a wrong app secret is told on the page', async () => {
    const pipedrive = await startPipedriveFake();
    pipedrive.addUser({ name: 'Ada Admin', email: admin.BATON_ADMIN_EMAIL });
    pipedrive.create('persons', { name: 'Piet', emails: [{ value: 'piet@klant.nl', primary: true }] });
    const port = await freePort();
    const batonUrl = `http://127.0.0.1:${port}`;
    const { env, dispose } = await createStoreEnv('sqlite');
    const baton = await startServerProcess({
      ...env,
      ...admin,
      PORT: String(port),
      BATON_PUBLIC_URL: batonUrl,
      BATON_CRM_ALLOW_PRIVATE: 'true',
    });
    const browser = await launchChromium();
    try {
      const { page, errors } = await signedInPage(
        browser,
        batonUrl,
        admin.BATON_ADMIN_EMAIL,
        admin.BATON_ADMIN_PASSWORD,
      );
      await page.goto(`${batonUrl}/settings?tab=connections`);
      await page.getByText(en.connections.none).waitFor();
      await page.getByText('Pipedrive', { exact: true }).click();
      await page.getByLabel(en.connections.oauthApp).check();
      // Where Pipedrive must send the admin back, to register in the app.
      await page.getByText(`${batonUrl}/api/v1/connectors/oauth/callback`, { exact: false }).waitFor();
      await page.getByLabel(en.connections.clientId).fill(pipedrive.oauth.app.clientId);
      await page.getByLabel(en.connections.clientSecret, { exact: true }).fill('not-the-app-secret');
      await page.getByLabel(en.connections.baseUrl).fill(pipedrive.url);
      await page
        .getByRole('button', { name: en.connections.connectOAuth.replace('{{crm}}', 'Pipedrive') })
        .click();
      // Pipedrive's page grants access and sends the browser back; the wrong secret fails the exchange.
      await page.getByText(en.connections.oauthFailed).waitFor();
      await page.getByText(/Exchanging the authorization code failed/).waitFor();
      await page.getByText(en.connections.none).waitFor();

      // Back on the page, anew: the right secret this time.
      await page.getByText('Pipedrive', { exact: true }).click();
      await page.getByLabel(en.connections.oauthApp).check();
      await page.getByLabel(en.connections.clientId).fill(pipedrive.oauth.app.clientId);
      await page
        .getByLabel(en.connections.clientSecret, { exact: true })
        .fill(pipedrive.oauth.app.clientSecret);
      await page.getByLabel(en.connections.baseUrl).fill(pipedrive.url);
      await page
        .getByRole('button', { name: en.connections.connectOAuth.replace('{{crm}}', 'Pipedrive') })
        .click();
      await page.getByText(en.connections.oauthConnected).waitFor();
      expect(new URL(page.url()).searchParams.get('connected')).toBeTruthy();
      // The card tells the app and until when its access token holds.
      await page.getByText(/^App …/).waitFor();
      await page
        .getByText(en.connections.backfill.done.replace('{{done}}', '1'))
        .waitFor({ timeout: 60_000 });
      expect(pipedrive.oauth.counts.exchanges).toBe(1);
      const violations = await seriousViolations(page);
      expect(violations, violations.join('\n')).toEqual([]);
      await shoot(page, 'connections-oauth.png');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await baton.stop();
      await pipedrive.close();
      await dispose();
    }
  });
});
