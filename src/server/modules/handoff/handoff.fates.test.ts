import { beforeEach, expect, it } from 'vitest';
import type { FatesReport, RejectionsReport } from '../../../contract/handoff.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;
const channels = ['paid_search', 'email', 'event'] as const;
const campaigns = ['Cloud Q4', 'Security webinar'] as const;
type Plan = { accept: true; deal?: 'won' | 'lost' | 'open' } | { accept: false; reason: string } | null;

/** What Sales does with lead i: a fixed, varied plan the expected figures are computed from. */
function planOf(i: number): Plan {
  if (i % 7 === 6) return null; // not decided yet
  if (i % 3 === 0) return { accept: false, reason: i % 2 === 0 ? 'no_budget' : 'competitor' };
  return { accept: true, ...(i % 4 === 1 && { deal: i % 8 === 1 ? 'won' : i % 8 === 5 ? 'lost' : 'open' }) };
}

describeEachDialect("the fate of Marketing's leads", (getDatabase) => {
  let context: TestContext;
  let app: App;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    return () => app.close();
  });

  it('reports every handed-over lead’s fate and the rejections by source, campaign, form, score band and rep, matching a count of the seed', async () => {
    const manager = await addUser(context, 'sales_manager');
    const reps = [
      await addUser(context, 'sales_rep', { managerId: manager.id, name: 'Anna' }),
      await addUser(context, 'sales_rep', { managerId: manager.id, name: 'Bram' }),
    ];
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      strategy: 'round_robin',
      members: reps.map((r) => ({ userId: r.id })),
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const form = await context.services.forms.createForm(cli, { name: 'Whitepaper' });
    const marketer = await addUser(context, 'marketing');
    const marketing = await signIn(app, marketer.email);

    const seeded: { id: string; i: number; channel: string; campaign: string; form: boolean; rep: string }[] =
      [];
    for (let i = 0; i < 24; i++) {
      const email = `lead${i}@firm${i}.nl`;
      const channel = channels[i % 3]!;
      const campaign = campaigns[i % 2]!;
      const touched = await context.services.capture.ingest(
        cli,
        { type: 'page_viewed', occurredAt: '2026-12-01T08:00:00Z', email, channel, campaign },
        undefined,
      );
      const id = touched.body.results[0]!.contactId!;
      const viaForm = i % 4 === 0;
      if (viaForm) {
        const posted = await app.inject({
          method: 'POST',
          url: `/f/${form.key}`,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          payload: { email },
        });
        expect(posted.statusCode).toBeLessThan(400);
      }
      await context.services.contacts.changeStage(cli, id, { to: 'mql' });
      await expect.poll(async () => (await context.services.routing.listAssignments(cli, id)).length).toBe(1);
      const rep = (await context.services.routing.listAssignments(cli, id))[0]!.userId!;
      seeded.push({ id, i, channel, campaign, form: viaForm, rep });
    }
    context.clock.set('2026-12-02T09:00:00.000Z');
    // A marketing touch after the handover does not change the lead's campaign.
    await context.services.capture.ingest(
      cli,
      {
        type: 'page_viewed',
        occurredAt: '2026-12-01T23:00:00Z',
        email: 'lead0@firm0.nl',
        campaign: 'Too late',
      },
      undefined,
    );
    for (const lead of seeded) {
      const plan = planOf(lead.i);
      if (!plan) continue;
      const rep: Actor = { kind: 'user', userId: lead.rep, role: 'sales_rep' };
      if (!plan.accept) {
        await context.services.handoff.reject(rep, lead.id, { reasonCode: plan.reason });
        continue;
      }
      await context.services.handoff.accept(rep, lead.id, {});
      if (!plan.deal) continue;
      await context.services.handoff.qualify(rep, lead.id, {
        answers: { need: true, budget: true, authority: true, timing: true },
      });
      const deal = await context.services.opportunities.create(rep, {
        name: `Deal ${lead.i}`,
        contactId: lead.id,
        amountMinor: 1_000_000 + lead.i * 100,
      });
      if (plan.deal !== 'open')
        await context.services.opportunities.move(rep, deal.id, {
          stage: plan.deal,
          ...(plan.deal === 'lost' && { reason: 'price' }),
        });
    }

    // The expected figures, counted from the seed and the plan alone.
    const plans = seeded.map((lead) => ({ ...lead, plan: planOf(lead.i) }));
    const accepted = plans.filter((p) => p.plan?.accept === true);
    const rejected = plans.filter((p) => p.plan?.accept === false);
    const withDeal = accepted.filter((p) => p.plan?.accept === true && p.plan.deal);
    const won = withDeal.filter((p) => p.plan?.accept === true && p.plan.deal === 'won');

    const report = (
      await app.inject({
        url: '/api/v1/handoff/fates?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z',
        headers: { cookie: marketing },
      })
    ).json<FatesReport>();
    expect(report.summary).toEqual({
      mqls: 24,
      assigned: 24,
      accepted: accepted.length,
      rejected: rejected.length,
      sql: withDeal.length,
      opportunities: withDeal.length,
      won: won.length,
      lost: withDeal.filter((p) => p.plan?.accept === true && p.plan.deal === 'lost').length,
      wonAmountMinor: { EUR: won.reduce((sum, p) => sum + 1_000_000 + p.i * 100, 0) },
    });
    const fate = (i: number) => report.data.find((f) => f.contactId === seeded[i]!.id)!;
    // The form's post is the last marketing touch before the handover; a form is its own campaign.
    expect(fate(0)).toMatchObject({
      source: 'paid_search',
      campaign: 'Whitepaper',
      form: { id: form.id, name: 'Whitepaper' },
      assignedTo: seeded[0]!.rep,
      decision: 'rejected',
      reasonCode: 'no_budget',
      rejectedTo: 'recycled',
      stage: 'recycled',
    });
    expect(fate(3)).toMatchObject({
      decision: 'rejected',
      reasonCode: 'competitor',
      rejectedTo: 'disqualified',
    });
    expect(fate(1)).toMatchObject({
      decision: 'accepted',
      decidedBy: seeded[1]!.rep,
      opportunity: { status: 'won', amountMinor: 1_000_100, currency: 'EUR' },
      stage: 'customer',
    });
    expect(fate(6)).toMatchObject({ decision: null, decidedAt: null, stage: 'mql' });

    // A page at a time: the counts on every page, the leads once each, in the same order.
    const pages: FatesReport[] = [];
    for (let cursor: string | null = ''; cursor !== null;) {
      const response = await app.inject({
        url: `/api/v1/handoff/fates?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z&limit=10${cursor && `&cursor=${cursor}`}`,
        headers: { cookie: marketing },
      });
      expect(response.statusCode).toBe(200);
      pages.push(response.json<FatesReport>());
      cursor = pages.at(-1)!.nextCursor;
    }
    expect(pages.map((p) => p.data.length)).toEqual([10, 10, 4]);
    expect(pages.every((p) => p.summary.mqls === 24)).toBe(true);
    expect(pages.flatMap((p) => p.data)).toEqual(report.data);
    const tooMany = await app.inject({
      url: '/api/v1/handoff/fates?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z&limit=201',
      headers: { cookie: marketing },
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('query.limit');

    const by = async (dimension: string) =>
      (
        await app.inject({
          url: `/api/v1/handoff/rejections?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z&by=${dimension}`,
          headers: { cookie: marketing },
        })
      ).json<RejectionsReport>().groups;
    const expectedBy = (key: (p: (typeof plans)[number]) => string | null) => {
      const keys = [...new Set(plans.map(key))];
      return keys
        .map((k) => {
          const members = plans.filter((p) => key(p) === k);
          const yes = members.filter((p) => p.plan?.accept === true).length;
          const no = members.filter((p) => p.plan?.accept === false);
          const reasons = new Map<string, number>();
          for (const p of no)
            if (p.plan?.accept === false) reasons.set(p.plan.reason, (reasons.get(p.plan.reason) ?? 0) + 1);
          return {
            key: k,
            mqls: members.length,
            accepted: yes,
            rejected: no.length,
            rejectionRate: yes + no.length > 0 ? no.length / (yes + no.length) : null,
            reasons: [...reasons.entries()]
              .map(([code, count]) => ({ code, count }))
              .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
          };
        })
        .sort((a, b) => b.rejected - a.rejected || String(a.key).localeCompare(String(b.key)));
    };
    const strip = (groups: RejectionsReport['groups']) => groups.map(({ label: _label, ...g }) => g);
    expect(strip(await by('source'))).toEqual(expectedBy((p) => p.channel));
    expect(strip(await by('campaign'))).toEqual(expectedBy((p) => (p.form ? 'Whitepaper' : p.campaign)));
    expect(strip(await by('form'))).toEqual(expectedBy((p) => (p.form ? form.id : null)));
    expect(strip(await by('rep'))).toEqual(expectedBy((p) => p.rep));
    const repGroups = await by('rep');
    expect(repGroups.map((g) => g.label).sort()).toEqual(['Anna', 'Bram']);
  });

  it('sends marketing a weekly digest of their leads’ fate on Monday morning, in their language, once', async () => {
    const manager = await addUser(context, 'sales_manager');
    const rep = await addUser(context, 'sales_rep', { managerId: manager.id });
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: [{ userId: rep.id }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    const maud = await context.services.users.createUser(cli, {
      email: 'maud@acme-ict.nl',
      name: 'Maud',
      role: 'marketing',
      language: 'nl',
    });
    const mark = await context.services.users.createUser(cli, {
      email: 'mark@acme-ict.nl',
      name: 'Mark',
      role: 'marketing',
    });
    // Three leads handed over on Tuesday 24 November: one accepted, one rejected, one waiting.
    context.clock.set('2026-11-24T10:00:00.000Z');
    const ids: string[] = [];
    for (const [i, campaign] of ['Cloud Q4', 'Cloud Q4', 'Security webinar'].entries()) {
      const touched = await context.services.capture.ingest(
        cli,
        { type: 'page_viewed', occurredAt: '2026-11-24T09:00:00Z', email: `d${i}@firm.nl`, campaign },
        undefined,
      );
      const id = touched.body.results[0]!.contactId!;
      await context.services.contacts.changeStage(cli, id, { to: 'mql' });
      await expect.poll(async () => (await context.services.routing.listAssignments(cli, id)).length).toBe(1);
      ids.push(id);
    }
    const asRep: Actor = { kind: 'user', userId: rep.id, role: 'sales_rep' };
    await context.services.handoff.accept(asRep, ids[0]!, {});
    await context.services.handoff.reject(asRep, ids[1]!, { reasonCode: 'not_now' });

    const digests = async () =>
      Promise.all(
        (await context.services.notifications.listOutbox(cli, { limit: 50 })).data
          .filter((m) => m.kind === 'handoff.digest')
          .map((m) => context.services.notifications.getOutboxMessage(cli, m.id)),
      );
    // Monday 30 November, 07:30 in Amsterdam: not yet.
    context.clock.set('2026-11-30T06:30:00.000Z');
    expect(await context.services.handoff.sendWeeklyDigest()).toBe(0);
    context.clock.set('2026-11-30T07:30:00.000Z');
    expect(await context.services.handoff.sendWeeklyDigest()).toBe(2);
    const sent = await digests();
    const toMaud = sent.find((m) => m.recipientUserId === maud.id)!;
    const toMark = sent.find((m) => m.recipientUserId === mark.id)!;
    expect(toMaud.subject).toBe('Wat er van je leads werd, week van 23 november 2026');
    expect(toMaud.bodyText).toContain('3 leads overgedragen.');
    expect(toMaud.bodyText).toContain('1 geaccepteerd, 1 afgewezen, 1 wachten nog op een besluit.');
    expect(toMaud.bodyText).toContain('Nu niet / timing: 1');
    expect(toMark.subject).toBe("Your leads' fate, week of 23 November 2026");
    expect(toMark.bodyText).toContain('1 accepted, 1 rejected, 1 still waiting for a decision.');
    expect(toMark.bodyText).toContain('Cloud Q4: 1 of 2 rejected');
    expect(toMark.bodyText).not.toContain('Security webinar');
    expect(toMark.bodyText).toContain('https://baton.example.nl/handoff');

    // Later that week, and from another process, nothing is sent twice.
    context.clock.set('2026-12-02T09:00:00.000Z');
    expect(await context.services.handoff.sendWeeklyDigest()).toBe(0);
    const other = createTestContext(context.database, context.clock, { reactions: false });
    await other.services.handoff.sendWeeklyDigest();
    expect(await digests()).toHaveLength(2);
  });
});
