import { beforeEach, expect, it } from 'vitest';
import type { Task } from '../../../contract/tasks.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestApp, createTestContext, seedCompany, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('tasks: next steps on a lead, in its page and in the queue', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let company: Awaited<ReturnType<typeof seedCompany>>;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    app = await createTestApp(context);
    company = await seedCompany(context, app);
    return () => app.close();
  });

  const call = async <T>(
    cookie: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => {
    const response = await app.inject({ method, url, headers: { cookie }, ...(payload && { payload }) });
    return { status: response.statusCode, json: () => response.json<T>() };
  };
  const inHours = (hours: number) =>
    new Date(context.clock.now().getTime() + hours * 3_600_000).toISOString();
  const titles = (tasks: Task[]) => tasks.map((t) => t.title);

  it("adds a rep's next steps to their lead and lists the open ones in their queue, overdue first", async () => {
    const rep = company.cookies.rep;
    const lead = company.repContact.id;
    const later = await call<Task>(rep, 'POST', `/api/v1/contacts/${lead}/tasks`, {
      title: 'Send the proposal',
      kind: 'email',
      dueAt: inHours(48),
    });
    expect(later.status).toBe(201);
    expect(later.json()).toMatchObject({
      contactId: lead,
      contact: { name: 'Jan Jansen', email: 'jan@acme.nl', company: 'Acme B.V.' },
      kind: 'email',
      assigneeId: company.rep.id,
      createdBy: company.rep.id,
      done: false,
      overdue: false,
    });
    const late = await call<Task>(rep, 'POST', `/api/v1/contacts/${lead}/tasks`, {
      title: '  Call about the demo ',
      kind: 'call',
      dueAt: inHours(-2),
    });
    expect(late.json()).toMatchObject({ title: 'Call about the demo', overdue: true });

    const queue = await call<{ data: Task[] }>(rep, 'GET', `/api/v1/tasks?assigneeId=${company.rep.id}`);
    expect(titles(queue.json().data)).toEqual(['Call about the demo', 'Send the proposal']);

    // Done: out of the open list, in the done one, with who and when; and open again on request.
    const done = await call<Task>(rep, 'PATCH', `/api/v1/tasks/${late.json().id}`, { done: true });
    expect(done.json()).toMatchObject({ done: true, doneBy: company.rep.id, overdue: false });
    expect(done.json().doneAt).toBe(context.clock.now().toISOString());
    expect(titles((await call<{ data: Task[] }>(rep, 'GET', '/api/v1/tasks')).json().data)).toEqual([
      'Send the proposal',
    ]);
    expect(
      titles(
        (await call<{ data: Task[] }>(rep, 'GET', `/api/v1/tasks?status=done&contactId=${lead}`)).json().data,
      ),
    ).toEqual(['Call about the demo']);
    const reopened = await call<Task>(rep, 'PATCH', `/api/v1/tasks/${late.json().id}`, { done: false });
    expect(reopened.json()).toMatchObject({ done: false, doneAt: null, doneBy: null, overdue: true });

    // Each change is in the lead's event log.
    const types = await context.database.db
      .selectFrom('events')
      .select('type')
      .where('subject_id', '=', lead)
      .where('type', 'like', 'task.%')
      .orderBy('id')
      .execute();
    expect(types.map((t) => t.type)).toEqual([
      'task.created',
      'task.created',
      'task.completed',
      'task.reopened',
    ]);
  });

  it('shows a lead’s tasks to whoever sees the lead, and to nobody else', async () => {
    const task = await context.services.tasks.create(cli, company.repContact.id, {
      title: 'Book the meeting',
      kind: 'meeting',
      dueAt: inHours(3),
    });
    expect(task.assigneeId).toBe(company.rep.id); // an integration's task goes to the lead's owner
    for (const cookie of [company.cookies.manager, company.cookies.director, company.cookies.marketer])
      expect(titles((await call<{ data: Task[] }>(cookie, 'GET', '/api/v1/tasks')).json().data)).toContain(
        'Book the meeting',
      );
    const outsider = company.cookies.outsider;
    expect((await call<{ data: Task[] }>(outsider, 'GET', '/api/v1/tasks')).json().data).toEqual([]);
    expect((await call(outsider, 'GET', `/api/v1/tasks?contactId=${company.repContact.id}`)).status).toBe(
      404,
    );
    expect((await call(outsider, 'PATCH', `/api/v1/tasks/${task.id}`, { done: true })).status).toBe(404);
    expect((await call(outsider, 'DELETE', `/api/v1/tasks/${task.id}`)).status).toBe(404);
    expect(
      (
        await call(outsider, 'POST', `/api/v1/contacts/${company.repContact.id}/tasks`, {
          title: 'Steal it',
          dueAt: inHours(1),
        })
      ).status,
    ).toBe(404);
    // A rep gives tasks to themselves; a manager to their team, not to another team.
    const toTeammate = await call(
      company.cookies.rep,
      'POST',
      `/api/v1/contacts/${company.repContact.id}/tasks`,
      {
        title: 'Yours now',
        dueAt: inHours(1),
        assigneeId: company.teammate.id,
      },
    );
    expect(toTeammate.status).toBe(400);
    expect(
      (
        await call(company.cookies.manager, 'POST', `/api/v1/contacts/${company.repContact.id}/tasks`, {
          title: 'Cover for Jan',
          dueAt: inHours(1),
          assigneeId: company.outsider.id,
        })
      ).json(),
    ).toMatchObject({
      code: 'tasks.invalid_assignee',
      errors: [{ field: 'body.assigneeId', reason: 'you can give tasks only to yourself or your team' }],
    });
    expect(
      (
        await call<Task>(company.cookies.manager, 'POST', `/api/v1/contacts/${company.repContact.id}/tasks`, {
          title: 'Cover for Jan',
          dueAt: inHours(1),
          assigneeId: company.teammate.id,
        })
      ).json().assigneeId,
    ).toBe(company.teammate.id);
  });

  it('refuses a task without a title, with an unknown kind or a date that is none, naming the field', async () => {
    const url = `/api/v1/contacts/${company.repContact.id}/tasks`;
    const refused = async (payload: object) => {
      const answer = await call<{ code: string; errors: { field: string }[] }>(
        company.cookies.rep,
        'POST',
        url,
        payload,
      );
      expect(answer.status).toBe(400);
      return answer.json().errors.map((e) => e.field);
    };
    expect(await refused({ title: '', dueAt: inHours(1) })).toContain('body.title');
    expect(await refused({ title: 'Call', kind: 'fax', dueAt: inHours(1) })).toContain('body.kind');
    expect(await refused({ title: 'Call', dueAt: 'tomorrow' })).toContain('body.dueAt');
    expect(await refused({ title: 'Call' })).toContain('body.dueAt');
    expect((await call<{ data: Task[] }>(company.cookies.rep, 'GET', '/api/v1/tasks')).json().data).toEqual(
      [],
    );
  });

  it("hands the previous owner's open tasks to the lead's new owner, and keeps the done ones as they were", async () => {
    const lead = company.repContact.id;
    const open = await context.services.tasks.create(cli, lead, { title: 'Follow up', dueAt: inHours(5) });
    const finished = await context.services.tasks.create(cli, lead, {
      title: 'First call',
      dueAt: inHours(-5),
    });
    await context.services.tasks.update(cli, finished.id, { done: true });
    const someoneElses = await context.services.tasks.create(cli, lead, {
      title: 'Check the contract',
      dueAt: inHours(6),
      assigneeId: company.manager.id,
    });
    await context.services.routing.reassign(cli, lead, { userId: company.teammate.id, reason: 'Holiday' });
    const after = async (id: string) =>
      (await context.services.tasks.list(cli, { contactId: lead, status: 'all' })).data.find(
        (t) => t.id === id,
      )!.assigneeId;
    expect(await after(open.id)).toBe(company.teammate.id);
    expect(await after(finished.id)).toBe(company.rep.id);
    expect(await after(someoneElses.id)).toBe(company.manager.id);
    expect(
      (
        await call<{ data: Task[] }>(company.cookies.rep, 'GET', `/api/v1/tasks?assigneeId=${company.rep.id}`)
      ).json().data,
    ).toEqual([]);
  });

  it('moves tasks and campaigns with a merged duplicate and removes them with an erased person', async () => {
    const lead = company.repContact.id;
    const duplicate = await context.services.contacts.createContact(cli, {
      email: 'j.jansen@acme.nl',
      ownerId: company.rep.id,
    });
    const task = await context.services.tasks.create(cli, duplicate.id, {
      title: 'Call Jan',
      dueAt: inHours(1),
    });
    // Campaigns go along too: once each, also one both were in.
    await context.services.contacts.addToCampaign(cli, lead, 'Nurture Q1');
    await context.services.contacts.addToCampaign(cli, duplicate.id, 'Nurture Q1');
    await context.services.contacts.addToCampaign(cli, duplicate.id, 'Partner event');
    await context.services.contacts.mergeContacts(cli, lead, { duplicateId: duplicate.id });
    const campaigns = await context.database.db
      .selectFrom('campaign_members')
      .select(['contact_id', 'campaign'])
      .orderBy('campaign')
      .execute();
    expect(campaigns).toEqual([
      { contact_id: lead, campaign: 'Nurture Q1' },
      { contact_id: lead, campaign: 'Partner event' },
    ]);
    expect((await context.services.tasks.list(cli, { contactId: lead })).data.map((t) => t.id)).toEqual([
      task.id,
    ]);
    await context.services.contacts.eraseContact(cli, lead);
    expect(await context.database.db.selectFrom('tasks').selectAll().execute()).toEqual([]);
    expect(await context.database.db.selectFrom('campaign_members').selectAll().execute()).toEqual([]);
  });
});
