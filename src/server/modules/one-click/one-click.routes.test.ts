import { beforeEach, expect, it } from 'vitest';
import type { OneClickPreview } from '../../../contract/one-click.ts';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestApp, createTestContext, type TestContext } from '../../testing/world.ts';
import type { App } from '../shared/http.ts';
import { createSmtpMailer } from '../../platform/mailer.ts';
import { startTestSmtpServer } from '../../testing/smtp.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('one-click actions from an email', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let repId: string;

  beforeEach(async () => {
    context = createTestContext(getDatabase());
    context.clock.set('2026-12-01T09:00:00.000Z');
    app = await createTestApp(context);
    await context.services.scoring.ensureDefaultModel();
    const manager = await addUser(context, 'sales_manager');
    repId = (await addUser(context, 'sales_rep', { managerId: manager.id, name: 'Ruud Rep' })).id;
    const pool = await context.services.routing.createPool(cli, {
      name: 'Inside',
      members: [{ userId: repId }],
    });
    await context.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    return () => app.close();
  });

  /** A routed lead, and the three links of the rep's "new lead" email. */
  const routedLead = async (email: string) => {
    const outcome = await context.services.capture.ingest(
      cli,
      { type: 'demo_requested', email, occurredAt: context.clock.now().toISOString(), firstName: 'Eva' },
      undefined,
    );
    await context.services.scoring.scoreDue();
    const id = outcome.body.results[0]!.contactId!;
    await expect.poll(async () => (await context.services.contacts.getContact(cli, id)).ownerId).toBe(repId);
    const outbox = await context.services.notifications.listOutbox(cli, { limit: 200 });
    const message = outbox.data.find((m) => m.kind === 'lead.assigned' && m.contactId === id)!;
    const full = await context.services.notifications.getOutboxMessage(cli, message.id);
    const tokens = [...(full.bodyText ?? '').matchAll(/\/act#token=([\w%-]+)/g)].map((m) =>
      decodeURIComponent(m[1]!),
    );
    expect(full.bodyText).toContain('Accept: https://baton.example.nl/act#token=');
    expect(full.bodyHtml).toContain('I called</a>');
    expect(tokens).toHaveLength(3);
    return { id, accept: tokens[0]!, reject: tokens[1]!, logCall: tokens[2]! };
  };
  const post = (url: string, payload: object) =>
    app.inject({ method: 'POST', url: `/api/v1/one-click/${url}`, payload });

  it('accepts as the rep, once, without a session; a used, tampered or expired link changes nothing', async () => {
    const lead = await routedLead('eva@globex.nl');
    const preview = await post('preview', { token: lead.accept });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json<OneClickPreview>()).toMatchObject({
      action: 'accept',
      rep: { name: 'Ruud Rep' },
      lead: { id: lead.id, name: 'Eva', stage: 'mql' },
      reasons: [],
    });
    // Looking at the link changed nothing.
    expect((await context.services.contacts.getContact(cli, lead.id)).stage).toBe('mql');

    const done = await post('act', { token: lead.accept });
    expect(done.json()).toEqual({ action: 'accept', contactId: lead.id, stage: 'sal' });
    const history = (await context.services.contacts.getLifecycle(cli, lead.id)).history;
    expect(history.at(-1)).toMatchObject({ from: 'mql', to: 'sal', actor: { kind: 'user', id: repId } });

    const again = await post('act', { token: lead.accept });
    expect([again.statusCode, again.json().code]).toEqual([410, 'auth.link_used']);
    const tampered = await post('act', { token: `${lead.logCall.slice(0, -2)}xx` });
    expect([tampered.statusCode, tampered.json().code]).toEqual([404, 'auth.link_invalid']);

    // The reject link of the same email: the lead is no longer an MQL, so it is refused, and it
    // stays usable (nothing happened).
    const late = await post('act', { token: lead.reject, reasonCode: 'not_now' });
    expect(late.json().code).toBe('handoff.not_an_mql');
    expect((await post('preview', { token: lead.reject })).statusCode).toBe(200);

    context.clock.advance(8 * 24 * 3_600_000);
    const expired = await post('act', { token: lead.logCall });
    expect([expired.statusCode, expired.json().code]).toEqual([410, 'auth.link_expired']);
  });

  it('rejects with a reason named on the page, and logs a call that answers the first-response clock', async () => {
    const lead = await routedLead('jan@initech.nl');
    const preview = (await post('preview', { token: lead.reject })).json<OneClickPreview>();
    expect(preview.reasons.map((r) => r.key)).toContain('not_now');
    const missing = await post('act', { token: lead.reject });
    expect(missing.json()).toMatchObject({
      code: 'http.validation_failed',
      errors: [{ field: 'body.reasonCode' }],
    });
    // Refused before it was used: the link still works.
    const unknown = await post('act', { token: lead.reject, reasonCode: 'no_such_reason' });
    expect(unknown.json()).toMatchObject({ code: 'handoff.unknown_reason' });

    const called = await post('act', { token: lead.logCall, note: 'Left a voicemail' });
    expect(called.json()).toMatchObject({ action: 'log_call', stage: 'mql' });
    const touches = await context.services.contacts.listTouchpoints(cli, lead.id);
    expect(touches.find((t) => t.type === 'call_logged')).toMatchObject({ userId: repId });
    // The call answers the clock (a reaction to the sales touch, after its commit).
    await expect
      .poll(
        async () =>
          (await context.services.sla.listClocks(cli, lead.id)).find((c) => c.target === 'first_response')
            ?.status,
      )
      .toBe('met');

    const rejected = await post('act', { token: lead.reject, reasonCode: 'not_now', note: 'April' });
    expect(rejected.json()).toMatchObject({ action: 'reject', stage: 'recycled' });
    expect((await context.services.contacts.getLifecycle(cli, lead.id)).history.at(-1)).toMatchObject({
      to: 'recycled',
      reasonCode: 'not_now',
      actor: { kind: 'user', id: repId },
    });
  });

  it('gives each lead in the rep’s reminder digest its own links, each acting on its own lead', async () => {
    const eva = await routedLead('eva@globex.nl');
    const jan = await routedLead('jan@initech.nl');
    // Half of the four business hours: one reminder for both leads.
    context.clock.set('2026-12-01T11:00:00.000Z');
    await context.services.leadFlow.sweepClocks();
    const smtp = await startTestSmtpServer();
    const mailer = createSmtpMailer({ url: smtp.url, from: 'baton@acme-ict.nl' });
    try {
      while ((await context.services.notifications.sendDue(mailer, 'test', 50)) > 0);
    } finally {
      mailer.close();
      await smtp.close();
    }
    const digest = smtp.received.find((m) => m.subject === 'Reminder: 2 leads are due for follow-up')!;
    // Each lead's section: its name, its deadline, then its links.
    const sectionOf = (id: string) => {
      const text = digest.text!;
      const at = text.indexOf(`https://baton.example.nl/leads/${id}`);
      const end = text.indexOf('I called: ', at);
      return text.slice(at, text.indexOf('\n', end));
    };
    const tokensOf = (id: string) =>
      [...sectionOf(id).matchAll(/\/act#token=([\w%-]+)/g)].map((m) => decodeURIComponent(m[1]!));
    expect(tokensOf(eva.id)).toHaveLength(3);
    expect(tokensOf(jan.id)).toHaveLength(3);
    expect(digest.html).toContain('I called</a>');

    // Accept from Eva's links, log a call from Jan's: each lands on its own lead.
    const accepted = await post('act', { token: tokensOf(eva.id)[0]! });
    expect(accepted.json()).toEqual({ action: 'accept', contactId: eva.id, stage: 'sal' });
    const called = await post('act', { token: tokensOf(jan.id)[2]! });
    expect(called.json()).toMatchObject({ action: 'log_call', contactId: jan.id, stage: 'mql' });
    expect((await context.services.contacts.getContact(cli, jan.id)).stage).toBe('mql');
  });
});
