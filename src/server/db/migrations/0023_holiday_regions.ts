// Frozen: a migration never changes once released and never imports live code.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Calendars for any country: holiday_country now holds any ISO 3166-1 code the holiday library
// knows (it held 'NL' or null), and holiday_region a state or region of it (e.g. 'BY' in DE), or
// null for the country's own public holidays.
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sla_calendars').addColumn('holiday_region', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sla_calendars').dropColumn('holiday_region').execute();
}
