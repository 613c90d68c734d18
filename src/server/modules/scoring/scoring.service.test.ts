import { beforeEach, expect, it } from 'vitest';
import type { ScoringModelDefinition } from '../../../contract/scoring.ts';
import { defaultScoringModel } from '../../../domain/scoring/default-model.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';
import { startScoringWorker } from './scoring.worker.ts';

const cli = { kind: 'cli' } as const;

/** A small model whose arithmetic a test can follow: NL +20, each page view +10 (no decay), form +30. */
const simple: ScoringModelDefinition = {
  fitRules: [
    {
      id: 'nl',
      label: 'In the Netherlands',
      conditions: [{ op: 'equals', field: 'country', value: 'NL' }],
      points: 20,
    },
  ],
  engagementRules: [
    { id: 'pages', label: 'Page views', eventTypes: ['page_viewed'], points: 10 },
    { id: 'forms', label: 'Forms', eventTypes: ['form_submitted'], points: 30, decays: false },
  ],
  halfLifeDays: 30,
  lookbackDays: 365,
  groupCaps: {},
  grades: { fit: { a: 40, b: 20 }, engagement: { one: 60, two: 30 } },
  mql: {
    fitAtLeast: 20,
    engagementAtLeast: 30,
    highIntent: [{ eventTypes: ['demo_requested'] }],
    highIntentWithinDays: 30,
    recycleCoolOffDays: 30,
  },
  accountEngagementCap: 100,
};

