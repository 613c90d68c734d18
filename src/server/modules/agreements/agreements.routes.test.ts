import { extractText, getDocumentProxy } from 'unpdf';
import { beforeEach, expect, it } from 'vitest';
import type { Agreement, AgreementDiff, AuditEntry, MqlReport } from '../../../contract/agreements.ts';
import type { ScoringModelDefinition } from '../../../contract/scoring.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

/** One form (30 points, no decay) is an MQL under `engagementAtLeast: 30`, two are needed under 60. */
const model = (engagementAtLeast: number): ScoringModelDefinition => ({
  fitRules: [],
  engagementRules: [
    { id: 'forms', label: 'Forms', eventTypes: ['form_submitted'], points: 30, decays: false },
  ],
  halfLifeDays: 30,
  lookbackDays: 365,
  groupCaps: {},
  grades: { fit: { a: 40, b: 20 }, engagement: { one: 60, two: 30 } },
  mql: {
    fitAtLeast: 0,
    engagementAtLeast,
    highIntent: [],
    highIntentWithinDays: 30,
    recycleCoolOffDays: 30,
  },
  accountEngagementCap: 100,
});

describeEachDialect('the alignment agreement', (getDatabase) => {
  let context: TestContext;
  let app: App;
  // Sessions run out while the clock moves months ahead: each call signs in anew, as the person would.
  let admin: string;
  let fenna: { id: string; cookie: string };
  let diana: { id: string; cookie: string };
  let rep: string;
  let key = 0;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    admin = (await addUser(context, 'admin')).email;
    const f = await addUser(context, 'marketing', { name: 'Fenna Visser' });
    const d = await addUser(context, 'director', { name: 'Diana de Vries' });
    fenna = { id: f.id, cookie: f.email };
    diana = { id: d.id, cookie: d.email };
    rep = (await addUser(context, 'sales_rep')).email;
    return () => app.close();
  });

  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, email = admin, payload?: object) =>
    app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { cookie: await signIn(app, email) },
      ...(payload && { payload }),
    });
  const at = (iso: string) => context.clock.set(iso);

  const activate = async (engagementAtLeast: number) => {
    const m = await context.services.scoring.createModel(cli, {
      name: `MQL at ${engagementAtLeast}`,
      definition: model(engagementAtLeast),
    });
    await context.services.scoring.activateModel(cli, m.id);
    for (;;) {
      const n = (await context.services.scoring.scoreDue()) + (await context.services.scoring.advanceRuns());
      if (n === 0) break;
    }
  };
  const forms = async (email: string, count: number, when: string) => {
    at(when);
    const events = Array.from({ length: count }, (_, i) => ({
      type: 'form_submitted',
      occurredAt: new Date(Date.parse(when) - (i + 1) * 60_000).toISOString(),
      email,
    }));
    const outcome = await context.services.capture.ingest(cli, { events }, `k${++key}`);
    expect(outcome.body.rejected).toBe(0);
    while ((await context.services.scoring.scoreDue()) > 0);
  };
  const agree = async (effectiveFrom: string, signers = { marketing: fenna, sales: diana }) => {
    const draft = await call('POST', '/agreements', admin, { effectiveFrom });
    expect(draft.statusCode).toBe(201);
    const version = draft.json<Agreement>().version;
    const proposed = await call('POST', `/agreements/${version}/propose`, admin, {
      marketingSignerId: signers.marketing.id,
      salesSignerId: signers.sales.id,
    });
    expect(proposed.statusCode).toBe(200);
    return version;
  };

  it('comes into force only with both heads’ signatures, and only the named heads sign', async () => {
    await activate(30);
    const v = await agree('2027-01-01T00:00:00.000Z');
    expect((await call('POST', `/agreements/${v}/sign`, rep)).json()).toMatchObject({
      code: 'auth.forbidden',
    });
    const other = (await addUser(context, 'director')).email;
    expect((await call('POST', `/agreements/${v}/sign`, other)).json()).toMatchObject({
      code: 'agreements.not_signer',
    });

    const half = await call('POST', `/agreements/${v}/sign`, fenna.cookie);
    expect(half.json<Agreement>()).toMatchObject({ status: 'proposed', salesSignedAt: null });
    expect((await call('POST', `/agreements/${v}/sign`, fenna.cookie)).json()).toMatchObject({
      code: 'agreements.already_signed',
    });
    at('2027-01-05T09:00:00.000Z');
    const spans = await call('GET', '/agreements/spans?from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z');
    expect(spans.json()).toEqual([
      { version: null, from: '2027-01-01T00:00:00.000Z', to: '2027-02-01T00:00:00.000Z' },
    ]);

    const signed = await call('POST', `/agreements/${v}/sign`, diana.cookie);
    expect(signed.json<Agreement>()).toMatchObject({
      status: 'in_force',
      marketingSigner: { name: 'Fenna Visser' },
    });
    expect(
      (await call('GET', '/agreements/spans?from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z')).json(),
    ).toEqual([{ version: 1, from: '2027-01-01T00:00:00.000Z', to: '2027-02-01T00:00:00.000Z' }]);
    // Signed is final: no third signature, no withdrawal, no edit.
    expect((await call('POST', `/agreements/${v}/withdraw`)).json()).toMatchObject({
      code: 'agreements.not_proposed',
    });
    expect((await call('PATCH', `/agreements/${v}`, admin, { title: 'Other' })).json()).toMatchObject({
      code: 'agreements.not_draft',
    });
  });

  it('is signed when both heads sign at the same moment, and a side signs only once', async () => {
    await activate(30);
    const v = await agree('2026-12-01T00:00:00.000Z');
    const fennaActor = { kind: 'user', userId: fenna.id, role: 'marketing' } as const;
    const dianaActor = { kind: 'user', userId: diana.id, role: 'director' } as const;
    await Promise.all([
      context.services.agreements.sign(fennaActor, v),
      context.services.agreements.sign(dianaActor, v),
    ]);
    expect(await context.services.agreements.get(cli, v)).toMatchObject({ status: 'in_force' });
    await expect(context.services.agreements.sign(dianaActor, v)).rejects.toMatchObject({
      code: 'agreements.not_proposed',
    });
    // Two withdrawals of one proposal: one wins, the other is refused.
    const w = await agree('2027-01-01T00:00:00.000Z');
    const outcomes = await Promise.allSettled([
      context.services.agreements.withdraw(cli, w),
      context.services.agreements.withdraw(cli, w),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses signers who cannot sign for their side', async () => {
    const draft = (
      await call('POST', '/agreements', admin, { effectiveFrom: '2027-01-01T00:00:00.000Z' })
    ).json<Agreement>();
    const wrong = await call('POST', `/agreements/${draft.version}/propose`, admin, {
      marketingSignerId: diana.id,
      salesSignerId: diana.id,
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({
      code: 'agreements.invalid_signer',
      errors: [{ field: 'body.marketingSignerId', reason: 'must be an active marketing user' }],
    });
  });

  it('reads each part of a quarter against the MQL rule of the version in force then, and flags the change made outside it', async () => {
    await activate(30);
    at('2026-12-15T09:00:00.000Z');
    const v1 = await agree('2027-01-01T00:00:00.000Z');
    await call('POST', `/agreements/${v1}/sign`, fenna.cookie);
    await call('POST', `/agreements/${v1}/sign`, diana.cookie);

    // January, under version 1 (one form is enough).
    await forms('a1@klant.nl', 1, '2027-01-10T10:00:00.000Z');
    await forms('a2@klant.nl', 1, '2027-01-11T10:00:00.000Z');

    // 1 February: the threshold is raised in the scoring settings, outside the agreement.
    at('2027-02-01T09:00:00.000Z');
    await activate(60);
    const flagged = (await call('GET', '/audit?outsideAgreementOnly=true')).json<AuditEntry[]>();
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatchObject({
      type: 'agreement.change_outside',
      section: 'mqlRule',
      agreementVersion: 1,
      outsideAgreement: true,
      payload: { version: 1, sections: ['mqlRule'] },
    });
    const changes = (flagged[0]!.payload as { changes: { path: string; before: unknown; after: unknown }[] })
      .changes;
    expect(changes).toContainEqual({
      path: 'mqlRule.engagementAtLeast',
      section: 'mqlRule',
      before: 30,
      after: 60,
    });
    // Reading the log again flags nothing new: the same difference is flagged once.
    expect((await call('GET', '/audit?outsideAgreementOnly=true')).json()).toHaveLength(1);
    const log = (await call('GET', '/audit')).json<AuditEntry[]>();
    expect(log.find((e) => e.type === 'scoring.model_activated' && e.agreementVersion === 1)).toMatchObject({
      section: 'mqlRule',
      outsideAgreement: false,
    });

    // Version 2 takes the new rule in, in force from 15 February once both heads sign.
    at('2027-02-05T09:00:00.000Z');
    const v2 = await agree('2027-02-15T00:00:00.000Z');
    await call('POST', `/agreements/${v2}/sign`, diana.cookie);
    await call('POST', `/agreements/${v2}/sign`, fenna.cookie);
    const agreement = (await call('GET', `/agreements/${v2}`)).json<Agreement>();
    expect(agreement).toMatchObject({ status: 'scheduled', drift: [] });

    // Late February, under version 2: one form is no longer an MQL, two are.
    await forms('b1@klant.nl', 1, '2027-02-20T10:00:00.000Z');
    await forms('b2@klant.nl', 2, '2027-02-21T10:00:00.000Z');

    at('2027-03-01T09:00:00.000Z');
    const report = (
      await call('GET', '/agreements/mql-report?from=2027-01-01T00:00:00Z&to=2027-04-01T00:00:00Z')
    ).json<MqlReport>();
    expect(report.parts).toMatchObject([
      {
        version: 1,
        from: '2027-01-01T00:00:00.000Z',
        to: '2027-02-15T00:00:00.000Z',
        rule: { engagementAtLeast: 30 },
        mqls: 2,
      },
      {
        version: 2,
        from: '2027-02-15T00:00:00.000Z',
        to: '2027-04-01T00:00:00.000Z',
        rule: { engagementAtLeast: 60 },
        mqls: 1,
      },
    ]);
    // Every report over the quarter names the version in force in each of its parts.
    const spans = [
      { version: 1, from: '2027-01-01T00:00:00.000Z', to: '2027-02-15T00:00:00.000Z' },
      { version: 2, from: '2027-02-15T00:00:00.000Z', to: '2027-04-01T00:00:00.000Z' },
    ];
    const quarter = 'from=2027-01-01T00:00:00Z&to=2027-04-01T00:00:00Z';
    for (const url of [
      `/sla/report?${quarter}`,
      `/funnel?${quarter}`,
      `/handoff/fates?${quarter}`,
      `/handoff/rejections?${quarter}&by=campaign`,
      '/attribution/report?from=2027-01-01&to=2027-03-31',
      '/pacing?periodKind=quarter&periodStart=2027-01',
    ])
      expect({
        url,
        agreements: (await call('GET', url)).json<{ agreements: unknown }>().agreements,
      }).toEqual({
        url,
        agreements: spans,
      });
    // Each stage change stored the version in force when it happened.
    const stamped = await context.database.db
      .selectFrom('stage_changes')
      .select('agreement_version')
      .where('to_stage', '=', 'mql')
      .orderBy('occurred_at')
      .execute();
    expect(stamped.map((r) => r.agreement_version)).toEqual([1, 1, 2]);
    const diff = (await call('GET', `/agreements/diff?from=${v1}&to=${v2}`)).json<AgreementDiff>();
    expect(diff.changes).toContainEqual({
      path: 'mqlRule.engagementAtLeast',
      section: 'mqlRule',
      before: 30,
      after: 60,
    });
    // With version 2 in force, the live configuration matches it: nothing more is flagged.
    expect((await call('GET', '/audit?outsideAgreementOnly=true')).json()).toHaveLength(1);
  });

  it('never takes a commitment’s live pace for a change of the agreed settings', async () => {
    await activate(30);
    await context.services.commitments.create(cli, {
      period: 'month',
      startsOn: '2026-12-01',
      mqlTarget: 40,
      minAcceptanceRate: 0.5,
      ownerId: fenna.id,
    });
    const v = await agree('2026-12-01T00:00:00.000Z');
    await call('POST', `/agreements/${v}/sign`, fenna.cookie);
    await call('POST', `/agreements/${v}/sign`, diana.cookie);
    // Marketing delivers an MQL and the days pass: the commitment's pace moves, nothing else.
    await forms('anna@klant.nl', 5, '2026-12-02T10:00:00.000Z');
    at('2026-12-04T10:00:00.000Z');
    const [commitment] = await context.services.commitments.list(cli, {});
    expect(commitment!.pace.delivered).toBeGreaterThan(0);
    expect(await context.services.agreements.checkDrift()).toEqual([]);
    const agreement = await call('GET', `/agreements/${v}`, rep);
    expect(agreement.json<Agreement>()).toMatchObject({ status: 'in_force', drift: [] });
    const flagged = await context.database.db
      .selectFrom('events')
      .select('id')
      .where('type', '=', 'agreement.change_outside')
      .execute();
    expect(flagged).toEqual([]);
  });

  it('flags an attribution change made outside the agreement as soon as it is made', async () => {
    await activate(30);
    const v = await agree('2026-12-01T00:00:00.000Z');
    await call('POST', `/agreements/${v}/sign`, fenna.cookie);
    await call('POST', `/agreements/${v}/sign`, diana.cookie);
    expect((await call('PATCH', '/attribution/settings', admin, { model: 'linear' })).statusCode).toBe(200);
    // The reaction to the change records the flag.
    await context.events.settled();
    expect(context.handlerErrors).toEqual([]);
    const stored = await context.database.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'agreement.change_outside')
      .execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored[0]!.payload)).toContain('attribution.model');
  });

  it('exports a version as a PDF with every section, in English and in Dutch', async () => {
    await activate(30);
    await context.services.planning.putTarget(cli, {
      periodKind: 'year',
      periodStart: '2027-01',
      metric: 'revenue',
      ownerKind: 'company',
      value: 200_000_000,
      currency: 'EUR',
      joint: true,
    });
    const v = await agree('2027-01-01T00:00:00.000Z');
    for (const [lang, headings] of [
      [
        'en',
        [
          'Alignment agreement between Marketing and Sales',
          '1. Stage definitions',
          '2. The MQL rule',
          '3. Follow-up SLAs on both sides',
          '4. Recycle rules and reason codes',
          '5. Attribution model for recognition',
          '6. Targets and plan',
          '7. Joint bonus plan',
          'Fenna Visser',
        ],
      ],
      [
        'nl',
        [
          'Afstemmingsovereenkomst tussen Marketing en Sales',
          '1. Definities van de fasen',
          '2. De MQL-regel',
          '3. Opvolgafspraken (SLA) aan beide kanten',
          '4. Recycleregels en redencodes',
          '5. Attributiemodel voor erkenning',
          '6. Doelen en plan',
          '7. Gezamenlijke bonusregeling',
        ],
      ],
    ] as const) {
      const response = await call('GET', `/agreements/${v}/pdf?lang=${lang}`, rep);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      const pdf = await getDocumentProxy(new Uint8Array(response.rawPayload));
      const { text } = await extractText(pdf, { mergePages: true });
      for (const heading of headings) expect(text).toContain(heading);
      // The content itself, as people read it: the MQL threshold, the agreed model, the target.
      const facts =
        lang === 'en'
          ? [
              'an engagement score of at least 30',
              'W-shaped',
              'EUR 2,000,000.00',
              'Marketing qualified lead (MQL)',
            ]
          : [
              'een engagementscore van minstens 30',
              'W-vormig',
              'EUR 2.000.000,00',
              'Marketing qualified lead (MQL)',
            ];
      for (const fact of facts) expect(text).toContain(fact);
    }
  });
});
