/**
 * The notification emails, in English and Dutch. Pure: the caller gathers the lead's context and
 * the recipient; this writes the subject, a plain-text body and an HTML body. Every value that
 * came from outside is escaped in the HTML.
 */
import { eventTypeLabels } from '../../../domain/capture/event-types.ts';
import type { SkipReason } from '../../../domain/routing/choose-rep.ts';
import type { AlertCard } from '../../../domain/alerts/chat-cards.ts';
import type { ConnectionProblem } from '../../../domain/connectors/problems.ts';
import { ruleLabel } from '../../../domain/scoring/default-model.ts';

export type Language = 'en' | 'nl';

export interface Email {
  subject: string;
  text: string;
  html: string;
}

/** An alert's email, and the same alert as a card for chat (Slack, Teams). */
export interface Alert extends Email {
  card: AlertCard;
}

export interface Recipient {
  name: string;
  language: Language;
  timeZone: string;
}

/** Who the lead is and why it matters, as the rep needs it to act. */
export interface LeadContext {
  name: string | null;
  email: string | null;
  title: string | null;
  phone: string | null;
  country: string | null;
  company: {
    name: string;
    industry: string | null;
    employeeCount: number | null;
    country: string | null;
  } | null;
  /** The stored score; null when the lead was never scored (an MQL set by hand, say). */
  score: {
    fit: number;
    engagement: number;
    grade: string;
    /** The rules that added the most, with their points. */
    /** The rules behind the score; the default model's labels are shown in the reader's language. */
    reasons: { ruleId: string; label: string; points: number }[];
    byHighIntent: boolean;
  } | null;
  /** The latest touches, newest first. */
  recentTouches: { type: string; occurredAt: Date; campaign: string | null; url: string | null }[];
  /** Where the lead opens in Baton. */
  link: string;
}

/** How the lead reached the rep. */
export type AssignedBy =
  | { kind: 'owner' }
  | { kind: 'rule'; ruleName: string; poolName: string | null }
  | { kind: 'fallback'; poolName: string | null }
  | { kind: 'manual'; byName: string | null; reason: string };

const touchLabels = eventTypeLabels;

const skipLabels: Record<Language, Record<SkipReason, string>> = {
  en: {
    inactive: 'inactive',
    absent: 'absent',
    rejected_this_lead: 'sent this lead back last time',
    outside_hours: 'outside working hours',
    daily_cap: 'at their daily cap',
    weekly_cap: 'at their weekly cap',
    zero_weight: 'weight 0',
  },
  nl: {
    inactive: 'inactief',
    absent: 'afwezig',
    rejected_this_lead: 'stuurde deze lead de vorige keer terug',
    outside_hours: 'buiten werktijd',
    daily_cap: 'dagmaximum bereikt',
    weekly_cap: 'weekmaximum bereikt',
    zero_weight: 'gewicht 0',
  },
};

// Formatters are built once: building one costs far more than using it.
const numberFormats = new Map<Language, Intl.NumberFormat>();
function numberIn(language: Language): Intl.NumberFormat {
  let format = numberFormats.get(language);
  if (!format) {
    format = new Intl.NumberFormat(language === 'nl' ? 'nl-NL' : 'en-GB');
    numberFormats.set(language, format);
  }
  return format;
}

