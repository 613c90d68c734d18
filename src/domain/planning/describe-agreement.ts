import { AGREEMENT_SECTIONS, type AgreementSection } from './agreement.ts';
import { eventTypeLabels, type EventType } from '../capture/event-types.ts';

/** A text in both languages of the app. */
export interface Bilingual {
  en: string;
  nl: string;
}

export interface DescribedItem {
  title: Bilingual;
  lines: Bilingual[];
}

export interface DescribedSection {
  key: AgreementSection;
  title: Bilingual;
  items: DescribedItem[];
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown, fallback = '—'): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : fallback;
const both = (en: string, nl: string = en): Bilingual => ({ en, nl });
const text = (v: unknown): Bilingual => {
  const r = rec(v);
  return typeof r.en === 'string' && typeof r.nl === 'string' ? { en: r.en, nl: r.nl } : both(str(v));
};

const TITLES: Record<AgreementSection, Bilingual> = {
  stages: both('1. Stage definitions', '1. Definities van de fasen'),
  mqlRule: both('2. The MQL rule', '2. De MQL-regel'),
  sla: both('3. Follow-up SLAs on both sides', '3. Opvolgafspraken (SLA) aan beide kanten'),
  recycle: both('4. Recycle rules and reason codes', '4. Recycleregels en redencodes'),
  attribution: both('5. Attribution model for recognition', '5. Attributiemodel voor erkenning'),
  targets: both('6. Targets and plan', '6. Doelen en plan'),
  bonus: both('7. Joint bonus plan', '7. Gezamenlijke bonusregeling'),
};

