// The handoff tracker counts and pages the kept fate of the leads in the database (issue 27).
// After random histories — moves made by people and by the system, at the same instant as others,
// assignments, opportunities, marketing touches with campaigns and forms, owners changing, deals
// moved, touches and moves deleted, with reports read in between that keep what they read — the
// report must equal the domain's `fateOf` applied to each lead's history read in full: the
// counts, every page walked with its cursor, and the rejections by every dimension, for several
// periods, viewers and filters, on both dialects.
import fc from 'fast-check';
import { beforeEach, expect, it } from 'vitest';
import type { FatesQuery, LeadFate } from '../../../contract/handoff.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { fateOf, rejectionsBy, type FateRow, type StageOrder } from '../../../domain/handoff/fate.ts';
import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestContext, type TestContext } from '../../testing/world.ts';
import { findStages } from '../stages/stages.repository.ts';
import { stageOrderOf } from '../stages/stages.service.ts';

const cli = { kind: 'cli' } as const;
const start = Date.parse('2026-11-01T00:00:00.000Z');
const people = 6;
const stages = ['mql', 'sal', 'sql', 'recycled', 'disqualified', 'opportunity', 'lead'] as const;
const campaigns = ['Cloud Q4', 'Security webinar', ''] as const;
// Whole days often, so that moves, assignments, deals, touches and handovers of different leads
// fall at the same instant; any minute otherwise.
const minute = fc.oneof(
  fc.nat(40).map((day) => day * 24 * 60),
  fc.nat(40 * 24 * 60),
);

type Op =
  | {
      kind: 'move';
      person: number;
      from: number;
      to: number;
      at: number;
      byUser: boolean;
      reason: boolean;
      tie: boolean;
    }
  | { kind: 'assign'; person: number; rep: number | null; at: number; tie: boolean }
  | {
      kind: 'deal';
      person: number;
      at: number;
      tie: boolean;
      status: 'open' | 'won' | 'lost';
      usd: boolean;
      amount: number | null;
    }
  | {
      kind: 'touch';
      person: number;
      at: number;
      tie: boolean;
      campaign: number;
      form: boolean;
      sales: boolean;
    }
  | { kind: 'owner'; person: number; rep: number | null }
  // A deal moved to another person and another creation time (a CRM's correction).
  | { kind: 'redeal'; nth: number; person: number; at: number | null }
  // A touch or a stage change deleted (retention; an erasure's cascade deletes row by row).
  | { kind: 'forget'; what: 'touch' | 'move'; nth: number }
  // A report read in the middle: it keeps the fates it reads, which later writes must leave stale.
  | { kind: 'report' };

// `mql` (the first) often: a handover, and a decision out of it.
const stage = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 5, arbitrary: fc.nat(stages.length - 1) },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      person: fc.nat(people - 1),
      from: stage,
      to: stage,
      at: minute,
      byUser: fc.boolean(),
      reason: fc.boolean(),
      tie: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('assign' as const),
      person: fc.nat(people - 1),
      rep: fc.option(fc.nat(2), { nil: null }),
      at: minute,
      tie: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('deal' as const),
      person: fc.nat(people - 1),
      at: minute,
      tie: fc.boolean(),
      status: fc.constantFrom('open' as const, 'won' as const, 'lost' as const),
      usd: fc.boolean(),
      amount: fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: null }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('touch' as const),
      person: fc.nat(people - 1),
      at: minute,
      tie: fc.boolean(),
      campaign: fc.nat(campaigns.length - 1),
      form: fc.boolean(),
      sales: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('owner' as const),
      person: fc.nat(people - 1),
      rep: fc.option(fc.nat(2), { nil: null }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('redeal' as const),
      nth: fc.nat(20),
      person: fc.nat(people - 1),
      at: fc.option(minute, { nil: null }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('forget' as const),
      what: fc.constantFrom('touch' as const, 'move' as const),
      nth: fc.nat(40),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'report' as const }) },
);

