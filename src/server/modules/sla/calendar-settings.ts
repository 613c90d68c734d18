import type { Selectable } from 'kysely';
import type { CalendarSettings } from '../../../domain/sla/business-time.ts';
import { fromDbBool } from '../../db/dialect.ts';
import type { SlaCalendarsTable } from '../../db/tables.ts';
import { readJson } from '../../db/json-column.ts';
import { SlaCalendar } from '../../../contract/sla.ts';

/** A stored business calendar as the domain's settings (holidays computed per year later). */
export function calendarSettingsOf(row: Selectable<SlaCalendarsTable>): CalendarSettings {
  return {
    timeZone: row.time_zone,
    hours: readJson(SlaCalendar.properties.workingHours, row.working_hours, 'sla_calendars.working_hours'),
    holidays:
      row.holiday_country === 'NL'
        ? {
            country: 'NL',
            goodFriday: fromDbBool(row.is_good_friday),
            liberationDay: row.liberation_day as 'every_year' | 'every_five_years' | 'never',
          }
        : null,
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
