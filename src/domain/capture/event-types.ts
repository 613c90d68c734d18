/** What a touch was: marketing touches build scores and attribution, sales activities stop SLA clocks. */
export const marketingEventTypes = [
  'form_submitted',
  'page_viewed',
  'email_opened',
  'email_clicked',
  'webinar_registered',
  'webinar_attended',
  'ad_clicked',
  'content_downloaded',
  'event_attended',
  'demo_requested',
  'meeting_booked',
] as const;

/** A person in Sales with the lead: calls, emails and meetings, and the lead's own emails to them. */
export const salesEventTypes = ['call_logged', 'email_sent', 'meeting_held', 'email_received'] as const;

/**
 * What counts as genuine follow-up and answers a lead's clocks: what the rep did. An email from
 * the lead (`email_received`) is part of the conversation, but does not answer for the rep.
 */
export const followUpEventTypes = ['call_logged', 'email_sent', 'meeting_held'] as const;

export const eventTypes = [...marketingEventTypes, ...salesEventTypes] as const;
export type EventType = (typeof eventTypes)[number];
export type EventCategory = 'marketing' | 'sales';

/**
 * @example categoryOf('call_logged') // 'sales'
 */
export function categoryOf(type: EventType): EventCategory {
  return (salesEventTypes as readonly string[]).includes(type) ? 'sales' : 'marketing';
}

/**
 * Clients' clocks drift: an event may claim a time up to this far ahead of Baton's clock, and
 * counts as happening now (a later time is refused).
 */
export const allowedClockSkewMs = 5 * 60_000;

/** Each event type as people say it, in English and Dutch: in the web app, the emails and the agreement. */
export const eventTypeLabels: Record<'en' | 'nl', Record<EventType, string>> = {
  en: {
    form_submitted: 'Form submitted',
    page_viewed: 'Page viewed',
    email_opened: 'Email opened',
    email_clicked: 'Email clicked',
    webinar_registered: 'Registered for a webinar',
    webinar_attended: 'Attended a webinar',
    ad_clicked: 'Ad clicked',
    content_downloaded: 'Content downloaded',
    event_attended: 'Attended an event',
    demo_requested: 'Demo requested',
    meeting_booked: 'Meeting booked',
    call_logged: 'Call',
    email_sent: 'Email',
    email_received: 'Email from the lead',
    meeting_held: 'Meeting',
  },
  nl: {
    form_submitted: 'Formulier ingevuld',
    page_viewed: 'Pagina bekeken',
    email_opened: 'E-mail geopend',
    email_clicked: 'Op e-mail geklikt',
    webinar_registered: 'Aangemeld voor een webinar',
    webinar_attended: 'Webinar bijgewoond',
    ad_clicked: 'Op advertentie geklikt',
    content_downloaded: 'Content gedownload',
    event_attended: 'Evenement bezocht',
    demo_requested: 'Demo aangevraagd',
    meeting_booked: 'Afspraak ingepland',
    call_logged: 'Telefoongesprek',
    email_sent: 'E-mail',
    email_received: 'E-mail van de lead',
    meeting_held: 'Afspraak',
  },
};