describeEachDialect('the handoff tracker counted by the database', (getDatabase) => {
  let context: TestContext;
  let persons: string[];
  let reps: string[];
  let managerId: string;
  let formId: string;
  const db = () => context.database.db;
  const at = (m: number) => toDbTime(new Date(start + m * 60_000));

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-20T09:00:00.000Z');
    const manager = await addUser(context, 'sales_manager');
    managerId = manager.id;
    reps = [
      (await addUser(context, 'sales_rep', { managerId })).id,
      (await addUser(context, 'sales_rep', { managerId })).id,
      (await addUser(context, 'sales_rep')).id,
    ];
    formId = (await context.services.forms.createForm(cli, { name: 'Whitepaper' })).id;
    persons = [];
    for (let i = 0; i < people; i++) {
      const outcome = await context.services.capture.ingest(
        cli,
        {
          type: 'page_viewed',
          occurredAt: new Date(start).toISOString(),
          email: `p${i}-${newId().slice(-6)}@acme.nl`,
          channel: i % 2 === 0 ? 'email' : 'event',
        },
        undefined,
      );
      persons.push(outcome.body.results[0]!.contactId!);
    }
  });

  async function apply(o: Op): Promise<void> {
    if (o.kind === 'report') {
      await context.services.handoff.fates(cli, {
        from: new Date(start).toISOString(),
        to: new Date(start + 41 * 86_400_000).toISOString(),
        limit: 1,
      });
      return;
    }
    if (o.kind === 'forget') {
      const table = o.what === 'touch' ? 'touchpoints' : 'stage_changes';
      const rows = await db().selectFrom(table).select('id').orderBy('id').execute();
      if (rows.length > 0)
        await db()
          .deleteFrom(table)
          .where('id', '=', rows[o.nth % rows.length]!.id)
          .execute();
      return;
    }
    const person = persons[o.person]!;
    if (o.kind === 'redeal') {
      const deals = await db().selectFrom('opportunities').select('id').orderBy('id').execute();
      if (deals.length > 0)
        await db()
          .updateTable('opportunities')
          .set({ contact_id: person, ...(o.at !== null && { created_at: at(o.at) }) })
          .where('id', '=', deals[o.nth % deals.length]!.id)
          .execute();
      return;
    }
    // At the same instant as the last stage change written (of any lead), or at its own time.
    const last =
      'tie' in o && o.tie
        ? await db()
            .selectFrom('stage_changes')
            .select('occurred_at')
            .orderBy('id', 'desc')
            .limit(1)
            .executeTakeFirst()
        : undefined;
    const when = (m: number) => (last ? toDbTime(fromDbTime(last.occurred_at)) : at(m));
    if (o.kind === 'move') {
      const byUser = o.byUser ? reps[o.person % reps.length]! : null;
      await db()
        .insertInto('stage_changes')
        .values({
          id: newId(),
          contact_id: person,
          from_stage: stages[o.from]!,
          to_stage: stages[o.to]!,
          occurred_at: when(o.at),
          recorded_at: at(0),
          actor_kind: byUser ? 'user' : 'system',
          actor_id: byUser,
          reason_code: o.reason ? (o.to % 2 === 0 ? 'no_budget' : 'competitor') : null,
        })
        .execute();
      return;
    }
    if (o.kind === 'assign') {
      await db()
        .insertInto('assignments')
        .values({
          id: newId(),
          contact_id: person,
          user_id: o.rep === null ? null : reps[o.rep]!,
          kind: o.rep === null ? 'unassigned' : 'rule',
          explanation: '{}',
          actor_kind: 'system',
          assigned_at: when(o.at),
        })
        .execute();
      return;
    }
    if (o.kind === 'deal') {
      await db()
        .insertInto('opportunities')
        .values({
          id: newId(),
          name: 'Deal',
          contact_id: person,
          stage: o.status === 'open' ? 'discovery' : o.status,
          status: o.status,
          amount_minor: o.amount,
          currency: o.usd ? 'USD' : 'EUR',
          closed_on: o.status === 'open' ? null : '2026-12-01',
          stage_entered_at: when(o.at),
          created_at: when(o.at),
          updated_at: when(o.at),
        })
        .execute();
      return;
    }
    if (o.kind === 'touch') {
      await db()
        .insertInto('touchpoints')
        .values({
          id: newId(),
          type: o.sales ? 'call_logged' : o.form ? 'form_submitted' : 'page_viewed',
          category: o.sales ? 'sales' : 'marketing',
          occurred_at: when(o.at),
          received_at: when(o.at),
          contact_id: person,
          campaign: campaigns[o.campaign]!,
          properties: '{}',
          is_lead_creating: false,
          source_kind: o.form ? 'form' : 'api',
          source_id: o.form ? formId : null,
        })
        .execute();
      // As capture does with every touch it writes: the person's new touches are counted.
      await db()
        .updateTable('contacts')
        .set((eb) => ({ activity_version: eb('activity_version', '+', 1) }))
        .where('id', '=', person)
        .execute();
      return;
    }
    await db()
      .updateTable('contacts')
      .set({ owner_id: o.rep === null ? null : reps[o.rep]! })
      .where('id', '=', person)
      .execute();
  }

  /** Every lead handed over in [from, to) and its fate, from its whole history and `fateOf`. */
  async function reference(from: Date, to: Date, order: StageOrder) {
    const [contacts, changes, assignments, deals, touches, scores] = await Promise.all([
      db().selectFrom('contacts').selectAll().execute(),
      db().selectFrom('stage_changes').selectAll().orderBy('occurred_at').orderBy('id').execute(),
      db().selectFrom('assignments').selectAll().orderBy('assigned_at').orderBy('id').execute(),
      db().selectFrom('opportunities').selectAll().orderBy('created_at').orderBy('id').execute(),
      db().selectFrom('touchpoints').selectAll().orderBy('occurred_at').orderBy('id').execute(),
      db().selectFrom('contact_scores').select(['contact_id', 'grade']).execute(),
    ]);
    const gradeOf = new Map(scores.map((s) => [s.contact_id, s.grade]));
    const leads: { fate: LeadFate; row: FateRow; ownerId: string | null }[] = [];
    for (const contact of contacts) {
      const mine = changes.filter((c) => c.contact_id === contact.id);
      const entry = mine.find(
        (c) => c.to_stage === 'mql' && fromDbTime(c.occurred_at) >= from && fromDbTime(c.occurred_at) < to,
      );
      if (!entry) continue;
      const mqlAt = fromDbTime(entry.occurred_at);
      const fate = fateOf(
        {
          mqlAt,
          assignments: assignments
            .filter((a) => a.contact_id === contact.id)
            .map((a) => ({ userId: a.user_id, at: fromDbTime(a.assigned_at) })),
          changes: mine.map((c) => ({
            from: c.from_stage,
            to: c.to_stage,
            at: fromDbTime(c.occurred_at),
            actorKind: c.actor_kind,
            actorId: c.actor_id,
            reasonCode: c.reason_code,
          })),
          opportunities: deals
            .filter((d) => d.contact_id === contact.id)
            .map((d) => ({
              id: d.id,
              status: d.status,
              amountMinor: d.amount_minor === null ? null : Number(d.amount_minor),
              currency: d.currency,
              createdAt: fromDbTime(d.created_at),
              closedOn: d.closed_on,
            })),
        },
        order,
      );
      const before = touches.filter(
        (t) =>
          t.contact_id === contact.id && t.category === 'marketing' && fromDbTime(t.occurred_at) <= mqlAt,
      );
      const campaign = before.filter((t) => t.campaign).at(-1)?.campaign ?? null;
      const form = before.filter((t) => t.source_kind === 'form' && t.source_id).at(-1)?.source_id ?? null;
      const { opportunity } = fate;
      leads.push({
        ownerId: contact.owner_id,
        fate: {
          contactId: contact.id,
          name: null,
          email: contact.email,
          mqlAt: mqlAt.toISOString(),
          source: contact.original_source,
          campaign,
          form: form ? { id: form, name: 'Whitepaper' } : null,
          scoreBand: gradeOf.get(contact.id) ?? null,
          assignedTo: fate.assignedTo,
          assignedAt: fate.assignedAt?.toISOString() ?? null,
          decision: fate.decision,
          decidedAt: fate.decidedAt?.toISOString() ?? null,
          decidedBy: fate.decidedBy,
          reasonCode: fate.reasonCode,
          rejectedTo: fate.rejectedTo,
          sqlAt: fate.sqlAt?.toISOString() ?? null,
          opportunity: opportunity && {
            id: opportunity.id,
            status: opportunity.status,
            amountMinor: opportunity.amountMinor,
            currency: opportunity.currency,
            closedOn: opportunity.closedOn,
          },
          stage: contact.stage,
        },
        row: {
          fate,
          dimensions: {
            source: contact.original_source,
            campaign,
            form,
            score_band: gradeOf.get(contact.id) ?? null,
            rep: fate.assignedTo ?? fate.decidedBy,
          },
        },
      });
    }
    return leads.sort(
      (a, b) => b.fate.mqlAt.localeCompare(a.fate.mqlAt) || b.fate.contactId.localeCompare(a.fate.contactId),
    );
  }

  /** Every page of the report, walked with its cursor: the counts of the first, all the leads. */
  async function walk(actor: Actor, query: FatesQuery) {
    const first = await context.services.handoff.fates(actor, { ...query, limit: 2 });
    const data = [...first.data];
    for (let cursor = first.nextCursor; cursor !== null;) {
      const page = await context.services.handoff.fates(actor, { ...query, limit: 2, cursor });
      expect(page.summary).toEqual(first.summary);
      data.push(...page.data);
      cursor = page.nextCursor;
    }
    return { summary: first.summary, data };
  }

  it('equals the fate of each lead worked out from its whole history, on every page and in every grouping', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 50, size: 'max' }), async (ops) => {
        await db().deleteFrom('stage_changes').execute();
        await db().deleteFrom('assignments').execute();
        await db().deleteFrom('opportunities').execute();
        await db().deleteFrom('touchpoints').execute();
        for (const o of ops) await apply(o);
        const order = stageOrderOf(await findStages(db()));
        const viewers: { actor: Actor; sees: (owner: string | null) => boolean }[] = [
          { actor: cli, sees: () => true },
          {
            actor: { kind: 'user', userId: managerId, role: 'sales_manager' },
            sees: (owner) => owner === reps[0] || owner === reps[1],
          },
          {
            actor: { kind: 'user', userId: reps[2]!, role: 'sales_rep' },
            sees: (owner) => owner === reps[2],
          },
        ];
        const periods = [
          [start, start + 40 * 86_400_000],
          [start + 5 * 86_400_000, start + 12 * 86_400_000],
          [start + 20 * 86_400_000, start + 41 * 86_400_000],
        ] as const;
        for (const [from, to] of periods) {
          const all = await reference(new Date(from), new Date(to), order);
          for (const { actor, sees } of viewers) {
            const visible = all.filter((lead) => sees(lead.ownerId));
            const filters: { query: Partial<FatesQuery>; keep: (f: LeadFate) => boolean }[] = [
              { query: {}, keep: () => true },
              { query: { campaign: 'Cloud Q4' }, keep: (f) => f.campaign === 'Cloud Q4' },
              { query: { formId }, keep: (f) => f.form?.id === formId },
              { query: { source: 'email' }, keep: (f) => f.source === 'email' },
              { query: { repId: reps[0]! }, keep: (f) => f.assignedTo === reps[0] },
            ];
            for (const { query, keep } of filters) {
              const expected = visible.map((lead) => lead.fate).filter(keep);
              const report = await walk(actor, {
                from: new Date(from).toISOString(),
                to: new Date(to).toISOString(),
                ...query,
              });
              expect(report.data).toEqual(expected);
              const won = expected.filter((f) => f.opportunity?.status === 'won');
              const wonAmountMinor: Record<string, number> = {};
              for (const f of won)
                if (f.opportunity!.amountMinor !== null)
                  wonAmountMinor[f.opportunity!.currency] =
                    (wonAmountMinor[f.opportunity!.currency] ?? 0) + f.opportunity!.amountMinor;
              expect(report.summary).toEqual({
                mqls: expected.length,
                assigned: expected.filter((f) => f.assignedTo).length,
                accepted: expected.filter((f) => f.decision === 'accepted').length,
                rejected: expected.filter((f) => f.decision === 'rejected').length,
                sql: expected.filter((f) => f.sqlAt).length,
                opportunities: expected.filter((f) => f.opportunity).length,
                won: won.length,
                lost: expected.filter((f) => f.opportunity?.status === 'lost').length,
                wonAmountMinor,
              });
            }
            for (const by of ['source', 'campaign', 'form', 'score_band', 'rep'] as const) {
              const report = await context.services.handoff.rejections(actor, {
                from: new Date(from).toISOString(),
                to: new Date(to).toISOString(),
                by,
              });
              expect(report.groups.map(({ label: _label, ...group }) => group)).toEqual(
                rejectionsBy(
                  visible.map((lead) => lead.row),
                  by,
                ),
              );
            }
          }
        }
      }),
      { numRuns: 12 },
    );
  });

  it('follows each kind of write made after a report kept the fates', async () => {
    const day = 24 * 60;
    const period = {
      from: new Date(start).toISOString(),
      to: new Date(start + 41 * 86_400_000).toISOString(),
    };
    const history: Op[] = [
      { kind: 'touch', person: 0, at: 0, tie: false, campaign: 0, form: true, sales: false },
      { kind: 'move', person: 0, from: 6, to: 0, at: 2 * day, byUser: false, reason: false, tie: false },
      { kind: 'assign', person: 0, rep: 0, at: 2 * day + 5, tie: false },
      { kind: 'deal', person: 0, at: 3 * day, tie: false, status: 'won', usd: false, amount: 500 },
      { kind: 'move', person: 0, from: 0, to: 3, at: 4 * day, byUser: true, reason: true, tie: false },
      { kind: 'move', person: 1, from: 6, to: 0, at: 5 * day, byUser: false, reason: false, tie: false },
    ];
    const [p0, p1] = [persons[0]!, persons[1]!];
    const writes: Record<string, () => Promise<unknown>> = {
      'the touch deleted': () => db().deleteFrom('touchpoints').where('contact_id', '=', p0).execute(),
      'the touch moved to another person': () =>
        db().updateTable('touchpoints').set({ contact_id: p1 }).where('contact_id', '=', p0).execute(),
      'the touch dated after the handover': () =>
        db()
          .updateTable('touchpoints')
          .set({ occurred_at: at(3 * day) })
          .where('contact_id', '=', p0)
          .execute(),
      'the deal moved to another person': () =>
        db().updateTable('opportunities').set({ contact_id: p1 }).execute(),
      'the deal dated before the handover': () =>
        db()
          .updateTable('opportunities')
          .set({ created_at: at(day) })
          .execute(),
      'the deal deleted': () => db().deleteFrom('opportunities').execute(),
      'the assignment deleted': () => db().deleteFrom('assignments').execute(),
      'the decision deleted': () =>
        db().deleteFrom('stage_changes').where('from_stage', '=', 'mql').execute(),
      'the handover deleted': () =>
        db().deleteFrom('stage_changes').where('contact_id', '=', p0).where('to_stage', '=', 'mql').execute(),
      'an earlier handover': () =>
        apply({ kind: 'move', person: 0, from: 6, to: 0, at: day, byUser: false, reason: false, tie: false }),
      'a handover at the same instant': () =>
        apply({
          kind: 'move',
          person: 1,
          from: 0,
          to: 0,
          at: 5 * day,
          byUser: false,
          reason: false,
          tie: false,
        }),
      'a new touch with another campaign, dated before the handover (through capture)': async () =>
        context.services.capture.ingest(
          cli,
          {
            type: 'page_viewed',
            occurredAt: new Date(start + day * 60_000).toISOString(),
            email: (
              await db().selectFrom('contacts').select('email').where('id', '=', p0).executeTakeFirstOrThrow()
            ).email!,
            campaign: 'Security webinar',
          },
          undefined,
        ),
    };
    for (const [name, write] of Object.entries(writes)) {
      for (const table of ['stage_changes', 'assignments', 'opportunities', 'touchpoints'] as const)
        await db().deleteFrom(table).execute();
      for (const o of history) await apply(o);
      const order = stageOrderOf(await findStages(db()));
      const before = await context.services.handoff.fates(cli, period);
      expect(before.summary.mqls, name).toBe(2);
      await write();
      const expected = await reference(new Date(period.from), new Date(period.to), order);
      const report = await context.services.handoff.fates(cli, period);
      expect(report.data, name).toEqual(expected.map((lead) => lead.fate));
      const byCampaign = await context.services.handoff.rejections(cli, { ...period, by: 'campaign' });
      expect(
        byCampaign.groups.map(({ label: _label, ...group }) => group),
        name,
      ).toEqual(
        rejectionsBy(
          expected.map((lead) => lead.row),
          'campaign',
        ),
      );
      // Each write moves what the report shows, except a second entry at a handover's instant
      // (still one handover, not two).
      if (name === 'a handover at the same instant') expect(report.data, name).toEqual(before.data);
      else expect(report.data, name).not.toEqual(before.data);
    }
  });

  it('refuses a cursor it did not give out, naming the field', async () => {
    await expect(
      context.services.handoff.fates(cli, {
        from: '2026-11-01T00:00:00Z',
        to: '2026-12-01T00:00:00Z',
        cursor: 'bm90LWEtY3Vyc29y',
      }),
    ).rejects.toMatchObject({ status: 400, fieldErrors: [{ field: 'query.cursor' }] });
  });
});
