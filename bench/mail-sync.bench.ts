// The mailbox sync against a real Dovecot on loopback (issue 21): BENCH_MAIL_MESSAGES messages
// (3,000 by default) in a rep's Sent folder, put there as a mail program does (IMAP APPEND), one
// in five to one of 100 leads and the rest to other people:
// - sync_messages_per_second: one sync of the whole folder on SQLite, from signing in to the last
//   cursor move: fetching (envelope and body structure, 200 at a time), reading each message's
//   parties, matching them to leads and logging an email_sent on each lead;
// - baseline raw_fetch_messages_per_second: imapflow fetching the same messages with the same
//   query on an open connection, doing nothing with them: the floor any sync pays to the server.
import { performance } from 'node:perf_hooks';
import { ImapFlow } from 'imapflow';
import { createTestDatabase } from '../src/server/testing/databases.ts';
import { startTestDovecot } from '../src/server/testing/dovecot.ts';
import { addUser, createTestContext } from '../src/server/testing/world.ts';
import { round, size } from './measure.ts';

const messages = size('BENCH_MAIL_MESSAGES', 3_000, 60);
const leads = 100;
const cli = { kind: 'cli' } as const;

function message(n: number): string {
  const to = n % 5 === 0 ? `lead${n % leads}@klant${n % leads}.nl` : `someone${n}@elders.nl`;
  return [
    'From: Ruud <ruud@nordwind.nl>',
    `To: ${to}`,
    n % 3 === 0 ? `Cc: fleur@nordwind.nl, contact${n}@partner.nl` : null,
    `Subject: Follow-up ${n}`,
    `Message-ID: <bench-${n}@nordwind.nl>`,
    'Date: Tue, 01 Dec 2026 09:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Beste relatie,\r\n\r\nHierbij de informatie over voorstel ${n}.\r\n\r\nGroet, Ruud`,
  ]
    .filter((line) => line !== null)
    .join('\r\n');
}

export async function run() {
  const dovecot = await startTestDovecot();
  const login = 'ruud@mail.nordwind.nl';
  dovecot.addUser(login, 'app-password');
  const database = await createTestDatabase('sqlite');
  try {
    const client = new ImapFlow({
      host: dovecot.host,
      port: dovecot.imapPort,
      secure: false,
      auth: { user: login, pass: 'app-password' },
      logger: false,
    });
    await client.connect();
    for (let n = 0; n < messages; n += 1) await client.append('Sent', message(n), ['\\Seen']);

    // The floor: the same fetch, nothing done with what comes back.
    const lock = await client.getMailboxLock('Sent');
    let fetched = 0;
    const fetchStart = performance.now();
    for await (const m of client.fetch(
      '1:*',
      { uid: true, envelope: true, bodyStructure: true },
      { uid: true },
    ))
      if (m.envelope) fetched += 1;
    const fetchSeconds = (performance.now() - fetchStart) / 1000;
    lock.release();
    await client.logout();
    if (fetched !== messages) throw new Error(`fetched ${fetched} of ${messages}`);

    const context = createTestContext(database, undefined, {
      mailSync: { allowPrivate: true, warn: (line) => process.stderr.write(`${line}\n`) },
    });
    context.clock.set('2026-12-01T10:00:00.000Z');
    const rep = await addUser(context, 'sales_rep', { email: 'ruud@nordwind.nl' });
    for (let i = 0; i < leads; i += 1)
      await context.services.contacts.createContact(cli, {
        email: `lead${i}@klant${i}.nl`,
        ownerId: rep.id,
      });
    const asRep = { kind: 'user', userId: rep.id, role: 'sales_rep' } as const;
    await context.services.mailboxSync.connect(asRep, {
      host: dovecot.host,
      port: dovecot.imapPort,
      security: 'none',
      username: login,
      auth: 'password',
      secret: 'app-password',
    });
    const syncStart = performance.now();
    await context.services.mailboxSync.syncDue('bench');
    const syncSeconds = (performance.now() - syncStart) / 1000;
    const state = await context.services.mailboxSync.get(asRep);
    if (state.messagesRead !== messages || state.state !== 'syncing')
      throw new Error(`the sync read ${state.messagesRead} of ${messages}: ${state.lastError}`);

    const rate = messages / syncSeconds;
    const floor = messages / fetchSeconds;
    return {
      metrics: {
        sync_messages_per_second: { value: round(rate), unit: 'messages/s' },
        activities_logged: { value: state.activitiesLogged, unit: 'activities' },
        ratio_to_raw_fetch: { value: round(rate / floor, 3), unit: 'ratio' },
      },
      baselines: {
        raw_fetch_messages_per_second: { value: round(floor), unit: 'messages/s' },
      },
    };
  } finally {
    await database.dispose();
    await dovecot.close();
  }
}
