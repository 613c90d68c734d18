import type { Actor } from '../../../domain/access/roles.ts';
import { addMonths, monthsOfPeriod } from '../../../domain/planning/months.ts';
import type { Board } from '../../../contract/board.ts';
import type { PeriodKind } from '../../../contract/planning.ts';
import type { AttributionService } from '../attribution/attribution.service.ts';
import { agreementSpans } from '../agreements/agreements.repository.ts';
import type { PlanningService } from '../planning/planning.service.ts';
import { authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import type { SlaService } from '../sla/sla.service.ts';
import { findFirstWinsByAccount, findMainCurrency, sumOpenDeals } from './board.repository.ts';
import { cac, newCustomers } from '../../../domain/metrics/compute.ts';
import { summariseClosedDeals, sumWonDeals } from '../planning/planning.repository.ts';
import { createKeptReads } from '../shared/kept-reads.ts';

const DAY_MS = 86_400_000;

/**
 * The board view (steps 5 and 7): plan against actual by stage, velocity, both sides' SLAs,
 * Marketing's sourced and influenced revenue with CAC, and the forecast, for one period. It reads
 * the other modules' reports as the system (the board sees the whole company): their totals,
 * without the lines per rep, team and campaign that the board does not show.
 */
export function createBoardService(
  deps: ServiceDeps,
  readers: { planning: PlanningService; sla: SlaService; attribution: AttributionService },
) {
  const { db, clock } = deps;
  const system = { kind: 'cli' } as const;
  // The velocity's trailing year, the first wins and the main currency change only when a deal
  // does: kept between calls while the deals' version stays (a year of closed deals took 49 ms of
  // every board on the full-size company, a month's board 100 ms in all).
  const deals = createKeptReads(db, 'opportunities');

  return {
    async board(
      actor: Actor | null,
      query: { periodKind: PeriodKind; periodStart: string; currency?: string },
    ): Promise<Board> {
      authorize(actor, 'board.read');
      const now = clock.now();
      const months = monthsOfPeriod(query.periodKind, query.periodStart);
      const fromDay = `${months[0]}-01`;
      const toDay = `${addMonths(months[months.length - 1]!, 1)}-01`;
      const from = new Date(`${fromDay}T00:00:00.000Z`);
      const to = new Date(`${toDay}T00:00:00.000Z`);
      const pacing = await readers.planning.pacing(system, query);
      const currency =
        query.currency ??
        pacing.currency ??
        (await deals.read('main-currency', () => findMainCurrency(db))) ??
        'EUR';
      const lastDay = new Date(to.getTime() - DAY_MS).toISOString().slice(0, 10);
      const yearAgo = new Date(now.getTime() - 365 * DAY_MS).toISOString().slice(0, 10);
      const today = now.toISOString().slice(0, 10);
      const tomorrow = new Date(now.getTime() + DAY_MS).toISOString().slice(0, 10);
      // Open deals expected to close in the period; while the period runs, overdue ones count as
      // closing in it. A period that is over has nothing open left to forecast.
      const running = fromDay <= today && today < toDay;

      const [sla, attribution, open, year, won, agreements, firstWins] = await Promise.all([
        readers.sla.totals(system, { from: from.toISOString(), to: to.toISOString() }),
        readers.attribution.summary(system, { from: fromDay, to: lastDay, currency }),
        sumOpenDeals(db, {
          currency,
          closingFrom: fromDay,
          closingTo: toDay,
          overdueBefore: running ? today : null,
        }),
        deals.read(`closed ${yearAgo} ${tomorrow} ${currency}`, () =>
          summariseClosedDeals(db, { from: yearAgo, to: tomorrow, currency }),
        ),
        sumWonDeals(db, { from: fromDay, to: toDay, currency }),
        agreementSpans(db, from, to),
        deals.read('first-wins', () => findFirstWinsByAccount(db)),
      ]);

      const openDeals = open.reduce((a, p) => a + p.deals, 0);
      const winRate = year.winRate;
      const averageDeal = year.averageDealMinor;
      const cycleDays = year.cycleDays;
      const perDay =
        winRate !== null && averageDeal !== null && cycleDays !== null
          ? Math.round((openDeals * winRate * averageDeal) / Math.max(1, cycleDays))
          : null;

      const wonMinor = won.revenueMinor;
      const customers = newCustomers(firstWins, fromDay, toDay);
      // Each probability's amount closing in the period, weighted by it.
      const weightedOpen =
        today >= toDay ? 0 : Math.round(open.reduce((a, p) => a + p.closingMinor * p.probability, 0));
      const planMinor = pacing.plan ? pacing.revenue.planned : null;
      const forecastMinor = wonMinor + weightedOpen;
      const cost = attribution.campaignCostMinor;

      return {
        periodKind: query.periodKind,
        periodStart: query.periodStart,
        from: from.toISOString(),
        to: to.toISOString(),
        asOf: now.toISOString(),
        currency,
        agreements,
        pacing,
        velocity: {
          openOpportunities: openDeals,
          winRate,
          averageDealMinor: averageDeal,
          cycleDays,
          perDayMinor: perDay,
        },
        sla: {
          sales: {
            measured: sla.total.measured,
            met: sla.total.met,
            breached: sla.total.breached,
            waived: sla.total.waived,
            compliance: sla.total.compliance,
            speedToLeadMedianMs: sla.total.speedToLead.medianMs,
          },
          marketing: sla.marketing,
        },
        marketing: {
          model: attribution.model,
          revenueMinor: attribution.totals.revenueMinor,
          sourcedRevenueMinor: attribution.marketing.sourced.revenueMinor,
          influencedRevenueMinor: attribution.marketing.influenced.revenueMinor,
          sourcedPipelineMinor: attribution.marketing.sourced.pipelineMinor,
          influencedPipelineMinor: attribution.marketing.influenced.pipelineMinor,
          campaignCostMinor: cost,
          newCustomers: customers,
          cacMinor: cac(cost, customers),
        },
        forecast: {
          wonDeals: won.count,
          wonMinor,
          weightedOpenMinor: weightedOpen,
          forecastMinor,
          planMinor,
          gapMinor: planMinor === null ? null : forecastMinor - planMinor,
        },
      };
    },
  };
}

export type BoardService = ReturnType<typeof createBoardService>;
