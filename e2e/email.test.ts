import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pool } from '../src/contract/routing.ts';
import type { User } from '../src/contract/users.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../src/server/testing/smtp.ts';
import { createStoreEnv, e2eStores, runCli, startServerProcess } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@acme-ict.nl', BATON_ADMIN_PASSWORD: 'first admin password' };
const allWeek = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [['00:00', '24:00']]]),
);

describe.each(e2eStores)('email from baton serve on %s', (store) => {
  let env: Record<string, string>;
  let dispose: () => Promise<void>;
  let smtp: TestSmtpServer;

  beforeEach(async () => {
    ({ env, dispose } = await createStoreEnv(store));
    smtp = await startTestSmtpServer();
    env = {
      ...env,
      ...admin,
      BATON_SMTP_URL: smtp.url,
      BATON_MAIL_FROM: 'Baton <baton@acme-ict.nl>',
      BATON_PUBLIC_URL: 'https://baton.acme-ict.nl',
    };
  });
  afterEach(async () => {
    await smtp.close();
    await dispose();
  });

  it('emails the rep a lead routed to them, in Dutch, and the CLI shows it sent and checks the SMTP settings', async () => {
    const server = await startServerProcess(env);
    try {
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: admin.BATON_ADMIN_EMAIL, password: admin.BATON_ADMIN_PASSWORD }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const call = async <T>(method: string, path: string, body?: object): Promise<T> => {
        const response = await fetch(`${server.url}/api/v1${path}`, {
          method,
          headers: { cookie, ...(body && { 'content-type': 'application/json' }) },
          ...(body && { body: JSON.stringify(body) }),
        });
        expect(response.status, await response.clone().text()).toBeLessThan(300);
        return (await response.json()) as T;
      };
      // At work all week, so that the test does not depend on when it runs.
      const rep = await call<User>('POST', '/users', {
        email: 'sanne@acme-ict.nl',
        name: 'Sanne',
        role: 'sales_rep',
        language: 'nl',
        workingHours: allWeek,
      });
      const pool = await call<Pool>('POST', '/routing/pools', {
        name: 'Inside sales',
        members: [{ userId: rep.id }],
      });
      await call('PATCH', '/routing/settings', { fallbackPoolId: pool.id });
      const ingested = await call<{ results: { contactId: string }[] }>('POST', '/events', {
        type: 'demo_requested',
        occurredAt: new Date().toISOString(),
        email: 'jan@initech.nl',
        firstName: 'Jan',
        company: 'Initech B.V.',
      });
      const contactId = ingested.results[0]!.contactId;

      // The scoring thread makes the demo request an MQL, routing gives it to Sanne, and the
      // dispatcher sends her the email: nothing here but the server itself.
      const [mail] = await smtp.waitFor(1, 20_000);
      expect(mail!.subject).toBe('Nieuwe lead voor jou: Jan (Initech B.V.)');
      expect(mail!.to).toMatchObject({ value: [{ address: 'sanne@acme-ict.nl' }] });
      expect(mail!.text).toContain('Demo aangevraagd');
      expect(mail!.text).toContain(`https://baton.acme-ict.nl/leads/${contactId}`);

      const listed = await runCli(['outbox', 'list', '--json'], env);
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toMatchObject({
        counts: { sent: 1, pending: 0, dead: 0 },
        data: [{ kind: 'lead.assigned', recipient: 'sanne@acme-ict.nl', status: 'sent', contactId }],
      });

      const test = await runCli(['outbox', 'test-smtp', '--to', 'it@acme-ict.nl'], env);
      expect(test.code).toBe(0);
      expect(test.stderr).toContain('Sent to it@acme-ict.nl');
      const [, testMail] = await smtp.waitFor(2);
      expect(testMail!.subject).toBe('Baton: test email / testbericht');

      const withoutSmtp = { ...env, BATON_SMTP_URL: '' };
      const off = await runCli(['outbox', 'test-smtp', '--to', 'it@acme-ict.nl'], withoutSmtp);
      expect(off.code).toBe(1);
      expect(off.stderr).toContain('BATON_SMTP_URL is not set');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('says at start that email is off when no SMTP server is configured', async () => {
    const server = await startServerProcess({ ...env, BATON_SMTP_URL: '' });
    await server.stop();
    expect(server.output()).toContain('Email is off');
  });
});
