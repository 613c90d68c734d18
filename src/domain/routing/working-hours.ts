/** Working hours per weekday (mon…sun), as local "HH:MM" ranges in the person's time zone. */
export type WorkingHours = Readonly<Partial<Record<Weekday, readonly (readonly [string, string])[]>>>;
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Monday to Friday, 09:00–17:30: what a new user gets until they set their own. */
export const defaultWorkingHours: WorkingHours = {
  mon: [['09:00', '17:30']],
  tue: [['09:00', '17:30']],
  wed: [['09:00', '17:30']],
  thu: [['09:00', '17:30']],
  fri: [['09:00', '17:30']],
};

const weekdays: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * What is wrong with a week of working hours, if anything: each range must end after it starts,
 * and a day's ranges may not overlap. The times themselves are checked by the contract.
 *
 * @example checkWorkingHours({ mon: [['17:00', '09:00']] }) // { field: 'mon.0', reason: 'ends before it starts' }
 */
export function checkWorkingHours(hours: WorkingHours): { field: string; reason: string } | null {
  for (const [day, ranges] of Object.entries(hours) as [Weekday, readonly (readonly [string, string])[]][]) {
    const sorted = ranges
      .map(([from, to], index) => ({ from: toMinutes(from), to: toMinutes(to), index }))
      .sort((a, b) => a.from - b.from);
    for (const range of sorted)
      if (range.to <= range.from) return { field: `${day}.${range.index}`, reason: 'ends before it starts' };
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i]!.from < sorted[i - 1]!.to)
        return { field: `${day}.${sorted[i]!.index}`, reason: 'overlaps another range of the day' };
  }
  return null;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: Weekday;
  minutes: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per time zone: building one costs far more than formatting with it. */
function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock date and time at `at` in a time zone, as the zone's rules say (through Intl). */
function formattedLocalTime(at: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatIn(timeZone).formatToParts(at)) parts[part.type] = part.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  return {
    year,
    month,
    day,
    weekday: weekdays[new Date(Date.UTC(year, month - 1, day)).getUTCDay()]!,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** How far a zone's wall clock is ahead of UTC at `at`, to the minute (as the formatter shows it). */
function offsetAt(at: number, timeZone: string): number {
  const local = formattedLocalTime(at, timeZone);
  const wall = Date.UTC(local.year, local.month - 1, local.day, 0, local.minutes);
  return wall - Math.floor(at / 60_000) * 60_000;
}

const quarter = 15 * 60_000;
/** Per zone and quarter of an hour since 1970: the offset that holds all through it, or null. */
const offsets = new Map<string, Map<number, number | null>>();

/**
 * The zone's offset for the whole quarter of an hour around `at`, when it is the same at the
 * quarter's first and last millisecond (no zone changes its offset twice within a quarter of an
 * hour), else null: then the formatter answers for the instant itself.
 */
function quarterOffset(at: number, timeZone: string): number | null {
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map<number, number | null>()));
  const index = Math.floor(at / quarter);
  let offset = zone.get(index);
  if (offset === undefined) {
    const start = offsetAt(index * quarter, timeZone);
    offset = start === offsetAt(index * quarter + quarter - 1, timeZone) ? start : null;
    if (zone.size >= 100_000) zone.clear(); // some years of quarters: the memory stays bounded
    zone.set(index, offset);
  }
  return offset;
}

/**
 * The wall-clock date and time at `at` in a time zone. Formatting a date is the costly part of
 * business-time arithmetic (a queue of leads asks for thousands of instants), so the zone's offset
 * is remembered per quarter of an hour and the wall clock computed from it; a quarter in which the
 * offset changes (or an offset with seconds, as before standard time) is formatted each time.
 */
export function localTime(at: Date, timeZone: string): LocalTime {
  const instant = at.getTime();
  const offset = quarterOffset(instant, timeZone);
  if (offset === null) return formattedLocalTime(instant, timeZone);
  const wall = new Date(instant + offset);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    weekday: weekdays[wall.getUTCDay()]!,
    minutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether `at` falls inside someone's working hours in their time zone.
 *
 * @example isWithinWorkingHours(defaultWorkingHours, 'Europe/Amsterdam', new Date('2026-11-27T10:00:00Z')) // true (11:00 on a Friday)
 */
export function isWithinWorkingHours(hours: WorkingHours, timeZone: string, at: Date): boolean {
  const local = localTime(at, timeZone);
  return (hours[local.weekday] ?? []).some(
    ([from, to]) => local.minutes >= toMinutes(from) && local.minutes < toMinutes(to),
  );
}

/**
 * The instant the local day containing `at` began in a time zone (for caps "per day" in the rep's
 * own day).
 *
 * @example startOfLocalDay('Europe/Amsterdam', new Date('2026-11-27T10:00:00Z')) // 2026-11-26T23:00:00Z
 */
export function startOfLocalDay(timeZone: string, at: Date): Date {
  const local = localTime(at, timeZone);
  const midnightAsUtc = Date.UTC(local.year, local.month - 1, local.day);
  // The zone's offset at `at`; a day that starts on a DST change is off by that hour, rarely.
  const offset = Date.UTC(local.year, local.month - 1, local.day, 0, local.minutes) - at.getTime();
  const rounded = Math.round(offset / 60_000) * 60_000;
  return new Date(midnightAsUtc - rounded);
}

/** The instant the local week (from Monday) containing `at` began. */
export function startOfLocalWeek(timeZone: string, at: Date): Date {
  const dayStart = startOfLocalDay(timeZone, at);
  const back = (weekdays.indexOf(localTime(at, timeZone).weekday) + 6) % 7;
  return startOfLocalDay(timeZone, new Date(dayStart.getTime() - back * 86_400_000 + 12 * 3_600_000));
}
