import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import { sniffDelimiter } from '../shared/csv-input.ts';

const cli = { kind: 'cli' } as const;

describe('sniffDelimiter', () => {
  it.each([
    ['email,first name,company', ','],
    ['E-mailadres;Voornaam;Bedrijf', ';'],
    ['email\tname', '\t'],
    ['"Acme, Inc.";email;name', ';'],
    ['email', ','],
  ])('%j → %j', (header, expected) => {
    expect(sniffDelimiter(header)).toBe(expected);
  });
});
const csv = (text: string) => Readable.from([text]);

describeEachDialect('CSV import', (getDatabase) => {
  let context: TestContext;

  beforeEach(() => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-04-01T12:00:00.000Z');
  });

  const contactsFile = [
    'E-mailadres;Voornaam;Bedrijf;Notities',
    'jan@acme.nl;Jan;Acme B.V.;klant sinds 2019',
    'not-an-email;Piet;;',
    'EVA@initech.nl;Eva;Initech;',
  ].join('\n');

  it('imports people known only by an id in another system, with their attributes and outcome, once', async () => {
    const file = [
      'Prospect ID,Converted,Country,Lead Source,Occupation,Score',
      'p-1,1,India,Google,Student,12',
      'p-2,0,Nederland,Select,Unemployed,',
      'p-3,maybe,NL,Olark Chat,Select,3',
    ].join('\n');
    const options = {
      kind: 'contacts' as const,
      overrides: {},
      dryRun: false,
      keepUnmapped: true,
      blanks: ['Select'],
    };
    const report = await context.services.imports.importCsv(cli, csv(file), options);
    expect(report).toMatchObject({ rows: 3, valid: 2, created: 2, rejected: 1, unmappedColumns: [] });
    expect(report.mapping).toMatchObject({
      'Prospect ID': 'externalId',
      Converted: 'outcome',
      'Lead Source': 'attributes.Lead Source',
    });
    expect(report.errors).toEqual([{ row: 4, column: 'Converted', reason: expect.any(String) as string }]);
    const all = (await context.services.contacts.listContacts(cli, {})).data;
    const one = all.find((c) => c.externalId === 'p-1')!;
    expect(one).toMatchObject({
      email: null,
      country: 'IN',
      outcome: 'converted',
      attributes: { 'Lead Source': 'Google', Occupation: 'Student', Score: '12' },
    });
    expect(all.find((c) => c.externalId === 'p-2')).toMatchObject({
      country: 'NL',
      outcome: 'not_converted',
      attributes: { Occupation: 'Unemployed' },
    });

    // Again, with a changed label and a new column: nothing new; known attributes kept, blanks filled.
    const again = ['Prospect ID,Converted,Lead Source,Tags', 'p-1,0,Bing,Interested'].join('\n');
    expect(await context.services.imports.importCsv(cli, csv(again), options)).toMatchObject({
      created: 0,
      valid: 1,
    });
    const updated = (await context.services.contacts.listContacts(cli, {})).data.find(
      (c) => c.externalId === 'p-1',
    );
    expect(updated).toMatchObject({
      outcome: 'not_converted',
      attributes: { 'Lead Source': 'Google', Occupation: 'Student', Score: '12', Tags: 'Interested' },
    });
    expect((await context.services.contacts.listContacts(cli, {})).data).toHaveLength(2);

    // An erased person is not imported again by their external id.
    await context.services.contacts.eraseContact(cli, updated!.id);
    const back = await context.services.imports.importCsv(cli, csv(again), options);
    expect(back).toMatchObject({ created: 0, rejected: 1 });
    expect(back.errors[0]).toMatchObject({
      column: 'Prospect ID',
      reason: expect.stringContaining('erased') as string,
    });
  });

  it('updates several known people in one import as it updates one: blanks filled, what they have kept', async () => {
    const contacts = (lines: string[]) =>
      context.services.imports.importCsv(cli, csv(lines.join('\n')), {
        kind: 'contacts',
        overrides: {},
        dryRun: false,
        keepUnmapped: true,
      });
    const events = (lines: string[]) =>
      context.services.imports.importCsv(
        cli,
        csv(['email,event type,timestamp,campaign', ...lines].join('\n')),
        {
          kind: 'events',
          overrides: {},
          dryRun: false,
        },
      );
    await contacts(['email,first name,last name,Plan', 'anna@acme.nl,Anna,,pro', 'bram@acme.nl,,,basic']);
    expect(
      await contacts([
        'email,first name,last name,Plan,Size',
        'anna@acme.nl,Annie,Jansen,enterprise,50',
        'bram@acme.nl,Bram,Vos,,10',
      ]),
    ).toMatchObject({ rows: 2, valid: 2, created: 0, rejected: 0 });
    expect(
      await events(['anna@acme.nl,page_viewed,2026-03-05,mid', 'bram@acme.nl,page_viewed,2026-03-05,mid']),
    ).toMatchObject({ stored: 2, rejected: 0 });
    // Anna's touch happened before her first; Bram's after his latest.
    expect(
      await events(['anna@acme.nl,page_viewed,2026-02-01,early', 'bram@acme.nl,page_viewed,2026-03-09,late']),
    ).toMatchObject({ stored: 2, rejected: 0 });

    const all = (await context.services.contacts.listContacts(cli, {})).data;
    expect(all.find((c) => c.email === 'anna@acme.nl')).toMatchObject({
      firstName: 'Anna',
      lastName: 'Jansen',
      attributes: { Plan: 'pro', Size: '50' },
      originalSource: { campaign: 'early', at: '2026-02-01T00:00:00.000Z' },
      latestSource: { campaign: 'mid', at: '2026-03-05T00:00:00.000Z' },
    });
    expect(all.find((c) => c.email === 'bram@acme.nl')).toMatchObject({
      firstName: 'Bram',
      lastName: 'Vos',
      attributes: { Plan: 'basic', Size: '10' },
      originalSource: { campaign: 'mid', at: '2026-03-05T00:00:00.000Z' },
      latestSource: { campaign: 'late', at: '2026-03-09T00:00:00.000Z' },
    });
  });

  it('stores a person whose country it does not know, keeping the value as an attribute and saying so', async () => {
    // As in the public labelled leads: 7 of 9,240 rows say "unknown" or "Asia/Pacific Region".
    const file = [
      'Prospect ID,Country,Lead Source',
      'p-1,unknown,Google',
      'p-2,Asia/Pacific Region,Google',
      'p-3,Netherlands,Google',
    ].join('\n');
    const report = await context.services.imports.importCsv(cli, csv(file), {
      kind: 'contacts',
      overrides: {},
      dryRun: false,
      keepUnmapped: true,
    });
    expect(report).toMatchObject({ rows: 3, valid: 3, created: 3, rejected: 0, errors: [] });
    expect(report.warnings).toEqual([
      { row: 2, column: 'Country', reason: expect.stringContaining('"unknown" is not a country') as string },
      {
        row: 3,
        column: 'Country',
        reason: expect.stringContaining('"Asia/Pacific Region" is not a country') as string,
      },
    ]);
    const all = (await context.services.contacts.listContacts(cli, {})).data;
    expect(all.find((c) => c.externalId === 'p-1')).toMatchObject({
      country: null,
      attributes: { Country: 'unknown', 'Lead Source': 'Google' },
    });
    expect(all.find((c) => c.externalId === 'p-2')).toMatchObject({
      country: null,
      attributes: { Country: 'Asia/Pacific Region' },
    });
    expect(all.find((c) => c.externalId === 'p-3')).toMatchObject({ country: 'NL' });
    expect(all.find((c) => c.externalId === 'p-3')!.attributes).not.toHaveProperty('Country');

    // An event with such a country is stored too, its country left empty.
    const events = await context.services.imports.importCsv(
      cli,
      csv(['email,event type,timestamp,country', 'kim@globex.nl,page_viewed,2026-03-30,Mars'].join('\n')),
      { kind: 'events', overrides: {}, dryRun: false },
    );
    expect(events).toMatchObject({ stored: 1, rejected: 0 });
    expect(events.warnings).toEqual([
      { row: 2, column: 'country', reason: expect.stringContaining('"Mars" is not a country') as string },
    ]);
  });

  it('guesses Dutch headers, reports bad rows by line and column, and creates nothing twice', async () => {
    const semicolons = contactsFile;
    const commas = semicolons.replaceAll(';', ',');
    // The separator is sniffed from the header line: Dutch spreadsheets write ";".
    const report = await context.services.imports.importCsv(cli, csv(semicolons), {
      kind: 'contacts',
      overrides: {},
      dryRun: false,
    });
    expect(report).toMatchObject({
      rows: 3,
      valid: 2,
      created: 2,
      rejected: 1,
      mapping: { 'E-mailadres': 'email', Voornaam: 'firstName', Bedrijf: 'company' },
      unmappedColumns: ['Notities'],
      errors: [{ row: 3, column: 'E-mailadres', reason: expect.stringContaining('email') }],
    });
    const again = await context.services.imports.importCsv(cli, csv(commas), {
      kind: 'contacts',
      overrides: {},
      dryRun: false,
    });
    expect(again).toMatchObject({ valid: 2, created: 0 });
    const contacts = await context.services.contacts.listContacts(cli, {});
    expect(contacts.data.map((c) => c.email).sort()).toEqual(['eva@initech.nl', 'jan@acme.nl']);
    const jan = contacts.data.find((c) => c.email === 'jan@acme.nl')!;
    const account = await context.services.accounts.getAccount(cli, jan.accountId!);
    expect(account.domains).toEqual(['acme.nl']);
  });

  it('stores events once, even when the same file is imported twice, and a dry run stores nothing', async () => {
    const file = [
      'email,event type,timestamp,utm_source,campaign',
      'jan@acme.nl,webinar_attended,2026-03-01 10:00,linkedin,Webinar AI',
      'jan@acme.nl,content_downloaded,2026-03-02,,Whitepaper',
      'kees@acme.nl,teleported,2026-03-03,,',
    ].join('\n');
    const dry = await context.services.imports.importCsv(cli, csv(file), {
      kind: 'events',
      overrides: {},
      dryRun: true,
    });
    expect(dry).toMatchObject({
      dryRun: true,
      rows: 3,
      valid: 2,
      rejected: 1,
      stored: 0,
      errors: [{ row: 4, column: 'event type' }],
    });
    expect((await context.services.contacts.listContacts(cli, {})).data).toEqual([]);

    const first = await context.services.imports.importCsv(cli, csv(file), {
      kind: 'events',
      overrides: {},
      dryRun: false,
    });
    expect(first).toMatchObject({ stored: 2, duplicates: 0, created: 1, rejected: 1 });
    const second = await context.services.imports.importCsv(cli, csv(file), {
      kind: 'events',
      overrides: {},
      dryRun: false,
    });
    expect(second).toMatchObject({ stored: 0, duplicates: 2 });

    const jan = (await context.services.contacts.listContacts(cli, { email: 'jan@acme.nl' })).data[0]!;
    const touches = await context.services.contacts.listTouchpoints(cli, jan.id);
    expect(touches.map((t) => [t.type, t.occurredAt])).toEqual([
      ['webinar_attended', '2026-03-01T10:00:00.000Z'],
      ['content_downloaded', '2026-03-02T00:00:00.000Z'],
    ]);
    expect(touches[0]!.utm.source).toBe('linkedin');
  });

  it('keeps an opted-out person opted out after an import, and never re-creates an erased one', async () => {
    const out = await context.services.contacts.createContact(cli, {
      email: 'out@acme.nl',
      optOut: { isOptedOut: true, source: 'email:unsubscribe' },
    });
    const gone = await context.services.contacts.createContact(cli, { email: 'gone@acme.nl' });
    await context.services.contacts.eraseContact(cli, gone.id);
    const report = await context.services.imports.importCsv(
      cli,
      csv('email,first name\nOUT@acme.nl,Otto\ngone@acme.nl,Gone\n'),
      { kind: 'contacts', overrides: {}, dryRun: false },
    );
    expect(report).toMatchObject({ created: 0, rejected: 1, errors: [{ row: 3, column: 'email' }] });
    const after = await context.services.contacts.getContact(cli, out.id);
    expect(after).toMatchObject({
      firstName: 'Otto',
      optOut: { isOptedOut: true, source: 'email:unsubscribe' },
    });
    expect((await context.services.contacts.listContacts(cli, { email: 'gone@acme.nl' })).data).toEqual([]);
  });

  it('refuses a file whose columns cannot be mapped, saying which --map to give', async () => {
    await expect(
      context.services.imports.importCsv(cli, csv('Naam,Telefoon\nJan,0612345678'), {
        kind: 'contacts',
        overrides: {},
        dryRun: false,
      }),
    ).rejects.toMatchObject({
      code: 'http.validation_failed',
      message: expect.stringContaining('--map COLUMN=email'),
    });
  });

  it('imports through the API as text/csv', async () => {
    const app = await createTestApp(context);
    const cookie = await signIn(app, (await addUser(context, 'marketing')).email);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/imports/contacts?map=Werk%20e-mail%3Demail',
      headers: { cookie, 'content-type': 'text/csv' },
      payload: 'Werk e-mail,Voornaam\nlisa@hooli.nl,Lisa\n',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      created: 1,
      mapping: { 'Werk e-mail': 'email', Voornaam: 'firstName' },
    });
    const json = await app.inject({
      method: 'POST',
      url: '/api/v1/imports/contacts',
      headers: { cookie, 'content-type': 'application/json' },
      payload: {},
    });
    expect(json.statusCode).toBe(415);
    await app.close();
  });
});
