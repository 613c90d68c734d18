// Cost per MQL and per SQL from kept entries (migration 0055) stays exactly in step with the facts:
// after random moves (made now, backdated, at the same instant as another), deleted moves,
// erasures, lead touches set and cleared, original campaigns changed, and touches renamed or
// deleted, the kept rows equal a full recomputation from stage changes, contacts and touches, and
// the people counted per campaign for random periods equal those counted from the facts, on both
// dialects.
import fc from 'fast-check';
import { beforeEach, expect, it } from 'vitest';
import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';
import { countStageEntriesByCampaign } from './attribution.repository.ts';

const cli = { kind: 'cli' } as const;
const start = Date.parse('2026-11-01T00:00:00.000Z');
const day = 86_400_000;
const stages = ['lead', 'mql', 'sql', 'recycled'];
const campaigns = [null, 'spring', 'webinar', 'fair'];
const people = 4;

type Op =
  | { kind: 'move'; person: number; stage: number; minute: number; sameAsLast: boolean }
  | { kind: 'delete'; pick: number }
  | { kind: 'erase'; person: number }
  | { kind: 'leadTouch'; person: number; campaign: number; utm: number; clear: boolean }
  | { kind: 'original'; person: number; campaign: number }
  | { kind: 'renameTouch'; pick: number; campaign: number }
  | { kind: 'deleteTouch'; pick: number };

const person = fc.nat(people - 1);
const campaign = fc.nat(campaigns.length - 1);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      person,
      stage: fc.nat(stages.length - 1),
      minute: fc.nat(20 * 24 * 60),
      sameAsLast: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase' as const), person }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('leadTouch' as const),
      person,
      campaign,
      utm: campaign,
      clear: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('original' as const), person, campaign }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('renameTouch' as const), pick: fc.nat(), campaign }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteTouch' as const), pick: fc.nat() }) },
);

