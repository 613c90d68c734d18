import { createTransport } from 'nodemailer';
import { beforeEach, expect, it } from 'vitest';
import { startMailListener, type MailListener } from '../../platform/mail-listener.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { outlookInvitation } from '../../testing/invitations.ts';
import { addUser, createTestContext, routedLead, type TestContext } from '../../testing/world.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('the logging address', (getDatabase) => {
  let context: TestContext;
  let listener: MailListener;
  const refused: string[] = [];

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    // A Tuesday, 10:00 in Amsterdam: inside everyone's working hours.
    context.clock.set('2026-12-01T09:00:00.000Z');
    refused.length = 0;
    const mailbox = context.services.mailbox;
    listener = await startMailListener({
      host: '127.0.0.1',
      port: 0,
      maxBytes: 64 * 1024,
      accepts: (address) => mailbox.acceptsRecipient(address),
      onMessage: (envelope, headers) => mailbox.receive(envelope, headers),
      onRefused: (why) => {
        mailbox.refused(why);
        refused.push(why);
      },
      onError: (error) => {
        throw error;
      },
    });
    return () => listener.close();
  });

  /** A rep with a routed demo request from Jan at Klant, whose first-response clock runs. */
  const world = async () => {
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
    const { address } = await context.services.mailbox.myLoggingAddress(asRep);
    return { manager, rep, lead, asRep, address };
  };
  const firstResponse = async (contactId: string) =>
    (await context.services.sla.listClocks(cli, contactId)).find((c) => c.target === 'first_response')!;
  /** Delivers a message to the listener as the logging domain's MX would: to the logging address only. */
  const deliver = (
    message: {
      from: string;
      to?: string;
      cc?: string;
      subject?: string;
      messageId?: string;
      text?: string;
      icalEvent?: { method: string; content: string };
      date?: Date;
      attachments?: { filename: string; contentType: string; content: string }[];
    },
    rcpt: string[],
  ) =>
    createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true }).sendMail({
      ...message,
      envelope: { from: message.from, to: rcpt },
    });

  it('stops the first-response clock by the time the rep’s BCC is delivered, and logs it once', async () => {
    // The lead arrives 0.7 s into a second, and the rep's email leaves in that same second: its Date
    // header (whole seconds) reads earlier than the clock's start, yet it answers the lead.
    context.clock.set('2026-12-01T09:00:00.700Z');
    const { rep, lead, address } = await world();
    expect(address).toMatch(/^log\+[a-z0-9]{20}@baton\.example\.nl$/);
    expect((await firstResponse(lead)).status).toBe('running');

    const email = {
      from: 'Ruud <ruud@nordwind.nl>',
      to: 'Jan <jan@klant.nl>',
      cc: 'fleur@nordwind.nl',
      subject: 'Uw demo van Baton',
      text: 'Beste Jan, ...',
      messageId: '<demo-1@nordwind.nl>',
      date: new Date('2026-12-01T09:00:00.000Z'),
    };
    await deliver(email, [address]);
    // The answer came after the clock was settled: no waiting.
    expect((await firstResponse(lead)).status).toBe('met');
    const logged = (await context.services.contacts.listTouchpoints(cli, lead)).filter(
      (t) => t.type === 'email_sent',
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ category: 'sales' });
    // A relay's retry of the same message adds nothing; the colleague in Cc is never a lead.
    await deliver(email, [address]);
    expect(
      (await context.services.contacts.listTouchpoints(cli, lead)).filter((t) => t.type === 'email_sent'),
    ).toHaveLength(1);
    expect((await context.services.contacts.listContacts(cli, { email: 'fleur@nordwind.nl' })).data).toEqual(
      [],
    );
    expect(
      context.services.mailbox.status({ kind: 'user', userId: rep.id, role: 'admin' }).counts,
    ).toMatchObject({
      received: 2,
      logged: 1,
      duplicates: 1,
    });
  });

  it('logs a lead’s reply that the rep forwards as the lead’s email to them, attached or quoted, once each', async () => {
    const { lead, address } = await world();
    const touches = async () =>
      (await context.services.contacts.listTouchpoints(cli, lead)).filter((t) => t.type === 'email_received');
    // Forwarded as an attachment: the attached message's own headers.
    const original = [
      'From: Jan <jan@klant.nl>',
      'To: Ruud <ruud@nordwind.nl>',
      'Subject: Re: Uw demo van Baton',
      'Message-ID: <reply-1@klant.nl>',
      'Date: Tue, 01 Dec 2026 08:30:00 +0000',
      '',
      'Graag, donderdag past ons.',
    ].join('\r\n');
    const attached = {
      from: 'ruud@nordwind.nl',
      to: 'log@nordwind.nl',
      subject: 'Fwd: Re: Uw demo van Baton',
      messageId: '<fwd-1@nordwind.nl>',
      attachments: [{ filename: 'reply.eml', contentType: 'message/rfc822', content: original }],
    };
    await deliver(attached, [address]);
    expect(await touches()).toEqual([
      expect.objectContaining({
        category: 'sales',
        properties: { via: 'logging_address', subject: 'Re: Uw demo van Baton' },
      }),
    ]);
    // Forwarded inline, in Dutch Outlook's words.
    await deliver(
      {
        from: 'ruud@nordwind.nl',
        to: 'log@nordwind.nl',
        subject: 'FW: Prijzen',
        messageId: '<fwd-2@nordwind.nl>',
        text: [
          'Ter info',
          '',
          '-----Oorspronkelijk bericht-----',
          'Van: Jan <jan@klant.nl>',
          'Verzonden: dinsdag 1 december 2026 09:12',
          'Aan: Ruud <ruud@nordwind.nl>',
          'Onderwerp: Prijzen',
          '',
          'Wat kost het per gebruiker?',
        ].join('\n'),
      },
      [address],
    );
    expect((await touches()).map((t) => t.properties.subject)).toEqual(
      expect.arrayContaining(['Re: Uw demo van Baton', 'Prijzen']),
    );
    // Forwarding the same reply again logs nothing new; the lead's email answers no clock.
    await deliver({ ...attached, messageId: '<fwd-3@nordwind.nl>' }, [address]);
    expect(await touches()).toHaveLength(2);
    expect((await firstResponse(lead)).status).toBe('running');
  });

  it('drops what is not the owner’s, refuses unknown addresses and oversized messages, and keeps going', async () => {
    const { lead, asRep, address } = await world();
    // Another sender at the rep's address: dropped and counted, never a reply.
    await deliver(
      { from: 'spoof@elders.nl', to: 'jan@klant.nl', subject: 'Hi', messageId: '<x-1@elders.nl>' },
      [address],
    );
    // An address no one has, or a made-up token: refused at RCPT TO.
    await expect(
      deliver({ from: 'ruud@nordwind.nl', to: 'jan@klant.nl' }, [
        'log+aaaaaaaaaaaaaaaaaaaa@baton.example.nl',
      ]),
    ).rejects.toMatchObject({ responseCode: 550 });
    // Too large: refused with 552, and the next message is taken as usual.
    await expect(
      deliver({ from: 'ruud@nordwind.nl', to: 'jan@klant.nl', subject: 'Big', text: 'x'.repeat(80 * 1024) }, [
        address,
      ]),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect(refused).toEqual(['too_large']);
    expect((await firstResponse(lead)).status).toBe('running');

    // A domain the company never logs (a client under a confidentiality agreement, say): skipped.
    const asAdmin = { kind: 'user', userId: (await addUser(context, 'admin')).id, role: 'admin' } as const;
    await context.services.mailbox.updateSettings(asAdmin, { ignoredDomains: ['KLANT.nl'] });
    expect(await context.services.mailbox.getSettings(asAdmin)).toMatchObject({
      ignoredDomains: ['klant.nl'],
    });
    await deliver({ from: 'ruud@nordwind.nl', to: 'jan@klant.nl', messageId: '<p-1@nordwind.nl>' }, [
      address,
    ]);
    expect((await firstResponse(lead)).status).toBe('running');
    const audit = await context.services.auditLog.list(cli, { action: 'mail_log.settings_changed' });
    expect(audit.data[0]).toMatchObject({
      actor: { id: asAdmin.userId },
      details: { ignoredDomains: ['klant.nl'] },
    });
    await context.services.mailbox.updateSettings(asAdmin, { ignoredDomains: [] });

    // Renewed: the old address stops working, the new one works.
    const renewed = await context.services.mailbox.renewLoggingAddress(asRep);
    expect(renewed.address).not.toBe(address);
    await expect(
      deliver({ from: 'ruud@nordwind.nl', to: 'jan@klant.nl', messageId: '<r-1@nordwind.nl>' }, [address]),
    ).rejects.toMatchObject({ responseCode: 550 });
    await deliver({ from: 'ruud@nordwind.nl', to: 'jan@klant.nl', messageId: '<r-1@nordwind.nl>' }, [
      renewed.address,
    ]);
    expect((await firstResponse(lead)).status).toBe('met');
    expect(context.services.mailbox.status({ kind: 'cli' }).counts).toMatchObject({
      unknownSender: 1,
      refusedRecipients: 2,
      tooLarge: 1,
      logged: 1,
    });
  });

  it('books a meeting from a forwarded invitation, holds it once it has begun, and never one that was cancelled', async () => {
    const { lead, address } = await world();
    const touches = async (type: string) =>
      (await context.services.contacts.listTouchpoints(cli, lead)).filter((t) => t.type === type);
    // Two invitations to Jan for 10:10 in Amsterdam, ten minutes from now; the second is cancelled.
    const forward = (method: string, uid: string) =>
      deliver(
        {
          from: 'ruud@nordwind.nl',
          to: address,
          subject: `FW: Demo Baton (${uid})`,
          text: 'Doorgestuurd',
          icalEvent: { method, content: outlookInvitation({ method, uid, start: '20261201T101000' }) },
        },
        [address],
      );
    await forward('REQUEST', 'm1@nordwind.nl');
    await forward('REQUEST', 'm2@nordwind.nl');
    await forward('CANCEL', 'm2@nordwind.nl');
    expect(await touches('meeting_booked')).toHaveLength(2);
    // Booked is not yet follow-up: the first-response clock runs until the meeting is held.
    expect((await firstResponse(lead)).status).toBe('running');
    expect(await context.services.mailbox.holdPastMeetings()).toBe(0);

    context.clock.advance(11 * 60_000);
    expect(await context.services.mailbox.holdPastMeetings()).toBe(1);
    const held = await touches('meeting_held');
    expect(held).toHaveLength(1);
    expect(held[0]!.occurredAt).toBe('2026-12-01T09:10:00.000Z');
    expect((await firstResponse(lead)).status).toBe('met');
    // Run again (a second instance's sweep): nothing more.
    expect(await context.services.mailbox.holdPastMeetings()).toBe(0);
    expect(await touches('meeting_held')).toHaveLength(1);
    expect(context.services.mailbox.status(cli).counts).toMatchObject({
      invitations: 3,
      meetingsBooked: 2,
      meetingsHeld: 1,
    });
  });
});
