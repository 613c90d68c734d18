import { beforeEach, expect, it } from 'vitest';
import type { Form } from '../../../contract/forms.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';
import { findConsentRecords } from '../contacts/contacts.repository.ts';

describeEachDialect('forms and tracking from websites', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let form: Form;
  const site = 'https://www.acme-it.nl';

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    app = await createTestApp(context);
    const cookie = await signIn(app, (await addUser(context, 'marketing')).email);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/forms',
      headers: { cookie },
      payload: {
        name: 'Demo request',
        eventType: 'demo_requested',
        fieldMapping: { email: 'email', voornaam: 'firstName', bedrijf: 'company' },
        consentText: { en: 'Yes, keep me informed.', nl: 'Ja, houd mij op de hoogte.' },
        redirectUrl: `${site}/bedankt`,
        allowedOrigins: [site],
      },
    });
    expect(created.statusCode).toBe(201);
    form = created.json<Form>();
    return () => app.close();
  });

  const contactByEmail = async (email: string) =>
    (await context.services.contacts.listContacts({ kind: 'cli' }, { email })).data[0];
  const postForm = (payload: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: `/f/${form.key}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site, ...headers },
      payload,
    });

  it('gives marketing a snippet with the form, the honeypot and the tracking script', async () => {
    const snippet = await context.services.forms.snippet(
      { kind: 'cli' },
      form.id,
      'https://baton.acme-it.nl',
      'nl',
    );
    expect(snippet).toContain(`action="https://baton.acme-it.nl/f/${form.key}"`);
    expect(snippet).toContain('src="https://baton.acme-it.nl/t.js"');
    expect(snippet).toContain('name="website"');
    expect(snippet).toContain('Ja, houd mij op de hoogte.');
    expect(snippet).toContain('Voornaam');
  });

  it('turns a form post into a contact with consent kept with its text and time, and redirects', async () => {
    context.clock.set('2026-01-05T10:00:00.000Z');
    const response = await postForm(
      'email=Lotte%40Initech.nl&voornaam=Lotte&bedrijf=Initech+B.V.&consent=yes&baton_language=nl&vraag=Prijs%3F',
    );
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`${site}/bedankt`);

    const contact = (await contactByEmail('lotte@initech.nl'))!;
    expect(contact).toMatchObject({
      firstName: 'Lotte',
      consent: { status: 'granted', source: `form:${form.key}`, at: '2026-01-05T10:00:00.000Z' },
    });
    const records = await findConsentRecords(getDatabase().db, contact.id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      status: 'granted',
      text: 'Ja, houd mij op de hoogte.',
      language: 'nl',
    });
    const touches = await context.services.contacts.listTouchpoints({ kind: 'cli' }, contact.id);
    expect(touches[0]).toMatchObject({ type: 'demo_requested', campaign: 'Demo request' });
    expect(touches[0]!.properties).toMatchObject({
      form: form.key,
      consent: true,
      fields: { vraag: 'Prijs?' },
    });
  });

  it('answers JSON posts from an allowed site with CORS, and refuses other sites', async () => {
    const ok = await app.inject({
      method: 'POST',
      url: `/f/${form.key}`,
      headers: { origin: site },
      payload: { email: 'json@initech.nl' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(site);
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: `/f/${form.key}`,
      headers: { origin: site },
    });
    expect(preflight.statusCode).toBe(204);

    const foreign = await app.inject({
      method: 'POST',
      url: `/f/${form.key}`,
      headers: { origin: 'https://evil.example' },
      payload: { email: 'x@initech.nl' },
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('forms.origin_not_allowed');
    expect(await contactByEmail('x@initech.nl')).toBeUndefined();
  });

  it('never loses the person for a field the contact cannot take, and offers visitors no import fields', async () => {
    // A form made when the targets still included an import's id and outcome (as stored then).
    await getDatabase()
      .db.updateTable('forms')
      .set({
        field_mapping: JSON.stringify({
          email: 'email',
          land: 'country',
          klantnummer: 'externalId',
          stand: 'outcome',
        }),
      })
      .where('id', '=', form.id)
      .execute();
    const read = await context.services.forms.snippet(
      { kind: 'cli' },
      form.id,
      'https://baton.acme-it.nl',
      'en',
    );
    expect(read).toContain('name="land"');
    expect(read).not.toContain('name="klantnummer"');
    expect(read).not.toContain('name="stand"');

    const response = await postForm('email=kees%40initech.nl&land=Holland&klantnummer=42&stand=won');
    expect(response.statusCode, response.body).toBe(303);
    const contact = (await contactByEmail('kees@initech.nl'))!;
    expect(contact).toMatchObject({ country: null, externalId: null, outcome: null });
    const [submitted] = await context.services.contacts.listTouchpoints({ kind: 'cli' }, contact.id);
    // What the visitor typed in the field that could not be stored is kept with the submission.
    expect(submitted!.properties).toMatchObject({
      refused: { country: { value: 'Holland', reason: expect.any(String) as string } },
    });
  });

  it('takes the campaign tags of the page the form is on, from its hidden fields or its address', async () => {
    const page = `${site}/demo?utm_source=linkedin&utm_medium=paid_social&utm_campaign=cloud-q4`;
    await postForm(`email=ivo%40initech.nl&baton_page=${encodeURIComponent(page)}`);
    const fromAddress = (await contactByEmail('ivo@initech.nl'))!;
    const [touch] = await context.services.contacts.listTouchpoints({ kind: 'cli' }, fromAddress.id);
    expect(touch).toMatchObject({
      campaign: 'cloud-q4',
      utm: { source: 'linkedin', medium: 'paid_social', campaign: 'cloud-q4' },
    });
    await postForm(
      `email=bo%40initech.nl&utm_source=google&utm_medium=cpc&utm_campaign=brand&baton_page=${encodeURIComponent(page)}`,
    );
    const fromFields = (await contactByEmail('bo@initech.nl'))!;
    const [tagged] = await context.services.contacts.listTouchpoints({ kind: 'cli' }, fromFields.id);
    expect(tagged).toMatchObject({ campaign: 'brand', utm: { source: 'google', medium: 'cpc' } });
    const snippet = await context.services.forms.snippet(
      { kind: 'cli' },
      form.id,
      'https://baton.acme-it.nl',
      'en',
    );
    for (const tag of ['source', 'medium', 'campaign', 'term', 'content'])
      expect(snippet).toContain(`<input type="hidden" name="utm_${tag}">`);
  });

  it('answers a filled honeypot like a success and stores nothing', async () => {
    const response = await postForm('email=bot%40spam.example&website=http%3A%2F%2Fspam.example');
    expect(response.statusCode).toBe(303);
    expect(await contactByEmail('bot@spam.example')).toBeUndefined();
  });

  it('refuses a post without an email, naming the field, and an unknown form', async () => {
    // A visitor's browser gets a page in their language; a script the problem details.
    const page = await postForm('voornaam=Anon&baton_language=nl');
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<html lang="nl">');
    expect(page.body).toContain('Vul uw e-mailadres in.');
    expect(page.body).not.toContain('forms.email_required');
    const english = await postForm('voornaam=Anon');
    expect(english.body).toContain('Please enter your email address.');
    const response = await app.inject({
      method: 'POST',
      url: `/f/${form.key}`,
      headers: { origin: site },
      payload: { voornaam: 'Anon' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'forms.email_required',
      errors: [{ field: 'body.email' }],
    });
    const unknown = await app.inject({
      method: 'POST',
      url: '/f/doesnotexist',
      payload: { email: 'a@b.nl' },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('keeps an opted-out person opted out after a form, while keeping the consent record', async () => {
    const contact = await context.services.contacts.createContact(
      { kind: 'cli' },
      { email: 'out@initech.nl', optOut: { isOptedOut: true, source: 'email:unsubscribe' } },
    );
    await postForm('email=out%40initech.nl&consent=yes');
    const after = await context.services.contacts.getContact({ kind: 'cli' }, contact.id);
    expect(after.optOut.isOptedOut).toBe(true);
    expect(after.consent.status).toBe('unknown');
    expect(await findConsentRecords(getDatabase().db, contact.id)).toHaveLength(1);
  });

  it('limits posts per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push(
        (await postForm(`email=r${i}%40initech.nl`, { 'x-forwarded-for': '1.2.3.4' })).statusCode,
      );
    }
    expect(statuses.slice(0, 10).every((s) => s === 303)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it("joins tracked page views to the contact when the visitor's form arrives", async () => {
    const visitorId = 'v_track12345';
    const view = (url: string, referrer?: string) =>
      app.inject({
        method: 'POST',
        url: '/t/collect',
        headers: { origin: site, 'content-type': 'text/plain' },
        payload: JSON.stringify({ visitorId, url, title: 'Acme IT', ...(referrer && { referrer }) }),
      });
    expect((await view(`${site}/?utm_source=google&utm_medium=cpc&utm_campaign=cloud`)).statusCode).toBe(204);
    expect((await view(`${site}/prijzen`, `${site}/`)).statusCode).toBe(204);
    // A visit without tags gets its channel from where it came from, as GA4 groups them.
    expect((await view(`${site}/blog`, 'https://www.linkedin.com/feed/')).statusCode).toBe(204);
    const refused = await app.inject({
      method: 'POST',
      url: '/t/collect',
      headers: { origin: 'https://elsewhere.example', 'content-type': 'text/plain' },
      payload: JSON.stringify({ visitorId, url: 'https://elsewhere.example/' }),
    });
    expect(refused.statusCode).toBe(403);
    // Adding the site to a form lets it track at once.
    await context.services.forms.updateForm({ kind: 'cli' }, form.id, {
      allowedOrigins: [site, 'https://elsewhere.example'],
    });
    const welcome = await app.inject({
      method: 'POST',
      url: '/t/collect',
      headers: { origin: 'https://elsewhere.example', 'content-type': 'text/plain' },
      payload: JSON.stringify({ visitorId: 'v_elsewhere01', url: 'https://elsewhere.example/' }),
    });
    expect(welcome.statusCode).toBe(204);

    await postForm(`email=kim%40initech.nl&baton_visitor_id=${visitorId}`);
    const contact = (await contactByEmail('kim@initech.nl'))!;
    const touches = await context.services.contacts.listTouchpoints({ kind: 'cli' }, contact.id);
    expect(touches.map((t) => t.type)).toEqual([
      'page_viewed',
      'page_viewed',
      'page_viewed',
      'demo_requested',
    ]);
    expect(touches[0]!.utm).toMatchObject({ source: 'google', medium: 'cpc', campaign: 'cloud' });
    expect(touches.map((t) => t.channel)).toEqual(['cpc', null, 'organic_social', null]);
    expect(contact.originalSource).toMatchObject({ channel: 'cpc', campaign: 'cloud' });

    const script = await app.inject({ url: '/t.js' });
    expect(script.headers['content-type']).toContain('javascript');
    expect(script.body).toContain('baton_visitor_id');
  });
});
