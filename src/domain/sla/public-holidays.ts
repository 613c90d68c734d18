/**
 * Public holidays of any country and region (PRODUCT.md §3 SLA), from `date-holidays`, the
 * maintained data set of some 200 countries with their states and regions. Dates are local
 * calendar dates, 'YYYY-MM-DD'. A calendar closes on the days the library marks as public
 * holidays. The Netherlands adds two choices of its own, because Dutch collective agreements
 * differ: Good Friday is a day off for some, and Liberation Day every year for some and every
 * fifth year (2025, 2030) for others. The library marks both as school holidays only.
 */
import Holidays from 'date-holidays';

export type LiberationDay = 'every_year' | 'every_five_years' | 'never';

/** Which public holidays a calendar closes on. */
export interface HolidayChoice {
  /** ISO 3166-1 alpha-2, e.g. 'NL', 'BE', 'DE'. */
  country: string;
  /** A state or region of the country as the library names it (e.g. 'BY' in DE), or null for the country's own. */
  region: string | null;
  /** Goede Vrijdag (the Netherlands only): a day off in some collective agreements. */
  goodFriday: boolean;
  /** Bevrijdingsdag (the Netherlands only): every year, in lustrum years (divisible by 5), or never. */
  liberationDay: LiberationDay;
}

export interface Holiday {
  date: string;
  name: { en: string; nl: string };
}

export interface HolidayRegion {
  code: string;
  name: string;
}

export interface HolidayCountry {
  code: string;
  name: { en: string; nl: string };
  regions: HolidayRegion[];
}

export const dutchHolidayDefaults = { goodFriday: false, liberationDay: 'every_five_years' } as const;

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (year: number, month: number, day: number) => `${year}-${pad(month)}-${pad(day)}`;

/**
 * Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm of Meeus, Jones and
 * Butcher). Good Friday, two days before, is the Dutch choice the library does not make.
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

const goodFridayOf = (year: number) => {
  const [y, m, d] = easterSunday(year).split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d - 2));
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
};

// The library's tables are read once per country and region; a year's list once per year.
const tables = new Map<string, Holidays>();
const years = new Map<string, Holiday[]>();

function tableOf(country: string, region: string | null): Holidays {
  const key = `${country}|${region ?? ''}`;
  let table = tables.get(key);
  if (!table) {
    table = region ? new Holidays(country, region) : new Holidays(country);
    tables.set(key, table);
  }
  return table;
}

/** Whether the library knows a country and, when one is named, its region. */
export function isKnownHolidayPlace(country: string, region: string | null): boolean {
  const countries = new Holidays().getCountries('en') as Record<string, string>;
  if (!Object.hasOwn(countries, country)) return false;
  if (region === null) return true;
  const regions = (new Holidays().getStates(country, 'en') ?? {}) as Record<string, string>;
  return Object.hasOwn(regions, region);
}

/**
 * The public holidays a calendar closes on in a year, in date order, named in English and Dutch.
 * A country or region the library does not know has none (settings are checked when saved).
 *
 * @example publicHolidays(2026, { country: 'BE', region: null, ...dutchHolidayDefaults }).length // 10
 */
export function publicHolidays(year: number, choice: HolidayChoice): Holiday[] {
  const key = `${choice.country}|${choice.region ?? ''}|${year}|${choice.goodFriday}|${choice.liberationDay}`;
  const known = years.get(key);
  if (known) return known;
  if (!isKnownHolidayPlace(choice.country, choice.region)) return [];
  const table = tableOf(choice.country, choice.region);
  const dutch = table.getHolidays(year, 'nl');
  const english = new Map(table.getHolidays(year, 'en').map((h) => [`${h.date}|${h.rule}`, h.name]));
  const dutchChoice = (date: string) => {
    if (choice.country !== 'NL') return false;
    if (date === goodFridayOf(year)) return choice.goodFriday;
    if (date === iso(year, 5, 5))
      return (
        choice.liberationDay === 'every_year' ||
        (choice.liberationDay === 'every_five_years' && year % 5 === 0)
      );
    return false;
  };
  const seen = new Set<string>();
  const holidays: Holiday[] = [];
  for (const h of dutch) {
    const date = h.date.slice(0, 10);
    // A substitute day can share a date with another holiday: the date closes once.
    if (date.slice(0, 4) !== String(year) || seen.has(date)) continue;
    if (h.type !== 'public' && !dutchChoice(date)) continue;
    seen.add(date);
    holidays.push({ date, name: { en: english.get(`${h.date}|${h.rule}`) ?? h.name, nl: h.name } });
  }
  holidays.sort((a, b) => a.date.localeCompare(b.date));
  years.set(key, holidays);
  return holidays;
}

/** Every country the library knows, with its regions, sorted by English name. */
export function holidayCountries(): HolidayCountry[] {
  const lib = new Holidays();
  const en = lib.getCountries('en') as Record<string, string>;
  const nl = lib.getCountries('nl') as Record<string, string>;
  return Object.entries(en)
    .map(([code, name]) => ({
      code,
      name: { en: name, nl: nl[code] ?? name },
      regions: Object.entries((lib.getStates(code, 'en') ?? {}) as Record<string, string>)
        .map(([regionCode, regionName]) => ({ code: regionCode, name: regionName }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => a.name.en.localeCompare(b.name.en));
}