const messages = {
  en: {
    assignedSubject: (lead: string, company: string | null) =>
      `New lead for you: ${lead}${company ? ` (${company})` : ''}`,
    greeting: (name: string) => `Hello ${name},`,
    assignedIntro: 'A lead was routed to you. Follow up quickly: the first response decides a lot.',
    reassignedIntro: (by: string | null) =>
      `A lead was reassigned to you${by ? ` by ${by}` : ''}. Follow up quickly.`,
    who: 'Who',
    company: 'Company',
    whyMql: 'Why this is a marketing-qualified lead',
    whyYou: 'Why you',
    recent: 'Recent touches',
    noTouches: 'No touches recorded yet.',
    notScored: 'Not scored: the lead was marked qualified by hand.',
    scoreLine: (fit: number, engagement: number, grade: string) =>
      `Fit ${fit}, engagement ${engagement}, grade ${grade}.`,
    highIntent: 'It showed high intent (a touch that qualifies on its own).',
    employees: (n: number) => `${numberIn('en').format(n)} employees`,
    byOwner: "You own the lead's account, so you keep it.",
    byRule: (rule: string, pool: string | null) => `Routing rule "${rule}"${pool ? `, pool "${pool}"` : ''}.`,
    byFallback: (pool: string | null) => `No rule matched; the fallback pool${pool ? ` "${pool}"` : ''}.`,
    byHand: (reason: string) => `Reassigned by hand. Reason: ${reason}`,
    open: 'Open the lead in Baton',
    actAccept: 'Accept',
    actReject: 'Reject with a reason',
    actCalled: 'I called',
    why: 'Why did I get this lead? The full explanation is on the lead page.',
    unassignedSubject: (lead: string, company: string | null) =>
      `No one could take a lead: ${lead}${company ? ` (${company})` : ''}`,
    unassignedIntro:
      'Routing found no rep who could take this lead now. It waits in the unassigned queue until someone assigns it.',
    whyNoOne: 'Why no one',
    skipped: (label: string, count: number) => `${count} ${count === 1 ? 'rep' : 'reps'} ${label}`,
    noTarget: 'No rule matched and there is no fallback pool.',
    openQueue: 'Open the unassigned queue',
    heldSubject: (lead: string, company: string | null) =>
      `Waiting for you to route it: ${lead}${company ? ` (${company})` : ''}`,
    heldIntro: (times: number) =>
      `Sales has rejected this lead ${times} times, so Baton does not route it again by itself. Decide who takes it, or leave it with Marketing.`,
    footer: 'You receive this because of your role in Baton.',
    reminderSubject: (lead: string, due: string) => `Reminder: ${lead} is due ${due}`,
    reminderIntro: (policy: string, due: string) =>
      `Half the time for "${policy}" has passed. Respond before ${due}: a call, an email or a meeting logged in Baton, or accept or reject the lead.`,
    breachSubject: (level: number, rep: string, lead: string, overdue: string) =>
      `${level === 1 ? 'Missed follow-up' : `Missed again (level ${level})`}: ${rep} has not responded to ${lead} (${overdue} overdue)`,
    breachIntro: (rep: string, policy: string, due: string, overdue: string) =>
      `${rep} did not meet "${policy}", due ${due}. The lead is ${overdue} overdue in business time.`,
    breachAsk: (level: number) =>
      level === 1
        ? 'Please make sure someone follows up now, or reassign the lead.'
        : "This is the second escalation: the rep's manager was told earlier. Please step in.",
    breachRepSubject: (lead: string) => `Overdue: ${lead}`,
    breachRepIntro: (policy: string, due: string) => `"${policy}" was due ${due}. Respond now.`,
    theRep: 'Rep',
    slaDigestSubject: (kind: 'reminder' | 'breach', toRep: boolean, n: number, level: number) =>
      kind === 'reminder'
        ? `Reminder: ${n} leads are due for follow-up`
        : toRep
          ? `Overdue: ${n} of your leads`
          : level > 1
            ? `Missed again (level ${level}): ${n} leads of your team are still overdue`
            : `Missed follow-up: ${n} leads of your team are overdue`,
    slaDigestIntro: (kind: 'reminder' | 'breach', toRep: boolean) =>
      kind === 'reminder'
        ? 'Half the time to follow up these leads has passed. Respond before each deadline: a call, an email or a meeting logged in Baton, or accept or reject the lead.'
        : toRep
          ? 'These leads passed their follow-up deadline. Respond now.'
          : 'These leads were not followed up in time.',
    slaDigestDue: (policy: string, due: string) => `"${policy}", due ${due}.`,
    slaDigestOverdue: (policy: string, due: string, overdue: string, level: number) =>
      `"${policy}", due ${due}: ${overdue} overdue${level > 1 ? ` (level ${level}: the rep's manager was told earlier)` : ''}.`,
    slaDigestMore: (n: number) => `And ${n} more.`,
    openMyLeads: 'Open your leads',
    openTeam: "Open your team's board",
    digestSubject: (week: string) => `Your leads' fate, week of ${week}`,
    digestIntro: (week: string) =>
      `What became of the leads Marketing handed to Sales in the week of ${week}.`,
    digestHanded: (n: number) => `${n} ${n === 1 ? 'lead' : 'leads'} handed over.`,
    digestDecided: (accepted: number, rejected: number, open: number) =>
      `${accepted} accepted, ${rejected} rejected, ${open} still waiting for a decision.`,
    digestFurther: (sql: number, opportunities: number, won: number) =>
      `${sql} qualified to SQL, ${opportunities} became an opportunity, ${won} won.`,
    digestReasons: 'Why Sales rejected',
    digestCampaigns: 'Rejections by campaign',
    digestCampaign: (campaign: string, rejected: number, mqls: number) =>
      `${campaign}: ${rejected} of ${mqls} rejected`,
    digestNoCampaign: '(no campaign)',
    digestNone: 'No leads were handed over that week.',
    digestOpen: 'Open the handoff tracker',
    paceSubject: (period: string, missed: boolean) =>
      missed
        ? `Marketing missed its MQL commitment for ${period}`
        : `Marketing is behind on its MQL commitment for ${period}`,
    paceIntro: (period: string, missed: boolean) =>
      missed
        ? `The period ${period} has ended and Marketing's commitment was not met.`
        : `Marketing's delivery of MQLs for ${period} has fallen behind the agreed pace.`,
    paceVolume: 'Volume',
    paceDelivered: (delivered: number, target: number) => `${delivered} of ${target} MQLs delivered.`,
    paceExpected: (expected: string, days: number, total: number) =>
      `An even pace would have delivered ${expected} by now (${days} of ${total} working days).`,
    paceProjected: (projected: number) => `At this rate the period ends with about ${projected}.`,
    paceQuality: 'Quality',
    paceRate: (rate: string, min: string, accepted: number, decided: number) =>
      `Sales accepted ${rate} of the MQLs they decided on (${accepted} of ${decided}); the commitment is at least ${min}.`,
    paceNoDecisions: 'Sales has not decided on enough MQLs yet to judge the acceptance rate.',
    paceAsk: 'Talk it through with the heads of Marketing and Sales while there is time to act.',
    paceOpen: 'Open the commitment in Baton',
    planSubject: (plan: string) => `Behind plan: ${plan}`,
    planIntro: (plan: string, period: string) =>
      `The funnel is falling behind the plan "${plan}" for ${period}, against what the plan needs by now:`,
    planAsk:
      'Look at it together, Marketing and Sales: the sooner a stage is caught up, the less the quarter has to make up.',
    planOpen: 'Open the plan in Baton',
    webhookSubject: (url: string) => `Webhook turned off: ${url}`,
    webhookIntro: (url: string, since: string) =>
      `Baton turned off the webhook endpoint ${url}: every delivery to it has failed since ${since}.`,
    webhookLast: (error: string) => `The last attempt: ${error}`,
    webhookAsk:
      'Nothing is lost: what it missed waits in its delivery log. Fix the receiver, turn the endpoint on again and replay the missed deliveries.',
    webhookOpen: 'Open the webhooks in Baton',
    connectionSubject: (name: string) => `CRM connection needs you: ${name}`,
    connectionRevoked: (name: string) =>
      `${name} refused Baton's token (revoked, or a scope was taken away). Syncing has stopped: nothing new comes in from the CRM and Baton's decisions do not reach it.`,
    connectionOwners: (name: string, owners: string) =>
      `Records in ${name} are owned by people who are not active in Baton with the same email: ${owners}. Their calls, meetings and emails still count, but not as theirs.`,
    connectionDeletedDeals: (name: string, deals: string) =>
      `Deals were deleted in ${name} while their opportunities are still open in Baton: ${deals}. They still count in the pipeline.`,
    connectionMerged: (name: string, people: string) =>
      `People were merged into one in ${name} who are two people in Baton: ${people}. Baton writes to the merged record only.`,
    connectionProperty: (name: string, property: string, reason: string) =>
      `${name} refuses Baton's value for the property ${property} (${reason}). Its type or options may have changed there.`,
    connectionAsk: {
      token_revoked:
        'Nothing is lost: the sync goes on from where it stopped once the connection has a new token.',
      unknown_owners:
        'Nothing is lost: invite the people to Baton (or give their records another owner) and their records count as theirs.',
      deleted_deals:
        'Close each opportunity in Baton as won or lost, or restore the deal in the CRM; Baton links it again when it is back.',
      merged_people:
        'Merge the two people in Baton too (Contacts → duplicates), so one lead keeps one history.',
      property_refused:
        'Change the property back in the CRM, or map the field to another property (Settings → Connections). The other fields and records go on.',
    },
    connectionOpen: 'Open the connection in Baton',
    inviteSubject: (company: string) => `You are invited to Baton at ${company}`,
    inviteIntro: (by: string, company: string) =>
      `${by} invited you to Baton, where ${company} hands leads from Marketing to Sales.`,
    inviteAsk: 'Choose your password to sign in. Your email address is your user name.',
    inviteOpen: 'Choose your password',
    linkExpires: (at: string) => `The link works once, until ${at}.`,
    resetSubject: 'Choose a new password for Baton',
    resetIntro: 'Someone asked to choose a new password for your Baton account.',
    resetIgnore: 'If it was not you, ignore this email: your password stays as it is.',
    resetOpen: 'Choose a new password',
    accountFooter: 'You receive this because you have an account in Baton.',
    hours: (h: number, m: number) => (h > 0 ? `${h} h ${m} min` : `${m} min`),
  },
  nl: {
    assignedSubject: (lead: string, company: string | null) =>
      `Nieuwe lead voor jou: ${lead}${company ? ` (${company})` : ''}`,
    greeting: (name: string) => `Hallo ${name},`,
    assignedIntro: 'Er is een lead aan jou toegewezen. Volg snel op: de eerste reactie maakt veel uit.',
    reassignedIntro: (by: string | null) =>
      `Er is een lead aan jou overgedragen${by ? ` door ${by}` : ''}. Volg snel op.`,
    who: 'Wie',
    company: 'Bedrijf',
    whyMql: 'Waarom dit een marketing-gekwalificeerde lead is',
    whyYou: 'Waarom jij',
    recent: 'Recente contactmomenten',
    noTouches: 'Nog geen contactmomenten vastgelegd.',
    notScored: 'Niet gescoord: de lead is met de hand gekwalificeerd.',
    scoreLine: (fit: number, engagement: number, grade: string) =>
      `Fit ${numberIn('nl').format(fit)}, betrokkenheid ${numberIn('nl').format(engagement)}, klasse ${grade}.`,
    highIntent: 'De lead toonde sterke koopintentie (een contactmoment dat op zichzelf kwalificeert).',
    employees: (n: number) => `${numberIn('nl').format(n)} medewerkers`,
    byOwner: 'Jij bent eigenaar van het account van deze lead, dus je houdt het.',
    byRule: (rule: string, pool: string | null) =>
      `Routeringsregel "${rule}"${pool ? `, pool "${pool}"` : ''}.`,
    byFallback: (pool: string | null) => `Geen regel paste; de vangnetpool${pool ? ` "${pool}"` : ''}.`,
    byHand: (reason: string) => `Met de hand overgedragen. Reden: ${reason}`,
    open: 'Open de lead in Baton',
    actAccept: 'Accepteren',
    actReject: 'Afwijzen met reden',
    actCalled: 'Ik heb gebeld',
    why: 'Waarom kreeg ik deze lead? De volledige uitleg staat op de leadpagina.',
    unassignedSubject: (lead: string, company: string | null) =>
      `Niemand kon een lead aannemen: ${lead}${company ? ` (${company})` : ''}`,
    unassignedIntro:
      'De routering vond nu geen verkoper voor deze lead. Hij wacht in de wachtrij zonder eigenaar tot iemand hem toewijst.',
    whyNoOne: 'Waarom niemand',
    skipped: (label: string, count: number) => `${count} ${count === 1 ? 'verkoper' : 'verkopers'} ${label}`,
    noTarget: 'Geen regel paste en er is geen vangnetpool.',
    openQueue: 'Open de wachtrij zonder eigenaar',
    heldSubject: (lead: string, company: string | null) =>
      `Wacht op jouw besluit: ${lead}${company ? ` (${company})` : ''}`,
    heldIntro: (times: number) =>
      `Sales heeft deze lead ${times} keer afgewezen, dus Baton routeert hem niet meer uit zichzelf. Bepaal wie hem neemt, of laat hem bij Marketing.`,
    footer: 'Je ontvangt dit bericht vanwege je rol in Baton.',
    reminderSubject: (lead: string, due: string) => `Herinnering: ${lead} moet opgevolgd zijn op ${due}`,
    reminderIntro: (policy: string, due: string) =>
      `De helft van de tijd voor "${policy}" is voorbij. Reageer vóór ${due}: een telefoontje, e-mail of afspraak vastgelegd in Baton, of accepteer of wijs de lead af.`,
    breachSubject: (level: number, rep: string, lead: string, overdue: string) =>
      `${level === 1 ? 'Gemiste opvolging' : `Opnieuw gemist (niveau ${level})`}: ${rep} heeft niet gereageerd op ${lead} (${overdue} te laat)`,
    breachIntro: (rep: string, policy: string, due: string, overdue: string) =>
      `${rep} haalde "${policy}" niet; de deadline was ${due}. De lead is ${overdue} te laat, in werktijd.`,
    breachAsk: (level: number) =>
      level === 1
        ? 'Zorg dat er nu iemand opvolgt, of wijs de lead aan een ander toe.'
        : 'Dit is de tweede escalatie: de manager van de verkoper is eerder ingelicht. Grijp alsjeblieft in.',
    breachRepSubject: (lead: string) => `Te laat: ${lead}`,
    breachRepIntro: (policy: string, due: string) => `"${policy}" moest klaar zijn op ${due}. Reageer nu.`,
    theRep: 'Verkoper',
    slaDigestSubject: (kind: 'reminder' | 'breach', toRep: boolean, n: number, level: number) =>
      kind === 'reminder'
        ? `Herinnering: ${n} leads moeten binnenkort opgevolgd zijn`
        : toRep
          ? `Te laat: ${n} van je leads`
          : level > 1
            ? `Opnieuw gemist (niveau ${level}): ${n} leads van je team zijn nog steeds te laat`
            : `Gemiste opvolging: ${n} leads van je team zijn te laat`,
    slaDigestIntro: (kind: 'reminder' | 'breach', toRep: boolean) =>
      kind === 'reminder'
        ? 'De helft van de tijd om deze leads op te volgen is voorbij. Reageer vóór elke deadline: een telefoontje, e-mail of afspraak vastgelegd in Baton, of accepteer of wijs de lead af.'
        : toRep
          ? 'Deze leads zijn over hun opvolgtermijn heen. Reageer nu.'
          : 'Deze leads zijn niet op tijd opgevolgd.',
    slaDigestDue: (policy: string, due: string) => `"${policy}", deadline ${due}.`,
    slaDigestOverdue: (policy: string, due: string, overdue: string, level: number) =>
      `"${policy}", deadline ${due}: ${overdue} te laat${level > 1 ? ` (niveau ${level}: de manager van de verkoper is eerder ingelicht)` : ''}.`,
    slaDigestMore: (n: number) => `En nog ${n}.`,
    openMyLeads: 'Open je leads',
    openTeam: 'Open het bord van je team',
    digestSubject: (week: string) => `Wat er van je leads werd, week van ${week}`,
    digestIntro: (week: string) =>
      `Wat er werd van de leads die Marketing in de week van ${week} aan Sales overdroeg.`,
    digestHanded: (n: number) => `${n} ${n === 1 ? 'lead' : 'leads'} overgedragen.`,
    digestDecided: (accepted: number, rejected: number, open: number) =>
      `${accepted} geaccepteerd, ${rejected} afgewezen, ${open} wachten nog op een besluit.`,
    digestFurther: (sql: number, opportunities: number, won: number) =>
      `${sql} gekwalificeerd tot SQL, ${opportunities} ${opportunities === 1 ? 'werd' : 'werden'} een opportunity, ${won} gewonnen.`,
    digestReasons: 'Waarom Sales afwees',
    digestCampaigns: 'Afwijzingen per campagne',
    digestCampaign: (campaign: string, rejected: number, mqls: number) =>
      `${campaign}: ${rejected} van ${mqls} afgewezen`,
    digestNoCampaign: '(geen campagne)',
    digestNone: 'Die week werden geen leads overgedragen.',
    digestOpen: 'Open de overdrachtsmonitor',
    paceSubject: (period: string, missed: boolean) =>
      missed
        ? `Marketing haalde de MQL-afspraak voor ${period} niet`
        : `Marketing loopt achter op de MQL-afspraak voor ${period}`,
    paceIntro: (period: string, missed: boolean) =>
      missed
        ? `De periode ${period} is voorbij en de afspraak van Marketing is niet gehaald.`
        : `Marketing levert voor ${period} minder MQL's dan het afgesproken tempo.`,
    paceVolume: 'Aantal',
    paceDelivered: (delivered: number, target: number) => `${delivered} van ${target} MQL's geleverd.`,
    paceExpected: (expected: string, days: number, total: number) =>
      `Bij een gelijkmatig tempo waren het er nu ${expected} geweest (${days} van ${total} werkdagen).`,
    paceProjected: (projected: number) => `In dit tempo eindigt de periode op ongeveer ${projected}.`,
    paceQuality: 'Kwaliteit',
    paceRate: (rate: string, min: string, accepted: number, decided: number) =>
      `Sales accepteerde ${rate} van de MQL's waarover besloten is (${accepted} van ${decided}); afgesproken is minstens ${min}.`,
    paceNoDecisions:
      "Sales heeft nog over te weinig MQL's besloten om het acceptatiepercentage te beoordelen.",
    paceAsk: 'Bespreek het met de hoofden van Marketing en Sales nu er nog tijd is om bij te sturen.',
    paceOpen: 'Open de afspraak in Baton',
    planSubject: (plan: string) => `Achter op plan: ${plan}`,
    planIntro: (plan: string, period: string) =>
      `De funnel loopt achter op het plan "${plan}" voor ${period}, gemeten aan wat het plan nu nodig heeft:`,
    planAsk:
      'Bekijk het samen, Marketing en Sales: hoe eerder een fase is ingehaald, hoe minder de rest van de periode hoeft goed te maken.',
    planOpen: 'Open het plan in Baton',
    webhookSubject: (url: string) => `Webhook uitgeschakeld: ${url}`,
    webhookIntro: (url: string, since: string) =>
      `Baton heeft het webhook-endpoint ${url} uitgeschakeld: elke aflevering is mislukt sinds ${since}.`,
    webhookLast: (error: string) => `De laatste poging: ${error}`,
    webhookAsk:
      'Er gaat niets verloren: wat het gemist heeft staat in het afleverlogboek. Herstel de ontvanger, schakel het endpoint weer in en verstuur de gemiste afleveringen opnieuw.',
    webhookOpen: 'Open de webhooks in Baton',
    connectionSubject: (name: string) => `CRM-koppeling heeft u nodig: ${name}`,
    connectionRevoked: (name: string) =>
      `${name} weigert het token van Baton (ingetrokken, of een recht is afgenomen). Het synchroniseren is gestopt: er komt niets nieuws binnen uit het CRM en de beslissingen van Baton komen er niet aan.`,
    connectionOwners: (name: string, owners: string) =>
      `Records in ${name} zijn van mensen die niet actief zijn in Baton met hetzelfde e-mailadres: ${owners}. Hun gesprekken, afspraken en e-mails tellen nog steeds mee, maar niet als de hunne.`,
    connectionDeletedDeals: (name: string, deals: string) =>
      `Er zijn deals verwijderd in ${name} waarvan de opportunities in Baton nog open staan: ${deals}. Ze tellen nog mee in de pipeline.`,
    connectionMerged: (name: string, people: string) =>
      `In ${name} zijn personen samengevoegd die in Baton nog twee personen zijn: ${people}. Baton schrijft alleen nog naar het samengevoegde record.`,
    connectionProperty: (name: string, property: string, reason: string) =>
      `${name} weigert de waarde van Baton voor het veld ${property} (${reason}). Mogelijk is het type of zijn de opties daar gewijzigd.`,
    connectionAsk: {
      token_revoked:
        'Er gaat niets verloren: het synchroniseren gaat verder waar het stopte zodra de koppeling een nieuw token heeft.',
      unknown_owners:
        'Er gaat niets verloren: nodig de mensen uit in Baton (of geef hun records een andere eigenaar), dan tellen hun records als de hunne.',
      deleted_deals:
        'Sluit elke opportunity in Baton als gewonnen of verloren, of zet de deal terug in het CRM; Baton koppelt hem weer zodra hij terug is.',
      merged_people:
        'Voeg de twee personen ook in Baton samen (Contacten → dubbele), zodat één lead één geschiedenis houdt.',
      property_refused:
        'Zet het veld in het CRM terug, of koppel het aan een ander veld (Instellingen → Koppelingen). De andere velden en records gaan door.',
    },
    connectionOpen: 'Open de koppeling in Baton',
    inviteSubject: (company: string) => `Je bent uitgenodigd voor Baton bij ${company}`,
    inviteIntro: (by: string, company: string) =>
      `${by} heeft je uitgenodigd voor Baton, waarin ${company} leads van Marketing aan Sales overdraagt.`,
    inviteAsk: 'Kies je wachtwoord om in te loggen. Je e-mailadres is je gebruikersnaam.',
    inviteOpen: 'Kies je wachtwoord',
    linkExpires: (at: string) => `De link werkt één keer, tot ${at}.`,
    resetSubject: 'Kies een nieuw wachtwoord voor Baton',
    resetIntro: 'Iemand heeft gevraagd een nieuw wachtwoord te kiezen voor je Baton-account.',
    resetIgnore: 'Was jij het niet? Negeer dan deze e-mail: je wachtwoord blijft zoals het is.',
    resetOpen: 'Kies een nieuw wachtwoord',
    accountFooter: 'Je ontvangt dit bericht omdat je een account in Baton hebt.',
    hours: (h: number, m: number) => (h > 0 ? `${h} u ${m} min` : `${m} min`),
  },
} satisfies Record<Language, Record<string, unknown>>;

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const formats = new Map<string, Intl.DateTimeFormat>();
function formatInstant(at: Date, language: Language, timeZone: string): string {
  const key = `${language}|${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone,
    });
    formats.set(key, format);
  }
  return format.format(at);
}

function leadName(lead: LeadContext): string {
  return lead.name ?? lead.email ?? '—';
}

function touchLabel(type: string, language: Language): string {
  return (touchLabels[language] as Record<string, string>)[type] ?? type.replaceAll('_', ' ');
}

/** A section: a heading and its lines. Text and HTML are written from the same sections. */
interface Section {
  heading: string | null;
  lines: string[];
  /** Links of this section alone (a lead's one-click actions in a digest). */
  links?: readonly { label: string; href: string }[];
}

/**
 * Writes an email from its sections, and the card chat shows. Every email opens with the greeting
 * line, which the card leaves out: in chat, where it is posted says whom it is for.
 */
function render(
  subject: string,
  sections: Section[],
  link: { label: string; href: string },
  footer: string,
  actions: readonly { label: string; href: string }[] = [],
): Alert {
  const [opening, ...rest] = sections;
  const card: AlertCard = {
    title: subject,
    sections: [
      ...(opening ? [{ heading: opening.heading, lines: opening.lines.slice(1) }] : []),
      ...rest,
    ].filter((section) => section.heading !== null || section.lines.length > 0),
    actions: [...actions],
    link,
    footer,
  };
  const text = [
    ...sections.flatMap((s) => [
      ...(s.heading ? [s.heading] : []),
      ...s.lines,
      ...(s.links ?? []).map((l) => `${l.label}: ${l.href}`),
      '',
    ]),
    ...actions.map((a) => `${a.label}: ${a.href}`),
    `${link.label}: ${link.href}`,
    '',
    '--',
    footer,
    '',
  ].join('\n');
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif; color: #1f2933; line-height: 1.5;">',
    ...sections.map(
      (s) =>
        `${s.heading ? `<h3 style="margin: 16px 0 4px;">${escapeHtml(s.heading)}</h3>` : ''}` +
        s.lines.map((line) => `<p style="margin: 0 0 4px;">${escapeHtml(line)}</p>`).join('') +
        (s.links && s.links.length > 0
          ? `<p style="margin: 4px 0 8px;">${s.links
              .map(
                (l) =>
                  `<a href="${escapeHtml(l.href)}" style="color: #1d4ed8; margin-right: 12px;">${escapeHtml(l.label)}</a>`,
              )
              .join('')}</p>`
          : ''),
    ),
    ...(actions.length > 0
      ? [
          `<p style="margin: 20px 0 0;">${actions
            .map(
              (a) =>
                `<a href="${escapeHtml(a.href)}" style="border: 1px solid #1d4ed8; color: #1d4ed8; padding: 7px 12px; border-radius: 4px; text-decoration: none; margin-right: 8px;">${escapeHtml(a.label)}</a>`,
            )
            .join('')}</p>`,
        ]
      : []),
    `<p style="margin: 20px 0;"><a href="${escapeHtml(link.href)}" style="background: #1d4ed8; color: #fff; padding: 8px 14px; border-radius: 4px; text-decoration: none;">${escapeHtml(link.label)}</a></p>`,
    `<p style="color: #6b7280; font-size: 12px;">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html, card };
}

