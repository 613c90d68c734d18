/**
 * Business time: time that counts only while a company is open (PRODUCT.md §3 SLA). A calendar is
 * a time zone, weekly working hours, and the local dates it is closed (public holidays, company
 * closures). Deadlines move across evenings, weekends, holidays and DST changes in local time, so
 * "4 business hours" from Friday 16:00 is Monday 11:30 with 09:00–17:30 hours, whatever the clocks did.
 */
import { localTime, type Weekday, type WorkingHours } from '../routing/working-hours.ts';
import { publicHolidays, type HolidayChoice } from './public-holidays.ts';

export interface BusinessCalendar {
  timeZone: string;
  hours: WorkingHours;
  /** Local dates ('YYYY-MM-DD') the company is closed, besides the days without hours. */
  closedDates: ReadonlySet<string>;
}

export interface CalendarSettings {
  timeZone: string;
  hours: WorkingHours;
  /** Public holidays to close on: a country's (or region's), with the Dutch options, or none. */
  holidays: HolidayChoice | null;
  /** Company closures, inclusive local date ranges (the week between Christmas and New Year). */
  closures: readonly { from: string; to: string }[];
}

const weekdayOf: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** No calendar is closed this long; beyond it, a calendar with no open time at all is refused. */
const searchDays = 3 * 366;

const pad = (n: number) => String(n).padStart(2, '0');
const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const dateKey = (d: LocalDate) => `${d.year}-${pad(d.month)}-${pad(d.day)}`;
const nextDate = (d: LocalDate, days = 1): LocalDate => {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
};

/**
 * The instant a local wall-clock time happens in a time zone. A time skipped by a DST change
 * (02:30 on the last Sunday of March in Amsterdam) is taken as the same time after the change.
 *
 * @example zonedInstant('Europe/Amsterdam', { year: 2026, month: 7, day: 1 }, 9 * 60) // 2026-07-01T07:00:00Z
 */
export function zonedInstant(timeZone: string, date: LocalDate, minutes: number): Date {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  const offsetAt = (instant: number) => {
    const local = localTime(new Date(instant), timeZone);
    const seconds = new Date(instant).getUTCSeconds() * 1000 + new Date(instant).getUTCMilliseconds();
    return Date.UTC(local.year, local.month - 1, local.day, 0, local.minutes) + seconds - instant;
  };
  // Two rounds settle the offset, also next to a change.
  let instant = asUtc - offsetAt(asUtc);
  instant = asUtc - offsetAt(instant);
  return new Date(instant);
}

/** A calendar from its settings, with the holidays of every year from `fromYear` to `toYear`. */
export function buildCalendar(
  settings: CalendarSettings,
  fromYear: number,
  toYear: number,
): BusinessCalendar {
  const closed = new Set<string>();
  if (settings.holidays)
    for (let year = fromYear; year <= toYear; year++)
      for (const holiday of publicHolidays(year, settings.holidays)) closed.add(holiday.date);
  for (const closure of settings.closures) {
    const [y, m, d] = closure.from.split('-').map(Number) as [number, number, number];
    for (let date = { year: y, month: m, day: d }; dateKey(date) <= closure.to; date = nextDate(date))
      closed.add(dateKey(date));
  }
  return { timeZone: settings.timeZone, hours: settings.hours, closedDates: closed };
}

type Interval = readonly [open: number, close: number];

/**
 * Each calendar's open intervals per local date, once worked out: turning local hours into instants
 * takes the time-zone database twice per boundary, and a lead overdue for months walks every day
 * since its deadline on each read of the queue. A calendar is never changed once built (a changed
 * setting builds a new one), so what is kept stays true; a calendar no longer used is dropped with it.
 */
const intervalsByCalendar = new WeakMap<BusinessCalendar, Map<string, readonly Interval[]>>();
/** Dates kept per calendar: some years either way of today, far more than any request walks. */
const keptDates = 20_000;

/** The open intervals of one local date, as instants, in order. */
function openIntervals(calendar: BusinessCalendar, date: LocalDate): readonly Interval[] {
  const key = dateKey(date);
  let known = intervalsByCalendar.get(calendar);
  if (!known) intervalsByCalendar.set(calendar, (known = new Map<string, readonly Interval[]>()));
  let intervals = known.get(key);
  if (!intervals) {
    if (known.size >= keptDates) known.clear();
    known.set(key, (intervals = workOutIntervals(calendar, date)));
  }
  return intervals;
}

