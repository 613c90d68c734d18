import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { hasDovecot, startTestDovecot, type TestDovecot } from '../../testing/dovecot.ts';
import { outlookInvitation } from '../../testing/invitations.ts';
import { addUser, createTestContext, routedLead, type TestContext } from '../../testing/world.ts';

const cli = { kind: 'cli' } as const;

describe.skipIf(!hasDovecot)('the mailbox sync, against a real Dovecot', () => {
  let dovecot: TestDovecot;
  let mailboxes = 0;
  beforeAll(async () => {
    dovecot = await startTestDovecot();
  });
  afterAll(() => dovecot?.close());

  describeEachDialect('reading a rep’s mailbox over IMAP', (getDatabase) => {
    let context: TestContext;
    const warnings: string[] = [];

    beforeEach(() => {
      warnings.length = 0;
      context = createTestContext(getDatabase(), undefined, {
        mailSync: {
          allowPrivate: true,
          intervalMs: 60_000,
          timeoutMs: 30_000,
          batch: 2,
          warn: (message) => warnings.push(message),
        },
      });
      // A Tuesday, 10:00 in Amsterdam: inside everyone's working hours.
      context.clock.set('2026-12-01T09:00:00.000Z');
    });

    /** A rep with a routed lead whose first-response clock runs, and a mailbox of their own. */
    const world = async () => {
      mailboxes += 1;
      const login = `ruud${mailboxes}@mail.nordwind.nl`;
      dovecot.addUser(login, 'app-password');
      const manager = await addUser(context, 'sales_manager', { email: 'fleur@nordwind.nl' });
      const rep = await addUser(context, 'sales_rep', { email: 'ruud@nordwind.nl', managerId: manager.id });
      const pool = await context.services.routing.createPool(cli, {
        name: 'Inside',
        members: [{ userId: rep.id }],
      });
      await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
      await context.services.scoring.ensureDefaultModel();
      const lead = await routedLead(context, { email: 'jan@klant.nl', firstName: 'Jan', ownerId: rep.id });
      const asRep = { kind: 'user', userId: rep.id, role: 'sales_rep' } as const;
      const connect = (password = 'app-password') =>
        context.services.mailboxSync.connect(asRep, {
          host: dovecot.host,
          port: dovecot.imapPort,
          security: 'none',
          username: login,
          auth: 'password',
          secret: password,
        });
      /** What the rep's mail program does: the email goes out, and a copy lands in Sent. */
      const sent = (message: { to: string[]; subject: string; messageId?: string; text?: string }) =>
        dovecot.deliver({
          from: 'Ruud <ruud@nordwind.nl>',
          ...message,
          envelopeTo: [login.replace('@', '+Sent@')],
        });
      const received = (message: { from: string; subject: string; messageId?: string }) =>
        dovecot.deliver({ ...message, to: ['ruud@nordwind.nl'], envelopeTo: [login] });
      return { rep, lead, asRep, login, connect, sent, received };
    };
    const firstResponse = async (contactId: string) =>
      (await context.services.sla.listClocks(cli, contactId)).find((c) => c.target === 'first_response')!;
    const touches = async (contactId: string, type: string) =>
      (await context.services.contacts.listTouchpoints(cli, contactId)).filter((t) => t.type === type);
    const sync = () => context.services.mailboxSync.syncDue('test-process');

    it('stops the first-response clock at the next sync when the rep’s email to the lead is in Sent, once', async () => {
      const { asRep, lead, connect, sent } = await world();
      const connected = await connect();
      expect(connected).toMatchObject({ state: 'syncing', lastSyncedAt: null, messagesRead: 0, folders: [] });
      expect((await firstResponse(lead)).status).toBe('running');

      await sent({
        to: ['Jan <jan@klant.nl>'],
        subject: 'Uw demo-aanvraag',
        messageId: '<offer-1@nordwind.nl>',
      });
      await sent({ to: ['piet@elders.nl'], subject: 'Not a lead' });
      expect(await sync()).toBe(1);

      expect((await firstResponse(lead)).status).toBe('met');
      const emails = await touches(lead, 'email_sent');
      expect(emails).toHaveLength(1);
      expect(emails[0]).toMatchObject({ properties: { via: 'mailbox', subject: 'Uw demo-aanvraag' } });
      expect(emails[0]!.properties).not.toHaveProperty('excerpt');
      const state = await context.services.mailboxSync.get(asRep);
      expect(state).toMatchObject({
        state: 'syncing',
        lastError: null,
        messagesRead: 2,
        activitiesLogged: 1,
      });
      expect(state.lastSyncedAt).not.toBeNull();
      expect(state.folders).toEqual([
        { folder: 'inbox', path: 'INBOX', lastUid: 0 },
        { folder: 'sent', path: 'Sent', lastUid: 2 },
      ]);

      // Not due again until its interval has passed; then nothing new is logged twice.
      expect(await sync()).toBe(0);
      context.clock.advance(61_000);
      expect(await sync()).toBe(1);
      expect(await touches(lead, 'email_sent')).toHaveLength(1);
      expect((await context.services.mailboxSync.get(asRep)).messagesRead).toBe(2);
      expect(warnings).toEqual([]);
    });

    it('logs the lead’s email in the inbox as received, which does not answer the rep’s clock', async () => {
      const { lead, connect, received } = await world();
      await connect();
      await received({
        from: 'Jan <jan@klant.nl>',
        subject: 'Vraag over de demo',
        messageId: '<q-1@klant.nl>',
      });
      await received({ from: 'fleur@nordwind.nl', subject: 'Between colleagues' });
      await sync();
      expect(await touches(lead, 'email_received')).toEqual([
        expect.objectContaining({ properties: { via: 'mailbox', subject: 'Vraag over de demo' } }),
      ]);
      expect((await firstResponse(lead)).status).toBe('running');
    });

    it('reads a batch again after a crash before its cursor moved, and after UIDVALIDITY changed, logging nothing twice', async () => {
      const { asRep, lead, rep, connect, sent } = await world();
      await connect();
      for (const n of [1, 2, 3])
        await sent({ to: ['jan@klant.nl'], subject: `Follow-up ${n}`, messageId: `<f${n}@nordwind.nl>` });
      await sync();
      expect(await touches(lead, 'email_sent')).toHaveLength(3);

      // As if the process died after logging but before the cursor moved: the cursor is back at 1.
      await context.database.db
        .updateTable('mailbox_cursors')
        .set({ last_uid: 1 })
        .where('user_id', '=', rep.id)
        .where('folder', '=', 'sent')
        .execute();
      await context.services.mailboxSync.syncSoon(asRep);
      await sync();
      expect(await touches(lead, 'email_sent')).toHaveLength(3);

      // The server renumbered the folder: everything since the lookback is read again, once.
      await context.database.db
        .updateTable('mailbox_cursors')
        .set({ uid_validity: '1' })
        .where('user_id', '=', rep.id)
        .execute();
      await context.services.mailboxSync.syncSoon(asRep);
      await sync();
      expect(await touches(lead, 'email_sent')).toHaveLength(3);
      const state = await context.services.mailboxSync.get(asRep);
      expect(state.folders.find((f) => f.folder === 'sent')?.lastUid).toBe(3);
    });

    it('books a meeting from an invitation the rep sent, and keeps an excerpt only when the company chose so', async () => {
      const { lead, connect, login } = await world();
      await context.services.mailbox.updateSettings(cli, { ignoredDomains: [], storeExcerpt: true });
      await connect();
      await dovecot.deliver({
        from: 'ruud@nordwind.nl',
        to: ['jan@klant.nl'],
        envelopeTo: [login.replace('@', '+Sent@')],
        subject: 'Kennismaking',
        text: 'Beste Jan,\n\nZullen we donderdag   even bellen?\n\nGroet, Ruud',
        icalEvent: {
          method: 'REQUEST',
          content: outlookInvitation({
            method: 'REQUEST',
            uid: 'meet-jan-1',
            tzid: 'W. Europe Standard Time',
            withZone: true,
            start: '20261203T140000',
          }),
        },
      });
      await sync();
      expect(await touches(lead, 'meeting_booked')).toHaveLength(1);
      const [email] = await touches(lead, 'email_sent');
      expect(email?.properties).toMatchObject({
        via: 'mailbox',
        excerpt: expect.stringContaining('Zullen we donderdag even bellen?'),
      });
    });

    it('logs what it can of malformed MIME, 8-bit headers, a huge attachment and a broken invitation, and reads on', async () => {
      const { asRep, lead, connect, login } = await world();
      await connect();
      const raw = (lines: string[]) =>
        dovecot.deliver({
          from: 'ruud@nordwind.nl',
          to: ['jan@klant.nl'],
          envelopeTo: [login.replace('@', '+Sent@')],
          subject: '',
          raw: lines.join('\r\n'),
        });
      // A multipart message whose boundary never comes, with a header line that is no header.
      await raw([
        'From: ruud@nordwind.nl',
        'To: jan@klant.nl',
        'Subject: Kapot',
        'Message-ID: <broken-mime@nordwind.nl>',
        'this line is no header',
        'Content-Type: multipart/mixed; boundary="nooit"',
        '',
        '--nooit',
        'Content-Type: text/plain',
        '',
        'half a message',
      ]);
      // A subject in raw UTF-8 bytes, not encoded as RFC 2047 asks.
      await raw([
        'From: ruud@nordwind.nl',
        'To: jan@klant.nl',
        'Subject: Offerte voor Café Zoë',
        'Message-ID: <eight-bit@nordwind.nl>',
        '',
        'Hallo',
      ]);
      // 8 MB of attachment: only the envelope and the structure are fetched, never the file.
      await raw([
        'From: ruud@nordwind.nl',
        'To: jan@klant.nl',
        'Subject: De brochure',
        'Message-ID: <huge@nordwind.nl>',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'Zie bijlage',
        '--b',
        'Content-Type: application/pdf; name="brochure.pdf"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="brochure.pdf"',
        '',
        ...Array.from(
          { length: 110_000 },
          () => 'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB',
        ),
        '--b--',
      ]);
      // An invitation that is no calendar at all.
      await raw([
        'From: ruud@nordwind.nl',
        'To: jan@klant.nl',
        'Subject: Uitnodiging',
        'Message-ID: <bad-invite@nordwind.nl>',
        'Content-Type: multipart/mixed; boundary="c"',
        '',
        '--c',
        'Content-Type: text/plain',
        '',
        'Zie uitnodiging',
        '--c',
        'Content-Type: text/calendar; method=REQUEST',
        '',
        'BEGIN:VCALENDAR',
        'this is not iCalendar',
        '--c--',
      ]);
      await raw([
        'From: ruud@nordwind.nl',
        'To: jan@klant.nl',
        'Subject: Tot slot',
        'Message-ID: <last@nordwind.nl>',
        '',
        'Groet',
      ]);

      await sync();
      const subjects = (await touches(lead, 'email_sent')).map((t) => t.properties.subject);
      expect(subjects).toEqual(
        expect.arrayContaining(['Kapot', 'Offerte voor Café Zoë', 'De brochure', 'Uitnodiging', 'Tot slot']),
      );
      expect(await context.services.mailboxSync.get(asRep)).toMatchObject({
        state: 'syncing',
        lastError: null,
        messagesRead: 5,
      });
      expect(warnings.join('\n')).toContain('could not be read');
      expect(context.services.mailbox.status({ kind: 'cli' }).counts).toMatchObject({
        brokenInvitations: 1,
        mailboxMessagesRead: 5,
        mailboxSyncFailures: 0,
      });
    });

    it('refuses a wrong password and a private address without saving, and says why', async () => {
      const { asRep, connect, login } = await world();
      const wrong = await connect('not-the-password').catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(AppError);
      expect(wrong).toMatchObject({
        code: 'mailbox.connection_failed',
        fieldErrors: [{ field: 'body.secret' }],
      });
      await expect(context.services.mailboxSync.get(asRep)).rejects.toMatchObject({
        code: 'mailbox.not_connected',
      });

      const guarded = createTestContext(context.database, context.clock, {
        mailSync: { allowPrivate: false },
      });
      const refused = await guarded.services.mailboxSync
        .connect(asRep, {
          host: '127.0.0.1',
          port: dovecot.imapPort,
          security: 'none',
          username: login,
          auth: 'password',
          secret: 'app-password',
        })
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({
        code: 'mailbox.connection_failed',
        fieldErrors: [
          { field: 'body.host', reason: expect.stringContaining('private, loopback or reserved') },
        ],
      });
    });

    it('shows a failing sync with its reason, and disconnecting deletes the credentials, both in the audit log', async () => {
      const { asRep, connect, login } = await world();
      await connect();
      // The rep changes their mailbox password; Baton still has the old one.
      await dovecot.setPassword(login, 'changed-password');
      await sync();
      const failing = await context.services.mailboxSync.get(asRep);
      expect(failing).toMatchObject({
        state: 'failing',
        lastError: expect.stringContaining('refused the user name or password'),
      });
      expect(warnings.join('\n')).toContain('refused the user name or password');

      await context.services.mailboxSync.disconnect(asRep);
      expect(await context.database.db.selectFrom('mailbox_connections').selectAll().execute()).toEqual([]);
      expect(await context.database.db.selectFrom('mailbox_cursors').selectAll().execute()).toEqual([]);
      const audit = await context.services.auditLog.list(cli, {});
      expect(audit.data.map((e) => e.action)).toEqual(
        expect.arrayContaining(['mailbox.connected', 'mailbox.disconnected']),
      );
      expect(JSON.stringify(audit.data)).not.toContain('app-password');
      await expect(context.services.mailboxSync.disconnect(asRep)).rejects.toMatchObject({
        code: 'mailbox.not_connected',
      });
    });
  });
});
