import { describe, expect, it } from 'vitest';
import {
  dutchHolidayDefaults,
  easterSunday,
  holidayCountries,
  isKnownHolidayPlace,
  publicHolidays,
  type HolidayChoice,
} from './public-holidays.ts';

const nl = (options: Partial<HolidayChoice> = {}): HolidayChoice => ({
  country: 'NL',
  region: null,
  goodFriday: true,
  liberationDay: 'every_year',
  ...options,
});
const dates = (year: number, choice: HolidayChoice = nl()) =>
  Object.fromEntries(publicHolidays(year, choice).map((h) => [h.name.en, h.date]));

describe('Dutch public holidays', () => {
  // Published dates (rijksoverheid.nl, "Officiële feestdagen").
  it.each([
    [2024, '2024-03-29', '2024-04-01', '2024-04-27', '2024-05-09', '2024-05-20'],
    [2025, '2025-04-18', '2025-04-21', '2025-04-26', '2025-05-29', '2025-06-09'],
    [2026, '2026-04-03', '2026-04-06', '2026-04-27', '2026-05-14', '2026-05-25'],
    [2027, '2027-03-26', '2027-03-29', '2027-04-27', '2027-05-06', '2027-05-17'],
    [2028, '2028-04-14', '2028-04-17', '2028-04-27', '2028-05-25', '2028-06-05'],
  ])(
    '%i: Good Friday %s, Easter Monday %s, King’s Day %s, Ascension %s, Whit Monday %s',
    (year, goodFriday, easterMonday, kingsDay, ascension, whitMonday) => {
      expect(dates(year)).toMatchObject({
        "New Year's Day": `${year}-01-01`,
        'Good Friday': goodFriday,
        'Easter Monday': easterMonday,
        "King's Day": kingsDay,
        'Liberation Day': `${year}-05-05`,
        'Ascension Day': ascension,
        'Whit Monday': whitMonday,
        'Christmas Day': `${year}-12-25`,
        'Boxing Day': `${year}-12-26`,
      });
      // Eleven days off with both choices on, none of the observances (Mother's Day, Sinterklaas).
      expect(publicHolidays(year, nl())).toHaveLength(11);
    },
  );

  it('names each day in Dutch too', () => {
    const names = publicHolidays(2026, nl()).map((h) => h.name.nl);
    expect(names).toEqual(
      expect.arrayContaining(['Koningsdag', 'Goede Vrijdag', 'Bevrijdingsdag', 'Tweede kerstdag']),
    );
  });

  it.each([
    [1961, '1961-04-02'],
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('computes Easter %i as %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });

  it('moves King’s Day to the 26th only when the 27th is a Sunday', () => {
    for (let year = 2014; year <= 2060; year++) {
      const sunday = new Date(Date.UTC(year, 3, 27)).getUTCDay() === 0;
      expect(dates(year)["King's Day"]).toBe(sunday ? `${year}-04-26` : `${year}-04-27`);
    }
  });

  it('leaves Good Friday out unless chosen, and Liberation Day to every fifth year or never', () => {
    const lustrum = (year: number) =>
      publicHolidays(year, nl({ goodFriday: false, liberationDay: 'every_five_years' })).map(
        (h) => h.name.en,
      );
    expect(lustrum(2025)).toContain('Liberation Day');
    expect(lustrum(2026)).not.toContain('Liberation Day');
    expect(lustrum(2030)).toContain('Liberation Day');
    expect(lustrum(2026)).not.toContain('Good Friday');
    expect(
      publicHolidays(2025, nl({ goodFriday: false, liberationDay: 'never' })).map((h) => h.name.en),
    ).not.toContain('Liberation Day');
  });
});

describe('public holidays of other countries', () => {
  const be = { country: 'BE', region: null, ...dutchHolidayDefaults };

  it('closes a Belgian calendar on Belgium’s ten public holidays (2026, belgium.be)', () => {
    expect(publicHolidays(2026, be).map((h) => h.date)).toEqual([
      '2026-01-01',
      '2026-04-06',
      '2026-05-01',
      '2026-05-14',
      '2026-05-25',
      '2026-07-21',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ]);
    expect(publicHolidays(2026, be).find((h) => h.date === '2026-07-21')?.name).toEqual({
      en: 'National Holiday',
      nl: 'Nationale feestdag',
    });
  });

  it('ignores the Dutch choices elsewhere: Belgium keeps 5 May and Good Friday open', () => {
    const dates = publicHolidays(2025, { ...be, goodFriday: true, liberationDay: 'every_year' }).map(
      (h) => h.date,
    );
    expect(dates).not.toContain('2025-04-18');
    expect(dates).not.toContain('2025-05-05');
  });

  it('takes a region’s own days: Epiphany in Bavaria, not in Berlin', () => {
    const de = (region: string) =>
      publicHolidays(2026, { country: 'DE', region, ...dutchHolidayDefaults }).map((h) => h.date);
    expect(de('BY')).toContain('2026-01-06');
    expect(de('BE')).not.toContain('2026-01-06');
    expect(de('BE')).toContain('2026-03-08'); // International Women's Day, Berlin only
  });

  it('knows countries and regions, and refuses what it does not know', () => {
    expect(isKnownHolidayPlace('BE', null)).toBe(true);
    expect(isKnownHolidayPlace('DE', 'BY')).toBe(true);
    expect(isKnownHolidayPlace('DE', 'XX')).toBe(false);
    expect(isKnownHolidayPlace('XX', null)).toBe(false);
    expect(publicHolidays(2026, { country: 'XX', region: null, ...dutchHolidayDefaults })).toEqual([]);
    const countries = holidayCountries();
    expect(countries.length).toBeGreaterThan(150);
    expect(countries.find((c) => c.code === 'BE')).toMatchObject({ name: { en: 'Belgium', nl: 'België' } });
    expect(countries.find((c) => c.code === 'DE')?.regions.map((r) => r.code)).toContain('BY');
  });
});
