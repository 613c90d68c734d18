import ICAL from 'ical.js';

/** What Baton reads of a calendar invitation (iCalendar, RFC 5545), as plain data. */
export interface Invitation {
  /** REQUEST (an invitation or its update) or CANCEL. */
  method: 'REQUEST' | 'CANCEL';
  uid: string;
  summary: string | null;
  start: Date;
  /** The organiser's address, and everyone invited (the organiser may be among them). */
  organizer: string | null;
  attendees: string[];
  /** The event's time zone was not in the invitation (nor a known one): its start read as UTC. */
  unknownTimeZone: boolean;
}

const mailtoOf = (value: unknown): string | null => {
  if (typeof value !== 'string') return null;
  const address = value.replace(/^mailto:/i, '').trim();
  return address.includes('@') ? address : null;
};

/**
 * The invitation in an iCalendar text, or null when it is none Baton logs (a reply, a published
 * calendar, no event). Throws on text that is not iCalendar at all.
 */
export function readInvitation(text: string): Invitation | null {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  const method = String(calendar.getFirstPropertyValue('method') ?? '').toUpperCase();
  if (method !== 'REQUEST' && method !== 'CANCEL') return null;
  // The time zones the invitation brings: Outlook's "W. Europe Standard Time" is one of them.
  for (const zone of calendar.getAllSubcomponents('vtimezone')) {
    const tzid = zone.getFirstPropertyValue('tzid');
    if (typeof tzid === 'string' && !ICAL.TimezoneService.has(tzid)) ICAL.TimezoneService.register(zone);
  }
  const vevent = calendar.getFirstSubcomponent('vevent');
  if (!vevent) return null;
  const event = new ICAL.Event(vevent);
  if (!event.uid || !event.startDate) return null;
  const tzid = vevent.getFirstProperty('dtstart')?.getParameter('tzid');
  const unknownTimeZone = typeof tzid === 'string' && !ICAL.TimezoneService.has(tzid);
  const start = unknownTimeZone
    ? new Date(
        Date.UTC(
          event.startDate.year,
          event.startDate.month - 1,
          event.startDate.day,
          event.startDate.hour,
          event.startDate.minute,
          event.startDate.second,
        ),
      )
    : event.startDate.toJSDate();
  if (Number.isNaN(start.getTime())) return null;
  const status = String(vevent.getFirstPropertyValue('status') ?? '').toUpperCase();
  return {
    method: status === 'CANCELLED' ? 'CANCEL' : method,
    uid: event.uid,
    summary: event.summary || null,
    start,
    organizer: mailtoOf(vevent.getFirstPropertyValue('organizer')),
    attendees: event.attendees.map((a) => mailtoOf(a.getFirstValue())).filter((a): a is string => a !== null),
    unknownTimeZone,
  };
}
