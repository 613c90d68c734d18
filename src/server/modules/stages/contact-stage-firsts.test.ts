// The funnel's kept summaries (migrations 0047 and 0057) stay exactly in step with the stage
// changes and the contacts: after random moves (made now, backdated, at the same instant as
// another), deletions and erasures (the history is append-only: nothing updates it), new owners and
// new creation times, the funnel of cohorts (whole days and parts of days, of some owners) summed by
// the database equals the funnel summed from the cohort's stage changes themselves, on both dialects.
import fc from 'fast-check';
import { beforeEach, expect, it } from 'vitest';
import { summariseCohort } from '../../../domain/lifecycle/funnel.ts';
import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';
import { summariseCohortFunnel } from './stages.repository.ts';

const cli = { kind: 'cli' } as const;
const start = Date.parse('2026-11-01T00:00:00.000Z');
const path = ['lead', 'mql', 'sal', 'sql'];
const stages = [...path, 'recycled'];
const people = 5;

type Op =
  | { kind: 'move'; person: number; stage: number; minute: number; sameAsLast: boolean }
  | { kind: 'delete'; pick: number }
  | { kind: 'erase'; person: number }
  | { kind: 'reassign'; person: number; owner: number }
  | { kind: 'redate'; person: number; hour: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      person: fc.nat(people - 1),
      stage: fc.nat(stages.length - 1),
      minute: fc.nat(20 * 24 * 60),
      sameAsLast: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase' as const), person: fc.nat(people - 1) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('reassign' as const),
      person: fc.nat(people - 1),
      owner: fc.nat(2),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('redate' as const),
      person: fc.nat(people - 1),
      hour: fc.nat(28 * 24),
    }),
  },
);

describeEachDialect('the funnel’s per-person summary', (getDatabase) => {
  let context: TestContext;
  let persons: string[];
  let owners: string[];
  let made = 0;
  const db = () => context.database.db;

  const newPerson = async (i: number) => {
    const outcome = await context.services.capture.ingest(
      cli,
      { type: 'page_viewed', occurredAt: new Date(start).toISOString(), email: `p${++made}@acme.nl` },
      undefined,
    );
    const id = outcome.body.results[0]!.contactId!;
    // Spread over the month's days and hours, owned by one of two reps (or nobody).
    await db()
      .updateTable('contacts')
      .set({
        created_at: toDbTime(
          new Date(start + ((made * 7) % 28) * 86_400_000 + ((made * 5) % 24) * 3_600_000),
        ),
        owner_id: i % 3 === 2 ? null : owners[i % 2]!,
      })
      .where('id', '=', id)
      .execute();
    return id;
  };

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    owners = [];
    for (let i = 0; i < 2; i++)
      owners.push(
        (
          await context.services.users.createUser(cli, {
            email: `rep${++made}@acme-ict.nl`,
            name: `Rep ${made}`,
            role: 'sales_rep',
          })
        ).id,
      );
    persons = [];
    for (let i = 0; i < people; i++) persons.push(await newPerson(i));
  });

  const moves = () =>
    db()
      .selectFrom('stage_changes')
      .select(['id', 'contact_id', 'to_stage', 'occurred_at'])
      .orderBy('id')
      .execute();

  async function apply(o: Op): Promise<void> {
    const at = (minute: number) => toDbTime(new Date(start + minute * 60_000));
    if (o.kind === 'move') {
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
    if (o.kind === 'reassign') {
      await db()
        .updateTable('contacts')
        .set({ owner_id: owners[o.owner] ?? null })
        .where('id', '=', persons[o.person]!)
        .execute();
      return;
    }
    if (o.kind === 'redate') {
      await db()
        .updateTable('contacts')
        .set({ created_at: toDbTime(new Date(start + o.hour * 3_600_000)) })
        .where('id', '=', persons[o.person]!)
        .execute();
      return;
    }
    if (o.kind === 'erase') {
      await db().deleteFrom('contacts').where('id', '=', persons[o.person]!).execute();
      persons[o.person] = await newPerson(o.person);
      return;
    }
    const rows = await moves();
    if (rows.length === 0) return;
    const row = rows[o.pick % rows.length]!;
    await db().deleteFrom('stage_changes').where('id', '=', row.id).execute();
  }

  async function expectSameFunnels() {
    const contacts = await db().selectFrom('contacts').select(['id', 'created_at', 'owner_id']).execute();
    const all = await moves();
    for (const [fromDay, toDay] of [
      [0, 28],
      [0, 10],
      [10, 11],
      [0.5, 10.25],
      [3.3, 3.7],
    ] as const)
      for (const ownerIds of [null, [owners[0]!], [owners[0]!, owners[1]!]]) {
        const from = new Date(start + fromDay * 86_400_000);
        const to = new Date(start + toDay * 86_400_000);
        const cohort = new Set(
          contacts
            .filter((c) => {
              const created = fromDbTime(c.created_at).getTime();
              return (
                created >= from.getTime() &&
                created < to.getTime() &&
                (ownerIds === null || (c.owner_id !== null && ownerIds.includes(c.owner_id)))
              );
            })
            .map((c) => c.id),
        );
        const expected = summariseCohort(
          all
            .filter((m) => cohort.has(m.contact_id))
            .map((m) => ({
              id: m.id,
              contactId: m.contact_id,
              to: m.to_stage,
              at: fromDbTime(m.occurred_at),
            })),
          path,
        );
        const actual = await summariseCohortFunnel(db(), {
          from: toDbTime(from),
          to: toDbTime(to),
          ownerIds,
          path,
        });
        const sorted = (m: ReadonlyMap<string, unknown>) => [...m].sort(([a], [b]) => a.localeCompare(b));
        expect(sorted(actual.furthest)).toEqual(sorted(expected.furthest));
        expect(sorted(actual.stays)).toEqual(sorted(expected.stays));
      }
  }

  it('sums the same funnel from the summary as from the stage changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        for (const o of ops) await apply(o);
        await expectSameFunnels();
      }),
      { numRuns: 20 },
    );
  }, 300_000);
});
