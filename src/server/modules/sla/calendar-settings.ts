import type { Selectable } from 'kysely';
import type { WorkingHours } from '../../../domain/routing/working-hours.ts';
import type { CalendarSettings } from '../../../domain/sla/business-time.ts';
import { fromDbBool, fromDbJson } from '../../db/dialect.ts';
import type { SlaCalendarsTable } from '../../db/tables.ts';

/** A stored business calendar as the domain's settings (holidays computed per year later). */
export function calendarSettingsOf(row: Selectable<SlaCalendarsTable>): CalendarSettings {
  return {
    timeZone: row.time_zone,
    hours: fromDbJson(row.working_hours) as WorkingHours,
    holidays:
      row.holiday_country === 'NL'
        ? {
            country: 'NL',
            goodFriday: fromDbBool(row.is_good_friday),
            liberationDay: row.liberation_day as 'every_year' | 'every_five_years' | 'never',
          }
        : null,
    closures: fromDbJson(row.closures) as { from: string; to: string }[],
  };
}

/** The calendar a setting names, or the default one (the first, when none is marked). */
export function pickCalendar<R extends Selectable<SlaCalendarsTable>>(
  rows: readonly R[],
  id: string | null,
): R {
  return rows.find((c) => c.id === id) ?? rows.find((c) => fromDbBool(c.is_default)) ?? rows[0]!;
}
