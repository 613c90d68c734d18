import { beforeEach, expect, it } from 'vitest';
import type { IngestResponse } from '../../../contract/events.ts';
import type { ImportReport } from '../../../contract/imports.ts';
import { unstorableTextReason } from '../../../contract/text.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from './http.ts';

const nul = 'x\u0000y';
const loneSurrogate = 'Jan\uD800';

// Issue 18, holes 3 and 11: text and dates PostgreSQL cannot store are refused on both stores
// alike, the one bad item only; a CSV file that is not UTF-8 is read in its encoding, and bytes
// that are text in none are refused row by row, never stored as U+FFFD.
describeEachDialect('text and dates no store can keep', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let cookie: string;
  const cli = { kind: 'cli' } as const;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-03-10T12:00:00.000Z');
    app = await createTestApp(context);
    cookie = await signIn(app, (await addUser(context, 'admin')).email);
    return () => app.close();
  });

  const post = (url: string, payload: unknown) =>
    app.inject({ method: 'POST', url, headers: { cookie }, payload: payload as object });
  const importCsv = (kind: string, body: Buffer | string, query = '') =>
    app.inject({
      method: 'POST',
      url: `/api/v1/imports/${kind}${query}`,
      headers: { cookie, 'content-type': 'text/csv' },
      payload: body,
    });
  const contactByEmail = async (email: string) =>
    (await context.services.contacts.listContacts(cli, { email })).data[0];

  it('rejects only the event that holds a NUL or an unpaired surrogate, and stores the other 48 of a batch', async () => {
    const events = Array.from({ length: 50 }, (_, i) => ({
      type: 'page_viewed',
      occurredAt: '2026-03-10T10:00:00Z',
      email: `p${i}@acme.nl`,
      ...(i === 7 && { properties: { note: nul } }),
      ...(i === 31 && { firstName: loneSurrogate }),
    }));
    const response = await post('/api/v1/events', { events });
    expect(response.statusCode).toBe(200);
    const body = response.json<IngestResponse>();
    expect(body).toMatchObject({ accepted: 48, rejected: 2 });
    expect(body.results[7]).toMatchObject({
      status: 'rejected',
      errors: [{ field: 'properties.note', reason: unstorableTextReason }],
    });
    expect(body.results[31]).toMatchObject({
      status: 'rejected',
      errors: [{ field: 'firstName', reason: unstorableTextReason }],
    });
    expect(await contactByEmail('p8@acme.nl')).toBeDefined();
    expect(await contactByEmail('p7@acme.nl')).toBeUndefined();
    // A retrying client gets the same answer, not a loop of 500s.
    expect((await post('/api/v1/events', { events })).json<IngestResponse>()).toMatchObject({
      duplicates: 0,
      rejected: 2,
    });
  });

  it('refuses such text in any JSON body, query or path with a 400 naming the field', async () => {
    const single = await post('/api/v1/events', {
      type: 'page_viewed',
      occurredAt: '2026-03-10T10:00:00Z',
      email: 'one@acme.nl',
      properties: { [nul]: 1 },
    });
    expect(single.statusCode).toBe(400);
    expect(single.json()).toMatchObject({
      code: 'http.validation_failed',
      errors: [{ field: 'body.properties' }],
    });

    const team = await post('/api/v1/teams', { name: loneSurrogate });
    expect(team.statusCode).toBe(400);
    expect(team.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(team.json()).toMatchObject({
      code: 'http.validation_failed',
      errors: [{ field: 'body.name', reason: unstorableTextReason }],
    });

    const query = await app.inject({
      method: 'GET',
      url: '/api/v1/contacts?email=a%00b',
      headers: { cookie },
    });
    expect(query.statusCode).toBe(400);
    expect(query.json()).toMatchObject({ errors: [{ field: 'query.email' }] });
    const path = await app.inject({ method: 'GET', url: '/api/v1/contacts/%ED%A0%80', headers: { cookie } });
    expect(path.statusCode).toBe(400);
  });

  it('refuses dates outside the years 1900 to 2999 by the contract, as it refuses them in a CSV', async () => {
    const user = await addUser(context, 'sales_rep');
    const absence = await post(`/api/v1/users/${user.id}/absences`, {
      startsAt: '0000-01-01T00:00:00Z',
      endsAt: '2026-03-12T00:00:00Z',
      reason: 'holiday',
    });
    expect(absence.statusCode).toBe(400);
    expect(absence.json()).toMatchObject({ errors: [{ field: 'body.startsAt' }] });
    const agreement = await post('/api/v1/agreements', {
      name: 'Year zero',
      effectiveFrom: '0000-06-01T00:00:00Z',
    });
    expect(agreement.statusCode).toBe(400);
    expect(agreement.json()).toMatchObject({
      errors: expect.arrayContaining([{ field: 'body.effectiveFrom', reason: expect.any(String) }]),
    });

    const events = await importCsv(
      'events',
      'email,type,occurredAt\nold@acme.nl,page_viewed,0000-01-01\nnew@acme.nl,page_viewed,2026-03-01\n',
    );
    expect(events.json<ImportReport>()).toMatchObject({
      valid: 1,
      rejected: 1,
      errors: [{ row: 2, column: 'occurredAt' }],
    });
  });

  it('reads a Latin-1 (Windows-1252) CSV as such, says so in the dry run, and stores its accents', async () => {
    const file = Buffer.from(
      'email;firstName;lastName\nrene@acme.nl;René;Müller\nzoe@acme.nl;Zoë;Çelik\n',
      'latin1',
    );
    const dry = await importCsv('contacts', file, '?dryRun=true');
    expect(dry.json<ImportReport>()).toMatchObject({
      dryRun: true,
      valid: 2,
      rejected: 0,
      encoding: 'windows-1252',
    });
    const real = await importCsv('contacts', file);
    expect(real.json<ImportReport>()).toMatchObject({ created: 2, encoding: 'windows-1252' });
    expect(await contactByEmail('rene@acme.nl')).toMatchObject({ firstName: 'René', lastName: 'Müller' });
    expect(await contactByEmail('zoe@acme.nl')).toMatchObject({ firstName: 'Zoë', lastName: 'Çelik' });
  });

  it('refuses, row by row, bytes that are not UTF-8 in a UTF-8 file and cells with NUL; stores the rest', async () => {
    // 70 kB of good UTF-8 first, so the sample says UTF-8; then one row with a Latin-1 byte.
    const good = Array.from({ length: 1500 }, (_, i) => `p${i}@acme.nl,Zoë ${'ë'.repeat(20)} ${i}`).join(
      '\n',
    );
    const file = Buffer.concat([
      Buffer.from(`email,firstName\n${good}\n`),
      Buffer.from('bad@acme.nl,Ren\xe9\n', 'latin1'),
      Buffer.from(`nul@acme.nl,${nul}\nlast@acme.nl,Laatste\n`),
    ]);
    expect(file.length).toBeGreaterThan(64 * 1024);
    const report = (await importCsv('contacts', file)).json<ImportReport>();
    expect(report).toMatchObject({ encoding: 'utf-8', created: 1501, rejected: 2 });
    expect(report.errors).toEqual([
      { row: 1502, column: 'firstName', reason: expect.stringContaining('not UTF-8 text') },
      { row: 1503, column: 'firstName', reason: unstorableTextReason },
    ]);
    expect(await contactByEmail('bad@acme.nl')).toBeUndefined();
    expect(await contactByEmail('last@acme.nl')).toMatchObject({ firstName: 'Laatste' });
    const stored = await context.services.contacts.listContacts(cli, { limit: 200 });
    expect(stored.data.some((c) => c.firstName?.includes('\uFFFD'))).toBe(false);
  });
});