/** One-click links, as buttons in the recipient's language. */
export interface ActionLinks {
  accept: string;
  reject: string;
  logCall: string;
}
function actionButtons(language: Language, actions: ActionLinks | undefined) {
  const m = messages[language];
  return actions
    ? [
        { label: m.actAccept, href: actions.accept },
        { label: m.actReject, href: actions.reject },
        { label: m.actCalled, href: actions.logCall },
      ]
    : [];
}

function whoLines(lead: LeadContext): string[] {
  return [
    [lead.name, lead.title].filter(Boolean).join(', ') || leadName(lead),
    ...(lead.email ? [lead.email] : []),
    ...(lead.phone ? [lead.phone] : []),
    ...(lead.country && !lead.company ? [lead.country] : []),
  ];
}

function companyLines(lead: LeadContext, language: Language): string[] {
  const c = lead.company;
  if (!c) return [];
  const m = messages[language];
  return [
    c.name,
    [c.industry, c.employeeCount !== null ? m.employees(c.employeeCount) : null, c.country]
      .filter(Boolean)
      .join(' · '),
  ].filter((line) => line !== '');
}

function touchLines(lead: LeadContext, recipient: Recipient): string[] {
  const m = messages[recipient.language];
  if (lead.recentTouches.length === 0) return [m.noTouches];
  return lead.recentTouches.map((t) =>
    [
      formatInstant(t.occurredAt, recipient.language, recipient.timeZone),
      touchLabel(t.type, recipient.language),
      t.campaign,
      t.url,
    ]
      .filter(Boolean)
      .join(' · '),
  );
}

