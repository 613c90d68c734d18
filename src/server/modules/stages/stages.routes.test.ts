import { beforeEach, expect, it } from 'vitest';
import type { Funnel } from '../../../contract/stages.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('the funnel', (getDatabase) => {
  let context: TestContext;
  let app: App;

  beforeEach(async () => {
    context = createTestContext(getDatabase(), undefined, { reactions: false });
    app = await createTestApp(context);
    return () => app.close();
  });

  it('follows the people who came in during the period: how many reached each stage by now (never more MQLs than leads), who went further and how long they stayed; a rep only their own', async () => {
    const director = await addUser(context, 'director');
    const manager = await addUser(context, 'sales_manager', { managerId: director.id });
    const rep = await addUser(context, 'sales_rep', { managerId: manager.id });
    const at = (iso: string) => context.clock.set(iso);
    // Came in before the period: its MQL in the period is no part of the period's cohort.
    at('2026-10-20T09:00:00.000Z');
    const old = await context.services.contacts.createContact(cli, { email: 'old@acme.nl' });
    at('2026-11-02T09:00:00.000Z');
    await context.services.contacts.changeStage(cli, old.id, { to: 'mql' });
    const a = await context.services.contacts.createContact(cli, { email: 'a@acme.nl', ownerId: rep.id });
    const b = await context.services.contacts.createContact(cli, { email: 'b@acme.nl' });
    at('2026-11-03T09:00:00.000Z');
    await context.services.contacts.changeStage(cli, a.id, { to: 'mql' });
    await context.services.contacts.changeStage(cli, b.id, { to: 'mql' });
    at('2026-11-03T13:00:00.000Z');
    await context.services.contacts.changeStage(cli, a.id, { to: 'sal' });
    at('2026-12-02T09:00:00.000Z'); // after the period: still counts as a's going further
    await context.services.contacts.changeStage(cli, a.id, { to: 'sql' });

    const funnelOf = async (cookie: string) => {
      const response = await app.inject({
        url: '/api/v1/funnel?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
        headers: { cookie },
      });
      expect(response.statusCode).toBe(200);
      return response.json<Funnel>();
    };
    const figures = (funnel: Funnel) =>
      funnel.stages.slice(1, 5).map((s) => [s.key, s.reached, s.advanced, s.left, s.medianMsInStage]);
    const director_ = await signIn(app, director.email);
    const funnel = await funnelOf(director_);
    expect(funnel.stages.map((s) => s.key)).toEqual([
      'subscriber',
      'lead',
      'mql',
      'sal',
      'sql',
      'opportunity',
      'customer',
    ]);
    expect(funnel.stages[2]).toMatchObject({ name: { en: expect.any(String), nl: expect.any(String) } });
    expect(figures(funnel)).toEqual([
      ['lead', 2, 2, 2, 24 * 3600_000],
      ['mql', 2, 1, 1, 4 * 3600_000],
      ['sal', 1, 1, 1, 29 * 24 * 3600_000 - 4 * 3600_000],
      // a became an SQL after the period: it reached the stage by now.
      ['sql', 1, 0, 0, null],
    ]);
    const reached = funnel.stages.map((s) => s.reached);
    expect(reached.every((n, i) => i === 0 || n <= reached[i - 1]!)).toBe(true);
    expect(funnel.stages[2]!.conversion).toBe(0.5);
    // The rep counts only their own lead (b has no owner).
    expect(figures(await funnelOf(await signIn(app, rep.email))).slice(0, 2)).toEqual([
      ['lead', 1, 1, 1, 24 * 3600_000],
      ['mql', 1, 1, 1, 4 * 3600_000],
    ]);
    const wrong = await app.inject({
      url: '/api/v1/funnel?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z',
      headers: { cookie: director_ },
    });
    expect(wrong.json()).toMatchObject({ errors: [{ field: 'body.to' }] });
  });
});
