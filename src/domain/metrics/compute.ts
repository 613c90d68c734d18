/**
 * The one function of each metric in the catalogue (`catalogue.ts`). Pure: the caller loads the
 * rows of the period and hands them over; every API and page that shows a metric calls these.
 */

/** The value at quantile q (0–1) of ascending values: the nearest rank; null for none. */
export function quantile(sorted: readonly number[], q: number): number | null {
  return sorted.length === 0 ? null : sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/** A follow-up clock as the SLA metrics read it. */
export interface ClockFact {
  contactId: string;
  userId: string | null;
  target: string;
  status: string;
  startedAt: Date;
  respondedAt: Date | null;
  /**
   * When the lead began its stay in the clock's stage: its handover, for an MQL's clocks. Every
   * clock of one stay (a reassignment starts another) shares it.
   */
  stayStartedAt: Date;
}

export interface ComplianceFigure {
  met: number;
  breached: number;
  /** met + breached: the clocks that reached a verdict. */
  measured: number;
  /** met ÷ measured; null when nothing was measured. */
  value: number | null;
}

/**
 * SLA compliance (`sla_compliance`) of the clocks started in a period: met ÷ (met + breached);
 * running, waived and reassigned clocks are left out. An item is one clock, or `clocks` of the same
 * status (a count read from the daily aggregate).
 *
 * @example slaCompliance([{ status: 'met' }, { status: 'breached' }, { status: 'waived' }]).value // 0.5
 * @example slaCompliance([{ status: 'met', clocks: 3 }, { status: 'breached', clocks: 1 }]).value // 0.75
 */
export function slaCompliance(clocks: readonly { status: string; clocks?: number }[]): ComplianceFigure {
  let met = 0;
  let breached = 0;
  for (const c of clocks) {
    if (c.status === 'met') met += c.clocks ?? 1;
    else if (c.status === 'breached') breached += c.clocks ?? 1;
  }
  const measured = met + breached;
  return { met, breached, measured, value: measured === 0 ? null : met / measured };
}

/** One handover's wait for its first response. */
export interface LeadWait {
  contactId: string;
  /** The rep of the handover's first clock: whose speed it is. */
  userId: string | null;
  /** When the lead was handed over (the start of its stay in the stage): the period it counts in. */
  handedOverAt: Date;
  /** Null while no response has stopped a clock. */
  waitMs: number | null;
}

/**
 * Each handover's wait (`speed_to_lead`): per lead and stay in the stage (its handover), from the
 * start of the stay's first first-response clock to the earliest response that stopped one of
 * them. A lead handed over twice waits twice; a reassignment is the same handover. Clocks must be
 * those of the handovers in the period (their stay began in it), so a handover counts in one
 * period with all of its clocks, whenever they started.
 */
export function leadWaits(clocks: readonly ClockFact[]): LeadWait[] {
  // One pass, one entry per handover (a year's report holds a million clocks): the earliest start
  // (the first seen of equal ones) and the earliest response.
  const byStay = new Map<string, { first: ClockFact; startMs: number; respondedMs: number }>();
  for (const c of clocks) {
    if (c.target !== 'first_response') continue;
    const key = `${c.contactId} ${c.stayStartedAt.getTime()}`;
    const startMs = c.startedAt.getTime();
    const respondedMs = c.respondedAt?.getTime() ?? Number.POSITIVE_INFINITY;
    const seen = byStay.get(key);
    if (!seen) byStay.set(key, { first: c, startMs, respondedMs });
    else {
      if (startMs < seen.startMs) {
        seen.first = c;
        seen.startMs = startMs;
      }
      if (respondedMs < seen.respondedMs) seen.respondedMs = respondedMs;
    }
  }
  const waits: LeadWait[] = [];
  for (const { first, startMs, respondedMs } of byStay.values())
    waits.push({
      contactId: first.contactId,
      userId: first.userId,
      handedOverAt: first.stayStartedAt,
      waitMs: Number.isFinite(respondedMs) ? Math.max(0, respondedMs - startMs) : null,
    });
  return waits;
}

/** Speed-to-lead buckets: within 5 min, 15 min, 1 h, 4 h, 1 day, and longer. */
export const SPEED_BUCKETS_MS = [5, 15, 60, 240, 1440].map((minutes) => minutes * 60_000);

export interface SpeedFigure {
  /** Leads handed over in the period. */
  leads: number;
  /** Of those, the ones answered so far. */
  touched: number;
  medianMs: number | null;
  p90Ms: number | null;
  /** The answered leads by how long they waited; the last bucket (upToMs null) is longer than a day. */
  distribution: { upToMs: number | null; leads: number }[];
}

/**
 * Speed to lead of a set of leads: the median, P90 and distribution of one list of waits, so the
 * median always falls in the bucket the chart shows it in.
 *
 * @example speedToLead([{ waitMs: 60_000 }, { waitMs: null }]) // { leads: 2, touched: 1, medianMs: 60000, … }
 */
export function speedToLead(waits: readonly { waitMs: number | null }[]): SpeedFigure {
  const answered = waits
    .map((w) => w.waitMs)
    .filter((ms): ms is number => ms !== null)
    .sort((a, b) => a - b);
  return {
    leads: waits.length,
    touched: answered.length,
    medianMs: quantile(answered, 0.5),
    p90Ms: quantile(answered, 0.9),
    distribution: [...SPEED_BUCKETS_MS, null].map((upToMs, i) => ({
      upToMs,
      leads: answered.filter(
        (ms) => ms > (SPEED_BUCKETS_MS[i - 1] ?? -1) && (upToMs === null || ms <= upToMs),
      ).length,
    })),
  };
}

/**
 * Speed to lead from the database's summary of the same waits (how many leads, how many answered,
 * the nearest-rank median and P90, and how many answered within each bucket's bound, cumulative):
 * the figure speedToLead gives for the waits themselves.
 */
export function speedFigureOf(summary: {
  leads: number;
  touched: number;
  medianMs: number | null;
  p90Ms: number | null;
  /** Per bound of SPEED_BUCKETS_MS, the answered leads that waited at most that long. */
  atMost: readonly number[];
}): SpeedFigure {
  return {
    leads: summary.leads,
    touched: summary.touched,
    medianMs: summary.medianMs,
    p90Ms: summary.p90Ms,
    distribution: [...SPEED_BUCKETS_MS, null].map((upToMs, i) => ({
      upToMs,
      leads:
        (upToMs === null ? summary.touched : summary.atMost[i]!) - (i === 0 ? 0 : summary.atMost[i - 1]!),
    })),
  };
}

/** One entry of a contact into a lifecycle stage. */
export interface StageEntry {
  contactId: string;
  stage: string;
  at: Date;
}

/**
 * The people who entered a stage in [from, to) (`leads`, `mqls`, `sals`, `sqls`), each once: the
 * moment of their first entry in the period. Counting these, or grouping them by the month of that
 * moment, gives the same total for the period.
 */
export function stageEntrants(
  entries: readonly StageEntry[],
  stage: string,
  from: Date,
  to: Date,
): Map<string, Date> {
  const first = new Map<string, Date>();
  for (const e of entries) {
    if (e.stage !== stage) continue;
    const t = e.at.getTime();
    if (t < from.getTime() || t >= to.getTime()) continue;
    const seen = first.get(e.contactId);
    if (!seen || t < seen.getTime()) first.set(e.contactId, e.at);
  }
  return first;
}

/**
 * The acceptance rate (`acceptance_rate`): accepted ÷ (accepted + rejected), null before any
 * decision.
 */
export function acceptanceRate(decisions: readonly ('accepted' | 'rejected' | null)[]): {
  accepted: number;
  rejected: number;
  value: number | null;
} {
  const accepted = decisions.filter((d) => d === 'accepted').length;
  const rejected = decisions.filter((d) => d === 'rejected').length;
  return { accepted, rejected, value: accepted + rejected === 0 ? null : accepted / (accepted + rejected) };
}

/** A won deal as the customer metrics read it. */
export interface WonDeal {
  accountId: string | null;
  /** YYYY-MM-DD */
  closedOn: string;
  amountMinor: number;
}

/**
 * New customers (`new_customers`): the accounts whose first won deal ever closed in
 * [fromDay, toDay). `firstWins` holds each account's earliest won close date (over all time and
 * currencies), so an existing customer's next deal never counts again.
 *
 * @example newCustomers(new Map([['a', '2026-01-10'], ['b', '2025-06-01']]), '2026-01-01', '2026-04-01') // 1
 */
export function newCustomers(firstWins: ReadonlyMap<string, string>, fromDay: string, toDay: string): number {
  let n = 0;
  for (const day of firstWins.values()) if (day >= fromDay && day < toDay) n += 1;
  return n;
}

/** Customer acquisition cost (`cac`): campaign cost ÷ new customers, rounded to a minor unit. */
export function cac(costMinor: number, customers: number): number | null {
  return customers > 0 ? Math.round(costMinor / customers) : null;
}

/** Won deals and won revenue (`won_deals`, `won_revenue`) closed in [fromDay, toDay). */
export function wonInPeriod(
  deals: readonly { status: string; closedOn: string | null; amountMinor: number }[],
  fromDay: string,
  toDay: string,
): { count: number; revenueMinor: number } {
  let count = 0;
  let revenueMinor = 0;
  for (const d of deals)
    if (d.status === 'won' && d.closedOn !== null && d.closedOn >= fromDay && d.closedOn < toDay) {
      count += 1;
      revenueMinor += d.amountMinor;
    }
  return { count, revenueMinor };
}