describeEachDialect('scoring', (getDatabase) => {
  let context: TestContext;
  let key = 0;

  beforeEach(() => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-03-10T12:00:00.000Z');
  });

  const scoring = () => context.services.scoring;
  /** Runs the background work to the end, as the worker would. */
  const drain = async () => {
    let total = 0;
    for (;;) {
      const n = (await scoring().scoreDue()) + (await scoring().advanceRuns());
      if (n === 0) return total;
      total += n;
    }
  };
  const activate = async (definition: ScoringModelDefinition = simple) => {
    const model = await scoring().createModel(cli, { name: 'Test model', definition });
    return (await scoring().activateModel(cli, model.id)).model;
  };
  const send = async (events: object[]) => {
    const outcome = await context.services.capture.ingest(cli, { events }, `k${++key}`);
    expect(outcome.body.rejected).toBe(0);
    return outcome.body;
  };
  const view = (email: string, at = '2026-03-10T12:00:00Z', extra: object = {}) => ({
    type: 'page_viewed',
    occurredAt: at,
    email,
    ...extra,
  });
  const contactId = async (email: string) =>
    (await context.services.contacts.listContacts(cli, { email })).data[0]!.id;
  const mqlChanges = async (id: string) =>
    (await context.services.contacts.getLifecycle(cli, id)).history.filter((h) => h.to === 'mql');

  it('scores a contact once its touches arrive, naming the model version and explaining each rule', async () => {
    const model = await activate();
    await send([view('jan@acme.nl', '2026-03-10T12:00:00Z', { country: 'NL' })]);
    await drain();
    const id = await contactId('jan@acme.nl');
    const score = await scoring().getContactScore(cli, id);
    expect(score).toMatchObject({
      modelId: model.id,
      modelVersion: model.version,
      fit: 20,
      engagement: 10,
      grade: 'B3',
      qualifies: false,
    });
    expect(score.explanation.fit).toEqual([
      { ruleId: 'nl', label: 'In the Netherlands', points: 20, group: null },
    ]);
    expect(score.explanation.engagement[0]).toMatchObject({
      ruleId: 'pages',
      matched: 1,
      pointsAfterDecay: 10,
    });

    // A later touch makes the contact due again; an unchanged contact is not rescored.
    expect(await drain()).toBe(0);
    context.clock.set('2026-03-11T12:00:00.000Z');
    await send([view('jan@acme.nl', '2026-03-11T12:00:00Z')]);
    expect(await drain()).toBe(1);
    expect((await scoring().getContactScore(cli, id)).explanation.engagement[0]).toMatchObject({
      matched: 2,
    });
  });

  it('rescores contacts of an account when the account changes', async () => {
    await activate({
      ...simple,
      fitRules: [
        {
          id: 'size',
          label: 'Mid-size',
          conditions: [{ op: 'range', field: 'account.employeeCount', min: 50 }],
          points: 25,
        },
      ],
    });
    await send([view('jan@acme.nl')]);
    await drain();
    const id = await contactId('jan@acme.nl');
    expect((await scoring().getContactScore(cli, id)).fit).toBe(0);
    const contact = await context.services.contacts.getContact(cli, id);
    await context.services.accounts.updateAccount(cli, contact.accountId!, { employeeCount: 120 });
    await drain();
    expect((await scoring().getContactScore(cli, id)).fit).toBe(25);
    const account = await scoring().getAccountScore(cli, contact.accountId!);
    expect(account).toMatchObject({ fit: 25, engagement: 10, contacts: 1, engagementCap: 100 });
  });

  it('moves a contact to MQL exactly once per crossing, with the rule as actor and the explanation as note', async () => {
    const model = await activate();
    await send([view('jan@acme.nl', '2026-03-10T12:00:00Z', { country: 'NL' })]);
    await drain();
    const id = await contactId('jan@acme.nl');
    expect(await mqlChanges(id)).toEqual([]);

    const announced: string[] = [];
    context.events.subscribe('contact.stage_changed', (e) => void announced.push(`${e.contactId}:${e.to}`));
    await send([{ type: 'form_submitted', occurredAt: '2026-03-10T12:00:00Z', email: 'jan@acme.nl' }]);
    await drain();
    const [change, ...more] = await mqlChanges(id);
    expect(more).toEqual([]);
    expect(change).toMatchObject({
      from: 'lead',
      to: 'mql',
      actor: { kind: 'rule', id: model.id, label: `scoring model v${model.version}` },
    });
    expect(change!.note).toContain('fit 20 ≥ 20 and engagement 40 ≥ 30');
    expect(change!.note).toContain('Forms +30');
    // The same note as a code with parameters, stored with it, for a reader in any language.
    expect(change!.noteMessage).toEqual({
      code: 'mql_thresholds',
      params: { version: model.version, fit: 20, fitAtLeast: 20, engagement: 40, engagementAtLeast: 30 },
    });
    expect(announced).toEqual([`${id}:mql`]);

    // More engagement, a rescoring run of the same crossing: no second move.
    await send([view('jan@acme.nl', '2026-03-10T11:00:00Z')]);
    await drain();
    const again = await scoring().createModel(cli, { name: 'Same rules', definition: simple });
    await scoring().activateModel(cli, again.id);
    await drain();
    expect(await mqlChanges(id)).toHaveLength(1);
  });

  it('fires once when two scorers race for the same crossing', async () => {
    await activate();
    await send([{ type: 'demo_requested', occurredAt: '2026-03-10T10:00:00Z', email: 'jan@acme.nl' }]);
    await Promise.all([scoring().scoreDue(), scoring().scoreDue(), scoring().scoreDue()]);
    await drain();
    expect(await mqlChanges(await contactId('jan@acme.nl'))).toHaveLength(1);
  });

  it('lets a recycled lead become an MQL again during the cool-off only on a new high-intent touch', async () => {
    await activate();
    await send([{ type: 'demo_requested', occurredAt: '2026-03-10T10:00:00Z', email: 'jan@acme.nl' }]);
    await drain();
    const id = await contactId('jan@acme.nl');
    await context.services.contacts.changeStage(cli, id, { to: 'recycled', reasonCode: 'not_now' });

    // Within the cool-off, other engagement does not bring it back, although the demo request
    // from before the recycle still qualifies it.
    context.clock.set('2026-03-20T12:00:00.000Z');
    await send([view('jan@acme.nl', '2026-03-20T10:00:00Z')]);
    await drain();
    expect((await context.services.contacts.getContact(cli, id)).stage).toBe('recycled');

    // A new demo request does, at once: MQL again, once.
    context.clock.set('2026-03-25T12:00:00.000Z');
    await send([{ type: 'demo_requested', occurredAt: '2026-03-25T10:00:00Z', email: 'jan@acme.nl' }]);
    await drain();
    await drain();
    const changes = await mqlChanges(id);
    expect(changes.map((c) => c.from)).toEqual(['lead', 'recycled']);
  });

  it('lets faded scores drop below the rule, so a later crossing fires again', async () => {
    await activate({ ...simple, mql: { ...simple.mql, fitAtLeast: 0, engagementAtLeast: 25 } });
    await send([view('jan@acme.nl'), view('jan@acme.nl'), view('jan@acme.nl')]);
    await drain();
    const id = await contactId('jan@acme.nl');
    expect(await mqlChanges(id)).toHaveLength(1);
    await context.services.contacts.changeStage(cli, id, { to: 'lead', reasonCode: 'mistake' });

    // Sixty days later the 30 points have faded to 7.5: the daily refresh records it.
    context.clock.set('2026-05-09T12:00:00.000Z');
    expect(await scoring().refreshFaded()).toBe(1);
    expect(await scoring().getContactScore(cli, id)).toMatchObject({ engagement: 7.5, qualifies: false });

    await send([view('jan@acme.nl', '2026-05-09T12:00:00Z'), view('jan@acme.nl', '2026-05-09T12:00:00Z')]);
    await drain();
    expect(await mqlChanges(id)).toHaveLength(2);
  });

  it('previews a draft beside the active model without storing anything, and keeps active models unchanged', async () => {
    const active = await activate();
    await send([
      view('a@acme.nl', '2026-03-10T12:00:00Z', { country: 'NL' }),
      view('b@acme.nl', '2026-03-10T12:00:00Z'),
      { type: 'form_submitted', occurredAt: '2026-03-10T12:00:00Z', email: 'c@acme.nl', country: 'NL' },
    ]);
    await drain();
    const draft = await scoring().createModel(cli, { name: 'Stricter', basedOnId: active.id });
    expect(draft).toMatchObject({ status: 'draft', version: active.version + 1, definition: simple });
    const stricter = { ...simple, mql: { ...simple.mql, engagementAtLeast: 5 } };
    await scoring().updateModel(cli, draft.id, { definition: stricter });

    const preview = await scoring().previewModel(cli, draft.id);
    expect(preview).toMatchObject({
      modelId: draft.id,
      contacts: 3,
      qualifying: 2,
      newMqls: 1,
      grades: { B3: 1, C3: 1, B2: 1 },
      active: { modelId: active.id, version: active.version, qualifying: 1 },
    });
    expect(preview.fit).toEqual([
      { from: 0, to: 10, contacts: 1 },
      { from: 20, to: 30, contacts: 2 },
    ]);
    const a = await contactId('a@acme.nl');
    expect((await scoring().getContactScore(cli, a)).modelId).toBe(active.id);
    expect(await mqlChanges(a)).toEqual([]);

    await expect(scoring().updateModel(cli, active.id, { name: 'x' })).rejects.toMatchObject({
      code: 'scoring.model_not_draft',
    });
    await expect(scoring().activateModel(cli, active.id)).rejects.toMatchObject({
      code: 'scoring.model_not_draft',
    });
  });

  it('rescores everything in the background after activation, with progress, while ingestion goes on', async () => {
    await activate();
    const contacts = 2400;
    for (let b = 0; b < contacts / 600; b++) {
      await send(
        Array.from({ length: 600 }, (_, i) =>
          view(`p${b * 600 + i}@company${i % 50}.nl`, '2026-03-10T12:00:00Z'),
        ),
      );
    }
    await drain();
    const next = await scoring().createModel(cli, {
      name: 'Pages count double',
      definition: { ...simple, engagementRules: [{ ...simple.engagementRules[0]!, points: 20 }] },
    });
    const { run } = await scoring().activateModel(cli, next.id);
    expect(run).toMatchObject({ status: 'running', total: contacts, done: 0 });

    const engine = {
      db: context.database.db,
      sqlite: context.database.sqlite,
      clock: context.clock,
      publish: (events: Parameters<typeof context.events.publish>[0]) => context.events.publish(events),
    };
    const worker = startScoringWorker(engine, context.events, {
      chunk: 100,
      idleMs: 10,
      onError: (error) => {
        throw error;
      },
    });
    try {
      // Ingest while the run is going: every batch is accepted, and some land before it is done.
      const progress: number[] = [];
      for (let i = 0; ; i++) {
        const answer = await send([view(`new${i}@later.nl`, '2026-03-10T12:00:00Z')]);
        expect(answer.accepted).toBe(1);
        const now = await scoring().getRun(cli, run.id);
        progress.push(now.done);
        if (now.status === 'done') break;
      }
      expect(progress.filter((done) => done > 0 && done < contacts).length).toBeGreaterThan(0);
      expect(progress).toEqual([...progress].sort((x, y) => x - y));
      const finished = await scoring().getRun(cli, run.id);
      expect(finished.done).toBeGreaterThanOrEqual(contacts);
      expect(finished.finishedAt).not.toBeNull();
      await drain();
    } finally {
      await worker.stop();
    }
    const sample = await scoring().getContactScore(cli, await contactId('p1234@company34.nl'));
    expect(sample).toMatchObject({ modelId: next.id, engagement: 20 });
    const late = await scoring().getContactScore(cli, await contactId('new0@later.nl'));
    expect(late).toMatchObject({ modelId: next.id, engagement: 20 });
  });

  it('starts with the built-in model active, once', async () => {
    await scoring().ensureDefaultModel();
    await scoring().ensureDefaultModel();
    const models = await scoring().listModels(cli);
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ version: 1, status: 'active', definition: defaultScoringModel });
    await send([{ type: 'demo_requested', occurredAt: '2026-03-10T10:00:00Z', email: 'ceo@acme.nl' }]);
    await drain();
    expect(await mqlChanges(await contactId('ceo@acme.nl'))).toHaveLength(1);
  });
});
