import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pool } from '../src/contract/routing.ts';
import type { SlaCalendar, SlaPolicy } from '../src/contract/sla.ts';
import type { User } from '../src/contract/users.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../src/server/testing/smtp.ts';
import { createStoreEnv, e2eStores, startServerProcess, type ServerProcess } from './helpers.ts';

const admin = { BATON_ADMIN_EMAIL: 'admin@acme-ict.nl', BATON_ADMIN_PASSWORD: 'first admin password' };
const allWeek = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [['00:00', '24:00']]]),
);
const leads = 20;

/** Two Baton processes share one PostgreSQL database, as a scaled-out installation does. */
describe.skipIf(!e2eStores.includes('postgres' as never))(
  'escalations with two Baton processes on PostgreSQL',
  () => {
    let env: Record<string, string>;
    let dispose: () => Promise<void>;
    let smtp: TestSmtpServer;
    const servers: ServerProcess[] = [];

    beforeEach(async () => {
      ({ env, dispose } = await createStoreEnv('postgres'));
      smtp = await startTestSmtpServer();
      env = {
        ...env,
        ...admin,
        BATON_SMTP_URL: smtp.url,
        BATON_MAIL_FROM: 'Baton <baton@acme-ict.nl>',
        BATON_SLA_SWEEP_MS: '100',
        BATON_OUTBOX_INTERVAL_MS: '100',
        BATON_OUTBOX_LEASE_MS: '2000',
      };
    });
    afterEach(async () => {
      for (const server of servers.splice(0)) await server.stop('SIGKILL').catch(() => undefined);
      await smtp.close();
      await dispose();
    });

    it('takes every escalation once and delivers it when one of them is killed in the middle of its work', async () => {
      const a = await startServerProcess(env);
      servers.push(a);
      const login = await fetch(`${a.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: admin.BATON_ADMIN_EMAIL, password: admin.BATON_ADMIN_PASSWORD }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const call = async <T>(
        server: ServerProcess,
        method: string,
        path: string,
        body?: object,
      ): Promise<T> => {
        const response = await fetch(`${server.url}/api/v1${path}`, {
          method,
          headers: { cookie, ...(body && { 'content-type': 'application/json' }) },
          ...(body && { body: JSON.stringify(body) }),
        });
        expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBeLessThan(300);
        return (await response.json()) as T;
      };

      const user = (email: string, role: string, managerId?: string) =>
        call<User>(a, 'POST', '/users', {
          email,
          name: email.split('@')[0],
          role,
          workingHours: allWeek,
          ...(managerId && { managerId }),
        });
      const director = await user('dirk@acme-ict.nl', 'director');
      const manager = await user('mirjam@acme-ict.nl', 'sales_manager', director.id);
      const rep = await user('ruud@acme-ict.nl', 'sales_rep', manager.id);
      const pool = await call<Pool>(a, 'POST', '/routing/pools', {
        name: 'Inside',
        members: [{ userId: rep.id }],
      });
      await call(a, 'PATCH', '/routing/settings', { fallbackPoolId: pool.id });
      // A first response within 3 seconds on a calendar that never closes: the manager at 3 s, the
      // director at 6 s, no reminder, no reassignment. The other MQL clock is switched off.
      const calendar = await call<SlaCalendar>(a, 'POST', '/sla/calendars', {
        name: 'Always',
        timeZone: 'UTC',
        workingHours: allWeek,
        holidays: null,
      });
      const policies = (await call<{ data: SlaPolicy[] }>(a, 'GET', '/sla/policies')).data;
      for (const policy of policies)
        await call(a, 'PATCH', `/sla/policies/${policy.id}`, {
          ...(policy.key === 'mql-first-response'
            ? { windowSeconds: 3, reminderAt: null, escalations: 2, reassign: false, calendarId: calendar.id }
            : { active: false }),
        });

      const b = await startServerProcess(env);
      servers.push(b);
      // The leads arrive through the second process, which will survive.
      for (let i = 0; i < leads; i++) {
        const ingested = await call<{ results: { contactId: string }[] }>(b, 'POST', '/events', {
          type: 'page_viewed',
          occurredAt: new Date().toISOString(),
          email: `lead${i}@initech.nl`,
        });
        await call(b, 'POST', `/contacts/${ingested.results[0]!.contactId}/stage-changes`, { to: 'mql' });
      }

      // Both sweep; the first escalations fall due; then the first process dies without warning.
      await smtp.waitFor(leads + 1, 20_000);
      expect(await a.stop('SIGKILL')).toBeNull();
      servers.splice(servers.indexOf(a), 1);

      // Every lead: the rep's "new lead"; then the manager's and the director's digests, each sweep
      // one message per person naming the leads that fell due in it.
      const distinct = (address: string) =>
        new Map(
          smtp.received
            .filter((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address === address)
            .map((m) => [m.messageId, m]),
        );
      const leadsIn = (address: string) =>
        [...distinct(address).values()].map(
          (m) => new Set([...(m.text ?? '').matchAll(/lead(\d+)@initech\.nl/g)].map((hit) => hit[1])),
        );
      await expect
        .poll(() => new Set(leadsIn(director.email).flatMap((named) => [...named])).size, { timeout: 40_000 })
        .toBe(leads);
      await new Promise((resolve) => setTimeout(resolve, 3000)); // a resend would arrive by now
      expect(distinct(rep.email).size).toBe(leads);
      // Each step was queued once and delivered: every lead is named once to each of them.
      for (const person of [manager, director]) {
        const named = leadsIn(person.email);
        expect(named.reduce((n, set) => n + set.size, 0)).toBe(leads);
        expect(new Set(named.flatMap((set) => [...set])).size).toBe(leads);
        // Fewer messages than leads whenever a sweep found several due at once.
        expect(named.length).toBeLessThanOrEqual(leads);
      }
      // SMTP has no atomic commit: a process killed after the server accepted a message and before
      // recording it has that message sent again by the survivor once its lease ends. The resend
      // carries the same Message-ID, so the receiving mail system sees one message; there can be no
      // more of them than the killed process had in hand (its batch of 10).
      const messages = [rep, manager, director].reduce((n, person) => n + distinct(person.email).size, 0);
      expect(smtp.received.length - messages).toBeLessThanOrEqual(10);
      const outbox = await call<{ counts: Record<string, number> }>(b, 'GET', '/outbox?limit=1');
      expect(outbox.counts).toEqual({ pending: 0, sent: messages, dead: 0, cancelled: 0 });
    });
  },
);