/** 14400 s → "4 h"; 153000 s → "42 h 30 min" (business time). */
function span(seconds: unknown): string {
  const s = typeof seconds === 'number' ? seconds : 0;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** Minor units as an amount: 200000000 EUR → "EUR 2,000,000.00" / "EUR 2.000.000,00". */
function money(minor: unknown, currency: unknown): Bilingual {
  const n = typeof minor === 'number' ? minor / 100 : 0;
  const c = str(currency, '');
  const format = (locale: string) =>
    `${c} ${new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n)}`.trim();
  return { en: format('en-GB'), nl: format('nl-NL') };
}

const pct = (v: unknown) => `${Math.round((typeof v === 'number' ? v : 0) * 1000) / 10}%`;

const MODEL_NAMES: Record<string, Bilingual> = {
  first_touch: both('First touch', 'Eerste contact'),
  lead_creation: both('Lead creation', 'Leadcreatie'),
  last_touch: both('Last touch', 'Laatste contact'),
  linear: both('Linear', 'Lineair'),
  u_shaped: both('U-shaped', 'U-vormig'),
  w_shaped: both('W-shaped', 'W-vormig'),
  full_path: both('Full path', 'Volledig pad'),
  j_shaped: both('J-shaped', 'J-vormig'),
  inverse_j: both('Inverse J', 'Omgekeerde J'),
  time_decay: both('Time decay', 'Tijdsverval'),
  custom: both('Custom weights', 'Eigen gewichten'),
  markov: both('Markov removal effect', 'Markov (verwijderingseffect)'),
  shapley: both('Shapley values', 'Shapley-waarden'),
};

const METRICS: Record<string, Bilingual> = {
  revenue: both('New revenue', 'Nieuwe omzet'),
  pipeline: both('Pipeline', 'Pijplijn'),
  wins: both('Wins', 'Gewonnen deals'),
  sql: both('SQLs', 'SQL’s'),
  sal: both('SALs', 'SAL’s'),
  mql: both('MQLs', 'MQL’s'),
};

function describeSection(section: AgreementSection, content: Rec): DescribedItem[] {
  switch (section) {
    case 'stages':
      return list(content.stages).map((s) => {
        const r = rec(s);
        return {
          title: text(r.name),
          lines: [
            text(r.definition),
            ...(r.isSide === true
              ? [
                  both(
                    'A side stage: moving here needs a reason.',
                    'Een zijfase: hierheen gaat alleen met een reden.',
                  ),
                ]
              : []),
          ],
        };
      });
    case 'mqlRule': {
      const r = rec(content.mqlRule);
      if (Object.keys(r).length === 0) return [];
      const intentTypes = list(r.highIntent).flatMap((h) => list(rec(h).eventTypes));
      const intentsIn = (language: 'en' | 'nl') =>
        intentTypes
          .map((t) => eventTypeLabels[language][str(t) as EventType] ?? str(t))
          .join(', ')
          .toLowerCase();
      const intents = intentsIn('en');
      return [
        {
          title: both(`${str(r.name)} (v${str(r.version)})`),
          lines: [
            both(
              `An MQL has a fit score of at least ${str(r.fitAtLeast)} and an engagement score of at least ${str(r.engagementAtLeast)}.`,
              `Een MQL heeft een fitscore van minstens ${str(r.fitAtLeast)} en een engagementscore van minstens ${str(r.engagementAtLeast)}.`,
            ),
            ...(intents
              ? [
                  both(
                    `Or a high-intent action within ${str(r.highIntentWithinDays)} days: ${intents}.`,
                    `Of een actie met hoge intentie binnen ${str(r.highIntentWithinDays)} dagen: ${intentsIn('nl')}.`,
                  ),
                ]
              : []),
            both(
              `A recycled lead may become an MQL again after ${str(r.recycleCoolOffDays)} days.`,
              `Een gerecyclede lead kan na ${str(r.recycleCoolOffDays)} dagen opnieuw MQL worden.`,
            ),
          ],
        },
      ];
    }
    case 'sla': {
      const sla = rec(content.sla);
      const policies = list(sla.policies)
        .map(rec)
        .filter((p) => p.active !== false)
        .map((p) => ({
          title: text(p.name),
          lines: [
            both(
              `Within ${span(p.windowSeconds)} of business time; a reminder at ${pct(p.reminderAt)} of it; ${str(p.escalations)} escalation(s) up the chain${p.reassign === true ? ', then the lead is reassigned' : ''}.`,
              `Binnen ${span(p.windowSeconds)} werktijd; een herinnering op ${pct(p.reminderAt)} daarvan; ${str(p.escalations)} escalatie(s) omhoog${p.reassign === true ? ', daarna gaat de lead naar een ander' : ''}.`,
            ),
          ],
        }));
      const commitments = list(sla.commitments)
        .map(rec)
        .map((c) => ({
          title: both(
            `Marketing: ${str(c.period)} from ${str(c.startsOn)}`,
            `Marketing: ${c.period === 'quarter' ? 'kwartaal' : 'maand'} vanaf ${str(c.startsOn)}`,
          ),
          lines: [
            both(
              `${str(c.mqlTarget)} MQLs, at least ${pct(c.minAcceptanceRate)} accepted by Sales.`,
              `${str(c.mqlTarget)} MQL’s, waarvan minstens ${pct(c.minAcceptanceRate)} door Sales geaccepteerd.`,
            ),
          ],
        }));
      return [...policies, ...commitments];
    }
    case 'recycle': {
      const r = rec(content.recycle);
      const settings = rec(r.settings);
      const labels = list(settings.qualificationChecklist).map((q) => text(rec(q).label));
      const checklist = labels.length > 0;
      const joined = (lang: 'en' | 'nl') => labels.map((b) => b[lang]).join('; ');
      const reasons = list(r.reasons)
        .map(rec)
        .filter((x) => x.active !== false)
        .map((x) => ({
          title: text(x.label),
          lines: [
            x.outcome === 'recycle'
              ? both('Back to Marketing for nurture.', 'Terug naar Marketing om te koesteren.')
              : both('Disqualified.', 'Gediskwalificeerd.'),
          ],
        }));
      return [
        {
          title: both('Handoff rules', 'Overdrachtsregels'),
          lines: [
            both(
              `A lead rejected ${str(settings.pingPongLimit)} times waits for a person to route it.`,
              `Een lead die ${str(settings.pingPongLimit)} keer is afgewezen, wacht tot iemand hem routeert.`,
            ),
            ...(checklist
              ? [
                  both(
                    `Qualification checklist: ${joined('en')}.`,
                    `Kwalificatie-checklist: ${joined('nl')}.`,
                  ),
                ]
              : []),
          ],
        },
        ...reasons,
      ];
    }
    case 'attribution': {
      const a = rec(content.attribution);
      if (Object.keys(a).length === 0) return [];
      return [
        {
          title: MODEL_NAMES[str(a.model)] ?? both(str(a.model)),
          lines: [
            both(
              `Touches up to ${str(a.lookbackDays)} days before the opportunity count; the same channel and campaign within ${str(a.dedupeMinutes)} minutes counts once; sales touches ${a.includeSalesTouches === true ? 'count' : 'do not count'}.`,
              `Contacten tot ${str(a.lookbackDays)} dagen voor de opportunity tellen; hetzelfde kanaal en dezelfde campagne binnen ${str(a.dedupeMinutes)} minuten telt één keer; salescontacten tellen ${a.includeSalesTouches === true ? 'mee' : 'niet mee'}.`,
            ),
          ],
        },
      ];
    }
    case 'targets': {
      const t = rec(content.targets);
      const targets = list(t.targets)
        .map(rec)
        .map((x) => {
          const metric = METRICS[str(x.metric)] ?? both(str(x.metric));
          const value =
            x.metric === 'revenue' || x.metric === 'pipeline'
              ? money(x.value, x.currency)
              : both(str(x.value));
          const owner = rec(x.owner);
          const joint = x.joint === true;
          return {
            title: both(
              `${metric.en}, ${str(x.periodKind)} from ${str(x.periodStart)}: ${value.en}`,
              `${metric.nl}, ${x.periodKind === 'year' ? 'jaar' : x.periodKind === 'quarter' ? 'kwartaal' : 'maand'} vanaf ${str(x.periodStart)}: ${value.nl}`,
            ),
            lines: [
              both(
                `For ${owner.kind === 'company' ? 'the company' : str(owner.name)}${joint ? '; a joint target of Marketing and Sales' : ''}.`,
                `Voor ${owner.kind === 'company' ? 'het bedrijf' : str(owner.name)}${joint ? '; een gezamenlijk doel van Marketing en Sales' : ''}.`,
              ),
            ],
          };
        });
      const plans = list(t.plans)
        .map(rec)
        .map((p) => {
          const n = rec(p.needed);
          const revenue = money(p.revenueTarget, p.currency);
          return {
            title: both(`${str(p.name)} (${str(p.periodStart)})`),
            lines: [
              both(
                `${revenue.en} needs ${str(n.won)} wins, ${str(n.opportunity)} opportunities, ${str(n.sql)} SQLs, ${str(n.sal)} SALs, ${str(n.mql)} MQLs and ${str(n.inquiry)} inquiries.`,
                `${revenue.nl} vraagt ${str(n.won)} gewonnen deals, ${str(n.opportunity)} opportunities, ${str(n.sql)} SQL’s, ${str(n.sal)} SAL’s, ${str(n.mql)} MQL’s en ${str(n.inquiry)} aanvragen.`,
              ),
            ],
          };
        });
      return [...targets, ...plans];
    }
    case 'bonus':
      return list(content.bonus)
        .map(rec)
        .map((b) => {
          const curve = rec(b.curve);
          const people = list(b.participants).map(rec);
          const names = (side: string) =>
            people
              .filter((p) => p.side === side)
              .map((p) => str(p.name))
              .join(', ') || '—';
          const plan = money(b.plan, b.currency);
          const pool = money(b.poolAtPlan, b.currency);
          return {
            title: both(`${str(b.name)} (${str(b.periodStart)})`),
            lines: [
              both(
                `Shared ${b.metric === 'pipeline' ? 'pipeline' : 'bookings'} against a plan of ${plan.en}; ${pool.en} paid at plan, ${str(b.marketingSharePct)}% of it to Marketing.`,
                `Gedeelde ${b.metric === 'pipeline' ? 'pijplijn' : 'boekingen'} tegen een plan van ${plan.nl}; ${pool.nl} bij plan, waarvan ${str(b.marketingSharePct)}% voor Marketing.`,
              ),
              both(
                `Nothing below ${str(curve.thresholdPct)}% of plan, ${str(curve.thresholdPayoutPct)}% at it, 100% at plan, ${str(curve.acceleratorRate)}× above plan${curve.capPct === null ? '' : ` up to ${str(curve.capPct)}%`}.`,
                `Niets onder ${str(curve.thresholdPct)}% van plan, ${str(curve.thresholdPayoutPct)}% op de drempel, 100% bij plan, ${str(curve.acceleratorRate)}× boven plan${curve.capPct === null ? '' : ` tot ${str(curve.capPct)}%`}.`,
              ),
              both(`Marketing: ${names('marketing')}. Sales: ${names('sales')}.`),
            ],
          };
        });
  }
}

/**
 * The agreement's document as people read it, in English and Dutch: each section with its items
 * ("MQL: first response — within 4 h of business time …"), for the page and the PDF alike.
 *
 * @example describeAgreement(content)[1] // { key: 'mqlRule', title: { en: '2. The MQL rule', … }, items: [...] }
 */
export function describeAgreement(content: unknown): DescribedSection[] {
  const c = rec(content);
  return AGREEMENT_SECTIONS.map((key) => ({ key, title: TITLES[key], items: describeSection(key, c) }));
}
