import { beforeEach, expect, it } from 'vitest';
import type {
  HandoffContext,
  HandoffDecision,
  HandoffSettings,
  RejectionReason,
} from '../../../contract/handoff.ts';
import type { OpportunityDetail } from '../../../contract/opportunities.ts';
import type { Lifecycle } from '../../../contract/stages.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('the handoff', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let marketing: string;
  let marketerId: string;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z'); // Tuesday 10:00 in Amsterdam
    app = await createTestApp(context);
    const marketer = await addUser(context, 'marketing');
    marketerId = marketer.id;
    marketing = await signIn(app, marketer.email);
    await context.services.scoring.ensureDefaultModel();
    return () => app.close();
  });
  const call = (cookie: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, headers: { cookie }, ...(payload && { payload }) });

  /** The sales side: a director over a manager over Ruud (in the pool) and Olga. */
  const org = async () => {
    const director = await addUser(context, 'director', { name: 'Dirk Directeur' });
    const manager = await addUser(context, 'sales_manager', {
      managerId: director.id,
      name: 'Mirjam Manager',
    });
    const rep = await addUser(context, 'sales_rep', { managerId: manager.id, name: 'Ruud Rep' });
    const other = await addUser(context, 'sales_rep', { managerId: manager.id, name: 'Olga Other' });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: [{ userId: rep.id }],
    });
    // These journeys bounce one lead off Ruud, the pool's only rep, again and again: he is not
    // skipped for having sent it back (that rule has its own test in routing).
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id, skipRejectingRep: false });
    return { director, manager, rep, other };
  };
  /** Marketing's systems send a touch; the scorer runs as the scoring thread would. */
  const touch = async (type: string, email = 'eva@globex.nl') => {
    const sent = await call(marketing, 'POST', '/events', {
      type,
      email,
      occurredAt: context.clock.now().toISOString(),
      firstName: 'Eva',
      company: 'Globex B.V.',
      campaign: 'Cloud Q4',
    });
    expect(sent.statusCode).toBe(200);
    await context.services.scoring.scoreDue();
    return sent.json<{ results: { contactId: string }[] }>().results[0]!.contactId;
  };
  const assignmentsOf = async (id: string) =>
    (await context.services.routing.listAssignments(cli, id)).map((a) => [a.kind, a.userId]);
  const stageOf = async (id: string) => (await context.services.contacts.getContact(cli, id)).stage;

  it('lets an admin add, rename, retire and reorder the rejection reasons, and edit the qualification checklist', async () => {
    const admin = await signIn(app, (await addUser(context, 'admin')).email);
    const before = (await call(admin, 'GET', '/handoff/reasons')).json<{ data: RejectionReason[] }>().data;
    const added = await call(admin, 'POST', '/handoff/reasons', {
      key: 'wrong_country',
      label: { en: 'Outside our countries', nl: 'Buiten onze landen' },
      outcome: 'disqualify',
    });
    expect(added.statusCode).toBe(201);
    const retired = await call(admin, 'PATCH', `/handoff/reasons/${before[0]!.key}`, { active: false });
    expect(retired.json<RejectionReason>().active).toBe(false);

    // The new reason first, the rest as they were: one change, in the audit log once.
    const keys = ['wrong_country', ...before.map((r) => r.key)];
    const ordered = await call(admin, 'PUT', '/handoff/reasons/order', { keys });
    expect(ordered.statusCode).toBe(200);
    expect(ordered.json<{ data: RejectionReason[] }>().data.map((r) => r.key)).toEqual(keys);
    expect(
      (await call(admin, 'GET', '/handoff/reasons'))
        .json<{ data: RejectionReason[] }>()
        .data.map((r) => r.position),
    ).toEqual(keys.map((_, i) => (i + 1) * 10));
    const audit = await call(admin, 'GET', '/audit-log?action=handoff.reasons_ordered');
    expect(audit.json<{ data: unknown[] }>().data).toHaveLength(1);

    const partial = await call(admin, 'PUT', '/handoff/reasons/order', { keys: keys.slice(1) });
    expect(partial.json()).toMatchObject({
      code: 'http.validation_failed',
      errors: [{ field: 'body.keys', reason: expect.stringContaining('wrong_country') }],
    });
    const unknown = await call(admin, 'PUT', '/handoff/reasons/order', { keys: [...keys, 'no_such_reason'] });
    expect(unknown.json()).toMatchObject({
      code: 'handoff.reason_not_found',
      errors: [{ field: `body.keys.${keys.length}` }],
    });
    const twice = await call(admin, 'PUT', '/handoff/reasons/order', { keys: [...keys, keys[0]] });
    expect(twice.statusCode).toBe(400);
    expect((await call(marketing, 'PUT', '/handoff/reasons/order', { keys })).statusCode).toBe(403);

    const checklist = [
      { key: 'need', label: { en: 'Need confirmed', nl: 'Behoefte bevestigd' } },
      { key: 'decision_date', label: { en: 'Decision date known', nl: 'Beslisdatum bekend' } },
    ];
    const settings = await call(admin, 'PATCH', '/handoff/settings', {
      qualificationChecklist: checklist,
      pingPongLimit: 2,
    });
    expect(settings.json<HandoffSettings>()).toMatchObject({
      qualificationChecklist: checklist,
      pingPongLimit: 2,
    });
    const empty = await call(admin, 'PATCH', '/handoff/settings', { qualificationChecklist: [] });
    expect(empty.json()).toMatchObject({ errors: [{ field: 'body.qualificationChecklist' }] });
  });

  it('lets the rep log a call, which is the genuine response that stops the first-response clock', async () => {
    const { rep, other } = await org();
    const ruud = await signIn(app, rep.email);
    const id = await touch('demo_requested');
    await expect.poll(() => assignmentsOf(id)).toEqual([['fallback', rep.id]]);
    context.clock.set('2026-12-01T09:05:00.000Z');
    const logged = await call(ruud, 'POST', `/contacts/${id}/activities`, {
      type: 'call_logged',
      note: 'Spoke to Eva, demo on Thursday',
    });
    expect(logged.statusCode).toBe(201);
    expect(logged.json()).toMatchObject({
      type: 'call_logged',
      category: 'sales',
      userId: rep.id,
      occurredAt: '2026-12-01T09:05:00.000Z',
      properties: { note: 'Spoke to Eva, demo on Thursday' },
    });
    await expect
      .poll(async () =>
        (await context.services.sla.listClocks(cli, id)).map((c) => [c.target, c.status, c.respondedAt]),
      )
      .toEqual([
        ['first_response', 'met', '2026-12-01T09:05:00.000Z'],
        ['accept_or_reject', 'running', null],
      ]);

    // Another rep of the team may not log on Ruud's lead; marketing may not at all; no future calls.
    const olga = await signIn(app, other.email);
    expect((await call(olga, 'POST', `/contacts/${id}/activities`, { type: 'email_sent' })).statusCode).toBe(
      404,
    );
    expect(
      (await call(marketing, 'POST', `/contacts/${id}/activities`, { type: 'email_sent' })).json(),
    ).toMatchObject({ code: 'auth.forbidden' });
    const ahead = await call(ruud, 'POST', `/contacts/${id}/activities`, {
      type: 'meeting_held',
      occurredAt: '2026-12-02T09:00:00.000Z',
    });
    expect(ahead.json()).toMatchObject({
      code: 'handoff.activity_in_future',
      errors: [{ field: 'body.occurredAt' }],
    });
    const wrong = await call(ruud, 'POST', `/contacts/${id}/activities`, { type: 'page_viewed' });
    expect(wrong.json()).toMatchObject({ errors: [{ field: 'body.type' }] });
  });

  it('carries a lead from MQL through a rejection, the cool-off and a new demo request to a won deal, every step on record', async () => {
    const { rep } = await org();
    // Sessions last two weeks; the story takes two months.
    let ruud = await signIn(app, rep.email);
    await touch('form_submitted');
    const id = await touch('demo_requested');
    expect(await stageOf(id)).toBe('mql');
    await expect.poll(() => assignmentsOf(id)).toEqual([['fallback', rep.id]]);

    // Not now: back to Marketing with the reason.
    context.clock.set('2026-12-01T10:00:00.000Z');
    const rejected = await call(ruud, 'POST', `/contacts/${id}/reject`, {
      reasonCode: 'not_now',
      note: 'Budget cycle starts in April',
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json<HandoffDecision>()).toMatchObject({
      stage: 'recycled',
      rejectionCount: 1,
      needsReview: false,
      change: { from: 'mql', to: 'recycled', reasonCode: 'not_now', actor: { kind: 'user', id: rep.id } },
    });
    // Its engagement counts again from the recycle: the old demo request no longer qualifies it.
    await context.services.scoring.scoreDue();
    const rescored = await context.services.scoring.getContactScore(cli, id);
    expect(rescored).toMatchObject({ qualifies: false, engagement: 0, explanation: { mql: { by: null } } });

    // Five days later a page view: still cooling off.
    context.clock.set('2026-12-06T10:00:00.000Z');
    await touch('page_viewed');
    expect(await stageOf(id)).toBe('recycled');
    // Ten days later a new demo request: high intent ends the cool-off at once.
    context.clock.set('2026-12-11T10:00:00.000Z');
    await touch('demo_requested');
    expect(await stageOf(id)).toBe('mql');
    await expect
      .poll(() => assignmentsOf(id))
      .toEqual([
        ['fallback', rep.id],
        ['fallback', rep.id],
      ]);

    context.clock.set('2026-12-11T11:00:00.000Z');
    expect((await call(ruud, 'POST', `/contacts/${id}/accept`, {})).json()).toMatchObject({ stage: 'sal' });
    const incomplete = await call(ruud, 'POST', `/contacts/${id}/qualify`, {
      answers: { need: true, budget: true, authority: true },
    });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json()).toMatchObject({
      code: 'handoff.checklist_incomplete',
      errors: [{ field: 'body.answers.timing' }],
    });
    context.clock.set('2026-12-14T11:00:00.000Z');
    const qualified = await call(ruud, 'POST', `/contacts/${id}/qualify`, {
      answers: { need: true, budget: true, authority: true, timing: true },
      note: 'CIO signs, migration before summer',
    });
    expect(qualified.json()).toMatchObject({ stage: 'sql' });

    context.clock.set('2026-12-15T11:00:00.000Z');
    ruud = await signIn(app, rep.email);
    const created = await call(ruud, 'POST', '/opportunities', {
      contactId: id,
      name: 'Globex cloud migration',
      amountMinor: 2_500_000,
      currency: 'EUR',
      expectedCloseOn: '2027-03-31',
    });
    expect(created.statusCode).toBe(201);
    const opportunity = created.json<{ id: string }>();
    expect(created.json()).toMatchObject({
      stage: 'discovery',
      status: 'open',
      ownerId: rep.id,
      amountMinor: 2_500_000,
      contacts: [{ contactId: id, role: 'decision_maker' }],
    });
    expect(await stageOf(id)).toBe('opportunity');
    context.clock.set('2027-01-12T11:00:00.000Z');
    ruud = await signIn(app, rep.email);
    expect(
      (await call(ruud, 'POST', `/opportunities/${opportunity.id}/stage`, { stage: 'proposal' })).statusCode,
    ).toBe(200);
    const lostWithoutReason = await call(ruud, 'POST', `/opportunities/${opportunity.id}/stage`, {
      stage: 'lost',
    });
    expect(lostWithoutReason.json()).toMatchObject({ errors: [{ field: 'body.reason' }] });
    context.clock.set('2027-02-02T11:00:00.000Z');
    ruud = await signIn(app, rep.email);
    const won = await call(ruud, 'POST', `/opportunities/${opportunity.id}/stage`, { stage: 'won' });
    expect(won.statusCode).toBe(200);
    expect(won.json<OpportunityDetail>()).toMatchObject({
      status: 'won',
      closedOn: '2027-02-02',
      history: [
        { from: null, to: 'discovery', actor: { kind: 'user', id: rep.id } },
        { from: 'discovery', to: 'proposal', occurredAt: '2027-01-12T11:00:00.000Z' },
        { from: 'proposal', to: 'won', occurredAt: '2027-02-02T11:00:00.000Z' },
      ],
    });
    expect(
      (
        await call(ruud, 'POST', `/opportunities/${opportunity.id}/stage`, { stage: 'lost', reason: 'x' })
      ).json(),
    ).toMatchObject({
      code: 'opportunities.closed',
    });

    const lifecycle = (await call(ruud, 'GET', `/contacts/${id}/lifecycle`)).json<Lifecycle>();
    expect(lifecycle.stage).toBe('customer');
    expect(
      lifecycle.history.map((h) => [
        h.from,
        h.to,
        h.actor.kind,
        h.actor.kind === 'user' ? h.actor.id : null,
        h.reasonCode,
      ]),
    ).toEqual([
      // Created by the marketer's form post; the MQL moves by the scoring rule.
      [null, 'lead', 'user', marketerId, null],
      ['lead', 'mql', 'rule', null, null],
      ['mql', 'recycled', 'user', rep.id, 'not_now'],
      ['recycled', 'mql', 'rule', null, null],
      ['mql', 'sal', 'user', rep.id, null],
      ['sal', 'sql', 'user', rep.id, null],
      ['sql', 'opportunity', 'user', rep.id, null],
      ['opportunity', 'customer', 'user', rep.id, null],
    ]);
    expect(lifecycle.history[2]!.note).toBe('Budget cycle starts in April');

    // The rep's view at handoff holds the whole story.
    const view = (await call(ruud, 'GET', `/contacts/${id}/handoff`)).json<HandoffContext>();
    expect(view.recycles).toEqual([
      {
        at: '2026-12-01T10:00:00.000Z',
        to: 'recycled',
        reasonCode: 'not_now',
        reason: { en: 'Not now / timing', nl: 'Nu niet / timing' },
        note: 'Budget cycle starts in April',
        by: rep.id,
      },
    ]);
    expect(view.routing).toMatchObject({ userId: rep.id, kind: 'fallback' });
    expect(view.score).toMatchObject({ contactId: id });
    expect(view.qualifications).toEqual([
      expect.objectContaining({
        userId: rep.id,
        answers: { need: true, budget: true, authority: true, timing: true },
      }),
    ]);
    expect(
      view.timeline.filter((t) => t.kind === 'touch').map((t) => t.kind === 'touch' && t.touch.type),
    ).toEqual(['demo_requested', 'page_viewed', 'demo_requested', 'form_submitted']);
    expect(view.timeline.filter((t) => t.kind === 'stage')).toHaveLength(8);
    expect(view.timeline[0]).toMatchObject({ kind: 'stage', change: { to: 'customer' } });
    expect(lifecycle.history[5]!.note).toBe('CIO signs, migration before summer');
  });

  it('lets only the assigned rep, their manager or someone above them decide', async () => {
    const { director, manager, rep, other } = await org();
    const otherDirector = await addUser(context, 'director');
    const lead = async (email: string) =>
      (await context.services.contacts.createContact(cli, { email, ownerId: rep.id, stage: 'mql' })).id;
    const first = await lead('a@globex.nl');
    // A teammate does not see the lead; marketing may not decide; a director elsewhere is not above the rep.
    expect(
      (await call(await signIn(app, other.email), 'POST', `/contacts/${first}/accept`, {})).json(),
    ).toMatchObject({
      code: 'contacts.not_found',
    });
    expect((await call(marketing, 'POST', `/contacts/${first}/accept`, {})).json()).toMatchObject({
      code: 'auth.forbidden',
    });
    const elsewhere = await call(
      await signIn(app, otherDirector.email),
      'POST',
      `/contacts/${first}/reject`,
      {
        reasonCode: 'no_budget',
      },
    );
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json()).toMatchObject({ code: 'handoff.not_allowed' });
    expect(await stageOf(first)).toBe('mql');

    // The manager and the director above may, and the record says who did.
    const byManager = await call(await signIn(app, manager.email), 'POST', `/contacts/${first}/accept`, {});
    expect(byManager.json()).toMatchObject({
      stage: 'sal',
      change: { actor: { kind: 'user', id: manager.id } },
    });
    const second = await lead('b@globex.nl');
    const byDirector = await call(await signIn(app, director.email), 'POST', `/contacts/${second}/reject`, {
      reasonCode: 'competitor',
    });
    expect(byDirector.json()).toMatchObject({ stage: 'disqualified', change: { reasonCode: 'competitor' } });

    // Only an MQL is accepted or rejected, with a reason on the list.
    const ruud = await signIn(app, rep.email);
    expect((await call(ruud, 'POST', `/contacts/${first}/accept`, {})).json()).toMatchObject({
      code: 'handoff.not_an_mql',
    });
    const third = await lead('c@globex.nl');
    expect(
      (await call(ruud, 'POST', `/contacts/${third}/reject`, { reasonCode: 'too_expensive' })).json(),
    ).toMatchObject({
      code: 'handoff.unknown_reason',
      errors: [{ field: 'body.reasonCode' }],
    });
  });

  it('holds a lead rejected three times for a person to route; routing it by hand releases it', async () => {
    const { manager, rep } = await org();
    const ruud = await signIn(app, rep.email);
    const id = await touch('demo_requested');
    for (let round = 1; round <= 3; round++) {
      await expect.poll(async () => (await assignmentsOf(id)).length).toBe(round);
      context.clock.set(new Date(context.clock.now().getTime() + 3_600_000));
      const rejected = (
        await call(ruud, 'POST', `/contacts/${id}/reject`, { reasonCode: 'wrong_contact' })
      ).json<HandoffDecision>();
      expect(rejected).toMatchObject({ rejectionCount: round, needsReview: round === 3 });
      // A new demo request makes it an MQL again at once.
      context.clock.set(new Date(context.clock.now().getTime() + 3_600_000));
      await touch('demo_requested');
      expect(await stageOf(id)).toBe('mql');
    }
    await expect.poll(async () => (await assignmentsOf(id)).at(-1)).toEqual(['unassigned', null]);
    const held = (await context.services.routing.listAssignments(cli, id)).at(-1)!;
    expect(held.explanation.route).toBe('held for a person to route: Sales rejected it 3 times');
    expect(held.because).toEqual({ code: 'held', params: { rejections: 3 } });
    // The rep's manager hears that it waits for them, and why.
    const alerts = (await context.services.notifications.listOutbox(cli, { limit: 50 })).data.filter(
      (m) => m.kind === 'lead.unassigned',
    );
    expect(
      alerts.map((m) => [m.recipientUserId, m.subject?.startsWith('Waiting for you to route it: Eva')]),
    ).toEqual([[manager.id, true]]);
    const alert = await context.services.notifications.getOutboxMessage(cli, alerts[0]!.id);
    expect(alert.bodyText).toContain('Sales has rejected this lead 3 times');
    // The queue's retries leave it alone.
    await context.services.routing.routeQueued(cli);
    expect(await assignmentsOf(id)).toHaveLength(4);

    const routed = await call(await signIn(app, manager.email), 'POST', `/contacts/${id}/route`, {});
    expect(routed.statusCode).toBe(200);
    expect((await assignmentsOf(id)).at(-1)).toEqual(['fallback', rep.id]);
    expect((await call(ruud, 'POST', `/contacts/${id}/accept`, {})).json()).toMatchObject({
      stage: 'sal',
      rejectionCount: 3,
      needsReview: false,
    });
  });
});
