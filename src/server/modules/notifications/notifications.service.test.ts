import { randomBytes } from 'node:crypto';
import { createChatSender } from '../../platform/chat-sender.ts';
import { createWebhookSender } from '../../platform/webhook-sender.ts';
import { createSecretBox } from '../../platform/secret-box.ts';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Role } from '../../../domain/access/roles.ts';
import { createSmtpMailer, type Mailer } from '../../platform/mailer.ts';
import { startOutboxDispatcher } from '../../platform/outbox-dispatcher.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../../testing/smtp.ts';
import { createTestContext, testPasswords, type TestContext } from '../../testing/world.ts';
import { createNotificationsService } from './notifications.service.ts';

const cli = { kind: 'cli' } as const;
const publicUrl = 'https://baton.example.nl';

describeEachDialect('the email outbox', (getDatabase) => {
  let context: TestContext;
  let smtp: TestSmtpServer | undefined;
  let mailer: Mailer | undefined;

  beforeEach(() => {
    context = createTestContext(getDatabase());
    // A Tuesday, 10:00 in Amsterdam: inside everyone's default working hours.
    context.clock.set('2026-12-01T09:00:00.000Z');
  });
  afterEach(async () => {
    mailer?.close();
    mailer = undefined;
    await smtp?.close();
    smtp = undefined;
  });

  const smtpServer = async (options: Parameters<typeof startTestSmtpServer>[0] = {}) => {
    smtp = await startTestSmtpServer(options);
    mailer = createSmtpMailer({ url: smtp.url, from: 'Baton <baton@acme-ict.nl>' });
    return { smtp, mailer };
  };

  /** A notifications service over the same store with a fixed jitter and few attempts. */
  const outbox = (maxAttempts = 10) =>
    createNotificationsService(
      {
        db: context.database.db,
        clock: context.clock,
        events: context.events,
        passwords: testPasswords,
        auth: { sessionTtlHours: 1, loginMaxFailures: 5, loginWindowMinutes: 15, oidc: null },
        secrets: createSecretBox(randomBytes(32)),
        publicUrl,
      },
      {
        maxAttempts,
        random: () => 0.5,
        chat: createChatSender(createWebhookSender({ timeoutMs: 5000, maxBodyBytes: 4096 })),
      },
    );

  let counter = 0;
  const person = (role: Role, extra: { language?: 'en' | 'nl'; managerId?: string; name?: string } = {}) => {
    counter += 1;
    return context.services.users.createUser(cli, {
      email: `${role}.${counter}@acme-ict.nl`,
      name: extra.name ?? `${role} ${counter}`,
      role,
      ...(extra.language && { language: extra.language }),
      ...(extra.managerId && { managerId: extra.managerId }),
    });
  };

  const lead = async (email: string, extra: object = {}) => {
    const outcome = await context.services.capture.ingest(
      cli,
      { type: 'page_viewed', occurredAt: '2026-12-01T08:00:00Z', email, ...extra },
      undefined,
    );
    return outcome.body.results[0]!.contactId!;
  };

  /** A pool of one rep, the fallback for every lead. */
  const poolOf = async (...userIds: string[]) => {
    const pool = await context.services.routing.createPool(cli, {
      name: `Pool ${++counter}`,
      members: userIds.map((userId) => ({ userId })),
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    return pool;
  };

  const messages = async () => (await context.services.notifications.listOutbox(cli, { limit: 200 })).data;

  it('tells the rep of a new MQL in their own language, with who, the company, why MQL, recent touches and a link', async () => {
    const manager = await person('sales_manager');
    const rep = await person('sales_rep', { language: 'nl', managerId: manager.id, name: 'Sanne de Vries' });
    await poolOf(rep.id);
    await context.services.scoring.ensureDefaultModel();
    const contactId = await lead('jan.jansen@acme.nl', {
      type: 'demo_requested',
      firstName: 'Jan',
      lastName: 'Jansen',
      title: 'CTO',
      company: 'Acme B.V.',
      campaign: 'Cloud Q4',
    });
    const assigned = new Promise<void>((resolve) => {
      context.events.subscribe('lead.assigned', (e) => {
        if (e.contactId === contactId) resolve();
      });
    });
    // The scorer moves the demo request to MQL; routing follows and queues the email with it.
    await context.services.scoring.scoreDue();
    await assigned;

    const [queued, ...others] = await messages();
    expect(others).toEqual([]);
    expect(queued).toMatchObject({
      kind: 'lead.assigned',
      recipientUserId: rep.id,
      recipient: rep.email,
      language: 'nl',
      contactId,
      status: 'pending',
      attempts: 0,
    });

    const { mailer } = await smtpServer();
    expect(await context.services.notifications.sendDue(mailer, 'test')).toBe(1);
    const [mail] = await smtp!.waitFor(1);
    expect(mail!.subject).toBe('Nieuwe lead voor jou: Jan Jansen (Acme B.V.)');
    expect(mail!.to).toMatchObject({ value: [{ address: rep.email }] });
    expect(mail!.from).toMatchObject({ value: [{ address: 'baton@acme-ict.nl' }] });
    expect(mail!.messageId).toBe(`<${queued!.id}@acme-ict.nl>`);
    expect(mail!.headers.get('content-language')).toBe('nl');
    const text = mail!.text!;
    expect(text).toContain('Hallo Sanne de Vries,');
    expect(text).toContain('Jan Jansen, CTO');
    expect(text).toContain('jan.jansen@acme.nl');
    expect(text).toContain('Waarom dit een marketing-gekwalificeerde lead is');
    expect(text).toMatch(/Demo aangevraagd \(\+\d+\)/); // the default rule's label, in the reader's language
    expect(text).toContain('De lead toonde sterke koopintentie');
    // The touch, in Dutch and in the rep's time zone (09:00 Amsterdam = 08:00 UTC).
    expect(text).toMatch(/1 dec 2026.*09:00 · Demo aangevraagd · Cloud Q4/);
    expect(text).toContain('Waarom jij');
    expect(text).toContain(`${publicUrl}/leads/${contactId}`);
    expect(mail!.html).toContain(`href="${publicUrl}/leads/${contactId}"`);

    const [sent] = await messages();
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, sentAt: '2026-12-01T09:00:00.000Z' });
  });

  it('writes English to an English-speaking rep, and says who reassigned the lead and why', async () => {
    const manager = await person('sales_manager', { name: 'Mark Bakker' });
    const first = await person('sales_rep', { managerId: manager.id });
    const second = await person('sales_rep', { managerId: manager.id, language: 'en', name: 'Tom Smit' });
    await poolOf(first.id);
    const contactId = await lead('eva@globex.nl', { firstName: 'Eva' });
    await context.services.routing.routeContact(cli, contactId);
    await context.services.routing.reassign(
      { kind: 'user', userId: manager.id, role: 'sales_manager' },
      contactId,
      { userId: second.id, reason: 'Tom covers Globex' },
    );
    const { mailer } = await smtpServer();
    expect(await context.services.notifications.sendDue(mailer, 'test')).toBe(2);
    const mails = await smtp!.waitFor(2);
    const toTom = mails.find((m) => m.text!.includes('Hello Tom Smit'))!;
    expect(toTom.subject).toBe('New lead for you: Eva (globex.nl)');
    expect(toTom.text).toContain('A lead was reassigned to you by Mark Bakker.');
    expect(toTom.text).toContain('Reassigned by hand. Reason: Tom covers Globex');
    expect(toTom.text).toContain('Not scored');
  });

  it('stores the email in the transaction of the assignment: when the email cannot be stored, neither is the assignment', async () => {
    const rep = await person('sales_rep');
    await poolOf(rep.id);
    const contactId = await lead('kees@acme.nl');
    await sql`drop table outbox`.execute(context.database.db);
    await expect(context.services.routing.routeContact(cli, contactId)).rejects.toThrow();
    expect(await context.services.routing.listAssignments(cli, contactId)).toEqual([]);
    expect((await context.services.contacts.getContact(cli, contactId)).ownerId).toBeNull();
  });

  it('tries again with backoff after a temporary refusal, and gives up at once on a permanent one', async () => {
    const rep = await person('sales_rep');
    await poolOf(rep.id);
    // The first message is refused for now (451), the second for good (550); then all is well.
    const { mailer } = await smtpServer({
      answer: (n) =>
        n === 1
          ? { code: 451, message: 'Try again later' }
          : n === 2
            ? { code: 550, message: 'No such mailbox' }
            : null,
    });
    const service = outbox();
    await context.services.routing.routeContact(cli, await lead('a@acme.nl'));
    expect(await service.sendDue(mailer, 'one')).toBe(1);
    let [first] = await messages();
    expect(first).toMatchObject({
      status: 'pending',
      attempts: 1,
      // 30 s after the failure (the jitter is fixed at the middle here).
      nextAttemptAt: '2026-12-01T09:00:30.000Z',
    });
    expect(first!.lastError).toContain('451');
    expect(await service.sendDue(mailer, 'one')).toBe(0); // not due yet

    await context.services.routing.routeContact(cli, await lead('b@acme.nl'));
    expect(await service.sendDue(mailer, 'one')).toBe(1);
    const refused = (await messages()).find((m) => m.id !== first!.id)!;
    expect(refused).toMatchObject({ status: 'dead', attempts: 1, nextAttemptAt: null });
    expect(refused.lastError).toContain('550');

    context.clock.advance(30_000);
    expect(await service.sendDue(mailer, 'one')).toBe(1);
    [first] = (await messages()).filter((m) => m.id === first!.id);
    expect(first).toMatchObject({ status: 'sent', attempts: 2, lastError: null });

    // An admin sends the dead one again once the address is fixed.
    await context.services.notifications.retryOutboxMessage(cli, refused.id);
    expect(await service.sendDue(mailer, 'one')).toBe(1);
    expect((await messages()).map((m) => m.status)).toEqual(['sent', 'sent']);
    expect(smtp!.received).toHaveLength(2);
  });

  it('gives up after the last attempt, waiting longer each time', async () => {
    const rep = await person('sales_rep');
    await poolOf(rep.id);
    const { mailer } = await smtpServer({ answer: () => ({ code: 421, message: 'Service not available' }) });
    const service = outbox(3);
    await context.services.routing.routeContact(cli, await lead('a@acme.nl'));
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await service.sendDue(mailer, 'one')).toBe(1);
      const [message] = await messages();
      if (attempt < 3) {
        expect(message!.status).toBe('pending');
        const wait = Date.parse(message!.nextAttemptAt!) - context.clock.now().getTime();
        waits.push(wait);
        context.clock.advance(wait);
      } else expect(message).toMatchObject({ status: 'dead', attempts: 3 });
    }
    expect(waits).toEqual([30_000, 60_000]);
  });

  it('lets several dispatchers share one outbox: every email is sent once', async () => {
    const reps = [await person('sales_rep'), await person('sales_rep')];
    await poolOf(...reps.map((r) => r.id));
    for (let i = 0; i < 24; i++)
      await context.services.routing.routeContact(cli, await lead(`p${i}@acme.nl`));
    const { mailer } = await smtpServer();
    const dispatch = async (owner: string) => {
      let handled = 0;
      for (let n = 1; n > 0; handled += n) n = await context.services.notifications.sendDue(mailer, owner, 5);
      return handled;
    };
    const handled = await Promise.all([dispatch('a'), dispatch('b'), dispatch('c')]);
    expect(handled.reduce((a, b) => a + b)).toBe(24);
    await smtp!.waitFor(24);
    const ids = smtp!.received.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(24);
    expect((await messages()).every((m) => m.status === 'sent' && m.attempts === 1)).toBe(true);
  });

  it('leaves a message another dispatcher holds until its lease runs out', async () => {
    const rep = await person('sales_rep');
    await poolOf(rep.id);
    await context.services.routing.routeContact(cli, await lead('a@acme.nl'));
    const { mailer } = await smtpServer();
    // A dispatcher that takes the message and dies before sending it.
    const dead = createSmtpMailer({ url: 'smtp://127.0.0.1:9', from: 'baton@acme-ict.nl' });
    const stuck = { send: () => new Promise<never>(() => undefined), close: () => dead.close() };
    void context.services.notifications.sendDue(stuck, 'crashed');
    await expect.poll(async () => (await messages())[0]?.status).toBe('pending');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await context.services.notifications.sendDue(mailer, 'alive')).toBe(0);
    context.clock.advance(5 * 60_000 + 1);
    expect(await context.services.notifications.sendDue(mailer, 'alive')).toBe(1);
    await smtp!.waitFor(1);
    expect((await messages())[0]).toMatchObject({ status: 'sent' });
    dead.close();
  });

  it('alerts the managers when no one can take a lead, but not when the reps are only off for the night', async () => {
    const director = await person('director');
    const manager = await person('sales_manager', { managerId: director.id, language: 'nl', name: 'Mirjam' });
    const rep = await person('sales_rep', { managerId: manager.id });
    await poolOf(rep.id);

    // Everyone absent: the lead waits, and the rep's manager hears why.
    await context.services.users.addAbsence(cli, rep.id, {
      startsAt: '2026-11-30T00:00:00Z',
      endsAt: '2026-12-02T00:00:00Z',
    });
    const absentLead = await lead('a@acme.nl', { firstName: 'Ans' });
    expect(await context.services.routing.routeContact(cli, absentLead)).toMatchObject({
      kind: 'unassigned',
    });
    let queued = await messages();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      kind: 'lead.unassigned',
      recipientUserId: manager.id,
      language: 'nl',
      subject: 'Niemand kon een lead aannemen: Ans (acme.nl)',
    });
    const detail = await context.services.notifications.getOutboxMessage(cli, queued[0]!.id);
    expect(detail.bodyText).toContain('1 verkoper afwezig');
    expect(detail.bodyText).toContain(`${publicUrl}/queue/unassigned`);

    // Trying the queue again while the rep is still away alerts no one a second time.
    await context.services.routing.routeQueued(cli);
    expect(await messages()).toHaveLength(1);

    // 22:00 in Amsterdam, the rep back: only outside working hours. No alert; the lead waits.
    context.clock.set('2026-12-02T21:00:00.000Z');
    const nightLead = await lead('b@acme.nl');
    expect(await context.services.routing.routeContact(cli, nightLead)).toMatchObject({ kind: 'unassigned' });
    expect(await messages()).toHaveLength(1);

    // The next working morning the queue is tried again: both leads reach the rep, who is told.
    context.clock.set('2026-12-03T08:05:00.000Z');
    expect(await context.services.routing.routeQueued(cli)).toBe(2);
    expect(await context.services.routing.listUnassigned(cli)).toEqual([]);
    queued = await messages();
    expect(queued.filter((m) => m.kind === 'lead.assigned').map((m) => m.recipientUserId)).toEqual([
      rep.id,
      rep.id,
    ]);
  });

  it('alerts every sales manager when no rule matches and there is no fallback pool', async () => {
    const managers = [await person('sales_manager'), await person('sales_manager')];
    await person('admin');
    const contactId = await lead('a@acme.nl');
    expect(await context.services.routing.routeContact(cli, contactId)).toMatchObject({ kind: 'unassigned' });
    const alerts = await messages();
    expect(alerts.map((m) => m.recipientUserId).sort()).toEqual(managers.map((m) => m.id).sort());
    const detail = await context.services.notifications.getOutboxMessage(cli, alerts[0]!.id);
    expect(detail.bodyText).toContain('No rule matched and there is no fallback pool.');
  });

  it('sends at once when a message is queued, with the dispatcher running', async () => {
    const rep = await person('sales_rep');
    await poolOf(rep.id);
    const { mailer } = await smtpServer();
    const dispatcher = startOutboxDispatcher(
      () => context.services.notifications.sendDue(mailer, 'loop'),
      context.events,
      { intervalMs: 60_000, batch: 10, onError: (error) => context.handlerErrors.push(error) },
    );
    try {
      // The first look finds nothing; the dispatcher then rests for a minute unless woken.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await context.services.routing.routeContact(cli, await lead('a@acme.nl'));
      const [mail] = await smtp!.waitFor(1, 30_000);
      expect(mail!.subject).toContain('New lead for you');
    } finally {
      await dispatcher.stop();
    }
    expect(context.handlerErrors).toEqual([]);
  });
});
