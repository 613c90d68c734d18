import { beforeEach, expect, it } from 'vitest';
import type { Pacing, PlanResult, SavedPlan, Target } from '../../../contract/planning.ts';
import { createSmtpMailer } from '../../platform/mailer.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { startTestSmtpServer } from '../../testing/smtp.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;
const noLag = { opportunityToWon: 0, sqlToOpportunity: 0, salToSql: 0, mqlToSal: 0, inquiryToMql: 0 };
/** 30 wins → 60 opportunities and SQLs → 120 SALs → 240 MQLs → 480 inquiries, 80 MQLs a month. */
const q1Plan = {
  name: 'Q1 2027',
  periodKind: 'quarter',
  periodStart: '2027-01',
  revenueTarget: 30_000_000,
  currency: 'EUR',
  averageDealSize: 1_000_000,
  rates: { opportunityToWon: 0.5, sqlToOpportunity: 1, salToSql: 0.5, mqlToSal: 0.5, inquiryToMql: 0.5 },
  lagDays: noLag,
};

describeEachDialect('planning', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let director: string;
  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    director = (await addUser(context, 'director')).email;
    return () => app.close();
  });
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { cookie: await signIn(app, director) },
      ...(payload && { payload }),
    });

  it('plans the published worked example through the API, saying where each figure came from', async () => {
    const response = await call('POST', '/plans/preview', {
      periodKind: 'year',
      periodStart: '2027-01',
      revenueTarget: 200_000_000,
      currency: 'EUR',
      averageDealSize: 2_500_000,
      rates: { opportunityToWon: 0.3, salToSql: 0.6, mqlToSal: 0.85, inquiryToMql: 0.1 },
    });
    expect(response.statusCode).toBe(200);
    const plan = response.json<PlanResult>();
    expect(Object.fromEntries(plan.rows.map((r) => [r.stage, r.needed]))).toEqual({
      won: 80,
      opportunity: 267,
      sql: 267,
      sal: 444,
      mql: 523,
      inquiry: 5229,
    });
    expect(plan.sources.rates).toMatchObject({
      mqlToSal: { source: 'given' },
      sqlToOpportunity: { source: 'default', sample: 0 },
    });
    // With the default durations, January's wins need opportunities from the autumn before.
    expect(plan.months[0]! < '2027-01').toBe(true);
    expect(plan.sensitivity.find((s) => s.step === 'mqlToSal')).toMatchObject({
      to: 0.9,
      change: { mql: -29 },
    });
  });

  it('reads the rates from the company’s own funnel when it has enough history', async () => {
    // 30 leads in the autumn; 24 of them became MQL a week later, none went further.
    for (let i = 0; i < 30; i++) {
      context.clock.set(`2026-10-${String(1 + (i % 20)).padStart(2, '0')}T10:00:00.000Z`);
      const contact = await context.services.contacts.createContact(cli, {
        email: `lead${i}@klant.nl`,
        stage: 'lead',
      });
      if (i < 24) {
        context.clock.set(`2026-10-${String(8 + (i % 20)).padStart(2, '0')}T10:00:00.000Z`);
        await context.services.contacts.changeStage(cli, contact.id, { to: 'mql' });
      }
    }
    context.clock.set('2026-12-01T09:00:00.000Z');
    const plan = (
      await call('POST', '/plans/preview', {
        periodKind: 'quarter',
        periodStart: '2027-01',
        revenueTarget: 10_000_000,
        currency: 'EUR',
        averageDealSize: 1_000_000,
      })
    ).json<PlanResult>();
    expect(plan.rates.inquiryToMql).toBeCloseTo(0.8, 9);
    expect(plan.sources.rates.inquiryToMql).toEqual({ source: 'history', sample: 30 });
    expect(plan.lagDays.inquiryToMql).toBeCloseTo(7, 9);
    expect(plan.sources.lagDays.inquiryToMql).toEqual({ source: 'history', sample: 24 });
    // No MQL went further: a rate of 0 cannot be planned with, so the default stands.
    expect(plan.sources.rates.mqlToSal).toEqual({ source: 'default', sample: 0 });
    expect(plan.rates.mqlToSal).toBe(0.85);
  });

  it('asks for the deal size when there is no history to read it from', async () => {
    const response = await call('POST', '/plans/preview', {
      periodKind: 'year',
      periodStart: '2027-01',
      revenueTarget: 200_000_000,
      currency: 'EUR',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'planning.deal_size_required',
      errors: [{ field: 'body.averageDealSize' }],
    });
  });

  it('saves the plan of a quarter and paces the quarter against it, with alerts when behind', async () => {
    const saved = await call('POST', '/plans', q1Plan);
    expect(saved.statusCode).toBe(201);
    expect(saved.json<SavedPlan>()).toMatchObject({
      current: true,
      name: 'Q1 2027',
    });
    expect(saved.json<SavedPlan>().plan.rows.map((r) => r.needed)).toEqual([30, 60, 60, 120, 240, 480]);
    // 30 wins → 60 opportunities and SQLs → 120 SALs → 240 MQLs → 480 inquiries, 80 MQLs a month.

    // Halfway through January (15.5 of 31 days), 10 MQLs: 25% of the 40 planned to date.
    for (let i = 0; i < 10; i++) {
      context.clock.set(`2027-01-0${1 + (i % 9)}T10:00:00.000Z`);
      const contact = await context.services.contacts.createContact(cli, {
        email: `m${i}@klant.nl`,
        stage: 'lead',
      });
      await context.services.contacts.changeStage(cli, contact.id, { to: 'mql' });
    }
    context.clock.set('2027-01-16T12:00:00.000Z');
    const pacing = (await call('GET', '/pacing?periodKind=quarter&periodStart=2027-01')).json<Pacing>();
    const mql = pacing.stages.find((s) => s.stage === 'mql')!;
    expect(mql).toMatchObject({ planTotal: 240, actualToDate: 10, status: 'behind' });
    expect(mql.plannedToDate).toBeCloseTo(40, 9);
    expect(mql.projection).toBe(60);
    expect(mql.byMonth[0]).toEqual({ month: '2027-01', planned: 80, actual: 10 });
    expect(pacing.alerts.find((a) => a.stage === 'mql')!.message.nl).toContain(
      'MQL’s lopen achter op plan: 10 tegen 40',
    );
    expect(pacing.plan).toMatchObject({ name: 'Q1 2027' });
    expect(pacing.agreements).toEqual([
      { version: null, from: '2027-01-01T00:00:00.000Z', to: '2027-04-01T00:00:00.000Z' },
    ]);
  });

  it('emails the heads of Marketing and the directors, once, when a stage falls behind the plan', async () => {
    const head = await context.services.users.createUser(cli, {
      email: 'maud@acme-ict.nl',
      name: 'Maud Marketing',
      role: 'marketing',
      language: 'nl',
    });
    // A marketer with a marketing manager is not a head of Marketing.
    await context.services.users.createUser(cli, {
      email: 'mark@acme-ict.nl',
      name: 'Mark',
      role: 'marketing',
      managerId: head.id,
    });
    const saved = await call('POST', '/plans', q1Plan);
    expect(saved.statusCode).toBe(201);
    const check = () => context.services.planning.checkPace();
    // Before the quarter nothing is checked.
    expect(await check()).toBe(0);

    // 2 January: nothing has happened yet, so every stage is behind what the plan needs by now.
    context.clock.set('2027-01-02T06:00:00.000Z');
    // The head of Marketing and the director (the one signed in), not the marketer under her.
    const recipients = 2;
    expect(await check()).toBe(recipients);
    // Once a day, and not again the next day while the same stages stay behind.
    expect(await check()).toBe(0);
    context.clock.set('2027-01-03T06:00:00.000Z');
    expect(await check()).toBe(0);
    // MQLs catch up on the 4th (12 against about 8 needed by then): no alert for a stage recovering …
    context.clock.set('2027-01-04T08:00:00.000Z');
    for (let i = 0; i < 12; i++) {
      const contact = await context.services.contacts.createContact(cli, {
        email: `m${i}@klant.nl`,
        stage: 'lead',
      });
      await context.services.contacts.changeStage(cli, contact.id, { to: 'mql' });
    }
    context.clock.set('2027-01-05T06:00:00.000Z');
    expect(await check()).toBe(0);
    // … and a new one when it falls behind again (12 against about 35 by the 14th).
    context.clock.set('2027-01-14T06:00:00.000Z');
    expect(await check()).toBe(recipients);

    // Through a real SMTP server: the head of Marketing reads Dutch, the director English.
    const smtp = await startTestSmtpServer();
    const mailer = createSmtpMailer({ url: smtp.url, from: 'Baton <baton@acme-ict.nl>' });
    try {
      while ((await context.services.notifications.sendDue(mailer, 'test', 10)) > 0);
      const mails = await smtp.waitFor(2 * recipients);
      const toHead = mails.find((m) => m.text?.includes('Maud Marketing'))!;
      // The stage that fell behind again comes first in the second alert.
      const again = mails.filter((m) => m.text?.includes('Maud Marketing'))[1]!;
      expect(again.text!.indexOf('MQL’s lopen achter')).toBeLessThan(again.text!.indexOf('Aanvragen lopen'));
      expect(again.text).toContain('MQL’s lopen achter op plan: 12 tegen');
      expect(toHead.subject).toBe('Achter op plan: Q1 2027');
      expect(toHead.text).toContain('De funnel loopt achter op het plan "Q1 2027" voor Q1 2027');
      expect(toHead.text).toContain('MQL’s lopen achter op plan: 0 tegen');
      expect(toHead.text).toContain('/plan');
      const toDirector = mails.find((m) => m.subject === 'Behind plan: Q1 2027')!;
      expect(toDirector.text).toContain('MQLs are behind plan: 0 against');
      expect(mails.some((m) => m.text?.includes('Mark,'))).toBe(false);
    } finally {
      mailer.close();
      await smtp.close();
    }
  });

  it('keeps one target per period, metric and owner, with its currency only for money', async () => {
    const put = (payload: object) => call('PUT', '/targets', payload);
    const target = {
      periodKind: 'year',
      periodStart: '2027-01',
      metric: 'revenue',
      ownerKind: 'company',
      value: 200_000_000,
      currency: 'EUR',
      joint: true,
    };
    expect((await put(target)).statusCode).toBe(200);
    expect((await put({ ...target, value: 250_000_000 })).json<Target>()).toMatchObject({
      value: 250_000_000,
      joint: true,
      owner: { kind: 'company', id: null },
    });
    expect((await call('GET', '/targets?periodStart=2027-01')).json<Target[]>()).toHaveLength(1);
    expect((await put({ ...target, currency: undefined })).json()).toMatchObject({
      errors: [{ field: 'body.currency', reason: 'is required for a revenue target' }],
    });
    expect((await put({ ...target, metric: 'mql' })).json()).toMatchObject({
      errors: [{ field: 'body.currency' }],
    });
    expect((await put({ ...target, ownerKind: 'team' })).json()).toMatchObject({
      errors: [{ field: 'body.ownerId' }],
    });
  });
});