/**
 * The email a rep gets when a lead is routed or reassigned to them.
 *
 * @example renderLeadAssigned({ recipient, lead, by: { kind: 'owner' } }).subject // 'New lead for you: Jan Jansen (Acme B.V.)'
 */
export function renderLeadAssigned(input: {
  recipient: Recipient;
  lead: LeadContext;
  by: AssignedBy;
  /** One-click links (accept, reject, I called), each single-use and expiring. */
  actions?: ActionLinks;
}): Alert {
  const { recipient, lead, by } = input;
  const m = messages[recipient.language];
  const score = lead.score;
  const why =
    by.kind === 'owner'
      ? m.byOwner
      : by.kind === 'rule'
        ? m.byRule(by.ruleName, by.poolName)
        : by.kind === 'fallback'
          ? m.byFallback(by.poolName)
          : m.byHand(by.reason);
  return render(
    m.assignedSubject(leadName(lead), lead.company?.name ?? null),
    [
      {
        heading: null,
        lines: [
          m.greeting(recipient.name),
          by.kind === 'manual' ? m.reassignedIntro(by.byName) : m.assignedIntro,
        ],
      },
      { heading: m.who, lines: whoLines(lead) },
      ...(lead.company ? [{ heading: m.company, lines: companyLines(lead, recipient.language) }] : []),
      {
        heading: m.whyMql,
        lines: score
          ? [
              m.scoreLine(score.fit, score.engagement, score.grade),
              ...(score.byHighIntent ? [m.highIntent] : []),
              ...score.reasons.map(
                (r) => `${ruleLabel(r, recipient.language)} (${r.points > 0 ? '+' : ''}${r.points})`,
              ),
            ]
          : [m.notScored],
      },
      { heading: m.recent, lines: touchLines(lead, recipient) },
      { heading: m.whyYou, lines: [why, m.why] },
    ],
    { label: m.open, href: lead.link },
    m.footer,
    actionButtons(recipient.language, input.actions),
  );
}

