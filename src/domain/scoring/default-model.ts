import type { Condition, FitRule, ScoringModelDefinition } from './score-contact.ts';

const titleRule = (id: string, label: string, value: string, points: number): FitRule => ({
  id,
  label,
  conditions: [{ op: 'contains', field: 'title', value }],
  points,
  group: 'title',
});

/**
 * The model Baton starts with: a B2B ICT company selling to Dutch and Belgian organisations of 10
 * employees and more. Marketing and Sales are expected to tune it (and calibrate it against real
 * outcomes) before they sign the agreement.
 */
export const defaultScoringModel: ScoringModelDefinition = {
  fitRules: [
    {
      id: 'country-benelux',
      label: 'In the Netherlands or Belgium',
      conditions: [{ op: 'in', field: 'country', values: ['NL', 'BE'] }],
      points: 15,
    },
    titleRule('title-chief', 'C-level title', 'chief', 25),
    titleRule('title-director', 'Director', 'director', 20),
    titleRule('title-directeur', 'Directeur', 'directeur', 20),
    titleRule('title-head', 'Head of a department', 'head', 15),
    titleRule('title-manager', 'Manager', 'manager', 10),
    titleRule('title-owner', 'Owner', 'eigenaar', 20),
    {
      id: 'size-mid',
      label: '50–1,000 employees',
      conditions: [{ op: 'range', field: 'account.employeeCount', min: 50, max: 1000 }],
      points: 20,
    },
    {
      id: 'size-small',
      label: '10–49 employees',
      conditions: [{ op: 'range', field: 'account.employeeCount', min: 10, max: 49 }],
      points: 10,
    },
    { id: 'free-mail', label: 'Free-mail address', conditions: [{ op: 'free_mail' }], points: -20 },
    {
      id: 'student',
      label: 'Student',
      conditions: [{ op: 'contains', field: 'title', value: 'student' } satisfies Condition],
      points: -40,
    },
  ],
  engagementRules: [
    {
      id: 'page-views',
      label: 'Page views',
      eventTypes: ['page_viewed'],
      points: 2,
      maxPerPeriod: { count: 10, days: 1 },
      cap: 30,
    },
    {
      id: 'pricing-page',
      label: 'Pricing page',
      eventTypes: ['page_viewed'],
      urlContains: '/pricing',
      points: 10,
      cap: 20,
    },
    {
      id: 'careers-page',
      label: 'Careers page (a job seeker)',
      eventTypes: ['page_viewed'],
      urlContains: '/careers',
      points: -10,
      cap: 30,
    },
    { id: 'forms', label: 'Form submitted', eventTypes: ['form_submitted'], points: 15, cap: 45 },
    { id: 'content', label: 'Content downloaded', eventTypes: ['content_downloaded'], points: 10, cap: 30 },
    { id: 'email-clicks', label: 'Email clicked', eventTypes: ['email_clicked'], points: 5, cap: 25 },
    { id: 'email-opens', label: 'Email opened', eventTypes: ['email_opened'], points: 1, cap: 5 },
    { id: 'ads', label: 'Ad clicked', eventTypes: ['ad_clicked'], points: 3, cap: 15 },
    {
      id: 'webinar-registered',
      label: 'Webinar registration',
      eventTypes: ['webinar_registered'],
      points: 10,
    },
    { id: 'webinar-attended', label: 'Webinar attended', eventTypes: ['webinar_attended'], points: 20 },
    { id: 'event-attended', label: 'Event attended', eventTypes: ['event_attended'], points: 20 },
    { id: 'demo', label: 'Demo requested', eventTypes: ['demo_requested'], points: 40 },
    { id: 'meeting', label: 'Meeting booked', eventTypes: ['meeting_booked'], points: 40 },
  ],
  halfLifeDays: 30,
  lookbackDays: 365,
  groupCaps: { title: 25 },
  grades: { fit: { a: 40, b: 20 }, engagement: { one: 60, two: 30 } },
  mql: {
    fitAtLeast: 20,
    engagementAtLeast: 40,
    highIntent: [{ eventTypes: ['demo_requested'] }, { eventTypes: ['meeting_booked'] }],
    highIntentWithinDays: 30,
    recycleCoolOffDays: 30,
  },
  accountEngagementCap: 200,
};

/**
 * The default model's rule labels in Dutch. They are Baton's own words, so a Dutch reader sees
 * them in Dutch until an admin renames a rule; from then on the label is the company's own.
 */
const defaultLabelsNl: Record<string, string> = {
  'country-benelux': 'In Nederland of België',
  'title-chief': 'C-level functie',
  'title-director': 'Director',
  'title-directeur': 'Directeur',
  'title-head': 'Hoofd van een afdeling',
  'title-manager': 'Manager',
  'title-owner': 'Eigenaar',
  'size-mid': '50–1.000 medewerkers',
  'size-small': '10–49 medewerkers',
  'free-mail': 'Gratis e-mailadres',
  student: 'Student',
  'page-views': 'Paginabezoeken',
  'pricing-page': 'Prijzenpagina',
  'careers-page': 'Vacaturepagina (een werkzoekende)',
  forms: 'Formulier ingevuld',
  content: 'Content gedownload',
  'email-clicks': 'Op e-mail geklikt',
  'email-opens': 'E-mail geopend',
  ads: 'Op advertentie geklikt',
  'webinar-registered': 'Aanmelding voor webinar',
  'webinar-attended': 'Webinar bijgewoond',
  'event-attended': 'Evenement bijgewoond',
  demo: 'Demo aangevraagd',
  meeting: 'Afspraak ingepland',
};
const defaultLabels = new Map(
  [...defaultScoringModel.fitRules, ...defaultScoringModel.engagementRules].map((r) => [r.id, r.label]),
);

/**
 * A rule's label in the reader's language: the default model's own labels are translated while
 * they are unchanged; a label an admin wrote is shown as written.
 *
 * @example ruleLabel({ ruleId: 'demo', label: 'Demo requested' }, 'nl') // 'Demo aangevraagd'
 * @example ruleLabel({ ruleId: 'demo', label: 'Demo asked' }, 'nl') // 'Demo asked'
 */
export function ruleLabel(rule: { ruleId: string; label: string }, language: 'en' | 'nl'): string {
  if (language === 'nl' && defaultLabels.get(rule.ruleId) === rule.label)
    return defaultLabelsNl[rule.ruleId] ?? rule.label;
  return rule.label;
}
