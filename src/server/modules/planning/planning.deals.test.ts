// The history of closed deals as the database sums it (summariseClosedDeals, which the board and the
// planner read) must be what the domain's definition reads from the same deals as a list
// (dealHistory): random deals on both dialects, exactly equal, medians and rates included; and the
// deals won in a window (sumWonDeals) what `wonInPeriod` reads.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { wonInPeriod } from '../../../domain/metrics/compute.ts';
import { dealHistory } from '../../../domain/planning/deal-history.ts';
import { newId } from '../../platform/ids.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestContext } from '../../testing/world.ts';
import { sumWonDeals, summariseClosedDeals } from './planning.repository.ts';

const day = 86_400_000;
const start = Date.parse('2026-01-01T00:00:00.000Z');

const deal = fc.record({
  status: fc.constantFrom('won', 'lost', 'open'),
  // Amounts of nothing, zero, below zero and above it.
  amount: fc.option(fc.integer({ min: -5_000, max: 2_000_000 }), { nil: null }),
  usd: fc.boolean(),
  // Created at any millisecond of 100 days; closed on any of those days, before creation too.
  createdMs: fc.integer({ min: 0, max: 100 * day - 1 }),
  closedDay: fc.integer({ min: 0, max: 99 }),
});

describeEachDialect('the history of closed deals, summed by the database', (getDatabase) => {
  it('equals the definition read from the same deals, for any window and currency', async () => {
    const context = createTestContext(getDatabase());
    const db = context.database.db;
    await fc.assert(
      fc.asyncProperty(
        fc.array(deal, { maxLength: 40 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 1, max: 100 }),
        async (deals, fromDay, length) => {
          await db.deleteFrom('opportunities').execute();
          const stored = deals.map((d) => ({
            ...d,
            createdAt: new Date(start + d.createdMs).toISOString(),
            closedOn:
              d.status === 'open' ? null : new Date(start + d.closedDay * day).toISOString().slice(0, 10),
          }));
          for (const d of stored)
            await db
              .insertInto('opportunities')
              .values({
                id: newId(),
                name: 'Deal',
                stage: d.status === 'open' ? 'discovery' : d.status,
                status: d.status,
                amount_minor: d.amount,
                currency: d.usd ? 'USD' : 'EUR',
                closed_on: d.closedOn,
                stage_entered_at: d.createdAt,
                created_at: d.createdAt,
                updated_at: d.createdAt,
              })
              .execute();
          const from = new Date(start + fromDay * day).toISOString().slice(0, 10);
          const to = new Date(start + (fromDay + length) * day).toISOString().slice(0, 10);
          const expected = dealHistory(
            stored
              .filter(
                (d) =>
                  d.status !== 'open' &&
                  !d.usd &&
                  d.closedOn !== null &&
                  d.closedOn >= from &&
                  d.closedOn < to,
              )
              .map((d) => ({
                status: d.status as 'won' | 'lost',
                amountMinor: d.amount ?? 0,
                createdAtMs: Date.parse(d.createdAt),
                closedOn: d.closedOn,
              })),
          );
          expect(await summariseClosedDeals(db, { from, to, currency: 'EUR' })).toEqual(expected);
          // The deals won in the window and their amounts, as the board's forecast reads them.
          expect(await sumWonDeals(db, { from, to, currency: 'EUR' })).toEqual(
            wonInPeriod(
              stored
                .filter((d) => !d.usd)
                .map((d) => ({ status: d.status, closedOn: d.closedOn, amountMinor: d.amount ?? 0 })),
              from,
              to,
            ),
          );
        },
      ),
      { numRuns: 25 },
    );
  });
});