/**
 * The alert a manager gets when routing found no one for a lead.
 *
 * @example renderLeadUnassigned({ recipient, lead, skipped: { absent: 3 }, hadTarget: true, queueLink }).subject // 'No one could take a lead: Jan Jansen (Acme B.V.)'
 */
export function renderLeadUnassigned(input: {
  recipient: Recipient;
  lead: LeadContext;
  /** How many candidates were skipped for each reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** False when no rule matched and there is no fallback pool. */
  hadTarget: boolean;
  queueLink: string;
  /** Set when the lead is held after this many rejections (the ping-pong guard), not unroutable. */
  heldAfterRejections?: number;
}): Alert {
  const { recipient, lead } = input;
  const m = messages[recipient.language];
  const reasons = (Object.entries(input.skipped) as [SkipReason, number | undefined][])
    .filter((entry): entry is [SkipReason, number] => (entry[1] ?? 0) > 0)
    .map(([reason, count]) => m.skipped(skipLabels[recipient.language][reason], count));
  const held = input.heldAfterRejections;
  return render(
    held
      ? m.heldSubject(leadName(lead), lead.company?.name ?? null)
      : m.unassignedSubject(leadName(lead), lead.company?.name ?? null),
    [
      { heading: null, lines: [m.greeting(recipient.name), held ? m.heldIntro(held) : m.unassignedIntro] },
      ...(held ? [] : [{ heading: m.whyNoOne, lines: input.hadTarget ? reasons : [m.noTarget] }]),
      { heading: m.who, lines: whoLines(lead) },
      ...(lead.company ? [{ heading: m.company, lines: companyLines(lead, recipient.language) }] : []),
      { heading: m.recent, lines: touchLines(lead, recipient) },
      { heading: null, lines: [`${m.open}: ${lead.link}`] },
    ],
    { label: m.openQueue, href: input.queueLink },
    m.footer,
  );
}

