import { Readable } from 'node:stream';
import { beforeEach, expect, it } from 'vitest';
import type {
  AttributionComparison,
  AttributionReport,
  CampaignCost,
  DealLedger,
  JourneyAnalysis,
} from '../../../contract/attribution.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('attribution', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let admin: string;
  let adminEmail: string;
  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-03-01T08:00:00.000Z');
    app = await createTestApp(context);
    adminEmail = (await addUser(context, 'admin')).email;
    admin = await signIn(app, adminEmail);
    return () => app.close();
  });
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, cookie = admin) =>
    app.inject({ method, url: `/api/v1${url}`, headers: { cookie }, ...(payload && { payload }) });

  const touch = async (email: string, type: string, occurredAt: string, extra: object = {}) => {
    context.clock.set(new Date(Date.parse(occurredAt) + 60_000).toISOString());
    const outcome = await context.services.capture.ingest(
      cli,
      { type, occurredAt, email, ...extra },
      undefined,
    );
    expect(outcome.body.results[0]!.status).toBe('accepted');
    return outcome.body.results[0]!.contactId!;
  };
  const toSql = async (contactId: string, at: string) => {
    context.clock.set(at);
    await context.services.contacts.changeStage(cli, contactId, { to: 'mql' });
    await context.services.contacts.changeStage(cli, contactId, { to: 'sql' });
  };
  const deal = async (contactId: string, amountMinor: number, createdAt: string) => {
    context.clock.set(createdAt);
    return (
      await context.services.opportunities.create(cli, {
        name: `Deal ${amountMinor}`,
        contactId,
        amountMinor,
      })
    ).id;
  };
  const close = async (id: string, stage: 'won' | 'lost', at: string) => {
    context.clock.set(at);
    await context.services.opportunities.move(cli, id, {
      stage,
      ...(stage === 'lost' && { reason: 'price' }),
    });
  };

  /**
   * Five deals: one Marketing sourced (a webinar created the lead), one Sales sourced (a call created
   * it) but influenced by an ad, one without any touch, one open at Marketing's account, one lost.
   */
  async function seed() {
    const anna = await touch('anna@alpha.nl', 'webinar_attended', '2026-03-01T10:00:00Z', {
      channel: 'webinar',
      campaign: 'spring-webinar',
    });
    await touch('anna@alpha.nl', 'email_clicked', '2026-03-20T10:00:00Z', {
      channel: 'email',
      campaign: 'nurture',
    });
    const bob = await touch('bob@beta.nl', 'call_logged', '2026-03-05T10:00:00Z');
    await touch('bob@beta.nl', 'ad_clicked', '2026-03-25T10:00:00Z', {
      channel: 'ads',
      campaign: 'linkedin-q1',
    });
    context.clock.set('2026-03-30T09:00:00Z');
    const carl = (await context.services.contacts.createContact(cli, { email: 'carl@gamma.nl' })).id;
    await toSql(anna, '2026-04-01T08:00:00Z');
    await toSql(bob, '2026-04-01T08:10:00Z');
    await toSql(carl, '2026-04-01T08:20:00Z');
    const d1 = await deal(anna, 1_000_000, '2026-04-01T09:00:00Z');
    const d2 = await deal(bob, 500_000, '2026-04-02T09:00:00Z');
    const d3 = await deal(carl, 300_000, '2026-04-03T09:00:00Z');
    const d5 = await deal(bob, 100_000, '2026-04-05T09:00:00Z');
    await close(d1, 'won', '2026-05-10T12:00:00Z');
    await close(d2, 'won', '2026-05-12T12:00:00Z');
    await close(d3, 'won', '2026-05-15T12:00:00Z');
    await close(d5, 'lost', '2026-05-20T12:00:00Z');
    // A colleague at anna's account: his deal counts her touches too.
    const dave = await touch('dave@alpha.nl', 'page_viewed', '2026-05-25T10:00:00Z', { channel: 'organic' });
    await toSql(dave, '2026-05-26T09:00:00Z');
    const d4 = await deal(dave, 200_000, '2026-05-27T09:00:00Z');
    context.clock.set('2026-06-01T09:00:00Z');
    admin = await signIn(app, adminEmail);
    // The facts an independent count starts from: amount, won in the period, Marketing's first or
    // lead-creating touch, any Marketing touch.
    const facts = [
      { id: d1, amount: 1_000_000, won: true, sourced: true, influenced: true },
      { id: d2, amount: 500_000, won: true, sourced: false, influenced: true },
      { id: d3, amount: 300_000, won: true, sourced: false, influenced: false },
      { id: d4, amount: 200_000, won: false, sourced: true, influenced: true },
      { id: d5, amount: 100_000, won: false, sourced: false, influenced: true },
    ];
    return { d1, d2, d3, d4, d5, facts };
  }

  it('reports sourced and influenced revenue and pipeline, and each campaign’s return, as an independent count gives them', async () => {
    const { facts } = await seed();
    const cost = await call('POST', '/attribution/costs', {
      campaign: 'spring-webinar',
      channel: 'Webinar',
      startsOn: '2026-03-01',
      endsOn: '2026-05-31',
      amountMinor: 200_000,
    });
    expect(cost.statusCode).toBe(201);
    expect(cost.json<CampaignCost>()).toMatchObject({ channel: 'webinar', currency: 'EUR' });

    const response = await call('GET', '/attribution/report?from=2026-04-01&to=2026-05-31&model=linear');
    expect(response.statusCode).toBe(200);
    const report = response.json<AttributionReport>();
    const sum = (pick: (f: (typeof facts)[number]) => boolean, won: boolean) =>
      facts.filter((f) => pick(f) && (!won || f.won)).reduce((s, f) => s + f.amount, 0);
    const count = (pick: (f: (typeof facts)[number]) => boolean, won: boolean) =>
      facts.filter((f) => pick(f) && (!won || f.won)).length;
    const all = () => true;
    expect(report.totals).toMatchObject({
      revenueMinor: sum(all, true),
      wonDeals: count(all, true),
      pipelineMinor: sum(all, false),
      pipelineDeals: count(all, false),
      unattributedRevenueMinor: 300_000,
      otherCurrencyDeals: 0,
    });
    expect(report.marketing.sourced).toEqual({
      revenueMinor: sum((f) => f.sourced, true),
      wonDeals: count((f) => f.sourced, true),
      pipelineMinor: sum((f) => f.sourced, false),
      pipelineDeals: count((f) => f.sourced, false),
    });
    expect(report.marketing.influenced).toEqual({
      revenueMinor: sum((f) => f.influenced, true),
      wonDeals: count((f) => f.influenced, true),
      pipelineMinor: sum((f) => f.influenced, false),
      pipelineDeals: count((f) => f.influenced, false),
    });

    // Linear: anna's deal splits over the webinar and the email; bob's over the ad (his call is a
    // sales touch, which does not count by default).
    const byChannel = Object.fromEntries(report.rows.map((r) => [r.key, r]));
    expect(byChannel.webinar).toMatchObject({ revenueMinor: 500_000, wonDeals: 0.5 });
    expect(byChannel.email).toMatchObject({ revenueMinor: 500_000 });
    expect(byChannel.ads).toMatchObject({ revenueMinor: 500_000, wonDeals: 1 });
    expect(report.rows.reduce((s, r) => s + r.revenueMinor, 0) + report.totals.unattributedRevenueMinor).toBe(
      report.totals.revenueMinor,
    );

    // 200,000 over 92 days, of which 61 fall in the period; one MQL and one SQL came from the webinar.
    const spring = report.campaigns.find((c) => c.campaign === 'spring-webinar')!;
    const costInPeriod = Math.round((200_000 * 61) / 92);
    expect(spring).toMatchObject({
      costMinor: costInPeriod,
      revenueMinor: 500_000,
      mqls: 1,
      sqls: 1,
      wonDeals: 0.5,
      costPerMqlMinor: costInPeriod,
      costPerWonDealMinor: costInPeriod * 2,
    });
    expect(spring.roi).toBeCloseTo((500_000 - costInPeriod) / costInPeriod, 12);
    expect(report.campaigns.find((c) => c.campaign === 'linkedin-q1')).toMatchObject({
      costMinor: 0,
      roi: null,
    });

    // A deal in another currency made since: the next report counts it at once (how many deals
    // of each currency a period has is kept between calls while no deal changes).
    context.clock.set('2026-05-30T09:00:00Z');
    await context.services.opportunities.create(cli, { name: 'Dollars', amountMinor: 1, currency: 'USD' });
    context.clock.set('2026-06-01T09:00:00Z');
    const again = await call('GET', '/attribution/report?from=2026-04-01&to=2026-05-31&model=linear');
    expect(again.json<AttributionReport>().totals).toMatchObject({
      revenueMinor: report.totals.revenueMinor,
      otherCurrencyDeals: 1,
    });
  });

  it('keeps the credit stored when a deal was won, whatever the settings become; recomputes any model on request', async () => {
    const { d1 } = await seed();
    const recognised = (
      await call('GET', '/attribution/report?from=2026-04-01&to=2026-05-31')
    ).json<AttributionReport>();
    expect(recognised).toMatchObject({ model: 'w_shaped', agreedModel: 'w_shaped', recognised: true });
    // W-shaped on two touches: the webinar is first touch and lead creation, the email the last touch
    // before the opportunity; with no touch between, the rest goes to them pro rata (2/3, 1/3).
    const byChannel = (r: AttributionReport) =>
      Object.fromEntries(r.rows.map((x) => [x.key, x.revenueMinor]));
    expect(byChannel(recognised)).toMatchObject({ webinar: 666_667, email: 333_333, ads: 500_000 });

    const changed = await call('PATCH', '/attribution/settings', {
      model: 'first_touch',
      includeSalesTouches: true,
    });
    expect(changed.json()).toMatchObject({ model: 'first_touch', includeSalesTouches: true });
    const after = (
      await call('GET', '/attribution/report?from=2026-04-01&to=2026-05-31')
    ).json<AttributionReport>();
    expect(after).toMatchObject({ model: 'first_touch', agreedModel: 'first_touch', recognised: true });
    expect(byChannel(after)).toMatchObject({ webinar: 666_667, email: 333_333, ads: 500_000 });
    // Asked for explicitly, the model is computed now, with today's settings (the call counts).
    const live = (
      await call('GET', '/attribution/report?from=2026-04-01&to=2026-05-31&model=first_touch')
    ).json<AttributionReport>();
    expect(live.recognised).toBe(false);
    expect(byChannel(live)).toMatchObject({ webinar: 1_000_000, sales: 500_000 });

    const ledger = (await call('GET', `/attribution/opportunities/${d1}`)).json<DealLedger>();
    expect(ledger.snapshot).toMatchObject({ model: 'w_shaped' });
    expect(ledger.snapshot!.lines.map((l) => [l.channel, l.creditMinor])).toEqual([
      ['webinar', 666_667],
      ['email', 333_333],
    ]);
    expect(ledger.sourced).toBe(true);
    expect(ledger.touches).toHaveLength(2);
    for (const model of ['u_shaped', 'markov', 'shapley', 'time_decay'])
      expect(ledger.touches.reduce((s, t) => s + t.credits[model]!.creditMinor, 0)).toBe(1_000_000);
    expect(ledger.touches[0]!.credits.w_shaped!.reason).toMatchObject({
      basis: 'milestone',
      milestones: ['first_touch', 'lead_creation'],
    });
  });

  it('compares every model per channel, and groups by campaign, touch, deal and month', async () => {
    await seed();
    const comparison = (
      await call('GET', '/attribution/comparison?from=2026-04-01&to=2026-05-31')
    ).json<AttributionComparison>();
    expect(comparison.models).toHaveLength(13);
    const webinar = comparison.channels.find((c) => c.channel === 'webinar')!;
    expect(webinar.revenueMinor).toMatchObject({ first_touch: 1_000_000, last_touch: 0, linear: 500_000 });
    for (const model of comparison.models)
      expect(comparison.channels.reduce((s, c) => s + c.revenueMinor[model]!, 0)).toBe(1_500_000);

    const keys = async (groupBy: string) =>
      (await call('GET', `/attribution/report?from=2026-04-01&to=2026-05-31&model=linear&groupBy=${groupBy}`))
        .json<AttributionReport>()
        .rows.map((r) => r.key)
        .sort();
    expect(await keys('campaign')).toEqual(['(none)', 'linkedin-q1', 'nurture', 'spring-webinar']);
    expect(await keys('touch')).toEqual(['ad_clicked', 'email_clicked', 'page_viewed', 'webinar_attended']);
    expect(await keys('month')).toEqual(['2026-04', '2026-05']);
    expect(await keys('deal')).toHaveLength(4);
  });

  it('runs every channel model on an uploaded journeys file', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/attribution/journeys',
      headers: { cookie: admin, 'content-type': 'text/csv' },
      payload:
        'path;total_conversions;total_conversion_value;total_null\nc1 > c2 > c3;1;0;0\nc1;0;0;1\nc2 > c3;0;0;1\n',
    });
    expect(response.statusCode).toBe(200);
    const analysis = response.json<JourneyAnalysis>();
    expect(analysis.channels.map((c) => Number(c.markov.conversions.toFixed(6)))).toEqual([0.2, 0.4, 0.4]);
    const json = await call('POST', '/attribution/journeys', { path: 'a' });
    expect(json.json()).toMatchObject({ code: 'http.unsupported_media_type' });
  });

  it('refuses bad settings and costs with the field and the reason, and lets only Marketing and admins enter costs', async () => {
    const weights = await call('PATCH', '/attribution/settings', {
      customWeights: { firstTouch: 50, leadCreation: 50, opportunityCreation: 10, closedWon: 0, rest: 0 },
    });
    expect(weights.statusCode).toBe(400);
    expect(weights.json()).toMatchObject({
      errors: [{ field: 'body.customWeights', reason: 'must sum to 100 (they sum to 110)' }],
    });
    expect((await call('PATCH', '/attribution/settings', { model: 'nope' })).statusCode).toBe(400);
    const backwards = await call('POST', '/attribution/costs', {
      campaign: 'x',
      startsOn: '2026-05-01',
      endsOn: '2026-04-01',
      amountMinor: 1,
    });
    expect(backwards.json()).toMatchObject({ errors: [{ field: 'body.endsOn' }] });
    const period = await call('GET', '/attribution/report?from=2026-05-01&to=2026-04-01');
    expect(period.json()).toMatchObject({ errors: [{ field: 'body.to' }] });

    const marketer = await signIn(app, (await addUser(context, 'marketing')).email);
    const rep = await signIn(app, (await addUser(context, 'sales_rep')).email);
    const body = { campaign: 'fair', startsOn: '2026-04-01', endsOn: '2026-04-30', amountMinor: 50_000 };
    const created = await call('POST', '/attribution/costs', body, marketer);
    expect(created.statusCode).toBe(201);
    expect((await call('POST', '/attribution/costs', body, rep)).statusCode).toBe(403);
    expect((await call('PATCH', '/attribution/settings', { model: 'linear' }, marketer)).statusCode).toBe(
      403,
    );
    expect((await call('GET', '/attribution/costs', undefined, rep)).json()).toMatchObject({
      data: [{ campaign: 'fair' }],
    });
    const id = created.json<CampaignCost>().id;
    expect((await call('DELETE', `/attribution/costs/${id}`, undefined, marketer)).statusCode).toBe(204);
    expect((await call('DELETE', `/attribution/costs/${id}`, undefined, marketer)).json()).toMatchObject({
      code: 'attribution.campaign_cost_not_found',
    });
  });

  it('imports campaign costs from a file, reports bad rows, and changes nothing when the same file comes again', async () => {
    const file = [
      'Campaign;Channel;Starts_on;Ends_on;Amount;Currency',
      'Spring webinar;Webinar;2026-03-01;2026-05-31;2.000,50;EUR',
      'LinkedIn Q1;social;2026-01-01;2026-03-31;1250;',
      'Broken;;2026-04-01;2026-03-01;10;EUR',
      ';;2026-04-01;2026-04-30;10;EUR',
      'Fair;event;2026-04-01;2026-04-30;ten;EUR',
    ].join('\n');
    const run = (text: string, dryRun = false) =>
      context.services.attribution.importCosts(cli, Readable.from([text]), { dryRun });
    const dry = await run(file, true);
    expect(dry).toMatchObject({ rows: 5, created: 2, updated: 0 });
    expect((await context.services.attribution.listCosts(cli)).length).toBe(0);
    const first = await run(file);
    expect(first).toMatchObject({ rows: 5, created: 2, updated: 0, unchanged: 0 });
    expect(first.errors).toEqual([
      { row: 4, column: 'ends_on', reason: 'must be a date, YYYY-MM-DD, not before starts_on' },
      { row: 5, column: 'campaign', reason: 'is required' },
      { row: 6, column: 'amount', reason: 'must be an amount such as 1250 or 1250.50' },
    ]);
    expect(await run(file)).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    const costs = await context.services.attribution.listCosts(cli);
    expect(costs.map((c) => [c.campaign, c.channel, c.amountMinor, c.currency]).sort()).toEqual([
      ['LinkedIn Q1', 'social', 125_000, 'EUR'],
      ['Spring webinar', 'webinar', 200_050, 'EUR'],
    ]);
    expect(await run(file.replace('1250;', '1300;'))).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    const rep = {
      kind: 'user',
      userId: (await addUser(context, 'sales_rep')).id,
      role: 'sales_rep',
    } as const;
    await expect(
      context.services.attribution.importCosts(rep, Readable.from([file]), { dryRun: true }),
    ).rejects.toMatchObject({
      code: 'auth.forbidden',
    });
  });
});
