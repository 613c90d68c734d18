import { beforeEach, expect, it } from 'vitest';
import type { ImportJob } from '../../../contract/imports.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

describeEachDialect('imports from the browser, in the background', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let marketer: string;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    marketer = await signIn(app, (await addUser(context, 'marketing', { name: 'Mia Marketing' })).email);
    return async () => {
      await context.services.importJobs.settled();
      await app.close();
    };
  });

  const upload = (cookie: string, kind: string, csv: string, query = '') =>
    app.inject({
      method: 'POST',
      url: `/api/v1/imports/${kind}/jobs?fileName=people.csv${query}`,
      headers: { cookie, 'content-type': 'text/csv' },
      payload: csv,
    });
  const job = async (cookie: string, id: string) => {
    await context.services.importJobs.settled();
    return (
      await app.inject({ method: 'GET', url: `/api/v1/imports/jobs/${id}`, headers: { cookie } })
    ).json<ImportJob>();
  };
  const people =
    'E-mailadres;Voornaam;Land\n' +
    'lisa@hooli.nl;Lisa;NL\n' +
    'not an email;Piet;NL\n' +
    '=1+1;Evil;NL\n' +
    'joost@initech.nl;Joost;BE\n';

  it('checks a file in a dry run, imports it in the background with its report, and stores nothing twice on a rerun', async () => {
    const dry = await upload(marketer, 'contacts', people, '&dryRun=true');
    expect(dry.statusCode).toBe(202);
    expect(dry.json<ImportJob>()).toMatchObject({
      kind: 'contacts',
      status: 'running',
      dryRun: true,
      fileName: 'people.csv',
    });
    const checked = await job(marketer, dry.json<ImportJob>().id);
    expect(checked).toMatchObject({
      status: 'done',
      rowsRead: 4,
      report: {
        rows: 4,
        valid: 2,
        rejected: 2,
        mapping: { 'E-mailadres': 'email', Voornaam: 'firstName' },
      },
    });
    expect(checked.bytesRead).toBe(checked.fileBytes);
    expect(checked.report!.errors.map((e) => [e.row, e.column])).toEqual([
      [3, 'E-mailadres'],
      [4, 'E-mailadres'],
    ]);
    expect((await context.services.contacts.listContacts({ kind: 'cli' }, {})).data).toHaveLength(0);

    const real = await job(marketer, (await upload(marketer, 'contacts', people)).json<ImportJob>().id);
    expect(real.report).toMatchObject({ rows: 4, created: 2, updated: 0, rejected: 2 });
    const again = await job(marketer, (await upload(marketer, 'contacts', people)).json<ImportJob>().id);
    expect(again.report).toMatchObject({ rows: 4, created: 0, updated: 2, rejected: 2 });
    expect((await context.services.contacts.listContacts({ kind: 'cli' }, {})).data).toHaveLength(2);

    // The error report: one line per problem, and a value that looks like a formula stays text.
    const csv = await app.inject({
      method: 'GET',
      url: `/api/v1/imports/jobs/${real.id}/errors.csv`,
      headers: { cookie: marketer },
    });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe('"row","column","what","reason"');
    expect(csv.body).toContain('3,"E-mailadres","refused","must match format ""email"""');
    expect(csv.body.trim().split('\n')).toHaveLength(3);

    const list = (
      await app.inject({ method: 'GET', url: '/api/v1/imports/jobs', headers: { cookie: marketer } })
    ).json<{
      data: ImportJob[];
    }>().data;
    expect(list.map((j) => j.id)).toEqual([again.id, real.id, checked.id]);
  });

  it('fails a job whose file is not CSV, or whose columns cannot be mapped, saying why; refuses what the caller may not import', async () => {
    const quote = await job(
      marketer,
      (await upload(marketer, 'contacts', 'Email;Name\na@b.nl;x"y"z\n')).json<ImportJob>().id,
    );
    expect(quote).toMatchObject({ status: 'failed', error: expect.stringContaining('Invalid') });
    const unmapped = await upload(marketer, 'contacts', 'Foo;Bar\n1;2\n');
    const failed = await job(marketer, unmapped.json<ImportJob>().id);
    expect(failed).toMatchObject({ status: 'failed', report: null, error: expect.stringContaining('email') });

    // People come in only by an admin; a sales rep cannot import contacts.
    expect((await upload(marketer, 'users', 'Name,Email\nA,a@x.nl\n')).statusCode).toBe(403);
    const rep = await signIn(app, (await addUser(context, 'sales_rep')).email);
    expect((await upload(rep, 'contacts', people)).statusCode).toBe(403);
    // Someone else's import is not found for them; an admin sees it.
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/api/v1/imports/jobs/${failed.id}`,
          headers: { cookie: rep },
        })
      ).statusCode,
    ).toBe(404);
    const admin = await signIn(app, (await addUser(context, 'admin')).email);
    expect((await job(admin, failed.id)).id).toBe(failed.id);
    expect((await upload(marketer, 'contacts', '')).json()).toMatchObject({ errors: [{ field: 'body' }] });
    const json = await app.inject({
      method: 'POST',
      url: '/api/v1/imports/contacts/jobs',
      headers: { cookie: marketer, 'content-type': 'application/json' },
      payload: {},
    });
    expect(json.statusCode).toBe(415);
  });

  it('imports a CRM’s accounts for an admin, and marks a job that was running when Baton stopped as failed', async () => {
    const admin = await signIn(app, (await addUser(context, 'admin')).email);
    const accounts = await job(
      admin,
      (await upload(admin, 'accounts', 'Name,Domain,Industry\nHooli B.V.,hooli.nl,ICT\n')).json<ImportJob>()
        .id,
    );
    expect(accounts).toMatchObject({
      status: 'done',
      report: { rows: 1, created: 1, updated: 0, rejected: 0 },
    });

    await context.database.db
      .updateTable('import_jobs')
      .set({ status: 'running', finished_at: null })
      .where('id', '=', accounts.id)
      .execute();
    await context.services.importJobs.failInterrupted();
    expect(await job(admin, accounts.id)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('Run it again'),
    });
  });
});