function workOutIntervals(calendar: BusinessCalendar, date: LocalDate): readonly Interval[] {
  if (calendar.closedDates.has(dateKey(date))) return [];
  const weekday = weekdayOf[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()]!;
  return [...(calendar.hours[weekday] ?? [])]
    .map(([from, to]) => [toMinutes(from), toMinutes(to)] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([from, to]) => [
      zonedInstant(calendar.timeZone, date, from).getTime(),
      // 24:00 is the next day's midnight, whatever length this day had.
      to === 1440
        ? zonedInstant(calendar.timeZone, nextDate(date), 0).getTime()
        : zonedInstant(calendar.timeZone, date, to).getTime(),
    ]);
}

function localDateOf(calendar: BusinessCalendar, at: number): LocalDate {
  const local = localTime(new Date(at), calendar.timeZone);
  return { year: local.year, month: local.month, day: local.day };
}

/** Open intervals from the local day of `from` on, lazily. */
function* intervalsFrom(calendar: BusinessCalendar, from: number): Generator<Interval> {
  let date = localDateOf(calendar, from);
  // Yesterday too: a range up to 24:00 seen from just after midnight UTC-wise is still today's.
  date = nextDate(date, -1);
  for (let i = 0; i <= searchDays + 1; i++, date = nextDate(date))
    for (const interval of openIntervals(calendar, date)) if (interval[1] > from) yield interval;
}

export class ClosedCalendarError extends Error {
  constructor() {
    super(`the calendar has no open time within ${searchDays} days`);
    this.name = 'ClosedCalendarError';
  }
}

/**
 * The instant `durationMs` of business time after `start`. A start outside business hours counts
 * from the next opening; a zero duration gives that opening. The result is always within open
 * hours (an interval's end counts as within).
 *
 * @example addBusinessTime(nlOffice, new Date('2026-11-27T15:00:00Z'), 4 * 3_600_000) // Monday 2026-11-30 11:30 Amsterdam
 */
export function addBusinessTime(calendar: BusinessCalendar, start: Date, durationMs: number): Date {
  let remaining = Math.max(0, durationMs);
  const from = start.getTime();
  for (const [open, close] of intervalsFrom(calendar, from)) {
    const begin = Math.max(open, from);
    if (remaining <= close - begin) return new Date(begin + remaining);
    remaining -= close - begin;
  }
  throw new ClosedCalendarError();
}

/**
 * Business time between two instants (0 when `to` is not after `from`): how much of a window has
 * been used, how long overdue a lead is.
 *
 * @example businessTimeBetween(nlOffice, new Date('2026-11-27T16:00:00Z'), new Date('2026-11-30T09:00:00Z')) // 2 h
 */
export function businessTimeBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  let total = 0;
  for (const [open, close] of intervalsFrom(calendar, a)) {
    if (open >= b) return total;
    total += Math.min(close, b) - Math.max(open, a);
  }
  return total;
}

/** Whether the calendar is open at an instant. */
export function isOpenAt(calendar: BusinessCalendar, at: Date): boolean {
  const t = at.getTime();
  const date = localDateOf(calendar, t);
  return [nextDate(date, -1), date].some((d) => openIntervals(calendar, d).some(([o, c]) => t >= o && t < c));
}

/** A calendar that never closes: for demos and end-to-end checks with windows of seconds. */
export function alwaysOpen(timeZone = 'UTC'): BusinessCalendar {
  const day: [string, string][] = [['00:00', '24:00']];
  return {
    timeZone,
    hours: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day },
    closedDates: new Set(),
  };
}

/** The local date ('YYYY-MM-DD') of an instant in the calendar's time zone. */
export function localDateKey(calendar: BusinessCalendar, at: Date): string {
  return dateKey(localDateOf(calendar, at.getTime()));
}

/** Whether a local date ('YYYY-MM-DD') has any open time: a working day that is not closed. */
export function isOpenDay(calendar: BusinessCalendar, date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return openIntervals(calendar, { year, month, day }).length > 0;
}

/** The instant a local date ('YYYY-MM-DD') begins in the calendar's time zone. */
export function startOfLocalDate(calendar: BusinessCalendar, date: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return zonedInstant(calendar.timeZone, { year, month, day }, 0);
}

/** The local dates from `from` to `to`, both included ('YYYY-MM-DD'). */
export function localDatesBetween(from: string, to: string): string[] {
  const [y, m, d] = from.split('-').map(Number) as [number, number, number];
  const dates: string[] = [];
  for (let date = { year: y, month: m, day: d }; dateKey(date) <= to; date = nextDate(date))
    dates.push(dateKey(date));
  return dates;
}

/** A local date ('YYYY-MM-DD') moved by whole days. */
export function addLocalDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return dateKey(nextDate({ year, month, day }, days));
}
