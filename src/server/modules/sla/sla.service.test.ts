import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Role } from '../../../domain/access/roles.ts';
import { performanceFactor } from '../../../domain/routing/choose-rep.ts';
import { createSmtpMailer } from '../../platform/mailer.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../../testing/smtp.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';
import { findInstancesOfContact } from './sla.repository.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('the follow-up SLA', (getDatabase) => {
  let context: TestContext;
  let smtp: TestSmtpServer | undefined;

  beforeEach(() => {
    context = createTestContext(getDatabase());
    // Tuesday 1 December 2026, 10:00 in Amsterdam (the default calendar: 09:00–17:30, Dutch holidays).
    context.clock.set('2026-12-01T09:00:00.000Z');
  });
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });

  let counter = 0;
  const person = (role: Role, extra: { managerId?: string; name?: string; language?: 'en' | 'nl' } = {}) =>
    context.services.users.createUser(cli, {
      email: `${role}.${++counter}@acme-ict.nl`,
      name: extra.name ?? `${role} ${counter}`,
      role,
      ...(extra.managerId && { managerId: extra.managerId }),
      ...(extra.language && { language: extra.language }),
    });
  const org = async () => {
    const director = await person('director', { name: 'Dirk Directeur', language: 'nl' });
    const manager = await person('sales_manager', { managerId: director.id, name: 'Mirjam Manager' });
    const rep = await person('sales_rep', { managerId: manager.id, name: 'Ruud Rep' });
    const other = await person('sales_rep', { managerId: manager.id, name: 'Olga Other' });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    return { director, manager, rep, other, pool };
  };
  const lead = async (email: string) => {
    const outcome = await context.services.capture.ingest(
      cli,
      { type: 'page_viewed', occurredAt: '2026-12-01T08:00:00Z', email, firstName: email.split('@')[0] },
      undefined,
    );
    return outcome.body.results[0]!.contactId!;
  };
  /** A person makes the lead an MQL; routing reacts and assigns it. */
  const toMql = async (contactId: string) => {
    await context.services.contacts.changeStage(cli, contactId, { to: 'mql' });
    await expect
      .poll(async () => (await context.services.routing.listAssignments(cli, contactId)).length)
      .toBe(1);
  };
  /** Every queued email, oldest first. */
  const outbox = async () =>
    (await context.services.notifications.listOutbox(cli, { limit: 200 })).data.reverse().map((m) => ({
      kind: m.kind,
      to: m.recipientUserId,
      subject: m.subject,
      contactId: m.contactId,
    }));
  /** Moves the clock to `iso` and sweeps, as the server does every few seconds. */
  const at = async (iso: string) => {
    context.clock.set(iso);
    await context.services.leadFlow.sweepClocks();
  };

  it('escalates an ignored MQL to the manager, then the director, then reassigns it; the rep’s factor drops', async () => {
    const { director, manager, rep, other, pool } = await org();
    const leads = [];
    for (let i = 0; i < 5; i++) leads.push(await lead(`lead${i}@initech.nl`));
    for (const id of leads) {
      await toMql(id);
    }
    const [first] = leads as [string];
    const clocks = await findInstancesOfContact(context.database.db, first);
    expect(clocks.map((c) => [c.target, c.status, new Date(c.deadline_at).toISOString()])).toEqual([
      ['first_response', 'running', '2026-12-01T13:00:00.000Z'], // 4 business hours: 14:00
      ['accept_or_reject', 'running', '2026-12-02T09:00:00.000Z'], // one business day: Wednesday 10:00
    ]);
    // Olga joins the pool later: the only other rep routing can choose after the misses.
    await context.services.routing.updatePool(cli, pool.id, {
      members: [{ userId: rep.id }, { userId: other.id }],
    });

    await at('2026-12-01T11:00:00.000Z'); // half of the 4 hours: a reminder to the rep
    let mails = (await outbox()).filter((m) => m.contactId === first);
    expect(mails.filter((m) => m.kind === 'sla.reminder').map((m) => m.to)).toEqual([rep.id]);

    await at('2026-12-01T13:00:00.000Z'); // the first miss: to the manager
    mails = (await outbox()).filter((m) => m.contactId === first && m.kind === 'sla.breached');
    expect(mails.map((m) => m.to)).toEqual([manager.id]);
    // Sweeping again takes no step twice.
    await context.services.leadFlow.sweepClocks();
    expect((await outbox()).filter((m) => m.contactId === first && m.kind === 'sla.breached')).toHaveLength(
      1,
    );

    // Tuesday 14:00 + 4 business hours = Wednesday 09:30 (17:30 closes): the director, in Dutch.
    await at('2026-12-02T08:30:00.000Z');
    mails = (await outbox()).filter((m) => m.contactId === first && m.kind === 'sla.breached');
    expect(mails.map((m) => m.to)).toEqual([manager.id, director.id]);

    // One more window: routing gives the lead to someone else — never the rep who missed.
    await at('2026-12-02T12:30:00.000Z');
    const assignments = await context.services.routing.listAssignments(cli, first);
    expect(assignments.at(-1)).toMatchObject({
      userId: other.id,
      reason: 'SLA missed (first_response)',
      // The same reason as a code with parameters, for the reader's language.
      reasonMessage: { code: 'sla_missed', params: { target: 'first_response' } },
    });
    expect((await context.services.contacts.getContact(cli, first)).ownerId).toBe(other.id);
    expect(
      (await outbox()).filter((m) => m.contactId === first && m.kind === 'lead.assigned').map((m) => m.to),
    ).toEqual([rep.id, other.id]);
    // The misses stay on Ruud's record; Olga's clocks start fresh.
    const after = await findInstancesOfContact(context.database.db, first);
    expect(after.filter((c) => c.user_id === rep.id).map((c) => c.status)).toEqual(['breached', 'breached']);
    expect(after.filter((c) => c.user_id === other.id).map((c) => c.status)).toEqual(['running', 'running']);

    // Ruud missed every clock of five leads: his share of new leads halves.
    const records = await context.services.sla.recordsOf([rep.id, other.id]);
    expect(records.get(rep.id)).toEqual({ measured: 10, met: 0 });
    expect(performanceFactor(records.get(rep.id)!)).toBe(0.5);
    expect(records.get(other.id)).toBeNull();

    // The escalation emails reach a real SMTP server.
    smtp = await startTestSmtpServer();
    const mailer = createSmtpMailer({ url: smtp.url, from: 'baton@acme-ict.nl' });
    try {
      while ((await context.services.notifications.sendDue(mailer, 'test', 50)) > 0);
    } finally {
      mailer.close();
    }
    const received = smtp.received;
    const toDirector = received.filter((m) => m.to && JSON.stringify(m.to).includes(director.email));
    expect(toDirector.length).toBeGreaterThan(0);
    expect(toDirector[0]!.text).toContain('Dit is de tweede escalatie');
    // Rendered as they are sent, in each recipient's language.
    const toManager = received.find(
      (m) =>
        m.subject === 'Missed follow-up: Ruud Rep has not responded to lead0 (initech.nl) (0 min overdue)',
    )!;
    expect(
      received.some(
        (m) =>
          m.subject ===
          'Opnieuw gemist (niveau 2): Ruud Rep heeft niet gereageerd op lead0 (initech.nl) (4 u 0 min te laat)',
      ),
    ).toBe(true);
    expect(toManager.text).toContain('Ruud Rep did not meet "MQL: first response"');
    expect(toManager.text).toContain(`https://baton.example.nl/leads/${first}`);
  });

  it('stops the ladder the moment the rep responds: no director email after a call between the escalations', async () => {
    const { director, manager, rep } = await org();
    const id = await lead('eva@globex.nl');
    await toMql(id);
    await at('2026-12-01T13:00:00.000Z');
    expect((await outbox()).filter((m) => m.kind === 'sla.breached').map((m) => m.to)).toEqual([manager.id]);

    // Ruud calls at 15:00 Amsterdam.
    context.clock.set('2026-12-01T14:00:00.000Z');
    await context.services.capture.ingest(
      cli,
      { type: 'call_logged', occurredAt: '2026-12-01T14:00:00Z', email: 'eva@globex.nl', userId: rep.id },
      undefined,
    );
    // The reaction on the bus runs after the commit; the sweeper would catch it regardless.
    await expect
      .poll(
        async () =>
          (await findInstancesOfContact(context.database.db, id)).find((c) => c.target === 'first_response')
            ?.responded_at,
      )
      .toBeTruthy();

    await at('2026-12-02T08:30:00.000Z');
    await at('2026-12-02T12:30:00.000Z');
    const breached = (await outbox()).filter((m) => m.kind === 'sla.breached');
    expect(breached.filter((m) => m.to === director.id)).toEqual([]);
    const firstResponse = (await findInstancesOfContact(context.database.db, id)).find(
      (c) => c.target === 'first_response',
    )!;
    expect(firstResponse).toMatchObject({ status: 'breached', level: 1, next_check_at: null });
    expect(new Date(firstResponse.responded_at!).toISOString()).toBe('2026-12-01T14:00:00.000Z');
    // Nobody took the lead away from Ruud.
    expect((await context.services.contacts.getContact(cli, id)).ownerId).toBe(rep.id);
  });

  it('meets the clocks when the rep accepts in time, and starts the SAL clock', async () => {
    const { rep } = await org();
    const id = await lead('kees@acme.nl');
    await toMql(id);
    context.clock.set('2026-12-01T10:00:00.000Z');
    await context.services.contacts.changeStage({ kind: 'user', userId: rep.id, role: 'sales_rep' }, id, {
      to: 'sal',
    });
    await expect
      .poll(async () =>
        (await findInstancesOfContact(context.database.db, id)).map((c) => [c.stage, c.target, c.status]),
      )
      .toEqual([
        ['mql', 'first_response', 'met'],
        ['mql', 'accept_or_reject', 'met'],
        ['sal', 'qualify_or_recycle', 'running'],
      ]);
    // Five business days from Tuesday 11:00 is the next Tuesday 11:00: not qualified by then, a miss.
    await at('2026-12-08T09:59:00.000Z');
    expect((await outbox()).filter((m) => m.kind === 'sla.breached')).toEqual([]);
    await at('2026-12-08T10:00:00.000Z');
    const sal = (await findInstancesOfContact(context.database.db, id)).find((c) => c.stage === 'sal')!;
    expect(sal).toMatchObject({ status: 'breached', level: 1 });
    expect((await outbox()).filter((m) => m.kind === 'sla.breached')).toHaveLength(1);
  });

  it('starts the SAL clock in the stage change itself: no reaction has to run for it', async () => {
    const { rep } = await org();
    const id = await lead('kees@acme.nl');
    await toMql(id);
    // The same database, but a process whose bus nobody hears (it died right after the commit).
    const deaf = createTestContext(context.database, context.clock, { reactions: false });
    context.clock.set('2026-12-01T10:00:00.000Z');
    await deaf.services.contacts.changeStage({ kind: 'user', userId: rep.id, role: 'sales_rep' }, id, {
      to: 'sal',
    });
    expect(
      (await findInstancesOfContact(context.database.db, id)).map((c) => [c.stage, c.target, c.status]),
    ).toEqual([
      ['mql', 'first_response', 'running'],
      ['mql', 'accept_or_reject', 'running'],
      ['sal', 'qualify_or_recycle', 'running'],
    ]);
    // The MQL clocks the reaction would have met are settled by the sweeper from the history
    // when their next step comes due (the reminders at 13:00 and 13:15), before any email.
    await at('2026-12-01T14:00:00.000Z');
    expect(
      (await findInstancesOfContact(context.database.db, id)).map((c) => [c.stage, c.target, c.status]),
    ).toEqual([
      ['mql', 'first_response', 'met'],
      ['mql', 'accept_or_reject', 'met'],
      ['sal', 'qualify_or_recycle', 'running'],
    ]);
    expect((await outbox()).filter((m) => m.kind.startsWith('sla.'))).toEqual([]);
  });

  it('takes each step once when several sweepers run at the same moment', async () => {
    const { manager } = await org();
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await lead(`p${i}@acme.nl`));
    for (const id of ids) {
      await toMql(id);
    }
    context.clock.set('2026-12-01T13:00:00.000Z');
    await Promise.all([
      context.services.leadFlow.sweepClocks(),
      context.services.leadFlow.sweepClocks(),
      context.services.leadFlow.sweepClocks(),
    ]);
    const breached = (await outbox()).filter((m) => m.kind === 'sla.breached');
    expect(breached.map((m) => m.to)).toEqual(Array(6).fill(manager.id));
    expect(new Set(breached.map((m) => m.contactId)).size).toBe(6);
  });

  it('reports each rep’s follow-up over a period, idle reps too: met, breached by level, compliance and speed to lead', async () => {
    const { rep, manager } = await org();
    const answered = await lead('a@acme.nl');
    const ignored = await lead('b@acme.nl');
    await toMql(answered);
    await toMql(ignored);
    // Ruud calls the first lead after 30 minutes; the second he leaves.
    context.clock.set('2026-12-01T09:30:00.000Z');
    await context.services.capture.ingest(
      cli,
      { type: 'call_logged', occurredAt: '2026-12-01T09:30:00Z', email: 'a@acme.nl', userId: rep.id },
      undefined,
    );
    await context.services.sla.recheck(answered);
    await at('2026-12-01T13:00:00.000Z');
    await at('2026-12-02T08:30:00.000Z');

    const period = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-08T00:00:00.000Z' };
    const report = await context.services.sla.report(cli, period);
    const figures = {
      clocks: 4,
      measured: 2, // the two first-response clocks; the accept-or-reject clocks still run
      met: 1,
      breached: 1,
      breachedByLevel: { '2': 1 },
      waived: 0,
      reassigned: 0,
      compliance: 0.5,
      // Both leads were handed over at 09:00 UTC (their first clocks started then); one got a
      // call 30 minutes later.
      speedToLead: {
        leads: 2,
        touched: 1,
        medianMs: 30 * 60_000,
        p90Ms: 30 * 60_000,
        // 30 minutes: in the bucket up to an hour.
        distribution: [
          { upToMs: 5 * 60_000, leads: 0 },
          { upToMs: 15 * 60_000, leads: 0 },
          { upToMs: 60 * 60_000, leads: 1 },
          { upToMs: 240 * 60_000, leads: 0 },
          { upToMs: 1440 * 60_000, leads: 0 },
          { upToMs: null, leads: 0 },
        ],
      },
    };
    expect(report.total).toEqual(figures);
    // Olga had nothing this week; she still has her line, under her name.
    expect(report.reps.map((r) => [r.name, r.clocks, r.compliance])).toEqual([
      ['Olga Other', 0, null],
      ['Ruud Rep', 4, 0.5],
    ]);
    expect(report.reps[1]).toEqual({ userId: rep.id, name: 'Ruud Rep', ...figures });

    // A rep sees only their own record: an idle rep has a line with nothing in it, as every
    // idle rep has in the manager's view.
    const other = await person('sales_rep', { managerId: manager.id });
    const asOther = await context.services.sla.report(
      { kind: 'user', userId: other.id, role: 'sales_rep' },
      period,
    );
    expect(asOther.reps.map((r) => [r.userId, r.clocks, r.compliance, r.speedToLead.leads])).toEqual([
      [other.id, 0, null, 0],
    ]);
    expect(asOther.total.clocks).toBe(0);
    const all = await context.services.sla.report(cli, period);
    expect(all.reps.map((r) => [r.userId, r.clocks])).toEqual(
      expect.arrayContaining([
        [rep.id, 4],
        [other.id, 0],
      ]),
    );
    await expect(
      context.services.sla.report(cli, { from: period.to, to: period.from }),
    ).rejects.toMatchObject({ code: 'http.validation_failed' });
  });
});
