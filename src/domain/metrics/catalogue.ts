/**
 * The metric catalogue: every number Baton shows that both departments argue about, defined once.
 * Each entry says what is counted (numerator), against what (denominator), what is in and out,
 * and which period a figure covers. The functions in `compute.ts` are the only place each metric is
 * calculated; every API and page reads them, and the glossary prints these definitions.
 */

export type MetricUnit = 'percent' | 'count' | 'duration' | 'money';

export interface Text {
  en: string;
  nl: string;
}

export interface MetricDefinition {
  id: MetricId;
  name: Text;
  unit: MetricUnit;
  /** One sentence a director can read. */
  definition: Text;
  /** What is counted or measured. */
  numerator: Text;
  /** What it is divided by; null for a count, a sum or a duration. */
  denominator: Text | null;
  /** What is left out, and why. */
  exclusions: Text;
  /** Which period a figure of it covers. */
  period: Text;
}

export const METRIC_IDS = [
  'sla_compliance',
  'speed_to_lead',
  'leads',
  'mqls',
  'sals',
  'sqls',
  'acceptance_rate',
  'won_deals',
  'won_revenue',
  'new_customers',
  'cac',
  'win_rate',
] as const;
export type MetricId = (typeof METRIC_IDS)[number];

const entered = (
  stage: Text,
): Pick<MetricDefinition, 'numerator' | 'denominator' | 'exclusions' | 'period'> => ({
  numerator: {
    en: `People who entered the ${stage.en} stage in the period, each counted once however often they entered it.`,
    nl: `Personen die in de periode de fase ${stage.nl} bereikten, elk één keer geteld, hoe vaak ook.`,
  },
  denominator: null,
  exclusions: {
    en: 'People who were already in the stage before the period and stayed there.',
    nl: 'Personen die al vóór de periode in de fase stonden en er bleven.',
  },
  period: {
    en: 'The moment the person entered the stage; a month of a plan counts each person in the month of their first entry in the plan period.',
    nl: 'Het moment waarop de persoon de fase bereikte; een maand van een plan telt ieder in de maand van de eerste keer binnen de planperiode.',
  },
});

