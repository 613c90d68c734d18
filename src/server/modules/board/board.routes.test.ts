import { beforeEach, expect, it } from 'vitest';
import type { Board } from '../../../contract/board.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('the board view', (getDatabase) => {
  let context: TestContext;
  let app: App;
  beforeEach(async () => {
    context = createTestContext(getDatabase());
    app = await createTestApp(context);
    return () => app.close();
  });

  it('puts plan against actual, velocity, Marketing’s share with CAC, and the forecast side by side', async () => {
    const rep = await addUser(context, 'sales_rep');
    context.clock.set('2026-12-15T09:00:00.000Z');
    await context.services.planning.savePlan(cli, {
      name: 'Q1',
      periodKind: 'quarter',
      periodStart: '2027-01',
      revenueTarget: 30_000_000,
      currency: 'EUR',
      averageDealSize: 10_000_000,
      rates: { opportunityToWon: 0.5, sqlToOpportunity: 1, salToSql: 0.5, mqlToSal: 0.5, inquiryToMql: 0.5 },
      lagDays: { opportunityToWon: 0, sqlToOpportunity: 0, salToSql: 0, mqlToSal: 0, inquiryToMql: 0 },
    });
    // A webinar creates the lead whose deal is won in January; a second deal is lost; a third is
    // open (proposal, 50%) and expected in March; a fourth is expected after the quarter.
    context.clock.set('2026-12-20T10:00:00.000Z');
    const outcome = await context.services.capture.ingest(
      cli,
      {
        type: 'webinar_attended',
        occurredAt: '2026-12-20T09:00:00.000Z',
        email: 'anna@klant.nl',
        campaign: 'webinar-q4',
      },
      undefined,
    );
    const anna = outcome.body.results[0]!.contactId!;
    await context.services.contacts.changeStage(cli, anna, { to: 'mql' });
    await context.services.contacts.changeStage(cli, anna, { to: 'sql' });
    const deal = async (name: string, amountMinor: number, extra: object = {}) =>
      (
        await context.services.opportunities.create(cli, {
          name,
          ownerId: rep.id,
          amountMinor,
          currency: 'EUR',
          ...extra,
        })
      ).id;
    const won = await deal('Won', 12_000_000, { contactId: anna });
    // The same company buys again in the quarter: a second won deal, not a second new customer.
    const again = await deal('Again', 1_000_000, { contactId: anna });
    const lost = await deal('Lost', 5_000_000);
    const open = await deal('Open', 8_000_000, { stage: 'proposal', expectedCloseOn: '2027-03-15' });
    await deal('Later', 9_000_000, { stage: 'proposal', expectedCloseOn: '2027-05-01' });
    // Overdue while the quarter runs: it counts as closing in it. Without a date: open, not forecast.
    await deal('Overdue', 2_000_000, { stage: 'proposal', expectedCloseOn: '2026-12-31' });
    await deal('Undated', 3_000_000, { stage: 'proposal' });
    await context.services.attribution.createCost(cli, {
      campaign: 'webinar-q4',
      startsOn: '2027-01-01',
      endsOn: '2027-03-31',
      amountMinor: 600_000,
    });
    context.clock.set('2027-01-20T10:00:00.000Z');
    await context.services.opportunities.move(cli, won, { stage: 'won' });
    await context.services.opportunities.move(cli, again, { stage: 'won' });
    await context.services.opportunities.move(cli, lost, { stage: 'lost', reason: 'price' });

    // A lead handed over in the quarter (routing gives it to the rep), answered by the rep an
    // hour later: speed to lead.
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const bob = (
      await context.services.capture.ingest(
        cli,
        { type: 'page_viewed', occurredAt: '2027-01-20T10:00:00.000Z', email: 'bob@klant.nl' },
        undefined,
      )
    ).body.results[0]!.contactId!;
    await context.services.contacts.changeStage(cli, bob, { to: 'mql' });
    await expect.poll(async () => (await context.services.routing.listAssignments(cli, bob)).length).toBe(1);
    context.clock.set('2027-01-20T11:00:00.000Z');
    await context.services.capture.ingest(
      cli,
      { type: 'call_logged', occurredAt: '2027-01-20T11:00:00Z', email: 'bob@klant.nl', userId: rep.id },
      undefined,
    );
    await context.services.sla.recheck(bob);

    context.clock.set('2027-02-01T10:00:00.000Z');
    const director = await signIn(app, (await addUser(context, 'director')).email);
    const response = await app.inject({
      url: '/api/v1/board?periodKind=quarter&periodStart=2027-01',
      headers: { cookie: director },
    });
    expect(response.statusCode).toBe(200);
    const board = response.json<Board>();
    expect(board.currency).toBe('EUR');
    expect(board.pacing.stages.find((s) => s.stage === 'won')).toMatchObject({
      planTotal: 3,
      actualToDate: 2,
    });
    expect(board.forecast).toEqual({
      wonDeals: 2,
      wonMinor: 13_000_000,
      weightedOpenMinor: 5_000_000,
      forecastMinor: 18_000_000,
      planMinor: 30_000_000,
      gapMinor: -12_000_000,
    });
    expect(board.velocity).toMatchObject({
      openOpportunities: 4,
      winRate: 2 / 3,
      averageDealMinor: 6_500_000,
    });
    // One company became a customer (two won deals): CAC is the cost per new customer.
    expect(board.marketing).toMatchObject({
      revenueMinor: 13_000_000,
      sourcedRevenueMinor: 13_000_000,
      influencedRevenueMinor: 13_000_000,
      campaignCostMinor: 600_000,
      newCustomers: 1,
      cacMinor: 600_000,
    });
    // The same figures as the SLA report and the attribution report of the period (one definition).
    const sla = await context.services.sla.report(cli, { from: board.from, to: board.to });
    expect(sla.total.speedToLead.medianMs).toBe(3_600_000);
    expect(board.sla.sales).toEqual({
      measured: sla.total.measured,
      met: sla.total.met,
      breached: sla.total.breached,
      waived: sla.total.waived,
      compliance: sla.total.compliance,
      speedToLeadMedianMs: sla.total.speedToLead.medianMs,
    });
    expect(board.sla.marketing).toEqual(sla.marketing);
    const attribution = await context.services.attribution.report(cli, {
      from: board.from.slice(0, 10),
      to: '2027-03-31',
      currency: 'EUR',
    });
    expect(board.marketing.revenueMinor).toBe(attribution.totals.revenueMinor);
    expect(board.marketing.sourcedPipelineMinor).toBe(attribution.marketing.sourced.pipelineMinor);
    expect(board.marketing.campaignCostMinor).toBe(
      attribution.campaigns.reduce((a, c) => a + c.costMinor, 0),
    );
    expect(board.agreements).toEqual([{ version: null, from: board.from, to: board.to }]);

    const rep2 = await signIn(app, (await addUser(context, 'sales_rep')).email);
    const forbidden = await app.inject({
      url: '/api/v1/board?periodKind=quarter&periodStart=2027-01',
      headers: { cookie: rep2 },
    });
    expect(forbidden.statusCode).toBe(403);

    // The velocity's year of closed deals is kept between calls while no deal changes: a deal won
    // since the last call counts at once.
    await context.services.opportunities.move(cli, open, { stage: 'won' });
    const after = await app.inject({
      url: '/api/v1/board?periodKind=quarter&periodStart=2027-01',
      headers: { cookie: director },
    });
    expect(after.json<Board>().velocity).toMatchObject({
      openOpportunities: 3,
      winRate: 3 / 4,
      averageDealMinor: 7_000_000,
    });
  });
});
