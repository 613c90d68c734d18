// The kept credit of every deal (migration 0046) stays exactly in step with the facts: after random
// touches (written, changed, moved to another person, deleted, dated ahead of now), deals (created,
// re-valued, re-currencied, their roles changed, won with a snapshot, lost), people moving between
// accounts or erased, settings and model changes, time passing and partial background refreshes,
// the agreed model's report summed from the kept credit equals the report that credits every deal
// from its touches on the spot, for several periods and every grouping, on both dialects.
import fc from 'fast-check';
import { beforeEach, expect, it } from 'vitest';
import type { AttributionReport } from '../../../contract/attribution.ts';
import { ruleModels } from '../../../domain/attribution/rule-models.ts';
import { toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';

const cli = { kind: 'cli' } as const;
const start = Date.parse('2026-10-01T00:00:00.000Z');
const people = 6;
const channels = ['webinar', 'email', 'cpc', null] as const;
const campaigns = ['spring', 'autumn', null] as const;

type Op =
  | {
      kind: 'touch';
      person: number;
      minute: number;
      channel: number;
      campaign: number;
      sales: boolean;
      lead: boolean;
    }
  | { kind: 'ingest'; person: number; channel: number; campaign: number; sales: boolean }
  | {
      kind: 'edit_touch';
      pick: number;
      minute?: number;
      channel?: number;
      campaign?: number;
      person?: number;
      sales?: boolean;
    }
  | { kind: 'delete_touch'; pick: number }
  | { kind: 'deal'; person: number | null; account: number; amount: number | null; roles: number[] }
  | { kind: 'edit_deal'; pick: number; amount?: number | null; usd?: boolean; roles?: number[] }
  | { kind: 'close_deal'; pick: number; won: boolean }
  | { kind: 'move_person'; person: number; account: number | null }
  | { kind: 'erase_person'; person: number }
  | { kind: 'settings'; model: number; lookback: number; sales: boolean; dedupe: number }
  | { kind: 'wait'; minutes: number }
  | { kind: 'refresh'; limit: number };

const minutes = 120 * 24 * 60;
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('touch' as const),
      person: fc.nat(people - 1),
      minute: fc.nat(minutes),
      channel: fc.nat(channels.length - 1),
      campaign: fc.nat(campaigns.length - 1),
      sales: fc.boolean(),
      lead: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('ingest' as const),
      person: fc.nat(people - 1),
      channel: fc.nat(channels.length - 1),
      campaign: fc.nat(campaigns.length - 1),
      sales: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('edit_touch' as const),
        pick: fc.nat(),
        minute: fc.nat(minutes),
        channel: fc.nat(channels.length - 1),
        campaign: fc.nat(campaigns.length - 1),
        person: fc.nat(people - 1),
        sales: fc.boolean(),
      },
      { requiredKeys: ['kind', 'pick'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete_touch' as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('deal' as const),
      person: fc.option(fc.nat(people - 1)),
      account: fc.nat(1),
      amount: fc.option(fc.integer({ min: 1, max: 1_000_000 })),
      roles: fc.array(fc.nat(people - 1), { maxLength: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('edit_deal' as const),
        pick: fc.nat(),
        amount: fc.option(fc.integer({ min: 1, max: 1_000_000 })),
        usd: fc.boolean(),
        roles: fc.array(fc.nat(people - 1), { maxLength: 2 }),
      },
      { requiredKeys: ['kind', 'pick'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('close_deal' as const), pick: fc.nat(), won: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('move_person' as const),
      person: fc.nat(people - 1),
      account: fc.option(fc.nat(1)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('erase_person' as const), person: fc.nat(people - 1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('settings' as const),
      model: fc.nat(ruleModels.length - 1),
      lookback: fc.constantFrom(7, 30, 365),
      sales: fc.boolean(),
      dedupe: fc.constantFrom(0, 30, 600),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), minutes: fc.nat(3 * 24 * 60) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('refresh' as const), limit: fc.integer({ min: 1, max: 5 }) }),
  },
);

const groupings = ['channel', 'campaign', 'touch', 'deal', 'month'] as const;

/** A report in a form two reports can be compared in: weights (sums of fractions) to 9 places. */
function comparable(r: AttributionReport) {
  const round = (n: number) => Math.round(n * 1e9) / 1e9;
  return {
    totals: r.totals,
    marketing: r.marketing,
    rows: Object.fromEntries(
      r.rows.map((x) => [
        x.key,
        { ...x, wonDeals: round(x.wonDeals), pipelineDeals: round(x.pipelineDeals) },
      ]),
    ),
    campaigns: Object.fromEntries(
      r.campaigns.map((c) => [c.campaign, { ...c, wonDeals: round(c.wonDeals) }]),
    ),
  };
}

describeEachDialect('kept attribution credit', (getDatabase) => {
  let kept: TestContext;
  let live: TestContext;
  let persons: string[];
  let accounts: string[];
  let deals: string[];
  let made = 0;

  const db = () => kept.database.db;

  const newPerson = async () => {
    const email = `p${++made}@firm.nl`;
    const outcome = await kept.services.capture.ingest(
      cli,
      { type: 'form_submitted', occurredAt: new Date(start).toISOString(), email, channel: 'web' },
      undefined,
    );
    const id = outcome.body.results[0]!.contactId!;
    await kept.services.contacts.changeStage(cli, id, { to: 'sql' });
    return id;
  };

  beforeEach(async () => {
    kept = createTestContext(getDatabase());
    kept.clock.set('2026-10-01T00:10:00.000Z');
    live = createTestContext(kept.database, kept.clock, { reactions: false, attributionKeptCredit: false });
    accounts = [];
    for (const name of ['Acme ICT', 'Noord Hosting'])
      accounts.push((await kept.services.accounts.createAccount(cli, { name })).id);
    persons = [];
    for (let i = 0; i < people; i++) {
      const id = await newPerson();
      persons.push(id);
      if (i < 5) await kept.services.contacts.updateContact(cli, id, { accountId: accounts[i < 3 ? 0 : 1]! });
    }
    deals = [];
  });

  async function apply(o: Op): Promise<void> {
    const at = (minute: number) => toDbTime(new Date(start + minute * 60_000));
    const touches = () => db().selectFrom('touchpoints').select('id').orderBy('id').execute();
    switch (o.kind) {
      case 'touch':
        await db()
          .insertInto('touchpoints')
          .values({
            id: newId(),
            client_event_id: null,
            type: o.sales ? 'call_logged' : 'page_viewed',
            category: o.sales ? 'sales' : 'marketing',
            occurred_at: at(o.minute),
            received_at: at(o.minute),
            contact_id: persons[o.person]!,
            visitor_id: null,
            user_id: null,
            channel: channels[o.channel]!,
            campaign: campaigns[o.campaign]!,
            utm_source: null,
            utm_medium: o.channel === 3 ? 'social' : null,
            utm_campaign: null,
            utm_term: null,
            utm_content: null,
            url: null,
            properties: '{}',
            is_lead_creating: o.lead,
            source_kind: 'api',
            source_id: null,
          })
          .execute();
        // As capture does for every new touch: the person's activity moved on.
        await db()
          .updateTable('contacts')
          .set((eb) => ({ activity_version: eb('activity_version', '+', 1) }))
          .where('id', '=', persons[o.person]!)
          .execute();
        return;
      case 'ingest':
        // A touch through capture itself, dated now.
        await kept.services.capture.ingest(
          cli,
          {
            type: o.sales ? 'call_logged' : 'webinar_attended',
            occurredAt: kept.clock.now().toISOString(),
            email: (
              await db()
                .selectFrom('contacts')
                .select('email')
                .where('id', '=', persons[o.person]!)
                .executeTakeFirstOrThrow()
            ).email!,
            ...(channels[o.channel] && { channel: channels[o.channel]! }),
            ...(campaigns[o.campaign] && { campaign: campaigns[o.campaign]! }),
          },
          undefined,
        );
        return;
      case 'edit_touch': {
        const rows = await touches();
        if (rows.length === 0) return;
        await db()
          .updateTable('touchpoints')
          .set({
            ...(o.minute !== undefined && { occurred_at: at(o.minute) }),
            ...(o.channel !== undefined && { channel: channels[o.channel]! }),
            ...(o.campaign !== undefined && { campaign: campaigns[o.campaign]! }),
            ...(o.person !== undefined && { contact_id: persons[o.person]! }),
            ...(o.sales !== undefined && { category: o.sales ? 'sales' : 'marketing' }),
            // A write that changes nothing credited.
            url: 'https://acme.nl/edited',
          })
          .where('id', '=', rows[o.pick % rows.length]!.id)
          .execute();
        return;
      }
      case 'delete_touch': {
        const rows = await touches();
        if (rows.length > 0)
          await db()
            .deleteFrom('touchpoints')
            .where('id', '=', rows[o.pick % rows.length]!.id)
            .execute();
        return;
      }
      case 'deal': {
        const roles = [...new Set(o.roles)].map((p) => ({
          contactId: persons[p]!,
          role: 'influencer' as const,
        }));
        const deal = await kept.services.opportunities.create(cli, {
          name: `Deal ${deals.length}`,
          ...(o.person === null ? { accountId: accounts[o.account]! } : { contactId: persons[o.person]! }),
          amountMinor: o.amount,
          ...(roles.length > 0 && { contacts: roles }),
        });
        deals.push(deal.id);
        return;
      }
      case 'edit_deal': {
        if (deals.length === 0) return;
        const id = deals[o.pick % deals.length]!;
        await kept.services.opportunities.update(cli, id, {
          ...(o.amount !== undefined && { amountMinor: o.amount }),
          ...(o.usd !== undefined && { currency: o.usd ? 'USD' : 'EUR' }),
          ...(o.roles !== undefined && {
            contacts: [...new Set(o.roles)].map((p) => ({
              contactId: persons[p]!,
              role: 'champion' as const,
            })),
          }),
        });
        return;
      }
      case 'close_deal': {
        if (deals.length === 0) return;
        const id = deals[o.pick % deals.length]!;
        const row = await db()
          .selectFrom('opportunities')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirst();
        if (row?.status !== 'open') return;
        await kept.services.opportunities.move(
          cli,
          id,
          o.won ? { stage: 'won' } : { stage: 'lost', reason: 'price' },
        );
        return;
      }
      case 'move_person':
        await kept.services.contacts.updateContact(cli, persons[o.person]!, {
          accountId: o.account === null ? null : accounts[o.account]!,
        });
        return;
      case 'erase_person':
        await kept.services.contacts.eraseContact(cli, persons[o.person]!);
        persons[o.person] = await newPerson();
        return;
      case 'settings':
        await kept.services.attribution.updateSettings(cli, {
          model: ruleModels[o.model]!,
          lookbackDays: o.lookback,
          includeSalesTouches: o.sales,
          dedupeMinutes: o.dedupe,
        });
        return;
      case 'wait':
        kept.clock.set(new Date(kept.clock.now().getTime() + o.minutes * 60_000).toISOString());
        return;
      case 'refresh':
        await kept.services.attribution.refreshCredit(o.limit);
        return;
    }
  }

  async function expectSameReports(groupBy: (typeof groupings)[number]) {
    for (const [from, to] of [
      ['2026-09-01', '2027-02-28'],
      ['2026-10-01', '2026-10-31'],
      [kept.clock.now().toISOString().slice(0, 10), kept.clock.now().toISOString().slice(0, 10)],
    ] as const) {
      for (const currency of [undefined, 'USD']) {
        const query = { from, to, groupBy, ...(currency && { currency }) };
        const mine = await kept.services.attribution.report(cli, query);
        const theirs = await live.services.attribution.report(cli, query);
        expect(comparable(mine)).toEqual(comparable(theirs));
        // The board's totals, summed without the lines, are the report's.
        const totals = await kept.services.attribution.summary(cli, {
          from,
          to,
          ...(currency && { currency }),
        });
        expect([totals.model, totals.currency, totals.totals, totals.marketing]).toEqual([
          mine.model,
          mine.currency,
          mine.totals,
          mine.marketing,
        ]);
      }
    }
  }

  it('sums the same report from the kept credit as from crediting every deal now', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(...groupings),
        async (ops, groupBy) => {
          for (const [i, o] of ops.entries()) {
            await apply(o);
            // Now and then in the middle, so stale and fresh credit meet.
            if (i % 10 === 9) await expectSameReports(groupBy);
          }
          await expectSameReports(groupBy);
        },
      ),
      { numRuns: 15 },
    );
  }, 300_000);

  it('credits a touch dated ahead of now once now passes it, with nothing else written', async () => {
    await kept.services.opportunities.create(cli, {
      name: 'Ahead',
      contactId: persons[5]!,
      amountMinor: 1000,
    });
    await apply({
      kind: 'touch',
      person: 5,
      minute: 2 * 24 * 60,
      channel: 0,
      campaign: 0,
      sales: false,
      lead: false,
    });
    const query = { from: '2026-10-01', to: '2026-10-31', groupBy: 'channel' as const };
    const before = await kept.services.attribution.report(cli, query);
    expect(before.rows.find((r) => r.key === 'webinar')).toBeUndefined();
    kept.clock.set('2026-10-04T00:00:00.000Z');
    const after = await kept.services.attribution.report(cli, query);
    expect(after.rows.find((r) => r.key === 'webinar')?.pipelineMinor).toBeGreaterThan(0);
    expect(comparable(after)).toEqual(comparable(await live.services.attribution.report(cli, query)));
  });
});
