// The local HubSpot of `bench -- crm-backfill`, in a process of its own so that its records do not
// count in the memory of the Baton that reads them. Started by the benchmark with fork(); it fills
// itself with the sizes it is sent, answers with its address, and takes budget changes.
import { startHubSpotFake } from '../src/server/testing/hubspot-fake.ts';

interface Fill {
  contacts: number;
  companies: number;
  deals: number;
  activities: number;
}

// Records are made as of a day ago (their modification times, one millisecond apart, stay in the
// past however many there are); the API answers in real time.
let filling = true;
const dayAgo = Date.now() - 86_400_000;
const clock = { now: () => new Date(filling ? dayAgo : Date.now()) };
const hubspot = await startHubSpotFake({ clock, tenSecondLimit: 1_000_000, searchPerSecond: 1_000_000 });
const stages = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'closedwon', 'closedlost'];
const activityTypes = ['calls', 'meetings', 'emails'] as const;

function fill({ contacts, companies, deals, activities }: Fill) {
  const companyIds: string[] = [];
  for (let n = 0; n < companies; n++)
    companyIds.push(
      hubspot.create('companies', {
        name: `Firma ${n} BV`,
        domain: `firma${n}.nl`,
        numberofemployees: String(10 + (n % 500)),
        country: 'Netherlands',
      }).id,
    );
  const contactIds: string[] = [];
  for (let n = 0; n < contacts; n++)
    contactIds.push(
      hubspot.create(
        'contacts',
        {
          email: `person${n}@firma${n % companies}.nl`,
          firstname: `Voornaam${n}`,
          lastname: `Achternaam${n}`,
          jobtitle: n % 3 === 0 ? 'IT-manager' : 'CFO',
          company: `Firma ${n % companies} BV`,
        },
        { companies: [companyIds[n % companies]!] },
      ).id,
    );
  for (let n = 0; n < deals; n++)
    hubspot.create(
      'deals',
      {
        dealname: `Deal ${n}`,
        amount: String(5000 + (n % 100) * 250),
        deal_currency_code: 'EUR',
        dealstage: stages[n % stages.length]!,
        pipeline: 'default',
        createdate: new Date(Date.UTC(2026, 0, 1) + (n % 300) * 86_400_000).toISOString(),
        closedate: new Date(Date.UTC(2026, 3, 1) + (n % 200) * 86_400_000).toISOString(),
      },
      {
        contacts: [contactIds[(n * 5) % contacts]!],
        companies: [companyIds[((n * 5) % contacts) % companies]!],
      },
    );
  for (let n = 0; n < activities; n++) {
    const type = activityTypes[n % 3]!;
    const at = new Date(Date.UTC(2026, 5, 1) + (n % 150) * 86_400_000 + (n % 480) * 60_000).toISOString();
    hubspot.create(
      type,
      type === 'calls'
        ? { hs_timestamp: at, hs_call_status: 'COMPLETED', hs_call_title: `Call ${n}` }
        : type === 'meetings'
          ? { hs_timestamp: at, hs_meeting_outcome: 'COMPLETED', hs_meeting_title: `Meeting ${n}` }
          : { hs_timestamp: at, hs_email_direction: 'EMAIL', hs_email_subject: `Mail ${n}` },
      { contacts: [contactIds[n % contacts]!] },
    );
  }
}

process.on(
  'message',
  (message: { fill?: Fill; limit?: number; searchLimit?: number; counts?: true; stop?: true }) => {
    if (message.counts) process.send!({ counts: hubspot.counts });
    if (message.fill) {
      fill(message.fill);
      filling = false;
      process.send!({ url: hubspot.url, token: hubspot.token });
    }
    if (message.limit !== undefined) {
      hubspot.setLimits(message.limit, message.searchLimit ?? 5);
      process.send!({ limited: true });
    }
    if (message.stop) void hubspot.close().then(() => process.exit(0));
  },
);
process.send!({ ready: true });
