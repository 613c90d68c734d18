import type { Selectable } from 'kysely';
import type { CalendarSettings } from '../../../domain/sla/business-time.ts';
import {
  dutchHolidayDefaults,
  isKnownHolidayPlace,
  type HolidayChoice,
  type LiberationDay,
} from '../../../domain/sla/public-holidays.ts';
import { fromDbBool } from '../../db/dialect.ts';
import type { SlaCalendarsTable } from '../../db/tables.ts';
import { readJson } from '../../db/json-column.ts';
import { SlaCalendar, type HolidaysInput } from '../../../contract/sla.ts';
import { fieldError } from '../shared/errors.ts';

/** A stored calendar's public holidays: a country (or region) with the Dutch choices, or none. */
export function holidayChoiceOf(
  row: Pick<
    Selectable<SlaCalendarsTable>,
    'holiday_country' | 'holiday_region' | 'is_good_friday' | 'liberation_day'
  >,
): HolidayChoice | null {
  if (row.holiday_country === null) return null;
  return {
    country: row.holiday_country,
    region: row.holiday_region,
    goodFriday: fromDbBool(row.is_good_friday),
    liberationDay: row.liberation_day as LiberationDay,
  };
}

/**
 * The columns of a calendar's holidays as a client sent them, the Dutch choices defaulted. A
 * country or region the holiday library does not know is refused, naming `field`.
 */
export function holidayColumns(input: HolidaysInput, field: string) {
  if (input === null)
    return { holiday_country: null, holiday_region: null, is_good_friday: false, liberation_day: 'never' };
  const region = input.region ?? null;
  if (!isKnownHolidayPlace(input.country, null))
    throw fieldError(
      'sla.invalid_calendar',
      `${field}.country`,
      'no public holidays are known for this country',
    );
  if (!isKnownHolidayPlace(input.country, region))
    throw fieldError(
      'sla.invalid_calendar',
      `${field}.region`,
      `not a region of ${input.country}; GET /api/sla/holiday-countries lists them`,
    );
  return {
    holiday_country: input.country,
    holiday_region: region,
    is_good_friday: input.goodFriday ?? dutchHolidayDefaults.goodFriday,
    liberation_day: input.liberationDay ?? dutchHolidayDefaults.liberationDay,
  };
}

/** A stored business calendar as the domain's settings (holidays computed per year later). */
export function calendarSettingsOf(row: Selectable<SlaCalendarsTable>): CalendarSettings {
  return {
    timeZone: row.time_zone,
    hours: readJson(SlaCalendar.properties.workingHours, row.working_hours, 'sla_calendars.working_hours'),
    holidays: holidayChoiceOf(row),
    closures: readJson(SlaCalendar.properties.closures, row.closures, 'sla_calendars.closures'),
  };
}

/** The calendar a setting names, or the default one (the first, when none is marked). */
export function pickCalendar<R extends Selectable<SlaCalendarsTable>>(
  rows: readonly R[],
  id: string | null,
): R {
  return rows.find((c) => c.id === id) ?? rows.find((c) => fromDbBool(c.is_default)) ?? rows[0]!;
}
