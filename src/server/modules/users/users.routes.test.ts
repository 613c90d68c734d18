import { beforeEach, expect, it } from 'vitest';
import type { Stage } from '../../../contract/stages.ts';
import type { Team } from '../../../contract/teams.ts';
import type { User } from '../../../contract/users.ts';
import { findEventsBySubject } from '../shared/events.repository.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

describeEachDialect('people, teams and the stage glossary', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let cookie: string;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    app = await createTestApp(context);
    cookie = await signIn(app, (await addUser(context, 'admin')).email);
    return () => app.close();
  });

  const post = (url: string, payload: object) =>
    app.inject({ method: 'POST', url, headers: { cookie }, payload });
  const patch = (url: string, payload: object) =>
    app.inject({ method: 'PATCH', url, headers: { cookie }, payload });

  it('shows why someone is absent only to them, the managers above them and admins', async () => {
    const director = await addUser(context, 'director');
    const manager = await addUser(context, 'sales_manager', { managerId: director.id });
    const rep = await addUser(context, 'sales_rep', { managerId: manager.id });
    const teammate = await addUser(context, 'sales_rep', { managerId: manager.id });
    const otherManager = await addUser(context, 'sales_manager', { managerId: director.id });
    const marketer = await addUser(context, 'marketing');
    await context.services.users.addAbsence({ kind: 'cli' }, rep.id, {
      startsAt: '2026-12-07T08:00:00.000Z',
      endsAt: '2026-12-11T17:00:00.000Z',
      reason: 'Sick leave',
    });
    const reasonFor = async (email: string) => {
      const answer = await app.inject({
        url: `/api/v1/users/${rep.id}/absences`,
        headers: { cookie: await signIn(app, email) },
      });
      expect(answer.statusCode).toBe(200);
      const [absence] = answer.json<{ data: { startsAt: string; reason: string | null }[] }>().data;
      // Everyone who may list absences sees that the person is away, and when.
      expect(absence?.startsAt).toBe('2026-12-07T08:00:00.000Z');
      return absence?.reason;
    };
    for (const who of [rep, manager, director]) expect(await reasonFor(who.email)).toBe('Sick leave');
    expect(await reasonFor((await addUser(context, 'admin')).email)).toBe('Sick leave');
    for (const who of [teammate, otherManager, marketer]) expect(await reasonFor(who.email)).toBeNull();

    // Every person picker marks who is away now, and until when: the list of people says it.
    const absentUntil = async () => {
      const answer = await app.inject({
        url: '/api/v1/users?limit=200',
        headers: { cookie: await signIn(app, manager.email) },
      });
      const people = answer.json<{ data: User[] }>().data;
      return [rep, teammate].map((u) => people.find((p) => p.id === u.id)?.absentUntil);
    };
    context.clock.set('2026-12-04T09:00:00.000Z');
    expect(await absentUntil()).toEqual([null, null]);
    context.clock.set('2026-12-08T09:00:00.000Z');
    expect(await absentUntil()).toEqual(['2026-12-11T17:00:00.000Z', null]);
    context.clock.set('2026-12-11T17:00:00.000Z');
    expect(await absentUntil()).toEqual([null, null]);
  });

  it('builds the escalation chain rep → manager → director', async () => {
    const director = (
      await post('/api/v1/users', { email: 'dir@example.nl', name: 'Dana', role: 'director' })
    ).json<User>();
    const manager = (
      await post('/api/v1/users', {
        email: 'man@example.nl',
        name: 'Mo',
        role: 'sales_manager',
        managerId: director.id,
      })
    ).json<User>();
    const rep = await post('/api/v1/users', {
      email: 'rep@example.nl',
      name: 'Ruud',
      role: 'sales_rep',
      managerId: manager.id,
      language: 'nl',
      timeZone: 'Europe/Amsterdam',
    });
    expect(rep.statusCode).toBe(201);
    expect(rep.json()).toMatchObject({ managerId: manager.id, language: 'nl', isActive: true });
    expect(rep.body).not.toContain('password');
  });

  it('refuses a manager that breaks the ladder, naming managerId', async () => {
    const director = await addUser(context, 'director');
    const response = await post('/api/v1/users', {
      email: 'rep@example.nl',
      name: 'Ruud',
      role: 'sales_rep',
      managerId: director.id,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'users.invalid_manager',
      errors: [{ field: 'body.managerId', reason: "a sales_rep's manager must have the role sales_manager" }],
    });
  });

  it('refuses a loop in the manager chain', async () => {
    const top = await addUser(context, 'director');
    const middle = await addUser(context, 'director', { managerId: top.id });
    const response = await patch(`/api/v1/users/${top.id}`, { managerId: middle.id });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      errors: [{ field: 'body.managerId', reason: expect.stringContaining('loop') }],
    });
  });

  it('refuses an unknown time zone and a taken email, naming the field', async () => {
    const zone = await post('/api/v1/users', {
      email: 'a@example.nl',
      name: 'A',
      role: 'marketing',
      timeZone: 'Mars/Olympus',
    });
    expect(zone.json()).toMatchObject({
      code: 'users.invalid_time_zone',
      errors: [{ field: 'body.timeZone' }],
    });
    await post('/api/v1/users', { email: 'b@example.nl', name: 'B', role: 'marketing' });
    const taken = await post('/api/v1/users', { email: 'B@Example.nl', name: 'B2', role: 'marketing' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'users.email_taken', errors: [{ field: 'body.email' }] });
  });

  it('keeps working hours per weekday, Monday to Friday 09:00–17:30 by default, and refuses ranges that cannot be', async () => {
    const created = await post('/api/v1/users', { email: 'w@example.nl', name: 'W', role: 'sales_rep' });
    expect(created.json<User>().workingHours).toEqual({
      mon: [['09:00', '17:30']],
      tue: [['09:00', '17:30']],
      wed: [['09:00', '17:30']],
      thu: [['09:00', '17:30']],
      fri: [['09:00', '17:30']],
    });
    const id = created.json<User>().id;
    const parttime = {
      mon: [
        ['08:30', '12:00'],
        ['13:00', '17:00'],
      ],
      sat: [['22:00', '24:00']],
    };
    const changed = await patch(`/api/v1/users/${id}`, { workingHours: parttime });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<User>().workingHours).toEqual(parttime);

    const backwards = await patch(`/api/v1/users/${id}`, { workingHours: { tue: [['17:00', '09:00']] } });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({
      code: 'users.invalid_working_hours',
      errors: [{ field: 'body.workingHours.tue.0', reason: 'ends before it starts' }],
    });
    const overlap = await patch(`/api/v1/users/${id}`, {
      workingHours: {
        wed: [
          ['13:00', '17:00'],
          ['09:00', '13:30'],
        ],
      },
    });
    expect(overlap.json()).toMatchObject({
      errors: [{ field: 'body.workingHours.wed.0', reason: 'overlaps another range of the day' }],
    });
    const notATime = await patch(`/api/v1/users/${id}`, { workingHours: { thu: [['9:00', '25:00']] } });
    expect(notATime.statusCode).toBe(400);
    expect(notATime.json<{ errors: { field: string }[] }>().errors[0]!.field).toMatch(
      /^body\.workingHours\.thu\.0/,
    );
    const unknownDay = await patch(`/api/v1/users/${id}`, { workingHours: { monday: [['09:00', '17:00']] } });
    expect(unknownDay.statusCode).toBe(400);
    // Nothing refused was stored.
    expect(
      (await app.inject({ url: `/api/v1/users/${id}`, headers: { cookie } })).json<User>().workingHours,
    ).toEqual(parttime);
  });

  it('keeps teams with a manager and members, and lists users by team', async () => {
    const manager = await addUser(context, 'sales_manager');
    const reps = [
      await addUser(context, 'sales_rep', { managerId: manager.id }),
      await addUser(context, 'sales_rep'),
    ];
    const team = (
      await post('/api/v1/teams', {
        name: 'Benelux',
        managerId: manager.id,
        memberIds: reps.map((r) => r.id),
      })
    ).json<Team>();
    expect(team.memberIds.sort()).toEqual(reps.map((r) => r.id).sort());

    const listed = await app.inject({ url: `/api/v1/users?teamId=${team.id}`, headers: { cookie } });
    expect(
      listed
        .json<{ data: User[] }>()
        .data.map((u) => u.id)
        .sort(),
    ).toEqual(team.memberIds);

    const repAsManager = await patch(`/api/v1/teams/${team.id}`, { managerId: reps[0]!.id });
    expect(repAsManager.json()).toMatchObject({
      code: 'teams.invalid_manager',
      errors: [{ field: 'body.managerId' }],
    });
    const ghost = await patch(`/api/v1/teams/${team.id}`, {
      memberIds: ['0190a5e8-0000-7000-8000-000000000000'],
    });
    expect(ghost.json()).toMatchObject({ code: 'teams.invalid_member' });
    const duplicate = await post('/api/v1/teams', { name: 'Benelux' });
    expect(duplicate.statusCode).toBe(409);
  });

  it('lets an admin reset a password, which ends the sessions signed in with the old one', async () => {
    const rep = await addUser(context, 'sales_rep');
    const repCookie = await signIn(app, rep.email);
    const reset = await patch(`/api/v1/users/${rep.id}`, { password: 'a fresh start password' });
    expect(reset.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/me', headers: { cookie: repCookie } })).statusCode).toBe(401);
    expect(await signIn(app, rep.email, 'a fresh start password')).toMatch(/^baton_session=/);
  });

  it('refuses to let an admin deactivate themselves', async () => {
    const me = (await app.inject({ url: '/api/v1/me', headers: { cookie } })).json<User>();
    const response = await patch(`/api/v1/users/${me.id}`, { isActive: false });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('users.cannot_deactivate_self');
  });

  it('serves the glossary in both languages, in order, and keeps every edit of a definition', async () => {
    const glossary = (await app.inject({ url: '/api/v1/stages', headers: { cookie } })).json<{
      data: Stage[];
    }>().data;
    expect(glossary.map((s) => s.key)).toEqual([
      'subscriber',
      'lead',
      'mql',
      'sal',
      'sql',
      'opportunity',
      'customer',
      'recycled',
      'disqualified',
    ]);
    const mql = glossary.find((s) => s.key === 'mql')!;
    expect(mql.definition.en).toContain('high-intent');
    expect(mql.definition.nl).toContain('drempels');
    expect(glossary.filter((s) => s.isSide).map((s) => s.key)).toEqual(['recycled', 'disqualified']);

    const edited = await patch('/api/v1/stages/mql', {
      definition: {
        en: 'Fit A or B and engagement 2 or more.',
        nl: 'Fit A of B en betrokkenheid 2 of meer.',
      },
    });
    expect(edited.json<Stage>().definition.en).toBe('Fit A or B and engagement 2 or more.');
    const events = await findEventsBySubject(getDatabase().db, 'stage', 'mql');
    expect(events.map((e) => e.type)).toEqual(['stage.updated']);

    const badTarget = await patch('/api/v1/stages/mql', { allowedNext: ['sal', 'nowhere'] });
    expect(badTarget.json()).toMatchObject({
      code: 'stages.invalid_transition_target',
      errors: [{ field: 'body.allowedNext' }],
    });
    const badKey = await app.inject({ url: '/api/v1/stages/NOT%20A%20KEY', headers: { cookie } });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json()).toMatchObject({ errors: [{ field: 'params.key' }] });
  });
});