function formatDuration(ms: number, language: Language): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  return messages[language].hours(Math.floor(minutes / 60), minutes % 60);
}

/**
 * A step of the follow-up ladder: the reminder to the rep, or a miss told to the manager (level 1),
 * the director (level 2), or the rep when the policy escalates to no one.
 *
 * @example renderSlaStep({ recipient, kind: 'breach', level: 1, toRep: false, ... }).subject // 'Missed follow-up: Sanne has not responded to Jan (2 h 0 min overdue)'
 */
export function renderSlaStep(input: {
  recipient: Recipient;
  lead: LeadContext;
  kind: 'reminder' | 'breach';
  level: number;
  /** Whether the recipient is the rep themselves. */
  toRep: boolean;
  repName: string;
  policyName: { en: string; nl: string };
  deadline: Date;
  overdueMs: number;
  /** One-click links (accept, reject, I called) in the rep's own reminder or miss. */
  actions?: ActionLinks;
}): Alert {
  const { recipient, lead } = input;
  const m = messages[recipient.language];
  const name = leadName(lead);
  const withCompany = lead.company ? `${name} (${lead.company.name})` : name;
  const due = formatInstant(input.deadline, recipient.language, recipient.timeZone);
  const policy = input.policyName[recipient.language];
  const overdue = formatDuration(input.overdueMs, recipient.language);
  const [subject, intro] =
    input.kind === 'reminder'
      ? [m.reminderSubject(withCompany, due), [m.reminderIntro(policy, due)]]
      : input.toRep
        ? [m.breachRepSubject(withCompany), [m.breachRepIntro(policy, due)]]
        : [
            m.breachSubject(input.level, input.repName, withCompany, overdue),
            [m.breachIntro(input.repName, policy, due, overdue), m.breachAsk(input.level)],
          ];
  return render(
    subject,
    [
      { heading: null, lines: [m.greeting(recipient.name), ...intro] },
      ...(input.toRep ? [] : [{ heading: m.theRep, lines: [input.repName] }]),
      { heading: m.who, lines: whoLines(lead) },
      ...(lead.company ? [{ heading: m.company, lines: companyLines(lead, recipient.language) }] : []),
      { heading: m.recent, lines: touchLines(lead, recipient) },
    ],
    { label: m.open, href: lead.link },
    m.footer,
    actionButtons(recipient.language, input.actions),
  );
}

