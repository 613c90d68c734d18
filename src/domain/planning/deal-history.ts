/** A closed deal as the history reads it. */
export interface ClosedDeal {
  status: 'won' | 'lost';
  amountMinor: number;
  createdAtMs: number;
  /** The close date, YYYY-MM-DD. */
  closedOn: string | null;
}

export interface DealHistory {
  closed: number;
  won: number;
  /** won ÷ closed; null without closed deals. */
  winRate: number | null;
  /** Mean amount of the won deals with an amount; null without any. */
  averageDealMinor: number | null;
  dealSample: number;
  /** Median days from creation to the win; null without won deals. */
  cycleDays: number | null;
  cycleSample: number;
}

const DAY_MS = 86_400_000;

/** The middle value (the lower of the two middles for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1]!;
}

/** What a history is made of: counts, the sum of the won amounts above zero, and the median cycle. */
export interface DealHistorySums {
  closed: number;
  won: number;
  /** The sum of the won amounts above zero, and how many there are. */
  amountMinor: number;
  dealSample: number;
  cycleDays: number | null;
  cycleSample: number;
}

/** The rates of a history from its sums, whether they come from a list or from the database. */
export function dealHistoryOf(sums: DealHistorySums): DealHistory {
  return {
    closed: sums.closed,
    won: sums.won,
    winRate: sums.closed > 0 ? sums.won / sums.closed : null,
    averageDealMinor: sums.dealSample > 0 ? Math.round(sums.amountMinor / sums.dealSample) : null,
    dealSample: sums.dealSample,
    cycleDays: sums.cycleDays,
    cycleSample: sums.cycleSample,
  };
}

/**
 * Win rate, average won deal and sales cycle of a set of closed deals: what the planner and the
 * board's velocity read from the company's own history (the definition; the database sums it
 * the same way, summariseClosedDeals).
 *
 * @example dealHistory([{ status: 'won', amountMinor: 100, createdAtMs: 0, closedOn: '1970-01-11' }])
 * // { closed: 1, won: 1, winRate: 1, averageDealMinor: 100, cycleDays: 10, … }
 */
export function dealHistory(deals: readonly ClosedDeal[]): DealHistory {
  const won = deals.filter((d) => d.status === 'won');
  const amounts = won.map((d) => d.amountMinor).filter((a) => a > 0);
  const cycles = won
    .filter((d) => d.closedOn)
    .map((d) => (Date.parse(`${d.closedOn}T00:00:00Z`) - d.createdAtMs) / DAY_MS)
    .filter((days) => days >= 0);
  return dealHistoryOf({
    closed: deals.length,
    won: won.length,
    amountMinor: amounts.reduce((a, b) => a + b, 0),
    dealSample: amounts.length,
    cycleDays: median(cycles),
    cycleSample: cycles.length,
  });
}