/** Every metric, by id. */
export const METRICS: Readonly<Record<MetricId, MetricDefinition>> = {
  sla_compliance: {
    id: 'sla_compliance',
    name: { en: 'SLA compliance', nl: 'SLA-naleving' },
    unit: 'percent',
    definition: {
      en: 'The share of follow-up clocks that Sales met before their deadline.',
      nl: 'Het deel van de opvolgklokken dat Sales vóór de deadline haalde.',
    },
    numerator: { en: 'Clocks met.', nl: 'Gehaalde klokken.' },
    denominator: { en: 'Clocks met plus clocks breached.', nl: 'Gehaalde plus verlopen klokken.' },
    exclusions: {
      en: 'Clocks still running, and clocks waived with a reason or stopped by a reassignment.',
      nl: 'Klokken die nog lopen, en klokken die met een reden zijn kwijtgescholden of door een herverdeling stopten.',
    },
    period: {
      en: 'The moment the clock started (the lead was assigned).',
      nl: 'Het moment waarop de klok startte (de lead werd toegewezen).',
    },
  },
  speed_to_lead: {
    id: 'speed_to_lead',
    name: { en: 'Speed to lead', nl: 'Reactiesnelheid' },
    unit: 'duration',
    definition: {
      en: 'How long a lead handed to Sales waited for its first genuine response (a call, an email or a meeting), in clock time. Shown as the median, the P90 and a distribution of the same leads.',
      nl: 'Hoe lang een aan Sales overgedragen lead wachtte op de eerste echte reactie (een belletje, e-mail of afspraak), in kloktijd. Getoond als mediaan, P90 en verdeling van dezelfde leads.',
    },
    numerator: {
      en: 'Per handover of a lead: from the start of its first follow-up clock to the first response that stopped one of its clocks. A lead handed over again waits again; a reassignment stays the same handover.',
      nl: 'Per overdracht van een lead: van de start van de eerste opvolgklok tot de eerste reactie die een van de klokken stopte. Een lead die opnieuw wordt overgedragen, wacht opnieuw; een hertoewijzing blijft dezelfde overdracht.',
    },
    denominator: null,
    exclusions: {
      en: 'Leads not answered yet (counted apart as waiting).',
      nl: 'Leads zonder reactie tot nu toe (apart geteld als wachtend).',
    },
    period: {
      en: 'The moment the lead was handed over (entered the stage), with all of that handover’s clocks, whenever they started.',
      nl: 'Het moment van de overdracht (de lead kwam in de fase), met alle klokken van die overdracht, wanneer ze ook startten.',
    },
  },
  leads: {
    id: 'leads',
    name: { en: 'Leads', nl: 'Leads' },
    unit: 'count',
    definition: {
      en: 'People who became a lead: known by name and email, not yet qualified.',
      nl: 'Personen die lead werden: bekend met naam en e-mail, nog niet gekwalificeerd.',
    },
    ...entered({ en: 'Lead', nl: 'Lead' }),
  },
  mqls: {
    id: 'mqls',
    name: { en: 'MQLs', nl: 'MQL’s' },
    unit: 'count',
    definition: {
      en: 'Leads Marketing handed to Sales: they crossed the MQL score or asked for contact.',
      nl: 'Leads die Marketing aan Sales overdroeg: ze haalden de MQL-score of vroegen om contact.',
    },
    ...entered({ en: 'MQL', nl: 'MQL' }),
  },
  sals: {
    id: 'sals',
    name: { en: 'SALs', nl: 'SAL’s' },
    unit: 'count',
    definition: {
      en: 'MQLs a rep accepted: Sales agrees to work them.',
      nl: 'MQL’s die een verkoper accepteerde: Sales gaat ermee aan de slag.',
    },
    ...entered({ en: 'SAL', nl: 'SAL' }),
  },
  sqls: {
    id: 'sqls',
    name: { en: 'SQLs', nl: 'SQL’s' },
    unit: 'count',
    definition: {
      en: 'Accepted leads a rep qualified on the checklist: a real buying need.',
      nl: 'Geaccepteerde leads die een verkoper met de checklist kwalificeerde: een echte koopbehoefte.',
    },
    ...entered({ en: 'SQL', nl: 'SQL' }),
  },
  acceptance_rate: {
    id: 'acceptance_rate',
    name: { en: 'Acceptance rate', nl: 'Acceptatiegraad' },
    unit: 'percent',
    definition: {
      en: 'The share of decided MQLs that Sales accepted.',
      nl: 'Het deel van de beoordeelde MQL’s dat Sales accepteerde.',
    },
    numerator: { en: 'MQLs accepted by a rep.', nl: 'Door een verkoper geaccepteerde MQL’s.' },
    denominator: {
      en: 'MQLs accepted plus MQLs rejected (recycled or disqualified) by a rep.',
      nl: 'Geaccepteerde plus afgewezen (teruggegeven of gediskwalificeerde) MQL’s.',
    },
    exclusions: {
      en: 'MQLs not decided yet, and moves made by the system.',
      nl: 'MQL’s zonder beslissing, en verplaatsingen door het systeem.',
    },
    period: {
      en: 'The moment the lead became an MQL (its first entry in the period).',
      nl: 'Het moment waarop de lead MQL werd (de eerste keer in de periode).',
    },
  },
  won_deals: {
    id: 'won_deals',
    name: { en: 'Won deals', nl: 'Gewonnen deals' },
    unit: 'count',
    definition: {
      en: 'Opportunities closed as won.',
      nl: 'Kansen die gewonnen zijn gesloten.',
    },
    numerator: { en: 'Deals won.', nl: 'Gewonnen deals.' },
    denominator: null,
    exclusions: {
      en: 'Deals in another currency than the one shown.',
      nl: 'Deals in een andere valuta dan de getoonde.',
    },
    period: { en: 'The close date.', nl: 'De sluitdatum.' },
  },
  won_revenue: {
    id: 'won_revenue',
    name: { en: 'Won revenue', nl: 'Gewonnen omzet' },
    unit: 'money',
    definition: {
      en: 'The amounts of the deals won.',
      nl: 'De bedragen van de gewonnen deals.',
    },
    numerator: {
      en: 'The sum of the won deals’ amounts.',
      nl: 'De som van de bedragen van de gewonnen deals.',
    },
    denominator: null,
    exclusions: {
      en: 'Deals in another currency than the one shown.',
      nl: 'Deals in een andere valuta dan de getoonde.',
    },
    period: { en: 'The close date.', nl: 'De sluitdatum.' },
  },
  new_customers: {
    id: 'new_customers',
    name: { en: 'New customers', nl: 'Nieuwe klanten' },
    unit: 'count',
    definition: {
      en: 'Companies that became a customer: their first won deal ever closed in the period.',
      nl: 'Bedrijven die klant werden: hun allereerste gewonnen deal sloot in de periode.',
    },
    numerator: {
      en: 'Accounts whose first won deal closed in the period.',
      nl: 'Accounts waarvan de eerste gewonnen deal in de periode sloot.',
    },
    denominator: null,
    exclusions: {
      en: 'Existing customers winning another deal, and deals without a company.',
      nl: 'Bestaande klanten met een volgende deal, en deals zonder bedrijf.',
    },
    period: {
      en: 'The close date of the account’s first won deal.',
      nl: 'De sluitdatum van de eerste gewonnen deal van het account.',
    },
  },
  cac: {
    id: 'cac',
    name: { en: 'Customer acquisition cost', nl: 'Klantacquisitiekosten' },
    unit: 'money',
    definition: {
      en: 'What Marketing’s campaigns cost per new customer.',
      nl: 'Wat de campagnes van Marketing kostten per nieuwe klant.',
    },
    numerator: { en: 'Campaign costs of the period.', nl: 'Campagnekosten van de periode.' },
    denominator: { en: 'New customers of the period.', nl: 'Nieuwe klanten van de periode.' },
    exclusions: {
      en: 'No figure without new customers. Sales salaries are not campaign costs.',
      nl: 'Geen cijfer zonder nieuwe klanten. Salarissen van Sales zijn geen campagnekosten.',
    },
    period: {
      en: 'Costs by the days of the campaigns in the period; customers as for new customers.',
      nl: 'Kosten naar de campagnedagen in de periode; klanten zoals bij nieuwe klanten.',
    },
  },
  win_rate: {
    id: 'win_rate',
    name: { en: 'Win rate', nl: 'Winratio' },
    unit: 'percent',
    definition: {
      en: 'The share of closed deals that were won.',
      nl: 'Het deel van de gesloten deals dat gewonnen werd.',
    },
    numerator: { en: 'Deals won.', nl: 'Gewonnen deals.' },
    denominator: { en: 'Deals won plus deals lost.', nl: 'Gewonnen plus verloren deals.' },
    exclusions: { en: 'Open deals.', nl: 'Open deals.' },
    period: {
      en: 'The close date; the board’s velocity reads the last 365 days.',
      nl: 'De sluitdatum; de snelheid op het bord leest de laatste 365 dagen.',
    },
  },
};

/** The default period of every report page: a setting of the company. */
export const DEFAULT_PERIODS = [
  'last_7_days',
  'last_30_days',
  'last_90_days',
  'last_365_days',
  'this_month',
  'this_quarter',
  'this_year',
] as const;
export type DefaultPeriod = (typeof DEFAULT_PERIODS)[number];
