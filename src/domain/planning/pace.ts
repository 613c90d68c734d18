import type { LocalMonth } from './months.ts';

export interface PaceInput {
  /** The plan's need per month for one stage. */
  planByMonth: readonly { month: LocalMonth; needed: number }[];
  /** What actually happened per month (months without anything may be left out). */
  actualByMonth: ReadonlyMap<LocalMonth, number>;
  /** Today as a month and how far through it we are (0–1). */
  currentMonth: LocalMonth;
  fractionOfCurrentMonth: number;
  /** Below this share of the plan to date the stage is behind (default 0.9). */
  behindBelow?: number;
}

export type PaceStatus = 'not_started' | 'ahead' | 'on_track' | 'behind';

export interface Pace {
  planTotal: number;
  plannedToDate: number;
  actualToDate: number;
  /** actual ÷ planned to date; null before anything was planned. */
  ratio: number | null;
  /** Where the stage ends if it keeps this pace against the rest of the plan. */
  projection: number;
  status: PaceStatus;
}

/**
 * A stage's pace against its plan: the plan to date counts the past months in full and the current
 * month in proportion to the days gone; the projection runs the rest of the plan at the pace so
 * far. Behind means under `behindBelow` (90%) of plan to date, ahead means over 100%.
 *
 * @example paceOf({ planByMonth: [{ month: '2027-01', needed: 100 }], actualByMonth: new Map([['2027-01', 40]]),
 *   currentMonth: '2027-01', fractionOfCurrentMonth: 0.5 }) // { plannedToDate: 50, ratio: 0.8, projection: 80, status: 'behind' }
 */
export function paceOf(input: PaceInput): Pace {
  let planTotal = 0;
  let plannedToDate = 0;
  let actualToDate = 0;
  for (const { month, needed } of input.planByMonth) {
    planTotal += needed;
    if (month < input.currentMonth) plannedToDate += needed;
    else if (month === input.currentMonth) plannedToDate += needed * input.fractionOfCurrentMonth;
    if (month <= input.currentMonth) actualToDate += input.actualByMonth.get(month) ?? 0;
  }
  if (plannedToDate <= 0) {
    return {
      planTotal,
      plannedToDate: 0,
      actualToDate,
      ratio: null,
      projection: actualToDate + planTotal,
      status: 'not_started',
    };
  }
  const ratio = actualToDate / plannedToDate;
  const projection = Math.round(actualToDate + (planTotal - plannedToDate) * ratio);
  const status: PaceStatus =
    ratio > 1 ? 'ahead' : ratio >= (input.behindBelow ?? 0.9) ? 'on_track' : 'behind';
  return { planTotal, plannedToDate, actualToDate, ratio, projection, status };
}
