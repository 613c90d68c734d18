/**
 * Marketing's side of the SLA (PRODUCT.md §3): a commitment to deliver a volume of MQLs in a
 * period at a minimum acceptance rate, tracked day by day against an even pace over the period's
 * working days. Pure: the caller reads the period's MQLs and Sales' decisions on them.
 */

export interface CommitmentTerms {
  mqlTarget: number;
  /** The share of decided MQLs Sales should accept, 0–1. */
  minAcceptanceRate: number;
  /** How far under the pace delivery may fall before it counts as behind, 0–1 (0.1 = 10 %). */
  tolerance: number;
}

/** One MQL handed over in the period: the local date it became an MQL, and what Sales decided. */
export interface DeliveredMql {
  date: string;
  decision: 'accepted' | 'rejected' | null;
}

export interface CommitmentDay {
  date: string;
  /** Whether the day is a working day of the calendar (the pace moves only on those). */
  open: boolean;
  delivered: number;
  /** Delivered from the first day up to and including this one. */
  cumulative: number;
  /** What an even pace would have delivered by the end of this day. */
  expected: number;
}

/**
 * `at_risk`: on pace for volume, but Sales accepts fewer than the minimum share on too few
 * decisions to judge; never shown as on track, never alerted.
 */
export type PaceStatus = 'upcoming' | 'on_track' | 'at_risk' | 'behind' | 'met' | 'missed';
export type BehindReason = 'volume' | 'acceptance';

export interface CommitmentPace {
  status: PaceStatus;
  /** Why it is behind (or missed); empty otherwise. */
  reasons: BehindReason[];
  /** Days completed so far (up to yesterday), with the days still to come left out. */
  days: CommitmentDay[];
  delivered: number;
  /** What an even pace would have delivered by the end of the last completed day. */
  expectedToDate: number;
  /** Delivered so far, extended at the same rate over the rest of the period's working days. */
  projected: number | null;
  accepted: number;
  rejected: number;
  /** accepted ÷ (accepted + rejected); null before any decision. */
  acceptanceRate: number | null;
  openDays: { total: number; completed: number };
}

/** No verdict on volume before this many working days have passed: one slow Monday is not a trend. */
export const minOpenDaysForVolume = 3;
/** No verdict on acceptance before Sales decided this many MQLs. */
export const minDecisionsForRate = 10;

/**
 * The commitment's pace on `today` (a local date): the completed days of the period (before
 * `today`), delivery against an even pace over the working days, the acceptance rate so far, and
 * whether Marketing is on track. After the period it is met or missed.
 *
 * @example trackCommitment({ mqlTarget: 100, minAcceptanceRate: 0.6, tolerance: 0.1 }, days, mqls, '2026-11-16').status // 'behind' when 30 were delivered by mid-month
 */
export function trackCommitment(
  terms: CommitmentTerms,
  period: readonly { date: string; open: boolean }[],
  mqls: readonly DeliveredMql[],
  today: string,
): CommitmentPace {
  const totalOpen = period.filter((d) => d.open).length;
  const byDate = new Map<string, number>();
  for (const mql of mqls) byDate.set(mql.date, (byDate.get(mql.date) ?? 0) + 1);
  const days: CommitmentDay[] = [];
  let cumulative = 0;
  let openSoFar = 0;
  for (const day of period) {
    if (day.date >= today) break;
    if (day.open) openSoFar += 1;
    const delivered = byDate.get(day.date) ?? 0;
    cumulative += delivered;
    days.push({
      date: day.date,
      open: day.open,
      delivered,
      cumulative,
      expected: round1(totalOpen > 0 ? (terms.mqlTarget * openSoFar) / totalOpen : terms.mqlTarget),
    });
  }
  const accepted = mqls.filter((m) => m.decision === 'accepted').length;
  const rejected = mqls.filter((m) => m.decision === 'rejected').length;
  const decided = accepted + rejected;
  const acceptanceRate = decided > 0 ? accepted / decided : null;
  const expectedToDate = days.at(-1)?.expected ?? 0;
  const projected = openSoFar > 0 && totalOpen > 0 ? Math.round((cumulative / openSoFar) * totalOpen) : null;
  const belowMinimum = acceptanceRate !== null && acceptanceRate < terms.minAcceptanceRate;
  const lowAcceptance = decided >= minDecisionsForRate && belowMinimum;
  const first = period[0]?.date;
  const last = period.at(-1)?.date;
  let status: PaceStatus;
  const reasons: BehindReason[] = [];
  if (first === undefined || today < first) status = 'upcoming';
  else if (last !== undefined && today > last) {
    // The period is over: its decisions are all there are, however few.
    if (cumulative < terms.mqlTarget) reasons.push('volume');
    if (belowMinimum) reasons.push('acceptance');
    status = reasons.length > 0 ? 'missed' : 'met';
  } else {
    if (openSoFar >= minOpenDaysForVolume && cumulative < expectedToDate * (1 - terms.tolerance))
      reasons.push('volume');
    if (belowMinimum) reasons.push('acceptance');
    status =
      reasons.includes('volume') || lowAcceptance ? 'behind' : reasons.length > 0 ? 'at_risk' : 'on_track';
  }
  return {
    status,
    reasons,
    days,
    delivered: cumulative,
    expectedToDate,
    projected,
    accepted,
    rejected,
    acceptanceRate,
    openDays: { total: totalOpen, completed: openSoFar },
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
