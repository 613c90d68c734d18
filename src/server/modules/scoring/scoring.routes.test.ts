import { beforeEach, expect, it } from 'vitest';
import type { ContactScore, ScoringModel, ScoringPreview, ScoringRun } from '../../../contract/scoring.ts';
import { defaultScoringModel } from '../../../domain/scoring/default-model.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

interface Problem {
  code: string;
  errors: { field: string; reason: string }[];
}

describeEachDialect('the scoring API', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let cookie: string;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-03-10T12:00:00.000Z');
    app = await createTestApp(context);
    const marketer = await addUser(context, 'marketing');
    cookie = await signIn(app, marketer.email);
    return () => app.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, headers: { cookie }, ...(payload && { payload }) });

  it('runs a preview only for those who edit scoring, and answers several asked at once in full', async () => {
    const model = (await call('POST', '/scoring/models', { name: 'Draft' })).json<{ id: string }>();
    for (let i = 0; i < 260; i++)
      await context.services.contacts.createContact({ kind: 'cli' }, { email: `p${i}@example.nl` });
    for (const role of ['sales_rep', 'sales_manager', 'director'] as const) {
      const other = await signIn(app, (await addUser(context, role)).email);
      const refused = await app.inject({
        method: 'POST',
        url: `/api/v1/scoring/models/${model.id}/preview`,
        headers: { cookie: other },
      });
      expect(refused.statusCode).toBe(403);
    }
    // Four at once (they take turns): each is answered in full, over every chunk of contacts.
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => call('POST', `/scoring/models/${model.id}/preview`)),
    );
    for (const answer of answers) expect(answer.json<ScoringPreview>().contacts).toBe(260);
  });

  it('refuses a malformed model, naming each field and why', async () => {
    const response = await call('POST', '/scoring/models', {
      name: 'Broken',
      definition: {
        ...defaultScoringModel,
        halfLifeDays: -3,
        fitRules: [{ id: 'x', label: 'X', conditions: [{ op: 'between', field: 'title' }], points: 5 }],
        engagementRules: [{ id: 'y', label: 'Y', eventTypes: ['coffee_drunk'], points: 5 }],
      },
    });
    expect(response.statusCode).toBe(400);
    const problem = response.json<Problem>();
    expect(problem.code).toBe('http.validation_failed');
    const fields = problem.errors.map((e) => e.field);
    expect(fields).toContain('body.definition.halfLifeDays');
    expect(fields.some((f) => f.startsWith('body.definition.fitRules.0.conditions.0'))).toBe(true);
    expect(fields.some((f) => f.startsWith('body.definition.engagementRules.0.eventTypes.0'))).toBe(true);
  });

  it('refuses a model the schema takes but scoring cannot use: a fit rule on an unknown field, two rules with one id', async () => {
    const draft = (await call('POST', '/scoring/models', { name: 'Draft' })).json<ScoringModel>();
    const rule = (id: string, field: string) => ({
      id,
      label: id,
      conditions: [
        {
          op: 'any',
          conditions: [
            { op: 'exists', field: 'title' },
            { op: 'exists', field },
          ],
        },
      ],
      points: 5,
    });
    const unknown = await call('PATCH', `/scoring/models/${draft.id}`, {
      definition: {
        ...defaultScoringModel,
        fitRules: [rule('a', 'account.industry'), rule('b', 'industry')],
      },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<Problem>()).toMatchObject({
      code: 'scoring.invalid_model',
      errors: [
        {
          field: 'body.definition.fitRules.1.conditions.0',
          reason: expect.stringContaining('unknown field "industry"'),
        },
      ],
    });
    const twice = await call('POST', '/scoring/models', {
      name: 'Twice',
      definition: { ...defaultScoringModel, fitRules: [rule('a', 'attributes.Budget'), rule('a', 'phone')] },
    });
    expect(twice.json<Problem>()).toMatchObject({
      code: 'scoring.invalid_model',
      errors: [{ field: 'body.definition.fitRules.1.id' }],
    });
    // A form's own field and every documented field are taken, and the draft is unchanged by the refusals.
    const fine = await call('PATCH', `/scoring/models/${draft.id}`, {
      definition: {
        ...defaultScoringModel,
        fitRules: [rule('a', 'attributes.Budget'), rule('b', 'latestSource')],
      },
    });
    expect(fine.statusCode).toBe(200);
    expect(fine.json<ScoringModel>().definition.fitRules.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('takes a model from draft through preview and activation to a scored, explained lead', async () => {
    const created = await call('POST', '/scoring/models', { name: 'Spring 2026' });
    expect(created.statusCode).toBe(201);
    const model = created.json<ScoringModel>();
    expect(model).toMatchObject({ status: 'draft', origin: 'manual', definition: defaultScoringModel });

    await context.services.capture.ingest(
      { kind: 'cli' },
      { type: 'demo_requested', occurredAt: '2026-03-10T11:00:00Z', email: 'cto@acme.nl', title: 'CTO' },
      undefined,
    );
    const preview = (await call('POST', `/scoring/models/${model.id}/preview`)).json<ScoringPreview>();
    expect(preview).toMatchObject({ contacts: 1, qualifying: 1, newMqls: 1, active: null });

    const activated = await call('POST', `/scoring/models/${model.id}/activate`);
    expect(activated.statusCode).toBe(200);
    const { run } = activated.json<{ model: ScoringModel; run: ScoringRun }>();
    expect((await call('POST', `/scoring/models/${model.id}/activate`)).json<Problem>().code).toBe(
      'scoring.model_not_draft',
    );
    while ((await context.services.scoring.advanceRuns()) > 0);
    expect((await call('GET', `/scoring/runs/${run.id}`)).json<ScoringRun>()).toMatchObject({
      status: 'done',
      total: 1,
      done: 1,
    });

    const contactId = (
      await context.services.contacts.listContacts({ kind: 'cli' }, { email: 'cto@acme.nl' })
    ).data[0]!.id;
    const score = (await call('GET', `/contacts/${contactId}/score`)).json<ContactScore>();
    expect(score).toMatchObject({ modelVersion: model.version, qualifies: true });
    expect(score.explanation.mql.by).toBe('high_intent');
    expect(score.explanation.engagement.map((e) => e.ruleId)).toEqual(['demo']);
    const lifecycle = (await call('GET', `/contacts/${contactId}/lifecycle`)).json<{ stage: string }>();
    expect(lifecycle.stage).toBe('mql');
  });

  it('answers 404 for a contact that has not been scored and for an unknown model', async () => {
    const contact = await context.services.contacts.createContact({ kind: 'cli' }, { email: 'new@acme.nl' });
    expect((await call('GET', `/contacts/${contact.id}/score`)).json<Problem>().code).toBe(
      'scoring.not_scored',
    );
    const unknown = await call('GET', '/scoring/models/0190a000-0000-7000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<Problem>().code).toBe('scoring.model_not_found');
  });
});