/** One lead in a digest of ladder steps. */
export interface SlaDigestItem {
  lead: { name: string; company: string | null; link: string };
  level: number;
  repName: string;
  policyName: { en: string; nl: string };
  deadline: Date;
  overdueMs: number;
  /** The lead's one-click links, in the rep's own digest. */
  actions?: ActionLinks;
}

/**
 * The steps of the follow-up ladder one sweep took for one person, in one message: the leads due
 * soon (to the rep), or overdue (to the rep, their manager or the director), each with its rep,
 * its deadline and, for the rep, its own one-click links. A manager told of thirty misses after an
 * outage gets one email, not thirty.
 *
 * @example renderSlaDigest({ recipient, kind: 'breach', toRep: false, items, more: 0, link }).subject // 'Missed follow-up: 3 leads of your team are overdue'
 */
export function renderSlaDigest(input: {
  recipient: Recipient;
  kind: 'reminder' | 'breach';
  toRep: boolean;
  items: readonly SlaDigestItem[];
  /** Leads left out of the list, to keep the message readable. */
  more: number;
  /** The rep's leads, or the manager's team board. */
  link: string;
}): Alert {
  const { recipient } = input;
  const language = recipient.language;
  const m = messages[language];
  const total = input.items.length + input.more;
  const level = Math.max(...input.items.map((i) => i.level));
  const ask = input.kind === 'breach' && !input.toRep ? [m.breachAsk(level)] : [];
  return render(
    m.slaDigestSubject(input.kind, input.toRep, total, level),
    [
      {
        heading: null,
        lines: [m.greeting(recipient.name), m.slaDigestIntro(input.kind, input.toRep), ...ask],
      },
      ...input.items.map((item) => {
        const due = formatInstant(item.deadline, language, recipient.timeZone);
        const policy = item.policyName[language];
        return {
          heading: item.lead.company ? `${item.lead.name} (${item.lead.company})` : item.lead.name,
          lines: [
            ...(input.toRep ? [] : [`${m.theRep}: ${item.repName}`]),
            input.kind === 'reminder'
              ? m.slaDigestDue(policy, due)
              : m.slaDigestOverdue(policy, due, formatDuration(item.overdueMs, language), item.level),
          ],
          links: [{ label: m.open, href: item.lead.link }, ...actionButtons(language, item.actions)],
        };
      }),
      ...(input.more > 0 ? [{ heading: null, lines: [m.slaDigestMore(input.more)] }] : []),
    ],
    { label: input.toRep ? m.openMyLeads : m.openTeam, href: input.link },
    m.footer,
  );
}

/** A month ("november 2026") or quarter ("Q4 2026") in the recipient's language. */
function periodLabel(period: 'month' | 'quarter' | 'year', startsOn: string, language: Language): string {
  const [year, month] = startsOn.split('-').map(Number) as [number, number];
  if (period === 'year') return String(year);
  if (period === 'quarter') return `Q${Math.floor((month - 1) / 3) + 1} ${year}`;
  return new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year, month - 1, 1)));
}

function percent(rate: number, language: Language): string {
  return new Intl.NumberFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
    style: 'percent',
    maximumFractionDigits: 0,
  }).format(rate);
}

/**
 * Marketing's commitment fell behind its pace (or ended missed): to the head of marketing and the
 * directors, with the volume against an even pace and the acceptance rate against the minimum.
 *
 * @example renderPaceAlert({ recipient, period: 'month', startsOn: '2026-12-01', ... }).subject // 'Marketing is behind on its MQL commitment for December 2026'
 */
export function renderPaceAlert(input: {
  recipient: Recipient;
  period: 'month' | 'quarter';
  startsOn: string;
  missed: boolean;
  reasons: readonly ('volume' | 'acceptance')[];
  mqlTarget: number;
  minAcceptanceRate: number;
  delivered: number;
  expectedToDate: number;
  projected: number | null;
  accepted: number;
  rejected: number;
  openDays: { total: number; completed: number };
  link: string;
}): Alert {
  const { recipient } = input;
  const language = recipient.language;
  const m = messages[language];
  const period = periodLabel(input.period, input.startsOn, language);
  const decided = input.accepted + input.rejected;
  const volume = [
    m.paceDelivered(input.delivered, input.mqlTarget),
    ...(input.missed
      ? []
      : [
          m.paceExpected(
            numberIn(language).format(Math.round(input.expectedToDate)),
            input.openDays.completed,
            input.openDays.total,
          ),
          ...(input.projected !== null ? [m.paceProjected(input.projected)] : []),
        ]),
  ];
  const quality =
    decided > 0
      ? [
          m.paceRate(
            percent(input.accepted / decided, language),
            percent(input.minAcceptanceRate, language),
            input.accepted,
            decided,
          ),
        ]
      : [m.paceNoDecisions];
  const sections: Section[] = [
    { heading: null, lines: [m.greeting(recipient.name), m.paceIntro(period, input.missed)] },
    { heading: m.paceVolume, lines: volume },
    { heading: m.paceQuality, lines: quality },
    ...(input.missed ? [] : [{ heading: null, lines: [m.paceAsk] }]),
  ];
  // What fell short comes first.
  if (input.reasons[0] === 'acceptance') sections.splice(1, 2, sections[2]!, sections[1]!);
  return render(
    m.paceSubject(period, input.missed),
    sections,
    { label: m.paceOpen, href: input.link },
    m.footer,
  );
}

/**
 * A stage of the funnel fell behind the current plan: to the heads of Marketing and the directors,
 * with each stage behind (planned to date, actual, projection), those newly behind first.
 */
