import { Readable } from 'node:stream';
import { beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';

const cli = { kind: 'cli' } as const;
const csv = (text: string) => Readable.from([text]);

describeEachDialect('importing a sales organisation from another CRM', (getDatabase) => {
  let context: TestContext;
  beforeEach(() => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
  });
  const run = (kind: 'users' | 'accounts' | 'opportunities', text: string, extra: object = {}) =>
    context.services.records.importCsv(cli, csv(text), { kind, overrides: {}, dryRun: false, ...extra });

  it('brings over people with their managers and teams, accounts and opportunities, refusing bad rows by column, twice without duplicates', async () => {
    const people =
      'Sales Agent,Manager,Regional Office\nAnna Snelling,Dustin Brinkmann,Central\nBoris Faz,Dustin Brinkmann,Central\nCara Lee,Mel Marx,West\n';
    // Without an email column and no domain to make one, each row says what is missing.
    const refused = await run('users', people);
    expect(refused).toMatchObject({ rows: 3, created: 0, rejected: 3 });
    expect(refused.errors[0]).toEqual({
      row: 2,
      column: 'email',
      reason: 'no email; give --email-domain to make one from the name',
    });
    expect(await run('users', people, { emailDomain: 'crm.example' })).toMatchObject({
      created: 3,
      updated: 0,
    });
    expect(await run('users', people, { emailDomain: 'crm.example' })).toMatchObject({
      created: 0,
      updated: 3,
    });
    // A row whose manager cannot manage that role is refused, as when people are added one by one.
    const wrongChain = await run('users', 'name,role,manager\nMara Marketing,marketing,Dustin Brinkmann\n', {
      emailDomain: 'crm.example',
    });
    expect(wrongChain).toMatchObject({ created: 0, rejected: 1 });
    expect(wrongChain.errors).toEqual([
      { row: 2, column: 'manager', reason: "a marketing's manager must be marketing or director" },
    ]);
    const users = (await context.services.users.listUsers(cli, {})).data;
    const anna = users.find((u) => u.name === 'Anna Snelling')!;
    const dustin = users.find((u) => u.name === 'Dustin Brinkmann')!;
    expect(anna).toMatchObject({
      email: 'anna.snelling@crm.example',
      role: 'sales_rep',
      managerId: dustin.id,
    });
    expect(dustin.role).toBe('sales_manager');
    const central = (await context.services.teams.listTeams(cli)).find((t) => t.name === 'Central')!;
    expect(central).toMatchObject({ managerId: dustin.id });
    expect(central.memberIds).toHaveLength(2);

    expect(
      await run(
        'accounts',
        'account,sector,employees,office_location\nAcme Corporation,technolgy,2822,United States\nBetatech B.V.,medical,many,Kenya\n',
      ),
    ).toMatchObject({
      created: 1,
      rejected: 1,
      errors: [{ row: 3, column: 'employees', reason: 'not a whole number' }],
    });

    const deals = [
      'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value',
      '1C1I7A6R,Anna Snelling,GTX Plus Basic,Acme Corporation,Won,2016-10-20,2017-03-01,1054',
      'Z063OYW0,Boris Faz,GTXPro,Acme Corporation,Lost,2016-10-25,2017-03-11,0',
      'EC4QE1BX,Anna Snelling,MG Special,,Engaging,2016-10-25,,',
      'MV1LWRNH,Nobody Here,GTX Basic,Acme Corporation,Won,2016-10-25,2017-03-09,588',
      'ABCDEFGH,Anna Snelling,GTX Basic,Acme Corporation,Won,2016-10-25,,588',
      'HGFEDCBA,Anna Snelling,GTX Basic,Acme Corporation,Pitching,2016-10-25,,',
    ].join('\n');
    const report = await run('opportunities', deals, { currency: 'usd' });
    expect(report).toMatchObject({ rows: 6, created: 3, rejected: 3 });
    expect(report.errors).toEqual([
      { row: 5, column: 'sales_agent', reason: 'no user named Nobody Here; import the people first' },
      { row: 6, column: 'close_date', reason: 'a won or lost deal needs its close date' },
      { row: 7, column: 'deal_stage', reason: 'no stage matches "Pitching"' },
    ]);
    expect(await run('opportunities', deals, { currency: 'USD' })).toMatchObject({ created: 0, updated: 3 });
    const all = (await context.services.opportunities.list(cli, {})).data;
    expect(
      all
        .map((o) => [o.externalId, o.stage, o.status, o.amountMinor, o.currency, o.closedOn, o.ownerId])
        .sort(),
    ).toEqual([
      ['1C1I7A6R', 'won', 'won', 105_400, 'USD', '2017-03-01', anna.id],
      ['EC4QE1BX', 'proposal', 'open', null, 'USD', null, anna.id],
      ['Z063OYW0', 'lost', 'lost', 0, 'USD', '2017-03-11', users.find((u) => u.name === 'Boris Faz')!.id],
    ]);
    expect(await context.services.opportunities.winRates(cli, { by: 'manager' })).toEqual({
      by: 'manager',
      rows: [{ userId: dustin.id, name: 'Dustin Brinkmann', won: 1, lost: 1, winRate: 0.5 }],
    });
  });
});
