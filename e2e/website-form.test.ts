import { describe, expect, it } from 'vitest';
import type { Contact, Touchpoint } from '../src/contract/contacts.ts';
import type { Form } from '../src/contract/forms.ts';
import { hasBrowser, launchChromium, shoot } from './browser.ts';
import { createStoreEnv, startServerProcess, startWebsite } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@example.nl', BATON_ADMIN_PASSWORD: 'first admin password' };

describe.skipIf(!hasBrowser)('a form on a plain website, in Chromium', () => {
  it("creates a contact with consent, and the visitor's earlier tracked page views join its timeline", async () => {
    const { env, dispose } = await createStoreEnv('sqlite');
    const baton = await startServerProcess({ ...env, ...admin });
    const browser = await launchChromium();
    let website: Awaited<ReturnType<typeof startWebsite>> | undefined;
    try {
      const login = await fetch(`${baton.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: admin.BATON_ADMIN_EMAIL, password: admin.BATON_ADMIN_PASSWORD }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const api = async <T>(path: string, init: RequestInit = {}) => {
        const response = await fetch(`${baton.url}${path}`, {
          ...init,
          headers: { cookie, 'content-type': 'application/json', ...init.headers },
        });
        expect(response.ok).toBe(true);
        return (await response.json()) as T;
      };

      // The website's origin is only known once it listens; pages are filled in afterwards.
      const pages: Record<string, string> = {};
      website = await startWebsite(pages);
      const form = await api<Form>('/api/v1/forms', {
        method: 'POST',
        body: JSON.stringify({
          name: 'Contact sales',
          eventType: 'demo_requested',
          consentText: {
            en: 'Yes, you may email me about Acme IT.',
            nl: 'Ja, u mag mij mailen over Acme IT.',
          },
          redirectUrl: `${website.origin}/thanks`,
          allowedOrigins: [website.origin],
        }),
      });
      const { html } = await api<{ html: string }>(`/api/v1/forms/${form.id}/snippet?language=en`);
      const banner = '<button id="accept" onclick="baton.consent(true)">Accept cookies</button>';
      pages['/'] =
        `<!doctype html><title>Acme IT</title><h1>Acme IT</h1>${banner}<a href="/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring">Pricing</a><script src="${baton.url}/t.js"></script>`;
      pages['/pricing'] = `<!doctype html><title>Pricing</title><h1>Pricing</h1>${html}`;
      pages['/thanks'] = '<!doctype html><title>Thanks</title><h1>Thanks!</h1>';

      const page = await browser.newPage();
      const collected = () => page.waitForRequest((r) => r.url() === `${baton.url}/t/collect`);
      await page.goto(`${website.origin}/`);
      const firstView = collected();
      await page.click('#accept');
      await firstView;
      const secondView = collected();
      await page.click('text=Pricing');
      await secondView;

      await page.fill('input[name="email"]', 'Noor@Hooli.nl');
      await page.fill('input[name="firstName"]', 'Noor');
      await page.fill('input[name="company"]', 'Hooli B.V.');
      await page.check('input[name="consent"]');
      await shoot(page, 'website-form-filled.png');
      await Promise.all([page.waitForURL(`${website.origin}/thanks`), page.click('button[type="submit"]')]);
      await shoot(page, 'website-form-thanks.png', false);

      const contacts = await api<{ data: Contact[] }>('/api/v1/contacts?email=noor@hooli.nl');
      const contact = contacts.data[0]!;
      expect(contact).toMatchObject({
        email: 'noor@hooli.nl',
        firstName: 'Noor',
        consent: { status: 'granted', source: `form:${form.key}` },
      });
      const timeline = await api<{ data: Touchpoint[] }>(`/api/v1/contacts/${contact.id}/touchpoints`);
      expect(timeline.data.map((t) => t.type)).toEqual(['page_viewed', 'page_viewed', 'demo_requested']);
      expect(timeline.data[1]!.utm).toMatchObject({
        source: 'newsletter',
        medium: 'email',
        campaign: 'spring',
      });
      expect(contact.originalSource).toMatchObject({ touchId: timeline.data[0]!.id });
      // The form's own touch carries the campaign tags of the page it was sent from.
      expect(timeline.data[2]).toMatchObject({
        campaign: 'spring',
        utm: { source: 'newsletter', medium: 'email', campaign: 'spring' },
      });

      // A visitor who never consents is not tracked, but the form still says which campaign
      // brought them: the page's tags go with what they send.
      const stranger = await browser.newPage();
      let tracked = 0;
      stranger.on('request', (r) => {
        if (r.url() === `${baton.url}/t/collect`) tracked++;
      });
      await stranger.goto(
        `${website.origin}/pricing?utm_source=linkedin&utm_medium=paid_social&utm_campaign=cloud-q4`,
      );
      await expect.poll(() => stranger.inputValue('input[name="utm_source"]')).toBe('linkedin');
      await stranger.fill('input[name="email"]', 'sam@initech.nl');
      await Promise.all([
        stranger.waitForURL(`${website.origin}/thanks`),
        stranger.click('button[type="submit"]'),
      ]);
      expect(tracked).toBe(0);
      const sam = (await api<{ data: Contact[] }>('/api/v1/contacts?email=sam@initech.nl')).data[0]!;
      const samTouches = await api<{ data: Touchpoint[] }>(`/api/v1/contacts/${sam.id}/touchpoints`);
      expect(samTouches.data).toEqual([
        expect.objectContaining({
          type: 'demo_requested',
          campaign: 'cloud-q4',
          utm: expect.objectContaining({ source: 'linkedin', medium: 'paid_social' }) as unknown,
        }),
      ]);
      expect(sam.consent.status).not.toBe('granted');
    } finally {
      await browser.close();
      website?.server.close();
      await baton.stop();
      await dispose();
    }
  });
});