export function renderPlanBehind(input: {
  recipient: Recipient;
  planName: string;
  periodKind: 'month' | 'quarter' | 'year';
  periodStart: string;
  /** One line per stage behind, in both languages (the pacing's alert texts). */
  stages: readonly { en: string; nl: string }[];
  link: string;
}): Alert {
  const { recipient } = input;
  const language = recipient.language;
  const m = messages[language];
  const period = periodLabel(input.periodKind, input.periodStart, language);
  return render(
    m.planSubject(input.planName),
    [
      { heading: null, lines: [m.greeting(recipient.name), m.planIntro(input.planName, period)] },
      { heading: null, lines: input.stages.map((line) => line[language]) },
      { heading: null, lines: [m.planAsk] },
    ],
    { label: m.planOpen, href: input.link },
    m.footer,
  );
}

/** To the admins: an endpoint that kept failing was turned off. */
export function renderWebhookDisabled(input: {
  recipient: Recipient;
  url: string;
  failingSince: Date;
  lastError: string | null;
  link: string;
}): Alert {
  const { recipient } = input;
  const m = messages[recipient.language];
  const since = input.failingSince.toLocaleString(recipient.language === 'nl' ? 'nl-NL' : 'en-GB', {
    timeZone: recipient.timeZone,
    dateStyle: 'long',
    timeStyle: 'short',
  });
  return render(
    m.webhookSubject(input.url),
    [
      {
        heading: null,
        lines: [
          m.greeting(recipient.name),
          m.webhookIntro(input.url, since),
          ...(input.lastError ? [m.webhookLast(input.lastError)] : []),
          m.webhookAsk,
        ],
      },
    ],
    { label: m.webhookOpen, href: input.link },
    m.accountFooter,
  );
}

/** A CRM connection that needs an admin (see ConnectionProblem). */
export function renderConnectionProblem(input: {
  recipient: Recipient;
  name: string;
  problem: ConnectionProblem;
  link: string;
}): Alert {
  const m = messages[input.recipient.language];
  const { name, problem } = input;
  const what =
    problem.kind === 'token_revoked'
      ? m.connectionRevoked(name)
      : problem.kind === 'unknown_owners'
        ? m.connectionOwners(name, problem.owners.join(', '))
        : problem.kind === 'deleted_deals'
          ? m.connectionDeletedDeals(name, problem.deals.join(', '))
          : problem.kind === 'merged_people'
            ? m.connectionMerged(name, problem.people.join('; '))
            : m.connectionProperty(name, problem.property, problem.reason);
  return render(
    m.connectionSubject(name),
    [
      {
        heading: null,
        lines: [m.greeting(input.recipient.name), what, m.connectionAsk[problem.kind]],
      },
    ],
    { label: m.connectionOpen, href: input.link },
    m.accountFooter,
  );
}

/** An invitation to Baton with a single-use link to choose a password. */
export function renderInvitation(input: {
  recipient: Recipient;
  invitedBy: string;
  companyName: string;
  expiresAt: Date;
  link: string;
}): Alert {
  const { recipient } = input;
  const m = messages[recipient.language];
  return render(
    m.inviteSubject(input.companyName),
    [
      {
        heading: null,
        lines: [
          m.greeting(recipient.name),
          m.inviteIntro(input.invitedBy, input.companyName),
          m.inviteAsk,
          m.linkExpires(formatInstant(input.expiresAt, recipient.language, recipient.timeZone)),
        ],
      },
    ],
    { label: m.inviteOpen, href: input.link },
    m.accountFooter,
  );
}

/** "Forgot password": a single-use link to choose a new one. */
export function renderPasswordReset(input: { recipient: Recipient; expiresAt: Date; link: string }): Alert {
  const { recipient } = input;
  const m = messages[recipient.language];
  return render(
    m.resetSubject,
    [
      {
        heading: null,
        lines: [
          m.greeting(recipient.name),
          m.resetIntro,
          m.linkExpires(formatInstant(input.expiresAt, recipient.language, recipient.timeZone)),
          m.resetIgnore,
        ],
      },
    ],
    { label: m.resetOpen, href: input.link },
    m.accountFooter,
  );
}

/**
 * The weekly digest to marketing users: what became of the leads handed over in a week, why Sales
 * rejected, and which campaigns drew the most rejections.
 */
export function renderHandoffDigest(input: {
  recipient: Recipient;
  /** The Monday the week starts, 'YYYY-MM-DD'. */
  weekOf: string;
  summary: {
    mqls: number;
    accepted: number;
    rejected: number;
    sql: number;
    opportunities: number;
    won: number;
  };
  reasons: readonly { label: { en: string; nl: string }; count: number }[];
  campaigns: readonly { campaign: string | null; mqls: number; rejected: number }[];
  link: string;
}): Alert {
  const { recipient, summary } = input;
  const language = recipient.language;
  const m = messages[language];
  const [year, month, day] = input.weekOf.split('-').map(Number) as [number, number, number];
  const week = new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year, month - 1, day)));
  const open = summary.mqls - summary.accepted - summary.rejected;
  const sections: Section[] =
    summary.mqls === 0
      ? [{ heading: null, lines: [m.greeting(recipient.name), m.digestNone] }]
      : [
          {
            heading: null,
            lines: [
              m.greeting(recipient.name),
              m.digestIntro(week),
              m.digestHanded(summary.mqls),
              m.digestDecided(summary.accepted, summary.rejected, open),
              m.digestFurther(summary.sql, summary.opportunities, summary.won),
            ],
          },
          ...(input.reasons.length > 0
            ? [
                {
                  heading: m.digestReasons,
                  lines: input.reasons.map((r) => `${r.label[language]}: ${r.count}`),
                },
              ]
            : []),
          ...(input.campaigns.some((c) => c.rejected > 0)
            ? [
                {
                  heading: m.digestCampaigns,
                  lines: input.campaigns
                    .filter((c) => c.rejected > 0)
                    .map((c) => m.digestCampaign(c.campaign ?? m.digestNoCampaign, c.rejected, c.mqls)),
                },
              ]
            : []),
        ];
  return render(m.digestSubject(week), sections, { label: m.digestOpen, href: input.link }, m.footer);
}