describeEachDialect('kept stage entries by campaign', (getDatabase) => {
  let context: TestContext;
  let persons: string[];
  let made = 0;
  const db = () => context.database.db;

  const newPerson = async () => {
    const outcome = await context.services.capture.ingest(
      cli,
      { type: 'page_viewed', occurredAt: new Date(start).toISOString(), email: `p${++made}@acme.nl` },
      undefined,
    );
    return outcome.body.results[0]!.contactId!;
  };

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    persons = [];
    for (let i = 0; i < people; i++) persons.push(await newPerson());
  });

  const moves = () =>
    db()
      .selectFrom('stage_changes')
      .select(['id', 'contact_id', 'to_stage', 'occurred_at'])
      .orderBy('id')
      .execute();
  const touches = () =>
    db()
      .selectFrom('touchpoints')
      .select(['id', 'contact_id', 'campaign', 'utm_campaign'])
      .where('contact_id', 'is not', null)
      .orderBy('id')
      .execute();
  const at = (minute: number) => toDbTime(new Date(start + minute * 60_000));

  async function apply(o: Op): Promise<void> {
    switch (o.kind) {
      case 'move': {
        const last = (await moves()).at(-1);
        await db()
          .insertInto('stage_changes')
          .values({
            id: newId(),
            contact_id: persons[o.person]!,
            from_stage: null,
            to_stage: stages[o.stage]!,
            // At the same instant as the last move written (an id decides the order), or any time:
            // after the person's others, or before them (an import of history).
            occurred_at: o.sameAsLast && last ? toDbTime(fromDbTime(last.occurred_at)) : at(o.minute),
            recorded_at: at(0),
            actor_kind: 'cli',
          })
          .execute();
        return;
      }
      case 'delete': {
        const rows = await moves();
        if (rows.length > 0)
          await db()
            .deleteFrom('stage_changes')
            .where('id', '=', rows[o.pick % rows.length]!.id)
            .execute();
        return;
      }
      case 'erase':
        await db().deleteFrom('contacts').where('id', '=', persons[o.person]!).execute();
        persons[o.person] = await newPerson();
        return;
      case 'leadTouch': {
        const id = newId();
        if (!o.clear)
          await db()
            .insertInto('touchpoints')
            .values({
              id,
              type: 'form_submitted',
              category: 'marketing',
              occurred_at: at(0),
              received_at: at(0),
              contact_id: persons[o.person]!,
              campaign: campaigns[o.campaign]!,
              utm_campaign: campaigns[o.utm]!,
              properties: '{}',
              is_lead_creating: true,
              source_kind: 'api',
            })
            .execute();
        await db()
          .updateTable('contacts')
          .set({ lead_touch_id: o.clear ? null : id })
          .where('id', '=', persons[o.person]!)
          .execute();
        return;
      }
      case 'original':
        await db()
          .updateTable('contacts')
          .set({ original_campaign: campaigns[o.campaign]! })
          .where('id', '=', persons[o.person]!)
          .execute();
        return;
      case 'renameTouch': {
        const rows = await touches();
        if (rows.length > 0)
          await db()
            .updateTable('touchpoints')
            .set({ campaign: campaigns[o.campaign]! })
            .where('id', '=', rows[o.pick % rows.length]!.id)
            .execute();
        return;
      }
      case 'deleteTouch': {
        const rows = await touches();
        if (rows.length > 0)
          await db()
            .deleteFrom('touchpoints')
            .where('id', '=', rows[o.pick % rows.length]!.id)
            .execute();
        return;
      }
    }
  }

  /** Each person's campaign and entries into mql and sql, worked out from the facts in JavaScript. */
  async function fromFacts() {
    const contacts = await db()
      .selectFrom('contacts')
      .select(['id', 'lead_touch_id', 'original_campaign'])
      .execute();
    const touchById = new Map((await touches()).map((t) => [t.id, t]));
    const campaignOf = new Map(
      contacts.map((c) => {
        const t = c.lead_touch_id === null ? undefined : touchById.get(c.lead_touch_id);
        return [c.id, t?.campaign ?? t?.utm_campaign ?? c.original_campaign ?? null];
      }),
    );
    const entries = (await moves())
      .filter((m) => m.to_stage === 'mql' || m.to_stage === 'sql')
      .map((m) => ({ ...m, at: fromDbTime(m.occurred_at).getTime() }))
      .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { campaignOf, entries };
  }

  async function expectInStep() {
    const { campaignOf, entries } = await fromFacts();
    // The kept rows are the full recomputation.
    const previous = new Map<string, number>();
    const expectedRows = entries
      .map((e) => {
        const key = `${e.contact_id} ${e.to_stage}`;
        const before = previous.get(key);
        previous.set(key, e.at);
        return {
          id: e.id,
          stage: e.to_stage,
          at: e.at,
          previous: before ?? null,
          campaign: campaignOf.get(e.contact_id)!,
        };
      })
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const kept = await db()
      .selectFrom('campaign_stage_entries')
      .selectAll()
      .orderBy('stage_change_id')
      .execute();
    expect(
      kept.map((k) => ({
        id: k.stage_change_id,
        stage: k.stage,
        at: fromDbTime(k.occurred_at).getTime(),
        previous: k.previous_at === null ? null : fromDbTime(k.previous_at).getTime(),
        campaign: k.campaign,
      })),
    ).toEqual(expectedRows);

    // People counted per campaign for whole days, as attribution reads them.
    for (const [fromDay, toDay] of [
      [0, 19],
      [0, 9],
      [5, 5],
      [10, 19],
    ] as const) {
      const from = start + fromDay * day;
      const end = start + (toDay + 1) * day;
      const expected = { mql: new Map<string, Set<string>>(), sql: new Map<string, Set<string>>() };
      for (const e of entries) {
        const c = campaignOf.get(e.contact_id);
        if (c === null || c === undefined || e.at < from || e.at >= end) continue;
        const byCampaign = expected[e.to_stage as 'mql' | 'sql'];
        byCampaign.set(c, (byCampaign.get(c) ?? new Set()).add(e.contact_id));
      }
      const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const actual = await countStageEntriesByCampaign(db(), iso(from), iso(start + toDay * day));
      const counts = (m: Map<string, Set<string>>) =>
        [...m].map(([c, s]) => [c, s.size] as const).sort(([a], [b]) => a.localeCompare(b));
      const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => a.localeCompare(b));
      expect(sorted(actual.mql)).toEqual(counts(expected.mql));
      expect(sorted(actual.sql)).toEqual(counts(expected.sql));
    }
  }

  it('keeps the entries and counts the same people as the stage changes, contacts and touches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        for (const o of ops) await apply(o);
        await expectInStep();
      }),
      { numRuns: 20 },
    );
  }, 300_000);

  it('counts a person who entered a stage twice in the period once, and one who came back after it began', async () => {
    const [a, b] = persons as [string, string];
    await db()
      .updateTable('contacts')
      .set({ original_campaign: 'webinar' })
      .where('id', 'in', [a, b])
      .execute();
    const move = (contact: string, minute: number) =>
      db()
        .insertInto('stage_changes')
        .values({
          id: newId(),
          contact_id: contact,
          from_stage: null,
          to_stage: 'mql',
          occurred_at: at(minute),
          recorded_at: at(0),
          actor_kind: 'cli',
        })
        .execute();
    // a: twice in November; b: once in October (before the period) and again in November.
    await move(a, 60);
    await move(a, 3 * 24 * 60);
    await move(b, -5 * 24 * 60);
    await move(b, 24 * 60);
    const november = await countStageEntriesByCampaign(db(), '2026-11-01', '2026-11-30');
    expect(november.mql.get('webinar')).toBe(2);
    const october = await countStageEntriesByCampaign(db(), '2026-10-01', '2026-10-31');
    expect(october.mql.get('webinar')).toBe(1);
    const both = await countStageEntriesByCampaign(db(), '2026-10-01', '2026-11-30');
    expect(both.mql.get('webinar')).toBe(2);
  });
});
