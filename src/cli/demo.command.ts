import type { Command } from 'commander';
import type { RejectionReason } from '../contract/handoff.ts';
import type { User } from '../contract/users.ts';
import { loadConfig, type Env } from '../server/config.ts';
import { migrateToLatest } from '../server/db/database.ts';
import { openConfiguredDatabase, servicesFor } from '../server/main.ts';
import { createTestClock, systemClock } from '../server/platform/clock.ts';
import type { Services } from '../server/services.ts';
import { UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;
const hour = 3600_000;
const day = 24 * hour;

/** The password of every demo user; the demo is for trying Baton out, never for real data. */
export const demoPassword = 'baton demo 2026';
const domain = 'nordwind-ict.example';

/** A small seeded random source, so the same demo comes out of every run. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p: number) => next() < p,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      const total = items.reduce((sum, [, w]) => sum + w, 0);
      let r = next() * total;
      for (const [item, w] of items) if ((r -= w) < 0) return item;
      return items[items.length - 1]![0];
    },
  };
}

const companies: [string, string, string, number, string][] = [
  ['Van Dijk Logistiek B.V.', 'vandijk-logistiek.example', 'Logistics', 420, 'NL'],
  ['Zorggroep Rivierenland', 'zorggroep-rivierenland.example', 'Healthcare', 1800, 'NL'],
  ['Gemeente Bergvliet', 'bergvliet.example', 'Government', 650, 'NL'],
  ['De Vries Installatietechniek', 'devries-installatie.example', 'Construction', 85, 'NL'],
  ['Hollandse Bouwgroep N.V.', 'hollandsebouwgroep.example', 'Construction', 1200, 'NL'],
  ['Stichting Onderwijs Midden', 'onderwijsmidden.example', 'Education', 900, 'NL'],
  ['Bakker & Zonen Accountants', 'bakkerzonen.example', 'Financial services', 60, 'NL'],
  ['Kroon Retail Groep', 'kroonretail.example', 'Retail', 2300, 'NL'],
  ['Meijer Food Processing', 'meijerfood.example', 'Manufacturing', 340, 'NL'],
  ['Noordzee Offshore Services', 'noordzee-offshore.example', 'Energy', 210, 'NL'],
  ['Visser Advocaten', 'visser-advocaten.example', 'Legal', 45, 'NL'],
  ['Polderland Waterschap', 'polderland.example', 'Government', 480, 'NL'],
  ['Smit Transport', 'smittransport.example', 'Logistics', 130, 'NL'],
  ['Brabantse Metaalwerken', 'brabantse-metaal.example', 'Manufacturing', 560, 'NL'],
  ['Jansen Verzekeringen', 'jansenverzekeringen.example', 'Financial services', 750, 'NL'],
  ['Oranje Hotelgroep', 'oranjehotels.example', 'Hospitality', 380, 'NL'],
  ['Maasdelta Haven Diensten', 'maasdelta.example', 'Logistics', 270, 'NL'],
  ['Vlaamse Zorgcoöperatie', 'vlaamsezorg.example', 'Healthcare', 1100, 'BE'],
  ['Antwerpse Diamant Logistiek', 'adl-antwerpen.example', 'Logistics', 95, 'BE'],
  ['Gentse Software Studio', 'gentsoftware.example', 'Software', 35, 'BE'],
  ['Hogeschool Veluwe', 'hsveluwe.example', 'Education', 1400, 'NL'],
  ['Peeters Bouwmaterialen', 'peeters-bouw.example', 'Wholesale', 220, 'BE'],
  ['De Groot Tandartsen', 'degroot-tandartsen.example', 'Healthcare', 28, 'NL'],
  ['Friesland Zuivel Coöperatie', 'frieslandzuivel.example', 'Manufacturing', 2100, 'NL'],
  ['Mulder Makelaars', 'muldermakelaars.example', 'Real estate', 40, 'NL'],
  ['Twentse Textiel', 'twentsetextiel.example', 'Manufacturing', 180, 'NL'],
  ['Rijnmond Energie', 'rijnmond-energie.example', 'Energy', 820, 'NL'],
  ['Lindeboom Uitzendbureau', 'lindeboom-uitzend.example', 'Staffing', 310, 'NL'],
  ['Koster Webshops', 'kosterwebshops.example', 'Retail', 18, 'NL'],
  ['Provincie Zeeland Digitaal', 'zeeland-digitaal.example', 'Government', 700, 'NL'],
];
const firstNames = [
  'Anne',
  'Bas',
  'Chantal',
  'Daan',
  'Eva',
  'Femke',
  'Gijs',
  'Hanna',
  'Ivo',
  'Joris',
  'Kim',
  'Luuk',
  'Marieke',
  'Niels',
  'Olga',
  'Pieter',
  'Quinten',
  'Roos',
  'Sander',
  'Tessa',
  'Ugo',
  'Vera',
  'Wouter',
  'Yara',
  'Zoë',
  'Maarten',
  'Lieke',
  'Jeroen',
  'Inge',
  'Koen',
  'Sophie',
  'Tom',
  'Lotte',
  'Ruben',
  'Sanne',
  'Wim',
];
const lastNames = [
  'de Jong',
  'Jansen',
  'de Vries',
  'van den Berg',
  'van Dijk',
  'Bakker',
  'Janssen',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  'de Groot',
  'Bos',
  'Vos',
  'Peters',
  'Hendriks',
  'van Leeuwen',
  'Dekker',
  'Brouwer',
  'de Wit',
  'Dijkstra',
  'Smits',
  'de Graaf',
  'van der Meer',
  'Kok',
  'Jacobs',
  'Willems',
  'Claes',
  'Maes',
];
const titles = [
  'IT Manager',
  'CIO',
  'Head of IT',
  'ICT Coordinator',
  'CFO',
  'Operations Manager',
  'Facility Manager',
  'Systeembeheerder',
  'Directeur',
  'Informatiemanager',
  'Security Officer',
  'Office Manager',
  'Student',
];
const campaigns: [string, string][] = [
  ['Webinar Cloud Security', 'email'],
  ['Whitepaper Hybride Werken', 'organic'],
  ['Google Ads Managed Services', 'paid_search'],
  ['Nieuwsbrief', 'email'],
  ['ICT & Logistiek Event', 'event'],
  ['LinkedIn Zero Trust', 'social'],
  ['Partnerverwijzing', 'referral'],
];
const touchTypes = [
  ['page_viewed', 30],
  ['email_opened', 18],
  ['email_clicked', 12],
  ['content_downloaded', 10],
  ['ad_clicked', 8],
  ['webinar_registered', 6],
  ['form_submitted', 6],
  ['webinar_attended', 4],
  ['event_attended', 2],
  ['demo_requested', 3],
  ['meeting_booked', 0.6],
] as const;

interface Person {
  email: string;
  firstName: string;
  lastName: string;
  title: string;
  company: (typeof companies)[number];
}

/** A made-up person at one of the demo's companies, numbered within `numbered` (never a real address). */
function invent(random: ReturnType<typeof randomSource>, numbered: [number, number]): Person {
  const company = random.pick(companies);
  const firstName = random.pick(firstNames);
  const lastName = random.pick(lastNames);
  const local = `${firstName}.${lastName}`
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z.]/g, '');
  const email = `${local}${random.int(numbered[0], numbered[1])}@${company[1]}`;
  return { email, firstName, lastName, title: random.pick(titles), company };
}

