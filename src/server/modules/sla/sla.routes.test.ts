import { beforeEach, expect, it } from 'vitest';
import type {
  CalendarHoliday,
  HolidayCountry,
  SlaCalendar,
  SlaClock,
  SlaPolicy,
  SlaPreview,
  SlaQueue,
} from '../../../contract/sla.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('the SLA API', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let admin: string;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z'); // Tuesday 10:00 in Amsterdam
    app = await createTestApp(context);
    admin = await signIn(app, (await addUser(context, 'admin')).email);
    return () => app.close();
  });
  const call = (
    cookie: string,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
  ) => app.inject({ method, url: `/api/v1${url}`, headers: { cookie }, ...(payload && { payload }) });

  it('ships the default policies of PRODUCT.md on a Dutch calendar, and lets an admin change them', async () => {
    const policies = (await call(admin, 'GET', '/sla/policies')).json<{ data: SlaPolicy[] }>().data;
    expect(policies.map((p) => [p.key, p.windowSeconds, p.reminderAt, p.escalations, p.reassign])).toEqual([
      ['mql-accept-or-reject', 30600, 0.5, 2, false],
      ['mql-first-response', 14400, 0.5, 2, true],
      ['mql-first-response-hot', 900, 0.5, 2, true],
      ['sal-qualify-or-recycle', 153000, 0.5, 2, false],
      ['sql-opportunity-or-recycle', 306000, 0.5, 2, false],
    ]);
    const [calendar] = (await call(admin, 'GET', '/sla/calendars')).json<{ data: SlaCalendar[] }>().data;
    expect(calendar).toMatchObject({
      name: 'Nederland',
      timeZone: 'Europe/Amsterdam',
      holidays: { country: 'NL', region: null, goodFriday: false, liberationDay: 'every_five_years' },
      isDefault: true,
    });

    const hot = policies.find((p) => p.key === 'mql-first-response-hot')!;
    const changed = await call(admin, 'PATCH', `/sla/policies/${hot.id}`, {
      windowSeconds: 600,
      escalations: 1,
    });
    expect(changed.json()).toMatchObject({ windowSeconds: 600, escalations: 1 });
    const zero = await call(admin, 'PATCH', `/sla/policies/${hot.id}`, { windowSeconds: 0 });
    expect(zero.statusCode).toBe(400);
    expect(zero.json()).toMatchObject({ errors: [{ field: 'body.windowSeconds' }] });
    const noCalendar = await call(admin, 'PATCH', `/sla/policies/${hot.id}`, {
      calendarId: '01900000-0000-7000-8000-000000000000',
    });
    expect(noCalendar.json()).toMatchObject({
      code: 'sla.calendar_not_found',
      errors: [{ field: 'body.calendarId' }],
    });
  });

  it('keeps several working ranges a day, and deletes a calendar only when nothing counts in it', async () => {
    const split = await call(admin, 'POST', '/sla/calendars', {
      name: 'Lunch break',
      timeZone: 'Europe/Amsterdam',
      holidays: null,
      workingHours: {
        mon: [
          ['08:30', '12:00'],
          ['13:00', '17:30'],
        ],
      },
    });
    expect(split.statusCode).toBe(201);
    const calendar = split.json<SlaCalendar>();
    expect(calendar.workingHours.mon).toEqual([
      ['08:30', '12:00'],
      ['13:00', '17:30'],
    ]);
    const [policy] = (await call(admin, 'GET', '/sla/policies')).json<{ data: SlaPolicy[] }>().data;
    await call(admin, 'PATCH', `/sla/policies/${policy!.id}`, { calendarId: calendar.id });
    const inUse = await call(admin, 'DELETE', `/sla/calendars/${calendar.id}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json()).toMatchObject({
      code: 'sla.calendar_in_use',
      detail: expect.stringContaining('1 polic'),
    });
    const fallback = (await call(admin, 'GET', '/sla/calendars')).json<{ data: SlaCalendar[] }>().data;
    const standard = fallback.find((c) => c.isDefault)!;
    expect((await call(admin, 'DELETE', `/sla/calendars/${standard.id}`)).json().code).toBe(
      'sla.calendar_in_use',
    );

    await call(admin, 'PATCH', `/sla/policies/${policy!.id}`, { calendarId: null });
    expect((await call(admin, 'DELETE', `/sla/calendars/${calendar.id}`)).statusCode).toBe(204);
    expect((await call(admin, 'GET', '/sla/calendars')).json<{ data: SlaCalendar[] }>().data).toHaveLength(1);
    const audit = await call(admin, 'GET', '/audit-log?action=sla.calendar_deleted');
    expect(audit.json<{ data: unknown[] }>().data).toHaveLength(1);
  });

  it('closes a calendar on any country’s public holidays, a region’s too, and lists the days it is closed', async () => {
    // Before anyone can sign in too: the setup page of an empty store offers them.
    const anonymous = await app.inject({ method: 'GET', url: '/api/v1/sla/holiday-countries' });
    const countries = anonymous.json<{ data: HolidayCountry[] }>().data;
    expect(countries.find((c) => c.code === 'BE')).toMatchObject({ name: { en: 'Belgium', nl: 'België' } });
    expect(countries.find((c) => c.code === 'DE')?.regions).toContainEqual({ code: 'BY', name: 'Bayern' });

    const weekdays = Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]]),
    );
    const created = await call(admin, 'POST', '/sla/calendars', {
      name: 'België',
      timeZone: 'Europe/Brussels',
      workingHours: weekdays,
      holidays: { country: 'BE' },
      closures: [{ from: '2026-12-28', to: '2026-12-31' }],
    });
    expect(created.statusCode).toBe(201);
    const belgium = created.json<SlaCalendar>();
    // The Dutch choices take their defaults, and mean nothing outside the Netherlands.
    expect(belgium.holidays).toEqual({
      country: 'BE',
      region: null,
      goodFriday: false,
      liberationDay: 'every_five_years',
    });
    // Monday 20 July 16:00 in Brussels: one hour that day, Tuesday is the National Holiday, three
    // hours on Wednesday.
    const preview = await call(admin, 'POST', '/sla/preview', {
      arrivedAt: '2026-07-20T14:00:00Z',
      calendarId: belgium.id,
      windowSeconds: 4 * 3600,
    });
    expect(preview.json<SlaPreview>().dueAt).toBe('2026-07-22T10:00:00.000Z');

    const days = (await call(admin, 'GET', `/sla/calendars/${belgium.id}/holidays?year=2026`)).json<{
      data: CalendarHoliday[];
    }>().data;
    expect(days.filter((d) => d.kind === 'holiday')).toHaveLength(10);
    expect(days.find((d) => d.date === '2026-07-21')).toEqual({
      date: '2026-07-21',
      kind: 'holiday',
      name: { en: 'National Holiday', nl: 'Nationale feestdag' },
    });
    expect(days.filter((d) => d.kind === 'closure').map((d) => d.date)).toEqual([
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
      '2026-12-31',
    ]);

    const bavaria = await call(admin, 'PUT', `/sla/calendars/${belgium.id}`, {
      name: 'München',
      timeZone: 'Europe/Berlin',
      workingHours: weekdays,
      holidays: { country: 'DE', region: 'BY' },
    });
    expect(bavaria.json<SlaCalendar>().holidays).toMatchObject({ country: 'DE', region: 'BY' });
    const german = (await call(admin, 'GET', `/sla/calendars/${belgium.id}/holidays?year=2026`)).json<{
      data: CalendarHoliday[];
    }>().data;
    expect(german.map((d) => d.date)).toContain('2026-01-06'); // Heilige Drei Könige, Bavaria only

    const unknownRegion = await call(admin, 'PUT', `/sla/calendars/${belgium.id}`, {
      name: 'München',
      timeZone: 'Europe/Berlin',
      workingHours: weekdays,
      holidays: { country: 'DE', region: 'XX' },
    });
    expect(unknownRegion.json()).toMatchObject({
      code: 'sla.invalid_calendar',
      errors: [{ field: 'body.holidays.region', reason: expect.stringContaining('not a region of DE') }],
    });
    const unknownCountry = await call(admin, 'POST', '/sla/calendars', {
      name: 'Nowhere',
      timeZone: 'UTC',
      workingHours: weekdays,
      holidays: { country: 'XX' },
    });
    expect(unknownCountry.json()).toMatchObject({
      code: 'sla.invalid_calendar',
      errors: [{ field: 'body.holidays.country' }],
    });
    const lowercase = await call(admin, 'POST', '/sla/calendars', {
      name: 'Nowhere',
      timeZone: 'UTC',
      workingHours: weekdays,
      holidays: { country: 'be' },
    });
    expect(lowercase.json()).toMatchObject({ errors: [{ field: 'body.holidays.country' }] });
    const noYear = await call(admin, 'GET', `/sla/calendars/${belgium.id}/holidays`);
    expect(noYear.json()).toMatchObject({ errors: [{ field: 'query.year' }] });
    const missing = await call(
      admin,
      'GET',
      '/sla/calendars/01900000-0000-7000-8000-000000000000/holidays?year=2026',
    );
    expect(missing.json().code).toBe('sla.calendar_not_found');
  });

  it('previews when a lead is due and when each step fires, on a calendar an admin made', async () => {
    const preview = await call(admin, 'POST', '/sla/preview', {
      arrivedAt: '2026-11-27T15:00:00Z',
      windowSeconds: 4 * 3600,
    });
    expect(preview.json<SlaPreview>()).toEqual({
      arrivedAt: '2026-11-27T15:00:00.000Z',
      dueAt: '2026-11-30T10:30:00.000Z',
      steps: [
        { kind: 'reminder', level: 0, notify: 'rep', at: '2026-11-30T08:30:00.000Z' },
        { kind: 'breach', level: 1, notify: 'manager', at: '2026-11-30T10:30:00.000Z' },
        { kind: 'breach', level: 2, notify: 'director', at: '2026-11-30T14:30:00.000Z' },
      ],
    });

    const allWeek = Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]),
    );
    const created = await call(admin, 'POST', '/sla/calendars', {
      name: 'Always open',
      timeZone: 'UTC',
      workingHours: allWeek,
      holidays: null,
    });
    expect(created.statusCode).toBe(201);
    const always = created.json<SlaCalendar>();
    const fast = await call(admin, 'POST', '/sla/preview', {
      arrivedAt: '2026-11-28T12:00:00Z',
      calendarId: always.id,
      windowSeconds: 30,
    });
    expect(fast.json<SlaPreview>().dueAt).toBe('2026-11-28T12:00:30.000Z');

    const bad = await call(admin, 'POST', '/sla/calendars', {
      name: 'Broken',
      timeZone: 'Europe/Amsterdam',
      workingHours: { mon: [['09:00', '17:00']] },
      holidays: null,
      closures: [{ from: '2026-12-31', to: '2026-12-24' }],
    });
    expect(bad.json()).toMatchObject({
      code: 'sla.invalid_calendar',
      errors: [{ field: 'body.closures.0.to' }],
    });
    const closed = await call(admin, 'POST', '/sla/calendars', {
      name: 'Closed',
      timeZone: 'UTC',
      workingHours: {},
      holidays: null,
    });
    expect(closed.json()).toMatchObject({
      code: 'sla.invalid_calendar',
      errors: [{ field: 'body.workingHours' }],
    });
    const taken = await call(admin, 'POST', '/sla/calendars', {
      name: 'Always open',
      timeZone: 'UTC',
      workingHours: allWeek,
      holidays: null,
    });
    expect(taken.statusCode).toBe(409);
    const neither = await call(admin, 'POST', '/sla/preview', { arrivedAt: '2026-11-28T12:00:00Z' });
    expect(neither.json()).toMatchObject({ errors: [{ field: 'body.windowSeconds' }] });
  });

  it('shows a lead’s clocks, and lets the manager waive a breach with a reason, which then does not count', async () => {
    const director = await addUser(context, 'director');
    const manager = await addUser(context, 'sales_manager', { managerId: director.id });
    const rep = await addUser(context, 'sales_rep', { managerId: manager.id });
    const pool = await context.services.routing.createPool(cli, { name: 'P', members: [{ userId: rep.id }] });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const lead = await context.services.contacts.createContact(cli, { email: 'jan@acme.nl' });
    await context.services.contacts.changeStage(cli, lead.id, { to: 'mql' });
    const repCookie = await signIn(app, rep.email);
    await expect
      .poll(
        async () =>
          (await call(repCookie, 'GET', `/contacts/${lead.id}/sla`)).json<{ data: SlaClock[] }>().data.length,
      )
      .toBe(2);
    let clocks = (await call(repCookie, 'GET', `/contacts/${lead.id}/sla`)).json<{ data: SlaClock[] }>().data;
    expect(clocks[0]).toMatchObject({
      target: 'first_response',
      status: 'running',
      userId: rep.id,
      dueAt: '2026-12-01T13:00:00.000Z',
    });
    expect(clocks[0]!.steps.map((s) => s.kind)).toEqual(['reminder', 'breach', 'breach', 'reassign']);

    // Half the 4 hours gone (12:00 in Amsterdam): at risk.
    context.clock.set('2026-12-01T11:00:00.000Z');
    clocks = (await call(repCookie, 'GET', `/contacts/${lead.id}/sla`)).json<{ data: SlaClock[] }>().data;
    expect(clocks.map((c) => [c.target, c.status])).toEqual([
      ['first_response', 'at_risk'],
      ['accept_or_reject', 'running'],
    ]);

    const managerCookie = await signIn(app, manager.email);
    const early = await call(managerCookie, 'POST', `/sla/clocks/${clocks[0]!.id}/waive`, {
      reason: 'Customer on holiday',
    });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'sla.not_waivable' });

    context.clock.set('2026-12-01T13:00:00.000Z');
    await context.services.leadFlow.sweepClocks();
    const short = await call(managerCookie, 'POST', `/sla/clocks/${clocks[0]!.id}/waive`, { reason: 'no' });
    expect(short.json()).toMatchObject({ errors: [{ field: 'body.reason' }] });
    const waived = await call(managerCookie, 'POST', `/sla/clocks/${clocks[0]!.id}/waive`, {
      reason: 'Customer on holiday, asked for a call next week',
    });
    expect(waived.statusCode).toBe(200);
    expect(waived.json<SlaClock>()).toMatchObject({
      status: 'waived',
      level: 1,
      nextStepAt: null,
      waiver: {
        by: manager.id,
        reason: 'Customer on holiday, asked for a call next week',
        at: '2026-12-01T13:00:00.000Z',
      },
    });
    // A waived miss is not on the rep's record; the ladder of that clock stops (no director email).
    expect((await context.services.sla.recordsOf([rep.id])).get(rep.id)).toBeNull();
    context.clock.set('2026-12-02T12:30:00.000Z');
    await context.services.leadFlow.sweepClocks();
    clocks = (await call(repCookie, 'GET', `/contacts/${lead.id}/sla`)).json<{ data: SlaClock[] }>().data;
    expect(clocks.find((c) => c.id === waived.json<SlaClock>().id)!.status).toBe('waived');
    expect((await context.services.contacts.getContact(cli, lead.id)).ownerId).toBe(rep.id);

    // Another rep's manager cannot waive it.
    const otherManager = await addUser(context, 'sales_manager', { managerId: director.id });
    const accept = clocks.find((c) => c.target === 'accept_or_reject')!;
    expect(accept.status).toBe('breached');
    const foreign = await call(
      await signIn(app, otherManager.email),
      'POST',
      `/sla/clocks/${accept.id}/waive`,
      {
        reason: 'Not my team but still',
      },
    );
    expect(foreign.statusCode).toBe(404);
  });

  it('queues the leads waiting for a follow-up, most urgent first, with business time left; each sees their own', async () => {
    const director = await addUser(context, 'director');
    const manager = await addUser(context, 'sales_manager', { managerId: director.id });
    const rep = await addUser(context, 'sales_rep', { managerId: manager.id });
    const other = await addUser(context, 'sales_rep', {
      managerId: (await addUser(context, 'sales_manager', { managerId: director.id })).id,
    });
    const pool = await context.services.routing.createPool(cli, { name: 'P', members: [{ userId: rep.id }] });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const first = await context.services.contacts.createContact(cli, {
      email: 'jan@acme.nl',
      firstName: 'Jan',
      lastName: 'de Vries',
    });
    await context.services.contacts.changeStage(cli, first.id, { to: 'mql' });
    const repCookie = await signIn(app, rep.email);
    const queueOf = async (cookie: string, query = '') => {
      const response = await call(cookie, 'GET', `/sla/queue${query}`);
      expect(response.statusCode).toBe(200);
      return response.json<SlaQueue>();
    };
    await expect.poll(async () => (await queueOf(repCookie)).data.length).toBe(2);
    context.clock.set('2026-12-01T10:00:00.000Z'); // an hour later
    const second = await context.services.contacts.createContact(cli, { email: 'eva@hooli.nl' });
    await context.services.contacts.changeStage(cli, second.id, { to: 'mql' });
    await expect.poll(async () => (await queueOf(repCookie)).data.length).toBe(4);

    // 16:00 in Amsterdam: the first lead's 4 business hours ran out at 14:00, the second's at 15:00.
    context.clock.set('2026-12-01T15:00:00.000Z');
    let queue = await queueOf(repCookie);
    expect(queue.asOf).toBe('2026-12-01T15:00:00.000Z');
    expect(queue.data.map((i) => [i.contact.email, i.clock.target, i.businessMsLeft, i.ticking])).toEqual([
      ['jan@acme.nl', 'first_response', -2 * 3600_000, true],
      ['eva@hooli.nl', 'first_response', -1 * 3600_000, true],
      // 1 business day from 10:00 and 11:00 Amsterdam ends the next day at that hour; 17:30 closes today.
      ['jan@acme.nl', 'accept_or_reject', 2.5 * 3600_000, true],
      ['eva@hooli.nl', 'accept_or_reject', 3.5 * 3600_000, true],
    ]);
    expect(queue.data[0]).toMatchObject({
      contact: { id: first.id, name: 'Jan de Vries', stage: 'mql' },
      rep: { id: rep.id, name: rep.name },
    });

    // Overnight the countdown stops: it does not tick, and the time left is business time.
    context.clock.set('2026-12-01T20:00:00.000Z');
    queue = await queueOf(repCookie);
    expect(queue.data[2]).toMatchObject({ businessMsLeft: 1 * 3600_000, ticking: false });

    // After the sweep, a breach filter; accepting answers the lead's MQL clocks, and its SAL clock queues.
    await context.services.leadFlow.sweepClocks();
    expect((await queueOf(repCookie, '?status=breached')).data.map((i) => i.clock.target)).toEqual([
      'first_response',
      'first_response',
    ]);
    await context.services.contacts.changeStage(cli, first.id, { to: 'sal' });
    await expect
      .poll(async () =>
        (await queueOf(repCookie)).data.filter((i) => i.contact.id === first.id).map((i) => i.clock.stage),
      )
      .toEqual(['sal']);

    // The manager sees the team's; a rep outside it sees none of it; a director sees all.
    expect((await queueOf(await signIn(app, manager.email), `?userId=${rep.id}`)).data).toHaveLength(3);
    expect((await queueOf(await signIn(app, other.email))).data).toHaveLength(0);
    expect((await queueOf(await signIn(app, director.email))).data).toHaveLength(3);
    const wrong = await call(repCookie, 'GET', '/sla/queue?status=late');
    expect(wrong.json()).toMatchObject({ errors: [{ field: 'query.status' }] });
  });

  it("takes Marketing's commitment for a month or quarter, refuses a wrong one by field, and shows its days", async () => {
    const marketer = await addUser(context, 'marketing', { name: 'Maud Marketing' });
    const maud = await signIn(app, marketer.email);
    const wrongDay = await call(maud, 'POST', '/sla/commitments', {
      period: 'month',
      startsOn: '2026-12-02',
      mqlTarget: 100,
      minAcceptanceRate: 0.6,
    });
    expect(wrongDay.statusCode).toBe(400);
    expect(wrongDay.json()).toMatchObject({
      code: 'http.validation_failed',
      errors: [{ field: 'body.startsOn', reason: 'must be the first day of a month' }],
    });
    const wrongQuarter = await call(maud, 'POST', '/sla/commitments', {
      period: 'quarter',
      startsOn: '2026-11-01',
      mqlTarget: 300,
      minAcceptanceRate: 0.6,
    });
    expect(wrongQuarter.json()).toMatchObject({ errors: [{ field: 'body.startsOn' }] });
    const badRate = await call(maud, 'POST', '/sla/commitments', {
      period: 'month',
      startsOn: '2026-12-01',
      mqlTarget: 100,
      minAcceptanceRate: 60,
    });
    expect(badRate.statusCode).toBe(400);
    expect(badRate.json()).toMatchObject({ errors: [{ field: 'body.minAcceptanceRate' }] });
    const rep = await addUser(context, 'sales_rep');
    const notMarketing = await call(maud, 'POST', '/sla/commitments', {
      period: 'month',
      startsOn: '2026-12-01',
      mqlTarget: 100,
      minAcceptanceRate: 0.6,
      ownerId: rep.id,
    });
    expect(notMarketing.json()).toMatchObject({ errors: [{ field: 'body.ownerId' }] });

    const made = await call(maud, 'POST', '/sla/commitments', {
      period: 'month',
      startsOn: '2026-12-01',
      mqlTarget: 100,
      minAcceptanceRate: 0.6,
      note: 'Agreed with Sales on 20 November',
    });
    expect(made.statusCode).toBe(201);
    const id = made.json<{ id: string }>().id;
    const again = await call(admin, 'POST', '/sla/commitments', {
      period: 'month',
      startsOn: '2026-12-01',
      mqlTarget: 90,
      minAcceptanceRate: 0.5,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'sla.commitment_exists',
      errors: [{ field: 'body.startsOn' }],
    });

    const changed = await call(maud, 'PATCH', `/sla/commitments/${id}`, { mqlTarget: 110, tolerance: 0.2 });
    expect(changed.json()).toMatchObject({ mqlTarget: 110, tolerance: 0.2, ownerId: marketer.id });
    context.clock.set('2026-12-03T09:00:00.000Z');
    const detail = await call(await signIn(app, rep.email), 'GET', `/sla/commitments/${id}`);
    expect(detail.json()).toMatchObject({
      period: 'month',
      endsOn: '2026-12-31',
      note: 'Agreed with Sales on 20 November',
      pace: { asOf: '2026-12-03', status: 'on_track', delivered: 0, expectedToDate: 10 },
      days: [
        { date: '2026-12-01', open: true, delivered: 0, expected: 5 },
        { date: '2026-12-02', open: true, delivered: 0, expected: 10 },
      ],
    });
    const listed = await call(admin, 'GET', '/sla/commitments?from=2026-12-15&to=2026-12-20');
    expect(listed.json<{ data: { id: string }[] }>().data.map((c) => c.id)).toEqual([id]);
    expect(
      (await call(admin, 'GET', '/sla/commitments?from=2027-01-01')).json<{ data: unknown[] }>().data,
    ).toEqual([]);
    expect((await call(maud, 'DELETE', `/sla/commitments/${id}`)).statusCode).toBe(204);
    expect((await call(maud, 'GET', `/sla/commitments/${id}`)).json()).toMatchObject({
      code: 'sla.commitment_not_found',
    });
  });
});
