/** A calendar month as `YYYY-MM`. */
export type LocalMonth = string;

export type PeriodKind = 'month' | 'quarter' | 'year';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The average length of a month in days (a Gregorian year over twelve), for lags given in days. */
export const DAYS_PER_MONTH = 365.2425 / 12;

function parts(month: LocalMonth): [number, number] {
  const match = MONTH.exec(month);
  if (!match) throw new RangeError(`not a month: ${month}`);
  return [Number(match[1]), Number(match[2])];
}

/**
 * The month `count` months after (or before, when negative) the given one.
 *
 * @example addMonths('2027-01', -2) // '2026-11'
 */
export function addMonths(month: LocalMonth, count: number): LocalMonth {
  const [year, m] = parts(month);
  const index = year * 12 + (m - 1) + count;
  const y = Math.floor(index / 12);
  return `${String(y).padStart(4, '0')}-${String(index - y * 12 + 1).padStart(2, '0')}`;
}

/** Months from `a` to `b` (b − a), both `YYYY-MM`. */
export function monthsBetween(a: LocalMonth, b: LocalMonth): number {
  const [ya, ma] = parts(a);
  const [yb, mb] = parts(b);
  return yb * 12 + mb - (ya * 12 + ma);
}

/**
 * The months of a period that starts at `start` (the first month of a quarter or a year need not
 * be January: a fiscal year starts where the company says).
 *
 * @example monthsOfPeriod('quarter', '2027-04') // ['2027-04', '2027-05', '2027-06']
 */
export function monthsOfPeriod(kind: PeriodKind, start: LocalMonth): LocalMonth[] {
  const length = kind === 'month' ? 1 : kind === 'quarter' ? 3 : 12;
  return Array.from({ length }, (_, i) => addMonths(start, i));
}

/** The first day of a month and of the month after it, as `YYYY-MM-DD`. */
export function monthBounds(month: LocalMonth): { from: string; to: string } {
  return { from: `${month}-01`, to: `${addMonths(month, 1)}-01` };
}
