import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Role } from '../../../domain/access/roles.ts';
import { performanceFactor } from '../../../domain/routing/choose-rep.ts';
import { createSmtpMailer } from '../../platform/mailer.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { isoText } from '../../db/dialect.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../../testing/smtp.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';
import { findInstancesOfContact } from './sla.repository.ts';
import { sweepDueClocks } from './sla.usecases.ts';
import { readDigest } from '../shared/queued-digests.ts';

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
  /** `count` leads at Acme, each made an MQL and routed, in order. */
  const routedMqls = async (prefix: string, count: number) => {
    const ids = [];
    for (let i = 0; i < count; i++) ids.push(await lead(`${prefix}${i}@acme.nl`));
    for (const id of ids) await toMql(id);
    return ids;
  };
  /** Every queued email, oldest first. */
  const outbox = async () =>
    (await context.services.notifications.listOutbox(cli, { limit: 200 })).data.reverse().map((m) => ({
      kind: m.kind,
      to: m.recipientUserId,
      subject: m.subject,
      contactId: m.contactId,
    }));
  /** The SLA digests of a kind queued (email or bell), oldest first: to whom, about which leads. */
  const digests = async (kind: 'sla.reminder' | 'sla.breached') => {
    const rows = await context.database.db
      .selectFrom('outbox')
      .select(['recipient_user_id', 'params'])
      .where('kind', '=', kind)
      .where('channel', 'in', ['email', 'in_app'])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      to: r.recipient_user_id,
      leads: readDigest(r.params).items.map((i) => i.contactId),
    }));
  };
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

    // Each sweep tells each person once, of all five leads: one digest, not five emails.
    await at('2026-12-01T11:00:00.000Z'); // half of the 4 hours: a reminder to the rep
    expect(await digests('sla.reminder')).toEqual([{ to: rep.id, leads: leads }]);

    await at('2026-12-01T13:00:00.000Z'); // the first miss: to the manager
    expect(await digests('sla.breached')).toEqual([{ to: manager.id, leads: leads }]);
    // Sweeping again takes no step twice.
    await context.services.leadFlow.sweepClocks();
    expect(await digests('sla.breached')).toHaveLength(1);

    // Tuesday 14:00 + 4 business hours = Wednesday 09:30 (17:30 closes): the director, in Dutch.
    await at('2026-12-02T08:30:00.000Z');
    expect(await digests('sla.breached')).toEqual([
      { to: manager.id, leads },
      { to: director.id, leads },
    ]);

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
    const to = (user: { email: string }) =>
      received.filter((m) => m.to && JSON.stringify(m.to).includes(user.email));
    // Rendered as they are sent, in each recipient's language: one email each, naming every lead.
    const [toDirector, ...moreToDirector] = to(director);
    expect(moreToDirector).toEqual([]);
    expect(toDirector!.subject).toBe(
      'Opnieuw gemist (niveau 2): 5 leads van je team zijn nog steeds te laat',
    );
    expect(toDirector!.text).toContain('Dit is de tweede escalatie');
    expect(toDirector!.text).toContain('"MQL: eerste reactie", deadline');
    // The manager heard twice, once a sweep: of the first responses missed, then of the decisions.
    expect(to(manager)).toHaveLength(2);
    const toManager = to(manager).find((m) => m.text!.includes('"MQL: first response", due'));
    expect(to(manager).find((m) => m.text!.includes('"MQL: accept or reject", due'))).toBeDefined();
    expect(toManager!.subject).toBe('Missed follow-up: 5 leads of your team are overdue');
    for (const [i, id] of leads.entries()) {
      expect(toManager!.text).toContain(`lead${i} (initech.nl)`);
      expect(toManager!.text).toContain(`Open the lead in Baton: https://baton.example.nl/leads/${id}`);
    }
    expect(toManager!.text).toContain('Rep: Ruud Rep');
    expect(toManager!.text).toContain('"MQL: first response", due');
    expect(toManager!.text).toContain("Open your team's board: https://baton.example.nl/team");
    // The rep's digest of reminders carries each lead's own one-click links.
    const reminders = to(rep).find((m) => m.subject === 'Reminder: 5 leads are due for follow-up')!;
    expect([...reminders.text!.matchAll(/Accept: https:\/\/baton\.example\.nl\/act#token=/g)]).toHaveLength(
      5,
    );
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
    const ids = await routedMqls('p', 6);
    context.clock.set('2026-12-01T13:00:00.000Z');
    await Promise.all([
      context.services.leadFlow.sweepClocks(),
      context.services.leadFlow.sweepClocks(),
      context.services.leadFlow.sweepClocks(),
    ]);
    // Sweepers that ran side by side may each have queued a digest; together they name each lead once.
    const breached = await digests('sla.breached');
    expect(new Set(breached.map((d) => d.to))).toEqual(new Set([manager.id]));
    expect(breached.flatMap((d) => d.leads).sort()).toEqual([...ids].sort());
  });

  /** A sweep of at most `limit` due clocks, on this store (or as `db` runs its transaction). */
  const sweep = (limit: number, db = context.database.db, part?: number) =>
    sweepDueClocks({
      db,
      sqlite: context.database.sqlite,
      now: context.clock.now(),
      limit,
      ...(part !== undefined && { part }),
      reassign: () => Promise.reject(new Error('no reassignment is due')),
      publish: () => undefined,
    });

  it('keeps one digest per person for a sweep; an erased lead leaves it', async () => {
    const { manager } = await org();
    const ids = await routedMqls('q', 5);
    // The first misses, in one sweep: one digest of all five.
    context.clock.set('2026-12-01T13:00:00.000Z');
    expect(await sweep(100)).toBe(5);
    expect(await digests('sla.breached')).toEqual([{ to: manager.id, leads: ids }]);
    // The bell shows it as one alert about five leads.
    const bell = await context.services.notifications.inbox({
      kind: 'user',
      userId: manager.id,
      role: 'sales_manager',
    });
    expect(bell.data).toEqual([expect.objectContaining({ kind: 'sla.breached', lead: null, leads: 5 })]);

    // Erasing a lead takes it out of the digest that is still to be sent; it is sent without it.
    await context.services.contacts.eraseContact(cli, ids[0]!);
    expect(await digests('sla.breached')).toEqual([{ to: manager.id, leads: ids.slice(1) }]);
    smtp = await startTestSmtpServer();
    const mailer = createSmtpMailer({ url: smtp.url, from: 'baton@acme-ict.nl' });
    try {
      while ((await context.services.notifications.sendDue(mailer, 'test', 50)) > 0);
    } finally {
      mailer.close();
    }
    const sent = smtp.received.find(
      (m) => m.subject === 'Missed follow-up: 4 leads of your team are overdue',
    )!;
    expect(sent.text).not.toContain('q0');
    expect(sent.text).toContain('q1 (acme.nl)');
    // Erased after it was sent: the text that named them is blanked; whom it went to, and when, stays.
    await context.services.contacts.eraseContact(cli, ids[1]!);
    const stored = await context.database.db
      .selectFrom('outbox')
      .select(['recipient_user_id', 'body_text', 'body_html', 'subject', 'status'])
      .where('kind', '=', 'sla.breached')
      .execute();
    expect(stored).toEqual([
      {
        recipient_user_id: manager.id,
        body_text: null,
        body_html: null,
        subject: sent.subject,
        status: 'sent',
      },
    ]);
  });

  it('sweeps in parts inside its one transaction, and closes the clock of a lead that left its stage unseen', async () => {
    const { manager, rep } = await org();
    const ids = await routedMqls('s', 5);
    // The third lead became a SAL in a process that stopped before its reaction stopped the clocks.
    await context.database.db
      .updateTable('contacts')
      .set({ stage: 'sal' })
      .where('id', '=', ids[2]!)
      .execute();
    context.clock.set('2026-12-01T13:00:00.000Z');
    // Five due clocks in parts of two: one digest for all of the sweep, without the lead that left.
    expect(await sweep(100, context.database.db, 2)).toBe(5);
    const stillMql = ids.filter((_, i) => i !== 2);
    expect(await digests('sla.breached')).toEqual([{ to: manager.id, leads: stillMql }]);
    const [gone] = (await findInstancesOfContact(context.database.db, ids[2]!)).filter(
      (i) => i.target === 'first_response',
    );
    expect(gone).toMatchObject({ status: 'cancelled', closed_reason: 'left_stage', next_check_at: null });
    // Each part queued its webhook events: every reminder and breach once, none about the lead that left.
    const batches = await context.database.db.selectFrom('webhook_batches').select('events').execute();
    const events = batches.flatMap(
      (b) => JSON.parse(b.events) as { type: string; data: { contactId: string; repId: string } }[],
    );
    const breaches = events.filter((e) => e.type === 'sla.breached');
    expect(breaches.map((e) => e.data.contactId).sort()).toEqual([...stillMql].sort());
    expect(breaches.every((e) => e.data.repId === rep.id)).toBe(true);
    const reminders = events.filter((e) => e.type === 'sla.reminder').map((e) => e.data.contactId);
    expect(reminders.sort()).toEqual([...stillMql].sort());
    // The four that stay MQLs took their reminder and first breach (both due by now), once.
    for (const id of stillMql) {
      const [clock] = (await findInstancesOfContact(context.database.db, id)).filter(
        (i) => i.target === 'first_response',
      );
      expect(clock).toMatchObject({ status: 'breached', level: 1 });
      expect(Number(clock!.next_step)).toBe(2);
    }
    expect(await sweep(100, context.database.db, 2)).toBe(0);
  });

  it('puts back the next check of a clock due by its row but not by its ladder, and takes its steps when due', async () => {
    const { manager } = await org();
    const ids = await routedMqls('t', 4);
    // Three clocks say they are due at 09:30 though their ladders' first step is at 11:00 (rows
    // edited by hand); the fourth lead's clocks are as they should be.
    const early = '2026-12-01T09:30:00.000Z';
    await context.database.db
      .updateTable('sla_instances')
      .set({ next_check_at: early })
      .where('contact_id', 'in', ids.slice(0, 3))
      .where('target', '=', 'first_response')
      .execute();
    context.clock.set('2026-12-01T09:45:00.000Z');
    // In parts of one, the sweep looks at the three once each, takes no step, and sets each one's
    // next check to its ladder's first step: the next sweep finds nothing due.
    expect(await sweep(100, context.database.db, 1)).toBe(3);
    expect(await digests('sla.reminder')).toEqual([]);
    const firstSteps = await context.database.db
      .selectFrom('sla_instances')
      .select(['contact_id', 'next_check_at', 'next_step', 'status'])
      .where('target', '=', 'first_response')
      .orderBy('contact_id')
      .execute();
    const untouched = firstSteps.find((c) => c.contact_id === ids[3])!;
    for (const clock of firstSteps) {
      expect(isoText(clock.next_check_at!)).toBe(isoText(untouched.next_check_at!));
      expect([Number(clock.next_step), clock.status]).toEqual([0, 'running']);
    }
    expect(await sweep(100, context.database.db, 1)).toBe(0);
    // At 13:00 the same sweep takes every lead's steps, the three with the rest.
    context.clock.set('2026-12-01T13:00:00.000Z');
    expect(await sweep(100, context.database.db, 1)).toBe(4);
    // (Clocks due at the same instant come in no set order on PostgreSQL.)
    const breached = await digests('sla.breached');
    expect(breached.map((d) => [d.to, [...d.leads].sort()])).toEqual([[manager.id, [...ids].sort()]]);
  });

  it('takes a sweep in one transaction: all of it or none, at most its limit', async () => {
    const { manager } = await org();
    const ids = await routedMqls('r', 3);
    context.clock.set('2026-12-01T13:00:00.000Z');
    const db = context.database.db;
    // The disk fills up as the sweep commits: no step is taken, no digest is queued.
    const failing = {
      transaction: () => ({
        execute: <T>(work: (trx: typeof db) => Promise<T>) =>
          db.transaction().execute(async (trx) => {
            await work(trx);
            throw new Error('disk full');
          }),
      }),
    } as unknown as typeof db;
    await expect(sweep(100, failing)).rejects.toThrow('disk full');
    expect(await digests('sla.breached')).toEqual([]);
    expect(
      await context.database.db.selectFrom('sla_instances').select('level').where('level', '>', 0).execute(),
    ).toEqual([]);
    // A sweep of two takes two clocks and leaves the third due; the next sweep takes it, with a
    // digest of its own.
    expect(await sweep(2)).toBe(2);
    expect(await sweep(2)).toBe(1);
    expect(await sweep(2)).toBe(0);
    const queued = await digests('sla.breached');
    expect(queued.map((d) => [d.to, d.leads.length])).toEqual([
      [manager.id, 2],
      [manager.id, 1],
    ]);
    expect(queued.flatMap((d) => d.leads).sort()).toEqual([...ids].sort());
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
    // Nobody waited: every bucket is empty (a number, not NaN: the route's schema refuses that).
    expect(asOther.reps[0]!.speedToLead).toEqual({
      leads: 0,
      touched: 0,
      medianMs: null,
      p90Ms: null,
      distribution: figures.speedToLead.distribution.map((d) => ({ ...d, leads: 0 })),
    });
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
