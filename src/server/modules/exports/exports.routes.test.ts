import { parse } from 'csv-parse/sync';
import { beforeEach, expect, it } from 'vitest';
import type { AttributionReport } from '../../../contract/attribution.ts';
import type { AuditLogPage } from '../../../contract/audit-log.ts';
import type { FatesReport, RejectionsReport } from '../../../contract/handoff.ts';
import type { SlaReport } from '../../../contract/sla.ts';
import type { Funnel } from '../../../contract/stages.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { createTestApp, createTestContext, seedCompany, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('every report as CSV', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let company: Awaited<ReturnType<typeof seedCompany>>;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-11-24T10:00:00.000Z');
    app = await createTestApp(context);
    company = await seedCompany(context, app);
    return () => app.close();
  });

  const get = async (cookie: string, url: string) => {
    const response = await app.inject({ url, headers: { cookie } });
    return { status: response.statusCode, body: response.body, type: response.headers['content-type'] };
  };
  const json = async <T>(cookie: string, url: string) => JSON.parse((await get(cookie, url)).body) as T;
  const csv = async (cookie: string, url: string) => {
    const response = await get(cookie, url);
    expect(response.status, response.body).toBe(200);
    expect(response.type).toMatch(/^text\/csv/);
    return parse<Record<string, string>>(response.body, { columns: true });
  };

  it("writes each report's rows as its JSON route counts them, neutralises formulas, and records the export", async () => {
    // Three leads handed over, one from a campaign whose name is a formula.
    for (const [i, campaign] of [
      'Cloud Q4',
      'Cloud Q4',
      '=HYPERLINK("http://evil.example","Win")',
    ].entries()) {
      const touched = await context.services.capture.ingest(
        cli,
        { type: 'page_viewed', occurredAt: '2026-11-24T09:00:00Z', email: `d${i}@firm.nl`, campaign },
        undefined,
      );
      await context.services.contacts.changeStage(cli, touched.body.results[0]!.contactId!, { to: 'mql' });
    }
    const period = 'from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z';
    const as = company.cookies.director;

    const fates = await json<FatesReport>(as, `/api/v1/handoff/fates?${period}`);
    const fatesCsv = await csv(as, `/api/v1/handoff/fates.csv?${period}`);
    expect(fates.data).toHaveLength(3);
    expect(fatesCsv.map((r) => r.contact_id)).toEqual(fates.data.map((f) => f.contactId));
    expect(fatesCsv.map((r) => r.campaign).sort()).toEqual([
      '\'=HYPERLINK("http://evil.example","Win")',
      'Cloud Q4',
      'Cloud Q4',
    ]);
    // The same filters as the screen.
    expect(await csv(as, `/api/v1/handoff/fates.csv?${period}&campaign=Cloud%20Q4`)).toHaveLength(2);

    const rejections = await json<RejectionsReport>(as, `/api/v1/handoff/rejections?${period}&by=campaign`);
    const rejectionsCsv = await csv(as, `/api/v1/handoff/rejections.csv?${period}&by=campaign`);
    expect(rejectionsCsv.map((r) => [r.key, Number(r.mqls)])).toEqual(
      rejections.groups.map((g) => [g.key?.startsWith('=') ? `'${g.key}` : (g.key ?? ''), g.mqls]),
    );

    const sla = await json<SlaReport>(as, `/api/v1/sla/report?${period}`);
    const slaCsv = await csv(as, `/api/v1/sla/report.csv?${period}`);
    expect(slaCsv).toHaveLength(sla.reps.length + sla.teams.length + 1);
    expect(slaCsv.at(-1)).toMatchObject({ scope: 'total', clocks: String(sla.total.clocks) });

    const attribution = await json<AttributionReport>(
      as,
      '/api/v1/attribution/report?from=2026-11-01&to=2026-11-30',
    );
    const attributionCsv = await csv(as, '/api/v1/attribution/report.csv?from=2026-11-01&to=2026-11-30');
    expect(attributionCsv.map((r) => r.key)).toEqual(attribution.rows.map((r) => r.key));

    const funnel = await json<Funnel>(as, `/api/v1/funnel?${period}`);
    const funnelCsv = await csv(as, `/api/v1/funnel.csv?${period}`);
    expect(funnelCsv.map((r) => [r.stage, Number(r.reached)])).toEqual(
      funnel.stages.map((s) => [s.key, s.reached]),
    );
    expect(funnelCsv.find((r) => r.stage === 'mql')?.reached).toBe('3');

    // Each export is in the audit log, with its filters and its size.
    const audit = await json<AuditLogPage>(company.cookies.admin, '/api/v1/audit-log?action=report.exported');
    expect(audit.data.map((e) => e.details.report).sort()).toEqual([
      'attribution.report',
      'funnel',
      'handoff.fates',
      'handoff.fates',
      'handoff.rejections',
      'sla.report',
    ]);
    expect(
      audit.data.find((e) => e.details.filters && (e.details.filters as { campaign?: string }).campaign),
    ).toMatchObject({
      details: { report: 'handoff.fates', rows: 2, filters: { campaign: 'Cloud Q4' } },
    });

    // The tracker names people: it does not leave with a rep; the figures do.
    expect((await get(company.cookies.rep, `/api/v1/handoff/fates.csv?${period}`)).status).toBe(403);
    expect((await get(company.cookies.rep, `/api/v1/sla/report.csv?${period}`)).status).toBe(200);
    // Bad input is refused as on the JSON route, naming the field.
    const bad = await get(
      as,
      '/api/v1/handoff/rejections.csv?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&by=colour',
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('query.by');
  });
});
