/**
 * Dutch public holidays for any year (PRODUCT.md §3 SLA). Dates are local calendar dates,
 * 'YYYY-MM-DD'. Which of them a company closes on is its own choice: Good Friday is optional,
 * and Liberation Day is a day off every year for some and every fifth year (2025, 2030) for others.
 */

export interface HolidayOptions {
  /** Goede Vrijdag: a day off in some collective agreements only. */
  goodFriday: boolean;
  /** Bevrijdingsdag: every year, only in lustrum years (divisible by 5), or never. */
  liberationDay: 'every_year' | 'every_five_years' | 'never';
}

export interface Holiday {
  date: string;
  name: { en: string; nl: string };
}

export const defaultHolidayOptions: HolidayOptions = { goodFriday: false, liberationDay: 'every_five_years' };

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (year: number, month: number, day: number) => `${year}-${pad(month)}-${pad(day)}`;

/** A date some days from another, as 'YYYY-MM-DD'. */
function shift(year: number, month: number, day: number, days: number): string {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return iso(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/**
 * Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm of Meeus, Jones and
 * Butcher).
 *
 * @example easterSunday(2026) // '2026-04-05'
 */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return iso(year, month, day);
}

/**
 * The Dutch public holidays of a year, in date order.
 *
 * @example dutchHolidays(2026, defaultHolidayOptions).map((h) => h.date)[3] // '2026-04-27' (King's Day)
 */
export function dutchHolidays(year: number, options: HolidayOptions = defaultHolidayOptions): Holiday[] {
  const [ey, em, ed] = easterSunday(year).split('-').map(Number) as [number, number, number];
  const fromEaster = (days: number) => shift(ey, em, ed, days);
  // King's Day moves to Saturday the 26th when the 27th is a Sunday.
  const kingsDay = new Date(Date.UTC(year, 3, 27)).getUTCDay() === 0 ? iso(year, 4, 26) : iso(year, 4, 27);
  const liberation =
    options.liberationDay === 'every_year' ||
    (options.liberationDay === 'every_five_years' && year % 5 === 0);
  const holidays: Holiday[] = [
    { date: iso(year, 1, 1), name: { en: "New Year's Day", nl: 'Nieuwjaarsdag' } },
    ...(options.goodFriday
      ? [{ date: fromEaster(-2), name: { en: 'Good Friday', nl: 'Goede Vrijdag' } }]
      : []),
    { date: fromEaster(0), name: { en: 'Easter Sunday', nl: 'Eerste Paasdag' } },
    { date: fromEaster(1), name: { en: 'Easter Monday', nl: 'Tweede Paasdag' } },
    { date: kingsDay, name: { en: "King's Day", nl: 'Koningsdag' } },
    ...(liberation ? [{ date: iso(year, 5, 5), name: { en: 'Liberation Day', nl: 'Bevrijdingsdag' } }] : []),
    { date: fromEaster(39), name: { en: 'Ascension Day', nl: 'Hemelvaartsdag' } },
    { date: fromEaster(49), name: { en: 'Whit Sunday', nl: 'Eerste Pinksterdag' } },
    { date: fromEaster(50), name: { en: 'Whit Monday', nl: 'Tweede Pinksterdag' } },
    { date: iso(year, 12, 25), name: { en: 'Christmas Day', nl: 'Eerste Kerstdag' } },
    { date: iso(year, 12, 26), name: { en: 'Boxing Day', nl: 'Tweede Kerstdag' } },
  ];
  return holidays.sort((a, b) => a.date.localeCompare(b.date));
}