interface Action {
  at: number;
  run: () => Promise<void>;
}

/** The demo's sign: its admin. A store with this user is a demo store. */
export const demoAdminEmail = `ada@${domain}`;

/**
 * Tops up every demo rep's queue to `perRep` leads waiting for a first response and not breached:
 * new demo requests arrive now, a few minutes apart, and are routed as usual; a lead that no rep
 * can take at this hour (at night, at the weekend) or that routing gives to a colleague is placed
 * with the rep by hand, with the reason on record. The demo runs it at its end, and `baton serve`
 * at every start of a demo store, so the queues are live whenever the demo is started.
 */
export async function topUpDemoQueues(services: Services, now: () => Date, perRep = 2): Promise<number> {
  const users = (await services.users.listUsers(cli, { limit: 200 })).data;
  if (!users.some((u) => u.email === demoAdminEmail)) return 0;
  const reps = users
    .filter((u) => u.role === 'sales_rep' && u.isActive && u.email.endsWith(`@${domain}`))
    .sort((a, b) => a.email.localeCompare(b.email));
  const random = randomSource(now().getTime() % 2_147_483_647);
  let added = 0;
  for (const rep of reps) {
    const waiting = new Set(
      (await services.sla.queue(cli, { userId: rep.id, limit: 500 })).data
        .filter((i) => i.clock.target === 'first_response' && i.clock.status !== 'breached')
        .map((i) => i.contact.id),
    );
    for (let n = waiting.size; n < perRep; n++) {
      const { email, firstName, lastName, title, company } = invent(random, [100, 999]);
      const outcome = await services.capture.ingest(
        cli,
        {
          type: 'demo_requested',
          occurredAt: now().toISOString(),
          email,
          firstName,
          lastName,
          title,
          company: company[0],
          country: company[4],
          channel: 'organic_search',
          url: `https://www.nordwind-ict.example/contact`,
        },
        undefined,
      );
      const contactId = outcome.body.results[0]?.contactId;
      if (!contactId) continue;
      await services.scoring.scoreDue();
      const assignment = await services.routing.routeIfWaiting(cli, contactId);
      if (assignment?.userId !== rep.id)
        await services.routing.reassign(cli, contactId, {
          userId: rep.id,
          reason: 'Demo: bij de start van de demo in de wachtrij van deze verkoper gezet',
        });
      added += 1;
    }
  }
  return added;
}

