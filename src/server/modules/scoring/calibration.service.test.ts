import { Readable } from 'node:stream';
import { beforeEach, expect, it } from 'vitest';
import type { ScoringModelDefinition } from '../../../contract/scoring.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestContext, type TestContext } from '../../testing/world.ts';

const cli = { kind: 'cli' } as const;

/** 400 labelled leads: working professionals convert most, students least; Tags leaks the outcome. */
function leadsCsv(): string {
  const lines = ['Prospect ID,Converted,Occupation,Visits,Tags'];
  for (let i = 0; i < 400; i++) {
    const occupation = ['Working Professional', 'Student', 'Unemployed', 'Other'][i % 4]!;
    const rate = occupation === 'Working Professional' ? 80 : occupation === 'Student' ? 10 : 40;
    const converted = (i * 7919) % 100 < rate;
    lines.push(`lead-${i},${converted ? 1 : 0},${occupation},${i % 10},${converted ? 'Closed' : 'Ringing'}`);
  }
  return lines.join('\n');
}

const handMade: ScoringModelDefinition = {
  fitRules: [
    {
      id: 'working',
      label: 'Working professional',
      conditions: [{ op: 'equals', field: 'attributes.Occupation', value: 'Working Professional' }],
      points: 40,
    },
    {
      id: 'student',
      label: 'Student',
      conditions: [{ op: 'equals', field: 'attributes.Occupation', value: 'Student' }],
      points: -20,
    },
    {
      id: 'visits',
      label: 'Five visits or more',
      conditions: [{ op: 'range', field: 'attributes.Visits', min: 5 }],
      points: 5,
    },
  ],
  engagementRules: [],
  halfLifeDays: 30,
  lookbackDays: 365,
  groupCaps: {},
  grades: { fit: { a: 40, b: 0 }, engagement: { one: 60, two: 30 } },
  mql: {
    fitAtLeast: 40,
    engagementAtLeast: 0,
    highIntent: [],
    highIntentWithinDays: 30,
    recycleCoolOffDays: 30,
  },
  accountEngagementCap: 100,
};

describeEachDialect('calibration and learning', (getDatabase) => {
  let context: TestContext;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-06-01T12:00:00.000Z');
    const report = await context.services.imports.importCsv(cli, Readable.from([leadsCsv()]), {
      kind: 'contacts',
      overrides: {},
      dryRun: false,
      keepUnmapped: true,
    });
    expect(report).toMatchObject({ created: 400, rejected: 0 });
  });

  it('reports AUC, conversion by band, rule lift and a threshold for imported outcomes', async () => {
    const model = await context.services.scoring.createModel(cli, {
      name: 'Hand-made',
      definition: handMade,
    });
    const report = await context.services.scoring.calibrate(cli, model.id, {});
    expect(report).toMatchObject({ modelId: model.id, scope: 'all', contacts: 400 });
    expect(report.converted).toBe(
      leadsCsv()
        .split('\n')
        .filter((l) => l.split(',')[1] === '1').length,
    );
    expect(report.auc.score).toBeGreaterThan(0.7);
    expect(report.auc.engagement).toBe(0.5);
    const working = report.rules.find((r) => r.ruleId === 'working')!;
    expect(working.withRule.contacts).toBe(100);
    expect(working.lift).toBeGreaterThan(2);
    expect(report.rules.find((r) => r.ruleId === 'student')!.lift).toBeLessThan(0.5);
    expect(report.bands.reduce((n, b) => n + b.contacts, 0)).toBe(400);
    expect(report.suggestedThreshold).toMatchObject({ threshold: 40 });

    const heldOut = await context.services.scoring.calibrate(cli, model.id, { holdout: 0.3 });
    expect(heldOut.scope).toBe('held_out');
    expect(heldOut.contacts).toBeGreaterThan(80);
    expect(heldOut.contacts).toBeLessThan(160);
  });

  it('counts what Sales did as outcomes: accepted or beyond converts, recycled does not', async () => {
    const model = await context.services.scoring.createModel(cli, {
      name: 'Hand-made',
      definition: handMade,
    });
    const a = await context.services.contacts.createContact(cli, { email: 'a@acme.nl' });
    const b = await context.services.contacts.createContact(cli, { email: 'b@acme.nl' });
    await context.services.contacts.createContact(cli, { email: 'c@acme.nl' });
    await context.services.contacts.changeStage(cli, a.id, { to: 'sal' });
    await context.services.contacts.changeStage(cli, a.id, { to: 'recycled', reasonCode: 'not_now' });
    await context.services.contacts.changeStage(cli, b.id, { to: 'recycled', reasonCode: 'no_budget' });
    const report = await context.services.scoring.calibrate(cli, model.id, {});
    // 400 labelled, plus a (reached SAL: converted) and b (recycled: not); c is still open.
    expect(report.contacts).toBe(402);
  });

  it('learns a draft model without the leaking field, and tests it on contacts it never saw', async () => {
    const base = await context.services.scoring.createModel(cli, { name: 'Hand-made', definition: handMade });
    const result = await context.services.scoring.learnModel(cli, {
      name: 'Learned',
      basedOnId: base.id,
      exclude: ['attributes.Tags'],
      holdout: 0.3,
    });
    expect(result.model).toMatchObject({
      status: 'draft',
      origin: 'learned',
      basedOnId: base.id,
      name: 'Learned',
    });
    const fields = result.model.definition.fitRules.flatMap((r) =>
      r.conditions.map((c) => ('field' in c ? c.field : '')),
    );
    expect(fields).toContain('attributes.Occupation');
    expect(fields).not.toContain('attributes.Tags');
    expect(result.training.contacts + result.heldOut.contacts).toBe(400);
    expect(result.heldOut.learnedAuc).toBeGreaterThan(0.7);
    expect(result.heldOut.basedOnAuc).toBeGreaterThan(0.7);

    // The learned draft is calibrated like any model, and activates only when a human says so.
    expect((await context.services.scoring.listModels(cli)).filter((m) => m.status === 'active')).toEqual([]);
    const report = await context.services.scoring.calibrate(cli, result.model.id, { holdout: 0.3 });
    expect(report.auc.score).toBe(result.heldOut.learnedAuc);
  });

  it('refuses to learn from too few outcomes', async () => {
    // Holding out 90% leaves about 40 contacts to learn from.
    await expect(context.services.scoring.learnModel(cli, { name: 'x', holdout: 0.9 })).rejects.toMatchObject(
      {
        code: 'scoring.not_enough_outcomes',
      },
    );
    expect(await context.services.scoring.listModels(cli)).toEqual([]);
  });
});
