import { describe, expect, it } from 'vitest';
import { dutchHolidays, easterSunday } from './dutch-holidays.ts';

const dates = (year: number, options = { goodFriday: true, liberationDay: 'every_year' as const }) =>
  Object.fromEntries(dutchHolidays(year, options).map((h) => [h.name.en, h.date]));

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
    },
  );

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
      dutchHolidays(year, { goodFriday: false, liberationDay: 'every_five_years' }).map((h) => h.name.en);
    expect(lustrum(2025)).toContain('Liberation Day');
    expect(lustrum(2026)).not.toContain('Liberation Day');
    expect(lustrum(2030)).toContain('Liberation Day');
    expect(lustrum(2026)).not.toContain('Good Friday');
    expect(
      dutchHolidays(2025, { goodFriday: false, liberationDay: 'never' }).map((h) => h.name.en),
    ).not.toContain('Liberation Day');
  });

  it('names each holiday in English and Dutch, in date order', () => {
    const list = dutchHolidays(2026);
    expect(list.map((h) => h.date)).toEqual([...list.map((h) => h.date)].sort());
    expect(list.find((h) => h.date === '2026-04-27')!.name).toEqual({ en: "King's Day", nl: 'Koningsdag' });
  });
});