/**
 * Fills a fresh store with a believable Dutch ICT company: Nordwind ICT, with a marketing team, two
 * sales teams with their managers, a director and an admin, and twelve months of touches, MQLs,
 * assignments, follow-up with breaches and waivers, rejections and recycles, and opportunities won and
 * lost. Everything goes through the services the API uses, on a clock that walks through the year.
 */
export async function fillDemo(
  services: Services,
  clock: ReturnType<typeof createTestClock>,
  end: Date,
  log: (line: string) => void,
): Promise<{ users: User[]; contacts: number; touches: number }> {
  const random = randomSource(20261127);
  const start = end.getTime() - 365 * day;
  clock.set(new Date(start - 2 * day));
  await services.scoring.ensureDefaultModel();

  // People: weekdays 08:30–17:30 in Amsterdam.
  const office = Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['08:30', '17:30']] as [string, string][]]),
  );
  const user = (name: string, role: User['role'], managerId?: string, language: 'en' | 'nl' = 'nl') =>
    services.users.createUser(cli, {
      email: `${name.split(' ')[0]!.toLowerCase()}@${domain}`,
      name,
      role,
      language,
      timeZone: 'Europe/Amsterdam',
      workingHours: office,
      password: demoPassword,
      ...(managerId && { managerId }),
    });
  const admin = await user('Ada Admin', 'admin', undefined, 'en');
  const headOfMarketing = await user('Sanne de Vries', 'marketing');
  const marketer = await user('Lars Bakker', 'marketing', undefined, 'en');
  const director = await user('Erik Jansen', 'director');
  const randstadManager = await user('Fleur Visser', 'sales_manager', director.id);
  const oostManager = await user('Bram Mulder', 'sales_manager', director.id, 'en');
  const randstad = [
    await user('Daan Smit', 'sales_rep', randstadManager.id),
    await user('Emma Meijer', 'sales_rep', randstadManager.id, 'en'),
    await user('Jesse de Boer', 'sales_rep', randstadManager.id),
  ];
  const oost = [
    await user('Lotte Bos', 'sales_rep', oostManager.id),
    await user('Thijs Vos', 'sales_rep', oostManager.id),
    await user('Noor Peters', 'sales_rep', oostManager.id, 'en'),
  ];
  const reps = [...randstad, ...oost];
  await services.teams.createTeam(cli, { name: 'Marketing', memberIds: [headOfMarketing.id, marketer.id] });
  await services.teams.createTeam(cli, {
    name: 'Sales Randstad',
    managerId: randstadManager.id,
    memberIds: randstad.map((r) => r.id),
  });
  await services.teams.createTeam(cli, {
    name: 'Sales Oost',
    managerId: oostManager.id,
    memberIds: oost.map((r) => r.id),
  });
  // Larger accounts go to the Randstad team, the rest to Oost; both share leads evenly.
  const randstadPool = await services.routing.createPool(cli, {
    name: 'Enterprise (Randstad)',
    performanceAware: true,
    members: randstad.map((r) => ({ userId: r.id })),
  });
  const oostPool = await services.routing.createPool(cli, {
    name: 'Mid-market (Oost)',
    members: oost.map((r) => ({ userId: r.id })),
  });
  await services.routing.replaceRules(cli, {
    rules: [
      {
        name: '500+ employees',
        conditions: [{ op: 'range', field: 'account.employeeCount', min: 500 }],
        target: { poolId: randstadPool.id },
      },
    ],
  });
  await services.routing.updateSettings(cli, { fallbackPoolId: oostPool.id });
  const forms = [
    await services.forms.createForm(cli, {
      name: 'Contact sales',
      eventType: 'demo_requested',
      consentText: {
        en: 'Yes, Nordwind ICT may contact me.',
        nl: 'Ja, Nordwind ICT mag contact met mij opnemen.',
      },
      allowedOrigins: ['https://www.nordwind-ict.example'],
    }),
    await services.forms.createForm(cli, {
      name: 'Whitepaper Hybride Werken',
      eventType: 'content_downloaded',
      consentText: { en: 'Send me the whitepaper and news.', nl: 'Stuur mij de whitepaper en nieuws.' },
      allowedOrigins: ['https://www.nordwind-ict.example'],
    }),
  ];
  const accounts = new Map<string, string>();
  for (const [name, dom, industry, employeeCount, country] of companies) {
    const account = await services.accounts.createAccount(cli, {
      name,
      domains: [dom],
      industry,
      employeeCount,
      country,
    });
    accounts.set(dom, account.id);
  }
  const reasons = await services.handoff.listReasons(cli);
  const reason = (key: string): RejectionReason => reasons.find((r) => r.key === key)!;
  log(`people, teams, routing, forms and ${companies.length} accounts in place`);

  // The year, as a queue of things that happen, in time order.
  const actions: Action[] = [];
  const schedule = (at: number, run: () => Promise<void>) => {
    if (at < end.getTime()) actions.push({ at, run });
  };
  const people: Person[] = [];
  const newPerson = (): Person => {
    const person = invent(random, [1, 99]);
    people.push(person);
    return person;
  };
  const actorOf = (u: User) => ({ kind: 'user' as const, userId: u.id, role: u.role });
  const managerOf = (rep: User) => (randstad.includes(rep) ? randstadManager : oostManager);
  // Each rep's habits: how fast they answer, how often they accept.
  const habits = new Map(
    reps.map((r, i) => [
      r.id,
      { speed: [0.4, 1, 2.6, 0.7, 1.4, 0.9][i]!, accepts: [0.85, 0.8, 0.7, 0.8, 0.75, 0.82][i]! },
    ]),
  );
  const handled = new Set<string>();
  let touches = 0;

  /** A newly assigned lead: the rep answers (or not in time), then accepts or rejects, and so on. */
  const followUp = async (contactId: string) => {
    const contact = await services.contacts.getContact(cli, contactId);
    const rep = reps.find((r) => r.id === contact.ownerId);
    // Once per rep and stay in the stage: a lead reassigned after a miss gets its new rep's answer.
    const key = `${contactId}:${rep?.id}:${contact.stageEnteredAt}`;
    if (!rep || handled.has(key)) return;
    handled.add(key);
    const habit = habits.get(rep.id)!;
    const now = clock.now().getTime();
    // The last day's leads still wait: the queues open with live countdowns and a few misses.
    if (now > end.getTime() - 1.5 * day) return;
    // Most answer within a few business hours; some leads wait past the deadline.
    // Most answer within minutes, some within hours; a few leads wait past every deadline.
    const r = random.next();
    const responseIn =
      r < 0.08 * habit.speed
        ? random.int(5, 30) * hour
        : r < 0.3
          ? random.int(20, 150) * 60_000 * habit.speed
          : random.int(2, 12) * 60_000 * habit.speed;
    schedule(now + responseIn, async () => {
      const current = await services.contacts.getContact(cli, contactId);
      if (current.ownerId !== rep.id || current.stage !== 'mql') return;
      await services.handoff.logActivity(actorOf(rep), contactId, {
        type: random.pick(['call_logged', 'call_logged', 'email_sent'] as const),
        note: random.pick([
          'Voicemail ingesproken',
          'Kort gesproken, terugbelafspraak',
          'Mail met info gestuurd',
          'Goed gesprek over de huidige omgeving',
        ]),
      });
      await services.sla.recheck(contactId);
      schedule(clock.now().getTime() + random.int(1, 20) * hour, async () => {
        const lead = await services.contacts.getContact(cli, contactId);
        if (lead.ownerId !== rep.id || lead.stage !== 'mql') return;
        if (random.chance(habit.accepts)) {
          await services.handoff.accept(actorOf(rep), contactId, {});
          await services.sla.recheck(contactId);
          schedule(clock.now().getTime() + random.int(1, 9) * day, () => qualify(rep, contactId));
        } else {
          const code = random.weighted([
            ['no_budget', 4],
            ['not_now', 5],
            ['not_target_profile', 3],
            ['wrong_contact', 2],
            ['student_or_job_seeker', 1],
            ['competitor', 1],
          ] as const);
          await services.handoff.reject(actorOf(rep), contactId, {
            reasonCode: reason(code).key,
            note: random.pick([
              'Budget pas volgend jaar',
              'Geen beslisser',
              'Past niet bij ons aanbod',
              'Bellen na de zomer',
            ]),
          });
          await services.sla.recheck(contactId);
        }
      });
    });
  };

  const qualify = async (rep: User, contactId: string) => {
    const lead = await services.contacts.getContact(cli, contactId);
    if (lead.ownerId !== rep.id || lead.stage !== 'sal') return;
    // Not every accepted lead qualifies: the rest go back to Marketing with a reason.
    if (!random.chance(0.65)) {
      await services.contacts.changeStage(actorOf(rep), contactId, {
        to: 'recycled',
        reasonCode: random.pick(['not_now', 'no_budget'] as const),
        note: random.pick(['Project geparkeerd tot volgend kwartaal', 'Geen budget vrijgemaakt']),
      });
      await services.sla.recheck(contactId);
      return;
    }
    await services.handoff.qualify(actorOf(rep), contactId, {
      answers: { need: true, budget: true, authority: true, timing: true },
    });
    await services.sla.recheck(contactId);
    if (!random.chance(0.8)) {
      schedule(clock.now().getTime() + random.int(2, 8) * day, async () => {
        if ((await services.contacts.getContact(cli, contactId)).stage !== 'sql') return;
        await services.contacts.changeStage(actorOf(rep), contactId, {
          to: 'recycled',
          reasonCode: 'not_now',
          note: 'Geen opportunity: klant heeft net een contract verlengd',
        });
        await services.sla.recheck(contactId);
      });
      return;
    }
    openDeal(rep, contactId, lead.email);
  };

  /** A qualified lead becomes a deal within days, moves along the pipeline, and is won or lost. */
  const openDeal = (rep: User, contactId: string, email: string | null) => {
    schedule(clock.now().getTime() + random.int(1, 6) * day, async () => {
      const person = people.find((p) => p.email === email);
      const amount = random.int(8, 120) * 1_000_00;
      const opportunity = await services.opportunities.create(actorOf(rep), {
        name: `${person?.company[0] ?? 'Deal'} — ${random.pick(['Managed Workplace', 'Cloud migratie', 'Security Operations', 'Netwerkvernieuwing', 'Microsoft 365 beheer'])}`,
        contactId,
        amountMinor: amount,
        currency: 'EUR',
        expectedCloseOn: new Date(clock.now().getTime() + random.int(30, 90) * day)
          .toISOString()
          .slice(0, 10),
      });
      await services.sla.recheck(contactId);
      let at = clock.now().getTime();
      for (const stage of ['demo', 'proposal', 'negotiation']) {
        at += random.int(5, 20) * day;
        if (!random.chance(0.85)) break;
        schedule(at, async () => {
          const current = await services.opportunities.get(cli, opportunity.id);
          if (current.status !== 'open') return;
          await services.opportunities.move(actorOf(rep), opportunity.id, { stage });
        });
      }
      schedule(at + random.int(5, 25) * day, async () => {
        const current = await services.opportunities.get(cli, opportunity.id);
        if (current.status !== 'open') return;
        if (random.chance(0.42))
          await services.opportunities.move(actorOf(rep), opportunity.id, {
            stage: 'won',
            reason: random.pick([
              'Beste aansluiting op hun omgeving',
              'Referenties in de sector',
              'Snelle migratie',
              'Prijs',
            ]),
          });
        else
          await services.opportunities.move(actorOf(rep), opportunity.id, {
            stage: 'lost',
            reason: random.pick(['Prijs', 'Gekozen voor concurrent', 'Project uitgesteld', 'Geen budget']),
          });
      });
    });
  };

  const touch = async (person: Person, type: string, at: number) => {
    const [campaign, channel] = random.pick(campaigns);
    const form = type === 'demo_requested' ? forms[0]! : type === 'content_downloaded' ? forms[1]! : null;
    await services.capture.ingest(
      cli,
      {
        type,
        occurredAt: new Date(at).toISOString(),
        email: person.email,
        firstName: person.firstName,
        lastName: person.lastName,
        title: person.title,
        company: person.company[0],
        country: person.company[4],
        channel,
        campaign: type === 'page_viewed' && random.chance(0.5) ? undefined : campaign,
        url: `https://www.nordwind-ict.example/${random.pick(['diensten', 'cloud', 'security', 'werkplek', 'contact', 'blog'])}`,
        ...(form && { properties: { formId: form.id } }),
      },
      undefined,
    );
    touches += 1;
  };

  /** Runs what fell due, then scores, routes and sweeps as the server's loops would. */
  const runUntil = async (at: number) => {
    actions.sort((a, b) => a.at - b.at);
    while (actions.length > 0 && actions[0]!.at <= at) {
      const action = actions.shift()!;
      clock.set(new Date(action.at));
      await action.run();
    }
    clock.set(new Date(at));
  };
  const settle = async () => {
    await services.scoring.scoreDue();
    await services.routing.routeWaiting(cli);
    await services.routing.routeQueued(cli);
    for (const contact of (await services.contacts.listContacts(cli, { stage: 'mql', limit: 200 })).data)
      if (contact.ownerId) await followUp(contact.id);
    await services.leadFlow.sweepClocks();
  };

  for (let d = 0; d < 365; d++) {
    const dayStart = start + d * day;
    const date = new Date(dayStart);
    const weekday = date.getUTCDay();
    // Each month Marketing commits to the next: more MQLs as the year goes on.
    if (date.getUTCDate() === 25) {
      const next = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
      clock.set(date);
      await services.commitments.create(actorOf(headOfMarketing), {
        period: 'month',
        startsOn: next.toISOString().slice(0, 10),
        mqlTarget: 18 + Math.floor(d / 60),
        minAcceptanceRate: 0.7,
      });
    }
    const busy = weekday === 0 || weekday === 6 ? 3 : random.int(12, 22);
    const times = Array.from({ length: busy }, () => dayStart + random.int(6 * 60, 21 * 60) * 60_000).sort(
      (a, b) => a - b,
    );
    // The day in time order: touches as they come, and the server's loops (routing and the SLA
    // sweep) on the hour through the working day.
    const hours = Array.from({ length: 12 }, (_, i) => dayStart + (7 + i) * hour);
    const moments = [
      ...times.map((at) => ({ at, touch: true })),
      ...hours.map((at) => ({ at, touch: false })),
    ].sort((a, b) => a.at - b.at);
    for (const moment of moments) {
      await runUntil(moment.at);
      if (!moment.touch) {
        await settle();
        continue;
      }
      const person = people.length < 40 || random.chance(0.3) ? newPerson() : random.pick(people);
      let type: string = random.weighted(touchTypes);
      if (person.title === 'Student' && type === 'demo_requested') type = 'content_downloaded';
      await touch(person, type, moment.at);
      await settle();
    }
    // Managers look at their board now and then and waive a miss with a reason.
    if (weekday >= 1 && weekday <= 5 && random.chance(0.35)) {
      const board = await services.sla.queue(cli, { status: 'breached', limit: 50 });
      const item = board.data[0];
      const rep = reps.find((r) => r.id === item?.rep?.id);
      if (item && rep && random.chance(0.5))
        await services.sla.waive(actorOf(managerOf(rep)), item.clock.id, {
          reason: random.pick([
            'Klant was op vakantie, rep belde direct na terugkomst',
            'Lead kwam binnen tijdens storing van de telefonie',
            'Rep was bij een klant op locatie; collega nam contact op',
            'Dubbele aanvraag, eerder al gesproken',
          ]),
        });
    }
    // Sales finds deals of its own too: a rep meets a prospect they called, qualifies them at
    // once, and a deal follows. Sales-sourced: the first touch is the rep's.
    if (weekday >= 1 && weekday <= 5 && random.chance(0.15)) {
      const rep = random.pick(reps);
      const person = newPerson();
      // Someone new to the company, never seen before.
      person.email = person.email.replace('@', `.${people.length}@`);
      const prospect = await services.contacts.createContact(actorOf(rep), {
        email: person.email,
        firstName: person.firstName,
        lastName: person.lastName,
        title: person.title,
        ownerId: rep.id,
        stage: 'sql',
      });
      await services.capture.ingest(
        cli,
        {
          type: 'meeting_held',
          occurredAt: clock.now().toISOString(),
          email: person.email,
          userId: rep.id,
          company: person.company[0],
          country: person.company[4],
        },
        undefined,
      );
      touches += 1;
      openDeal(rep, prospect.id, person.email);
    }
    if (d % 30 === 29)
      log(`month ${Math.round((d + 1) / 30)} of 12: ${people.length} people, ${touches} touches`);
  }
  await runUntil(end.getTime());
  await settle();

  // Each rep's next steps on the leads they work: one overdue since yesterday, some for the days
  // ahead, and one already done.
  const steps = [
    ['call', 'Terugbellen over de offerte'],
    ['meeting', 'Demo inplannen met de IT-manager'],
    ['email', 'Referentiecase sturen'],
    ['todo', 'Beslissers in kaart brengen'],
  ] as const;
  for (const rep of reps) {
    const worked = [
      ...(await services.contacts.listContacts(cli, { ownerId: rep.id, stage: 'sql', limit: 2 })).data,
      ...(await services.contacts.listContacts(cli, { ownerId: rep.id, stage: 'sal', limit: 2 })).data,
    ];
    for (const [i, contact] of worked.entries()) {
      const [kind, title] = steps[i % steps.length]!;
      const task = await services.tasks.create(actorOf(rep), contact.id, {
        kind,
        title,
        dueAt: new Date(clock.now().getTime() + (i === 0 ? -1 : i) * day).toISOString(),
      });
      if (i === worked.length - 1 && i > 0)
        await services.tasks.update(actorOf(rep), task.id, { done: true });
    }
  }

  // The quarter has a new customer to show: the year's draws depend on the hour the demo starts,
  // and now and then leave every win of the quarter with a company that had bought before. Then
  // the newest open deal of a company that never bought closes today.
  const dealsOf = async (status: 'won' | 'open') => {
    const all: Awaited<ReturnType<typeof services.opportunities.list>>['data'] = [];
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await services.opportunities.list(cli, { status, limit: 200, ...(cursor && { cursor }) });
      all.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    }
    return all;
  };
  const firstWin = new Map<string, string>();
  for (const d of await dealsOf('won'))
    if (d.accountId && d.closedOn && (firstWin.get(d.accountId) ?? '9999') > d.closedOn)
      firstWin.set(d.accountId, d.closedOn);
  const thisQuarter = new Date(Date.UTC(end.getUTCFullYear(), Math.floor(end.getUTCMonth() / 3) * 3, 1))
    .toISOString()
    .slice(0, 10);
  if (![...firstWin.values()].some((day) => day >= thisQuarter)) {
    const fresh = (await dealsOf('open')).filter((d) => d.accountId && !firstWin.has(d.accountId)).at(-1);
    if (fresh)
      await services.opportunities.move(cli, fresh.id, { stage: 'won', reason: 'Referenties in de sector' });
  }

  // What each campaign cost over the year, for the campaign returns on the attribution page.
  const yearFrom = new Date(start).toISOString().slice(0, 10);
  const yearTo = end.toISOString().slice(0, 10);
  for (const [i, [campaign, channel]] of campaigns.entries())
    await services.attribution.createCost(cli, {
      campaign,
      channel,
      startsOn: yearFrom,
      endsOn: yearTo,
      amountMinor: [120_000, 45_000, 240_000, 30_000, 180_000, 90_000, 25_000][i]! * 100,
      note: 'Demo',
    });

  // The quarter's plan from the year's own rates, a joint revenue target and bonus, and the
  // alignment agreement both heads signed, in force since the quarter began.
  const now = new Date(end.getTime());
  const quarterStart = `${now.toISOString().slice(0, 4)}-${String(Math.floor(now.getUTCMonth() / 3) * 3 + 1).padStart(2, '0')}`;
  const quarter = { periodKind: 'quarter' as const, periodStart: quarterStart };
  // A plan the company can make. Its stages read near plan, some behind, as in a real quarter.
  const won: { closedOn: string; amountMinor: number }[] = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await services.opportunities.list(cli, {
      status: 'won',
      limit: 200,
      ...(cursor && { cursor }),
    });
    for (const o of page.data)
      if (o.closedOn && o.amountMinor !== null)
        won.push({ closedOn: o.closedOn, amountMinor: o.amountMinor });
    cursor = page.nextCursor ?? undefined;
  }
  const sum = (from: string, to: string) =>
    won.filter((w) => w.closedOn >= from && w.closedOn < to).reduce((a, w) => a + w.amountMinor, 0);
  const roundTo = (minor: number, step: number) => Math.max(step, Math.round(minor / step) * step);
  // The target sits a little above where the quarter is heading (won so far and the open deals
  // expected in it, weighted), so the board reads near plan whenever the demo is started; the
  // last half year's run rate when nothing is heading anywhere yet.
  const heading = (await services.board.board(cli, quarter)).forecast.forecastMinor;
  const halfYearAgo = new Date(end.getTime() - 182 * day).toISOString().slice(0, 10);
  const target = roundTo((heading > 0 ? heading : sum(halfYearAgo, '9999') / 2) * 1.05, 1_000_000);
  const averageDeal = roundTo(won.reduce((a, w) => a + w.amountMinor, 0) / Math.max(1, won.length), 10_000);
  await services.planning.putTarget(cli, {
    ...quarter,
    metric: 'revenue',
    ownerKind: 'company',
    value: target,
    currency: 'EUR',
    joint: true,
  });
  await services.planning.savePlan(cli, {
    ...quarter,
    name: 'Plan Q',
    revenueTarget: target,
    currency: 'EUR',
    averageDealSize: averageDeal,
  });
  // Last quarter's joint bonus, settled: bookings beat its plan a little, so both sides earn.
  const previousStart = new Date(
    Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3 - 3, 1),
  );
  const previousQuarter = {
    periodKind: 'quarter' as const,
    periodStart: previousStart.toISOString().slice(0, 7),
  };
  const previousBookings = sum(previousStart.toISOString().slice(0, 10), `${quarterStart}-01`);
  // The same joint bonus each quarter: both heads of Marketing and every rep share it.
  const jointBonus = (period: typeof quarter, name: string, plan: number) =>
    services.bonus.put(cli, {
      ...period,
      name,
      metric: 'bookings',
      plan,
      currency: 'EUR',
      poolAtPlan: 3_000_000,
      marketingSharePct: 30,
      curve: { thresholdPct: 70, thresholdPayoutPct: 50, acceleratorRate: 2, capPct: 200 },
      participants: [
        { userId: headOfMarketing.id, side: 'marketing', weight: 2 },
        { userId: marketer.id, side: 'marketing', weight: 1 },
        ...reps.map((r) => ({ userId: r.id, side: 'sales' as const, weight: 1 })),
      ],
    });
  await jointBonus(
    previousQuarter,
    'Gezamenlijke bonus vorig kwartaal',
    roundTo(previousBookings / 1.08, 1_000_000),
  );
  await jointBonus(quarter, 'Gezamenlijke bonus', target);
  const agreement = await services.agreements.create(cli, {
    title: 'Afspraken Marketing en Sales',
    effectiveFrom: `${quarterStart}-01T00:00:00.000Z`,
  });
  await services.agreements.propose(cli, agreement.version, {
    marketingSignerId: headOfMarketing.id,
    salesSignerId: director.id,
  });
  await services.agreements.sign(actorOf(headOfMarketing), agreement.version);
  await services.agreements.sign(actorOf(director), agreement.version);

  // Every rep's queue holds leads that still wait, whatever the hour the demo ends.
  await topUpDemoQueues(services, () => clock.now(), 3);

  // Nothing of the year is sent by email: the demo's messages are cancelled.
  for (;;) {
    const pending = await services.notifications.listOutbox(cli, { status: 'pending', limit: 200 });
    if (pending.data.length === 0) break;
    for (const message of pending.data) await services.notifications.cancelOutboxMessage(cli, message.id);
  }
  const users = [admin, headOfMarketing, marketer, director, randstadManager, oostManager, ...reps];
  return { users, contacts: people.length, touches };
}

