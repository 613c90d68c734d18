/** What a CSV column can fill, per kind of import. */

/** An override that leaves a column out, where a guess would take it (`--map Notes=skip`). */
export const skipField = 'skip';

/** What a person says about themselves: the columns of any import, and the fields of a form. */
export const personImportFields = [
  'email',
  'firstName',
  'lastName',
  'company',
  'title',
  'phone',
  'country',
] as const;
/** A contacts import may also name the person's id in another system and a known outcome (a label). */
export const contactImportFields = [...personImportFields, 'externalId', 'outcome'] as const;
export const eventImportFields = [
  ...personImportFields,
  'id',
  'type',
  'occurredAt',
  'visitorId',
  'channel',
  'campaign',
  'url',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
] as const;
export type ImportField = (typeof eventImportFields)[number] | (typeof contactImportFields)[number];
export type ImportKind = 'contacts' | 'events';

/** Header spellings seen in exports from HubSpot, Salesforce, Marketo and Dutch spreadsheets. */
const synonyms: Record<ImportField, string[]> = {
  email: [
    'email',
    'e-mail',
    'email address',
    'e-mail address',
    'emailaddress',
    'e-mailadres',
    'emailadres',
    'mail',
  ],
  firstName: ['first name', 'firstname', 'given name', 'voornaam'],
  lastName: ['last name', 'lastname', 'surname', 'family name', 'achternaam'],
  company: [
    'company',
    'company name',
    'organisation',
    'organization',
    'account',
    'account name',
    'bedrijf',
    'bedrijfsnaam',
  ],
  title: ['title', 'job title', 'jobtitle', 'function', 'functie'],
  phone: ['phone', 'phone number', 'telephone', 'mobile', 'telefoon', 'telefoonnummer'],
  country: ['country', 'country code', 'land'],
  externalId: ['external id', 'prospect id', 'lead id', 'record id', 'crm id', 'contact id', 'extern id'],
  outcome: ['outcome', 'converted', 'is converted', 'won', 'label', 'uitkomst', 'geconverteerd'],
  id: ['id', 'event id', 'eventid', 'external id'],
  type: ['type', 'event', 'event type', 'activity', 'activity type'],
  occurredAt: ['occurred at', 'occurredat', 'timestamp', 'date', 'datetime', 'time', 'created at', 'datum'],
  visitorId: ['visitor id', 'visitorid', 'anonymous id'],
  channel: ['channel', 'source', 'kanaal'],
  campaign: ['campaign', 'campaign name', 'campagne'],
  url: ['url', 'page', 'page url', 'link'],
  utm_source: ['utm source', 'utm_source'],
  utm_medium: ['utm medium', 'utm_medium'],
  utm_campaign: ['utm campaign', 'utm_campaign'],
  utm_term: ['utm term', 'utm_term'],
  utm_content: ['utm content', 'utm_content'],
};

const normalizeHeader = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[_\-.]+/g, ' ')
    .replace(/\s+/g, ' ');

export type MappingResult =
  | { kind: 'ok'; mapping: Record<string, ImportField>; unmapped: string[] }
  | { kind: 'invalid'; problems: string[]; mapping: Record<string, ImportField> };

/**
 * Maps CSV headers to fields: explicit overrides first (`skip` leaves a column out), then known spellings. A column may fill
 * one field, a field may come from one column, and an email or external id (contacts) or type,
 * occurredAt and an email or visitorId (events) must be mapped.
 *
 * @example guessMapping('contacts', ['E-mailadres', 'Voornaam'], {}) // { kind: 'ok', mapping: { 'E-mailadres': 'email', Voornaam: 'firstName' }, unmapped: [] }
 */
export function guessMapping(
  kind: ImportKind,
  headers: readonly string[],
  overrides: Readonly<Record<string, string>>,
): MappingResult {
  const allowed: readonly string[] = kind === 'contacts' ? contactImportFields : eventImportFields;
  const problems: string[] = [];
  const mapping: Record<string, ImportField> = {};
  const taken = new Map<string, string>();
  const skipped = new Set<string>();
  for (const [column, field] of Object.entries(overrides)) {
    if (!headers.includes(column))
      problems.push(`--map ${column}=${field}: the file has no column "${column}"`);
    else if (field === skipField) skipped.add(column);
    else if (!allowed.includes(field))
      problems.push(`--map ${column}=${field}: "${field}" is not one of ${allowed.join(', ')}`);
    else {
      mapping[column] = field as ImportField;
      taken.set(field, column);
    }
  }
  for (const header of headers) {
    if (mapping[header] || skipped.has(header)) continue;
    const normalized = normalizeHeader(header);
    const field = (allowed as ImportField[]).find(
      (f) =>
        synonyms[f].some((spelling) => normalizeHeader(spelling) === normalized) ||
        normalizeHeader(f) === normalized,
    );
    if (field && !taken.has(field)) {
      mapping[header] = field;
      taken.set(field, header);
    }
  }
  const required = kind === 'contacts' ? [] : ['type', 'occurredAt'];
  for (const field of required)
    if (!taken.has(field)) problems.push(`no column for ${field}; name one with --map COLUMN=${field}`);
  if (kind === 'contacts' && !taken.has('email') && !taken.has('externalId')) {
    problems.push('no column for email or externalId; name one with --map COLUMN=email');
  }
  if (kind === 'events' && !taken.has('email') && !taken.has('visitorId')) {
    problems.push('no column for email or visitorId; name one with --map COLUMN=email');
  }
  if (problems.length > 0) return { kind: 'invalid', problems, mapping };
  return { kind: 'ok', mapping, unmapped: headers.filter((h) => !mapping[h]) };
}
