/**
 * Which CSV column fills which field when importing sales records — people, accounts and
 * opportunities from another CRM. Headers are compared without case, spaces or punctuation, so
 * "Sales Agent", "sales_agent" and "SALES-AGENT" are the same.
 */
export const recordImportFields = {
  users: ['name', 'email', 'role', 'manager', 'team'],
  accounts: ['name', 'industry', 'employees', 'country', 'domain'],
  opportunities: [
    'externalId',
    'name',
    'owner',
    'account',
    'product',
    'stage',
    'createdOn',
    'closedOn',
    'amount',
    'currency',
  ],
} as const;
export type RecordKind = keyof typeof recordImportFields;
export type RecordField<K extends RecordKind> = (typeof recordImportFields)[K][number];

const synonyms: Record<RecordKind, Record<string, readonly string[]>> = {
  users: {
    name: ['name', 'salesagent', 'agent', 'fullname', 'naam', 'user', 'rep', 'salesrep'],
    email: ['email', 'emailaddress', 'emailadres'],
    role: ['role', 'rol'],
    manager: ['manager', 'salesmanager', 'leidinggevende', 'reportsto'],
    team: ['team', 'regionaloffice', 'office', 'region', 'regio', 'kantoor'],
  },
  accounts: {
    name: ['account', 'name', 'accountname', 'company', 'companyname', 'bedrijf', 'bedrijfsnaam'],
    industry: ['industry', 'sector', 'branche'],
    employees: ['employees', 'employeecount', 'numberofemployees', 'medewerkers'],
    country: ['country', 'officelocation', 'headquarters', 'land', 'hq'],
    domain: ['domain', 'website', 'domein'],
  },
  opportunities: {
    externalId: ['opportunityid', 'id', 'externalid', 'dealid'],
    name: ['opportunityname', 'dealname', 'name'],
    owner: ['owner', 'salesagent', 'agent', 'rep', 'salesrep', 'eigenaar'],
    account: ['account', 'company', 'accountname', 'bedrijf'],
    product: ['product'],
    stage: ['dealstage', 'stage', 'fase'],
    createdOn: ['engagedate', 'created', 'createddate', 'createdate', 'createdon'],
    closedOn: ['closedate', 'closed', 'closeddate', 'closedon'],
    amount: ['closevalue', 'amount', 'value', 'bedrag'],
    currency: ['currency', 'valuta'],
  },
};

const squash = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The column of each field: a named override first (`skip` leaves a column out), then the first
 * header that is a synonym.
 * Unknown override fields are reported so a typo does not pass silently.
 *
 * @example columnsFor('opportunities', ['opportunity_id', 'sales_agent'], {}).columns // { externalId: 'opportunity_id', owner: 'sales_agent' }
 */
export function columnsFor<K extends RecordKind>(
  kind: K,
  headers: readonly string[],
  overrides: Readonly<Record<string, string>>,
): { columns: Partial<Record<RecordField<K>, string>>; unknownFields: string[]; unused: string[] } {
  const fields = recordImportFields[kind] as readonly string[];
  const columns: Partial<Record<string, string>> = {};
  const unknownFields: string[] = [];
  const skipped = new Set<string>();
  for (const [column, field] of Object.entries(overrides)) {
    if (field === 'skip') skipped.add(column);
    else if (!fields.includes(field)) unknownFields.push(field);
    else if (headers.includes(column)) columns[field] = column;
  }
  for (const field of fields) {
    if (columns[field]) continue;
    const taken = new Set(Object.values(columns));
    const header = headers.find(
      (h) => !taken.has(h) && !skipped.has(h) && synonyms[kind][field]!.includes(squash(h)),
    );
    if (header) columns[field] = header;
  }
  const used = new Set(Object.values(columns));
  return {
    columns: columns,
    unknownFields,
    unused: headers.filter((h) => !used.has(h)),
  };
}

/** Pipeline stage names in other CRMs, to Baton's default stage keys. */
const stageSynonyms: Record<string, string> = {
  prospecting: 'discovery',
  qualification: 'discovery',
  discovery: 'discovery',
  engaging: 'proposal',
  proposal: 'proposal',
  quote: 'proposal',
  negotiation: 'negotiation',
  won: 'won',
  closedwon: 'won',
  lost: 'lost',
  closedlost: 'lost',
};

/** The stage a value from another CRM means: a stage key or name, a known synonym, or null. */
export function stageFor(
  value: string,
  stages: readonly { key: string; names: readonly string[] }[],
): string | null {
  const wanted = squash(value);
  const direct = stages.find((s) => squash(s.key) === wanted || s.names.some((n) => squash(n) === wanted));
  if (direct) return direct.key;
  const synonym = stageSynonyms[wanted];
  return synonym && stages.some((s) => s.key === synonym) ? synonym : null;
}