export function registerDemoCommand(program: Command, io: Io, env: Env | undefined) {
  program
    .command('demo')
    .description(
      'Fill a fresh store with a demo company: a year of leads, follow-up and deals (never real data)',
    )
    .action(async () => {
      const config = loadConfig(env);
      const database = openConfiguredDatabase(config);
      try {
        await migrateToLatest(database.db);
        // The fill is some ten thousand small transactions. Waiting for the disk after each (Baton's
        // setting for real work) would be a fifth of its time; in WAL mode without it the store is
        // still consistent, and a demo cut short by a power cut is simply run again on a new store.
        database.sqlite?.prepare('pragma synchronous = NORMAL').run();
        const clock = createTestClock();
        const services = servicesFor(database, config, { clock });
        const existing = await services.users.listUsers(cli, { limit: 1 });
        if (existing.data.length > 0)
          throw new UsageError(
            'this store already has users; the demo fills only a fresh one (point BATON_SQLITE_PATH or DATABASE_URL at an empty store)',
          );
        const end = systemClock.now();
        const { users, contacts, touches } = await fillDemo(services, clock, end, (line) => io.err(line));
        io.out(`Demo company Nordwind ICT: ${contacts} people, ${touches} touches over twelve months.`);
        io.out(
          `Sign in at ${config.publicUrl ?? `http://localhost:${config.port}`} with password "${demoPassword}" as:`,
        );
        for (const u of users) io.out(`  ${u.email.padEnd(32)} ${u.role}`);
      } finally {
        await database.close();
      }
    });
}
