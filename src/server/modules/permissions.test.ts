import { queueWebhooks, webhookEvent } from './webhooks/webhooks.usecases.ts';
import { Readable } from 'node:stream';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotFake, type HubSpotFake } from '../testing/hubspot-fake.ts';
import { openDatabase } from '../db/database.ts';
import { createTestDatabase, describeEachDialect } from '../testing/databases.ts';
import { createTestApp, createTestContext, seedCompany, type TestContext } from '../testing/world.ts';

type World = Awaited<ReturnType<typeof seedCompany>>;
type Caller = 'anonymous' | 'marketing' | 'director' | 'sales_manager' | 'sales_rep' | 'admin';
/** Admin last: the only caller whose writes succeed on admin-only routes, so nothing they change affects another cell. */
const callers: Caller[] = ['anonymous', 'marketing', 'director', 'sales_manager', 'sales_rep', 'admin'];

interface Row {
  route: string;
  request: (world: World, context: TestContext, caller: Caller) => Promise<InjectOptions> | InjectOptions;
  /** Expected status per signed-in role; anonymous expects 401 unless the row says otherwise. */
  expect: Record<Exclude<Caller, 'anonymous'>, number> & { anonymous?: number };
}

const all = (status: number) => ({
  marketing: status,
  director: status,
  sales_manager: status,
  sales_rep: status,
  admin: status,
});
const adminOnly = (status: number) => ({ ...all(403), admin: status });

/** A public address given as a literal, so that no name is looked up. */
const hookUrl = 'https://93.184.216.34/baton';
const hookEndpoint = (c: TestContext) =>
  c.services.webhooks.createEndpoint(cli, { url: hookUrl, eventTypes: ['lead.mql'] });
/** A local HubSpot for the connections, started when a row first needs it. */
let hubspotFake: Promise<HubSpotFake> | undefined;
const hubspot = () => (hubspotFake ??= startHubSpotFake());
afterAll(async () => (await hubspotFake)?.close());
const hubspotConnection = async (c: TestContext) => {
  const fake = await hubspot();
  return c.services.connectors.create(cli, { kind: 'hubspot', token: fake.token, baseUrl: fake.url });
};
/** A delivery waiting for an endpoint. */
const hookDelivery = async (c: TestContext) => {
  const endpoint = await hookEndpoint(c);
  await queueWebhooks(c.database.db, [
    webhookEvent('plan.behind', c.clock.now(), {
      planId: '0190a000-0000-7000-8000-000000000001',
      planName: 'Q1',
      periodKind: 'quarter',
      periodStart: '2027-01-01',
      stages: [],
    }),
  ]);
  await c.services.webhooks.updateEndpoint(cli, endpoint.id, { eventTypes: ['plan.behind'] });
  await c.services.webhooks.fanOut();
  return (await c.services.webhooks.listDeliveries(cli, endpoint.id, {})).data[0]!.id;
};
const workers = (status: number) => ({ ...all(status), director: 403 });
const cli = { kind: 'cli' } as const;
const draft = (c: TestContext) => c.services.scoring.createModel(cli, { name: 'Draft' });
const scoreAll = async (c: TestContext) => {
  await c.services.scoring.ensureDefaultModel();
  await c.services.scoring.scoreDue();
};

/**
 * A queued email (a reassignment's, between the rep and the teammate: a lead given to the rep who
 * has it sends nothing), optionally cancelled so that it may be sent again.
 */
const queuedEmail = async (w: World, c: TestContext, cancelled = false) => {
  const { ownerId } = await c.services.contacts.getContact(cli, w.repContact.id);
  const userId = ownerId === w.teammate.id ? w.rep.id : w.teammate.id;
  await c.services.routing.reassign(cli, w.repContact.id, { userId, reason: 'Cover' });
  const message = (await c.services.notifications.listOutbox(cli, {})).data[0]!;
  if (cancelled) await c.services.notifications.cancelOutboxMessage(cli, message.id);
  return message.id;
};

/** An account like the world's account, of the same owner: one to merge into it. */
const duplicateAccountOf = async (w: World, c: TestContext) =>
  (
    await c.services.accounts.createAccount(cli, {
      name: `${w.account.name} B.V.`,
      ownerId: w.account.ownerId,
    })
  ).id;

/** A task on the rep's lead, for the rep. */
const taskOf = async (w: World, c: TestContext) =>
  (
    await c.services.tasks.create(cli, w.repContact.id, {
      title: 'Send the proposal',
      dueAt: '2027-01-05T09:00:00.000Z',
    })
  ).id;

/** A saved view of the caller's own (of the admin's for an anonymous caller). */
const viewOf = async (w: World, c: TestContext, caller: Caller) => {
  const people = {
    anonymous: w.admin,
    marketing: w.marketer,
    director: w.director,
    sales_manager: w.manager,
    sales_rep: w.rep,
    admin: w.admin,
  };
  const person = people[caller];
  const view = await c.services.lists.createView(
    { kind: 'user', userId: person.id, role: person.role },
    { list: 'contacts', name: `View ${Math.random()}`, state: {} },
  );
  return view.id;
};

/** A fresh marketing commitment, each for a month of its own. */
let months = 0;
const nextMonth = () => {
  months += 1;
  return `${2030 + Math.floor(months / 12)}-${String((months % 12) + 1).padStart(2, '0')}-01`;
};
const commitment = async (c: TestContext) =>
  (
    await c.services.commitments.create(cli, {
      period: 'month',
      startsOn: nextMonth(),
      mqlTarget: 100,
      minAcceptanceRate: 0.6,
    })
  ).id;
const committers = (status: number) => ({ ...all(403), admin: status, marketing: status, director: status });
/** The heads of both teams (Marketing and the directors) and admins set targets, plans and the agreement. */
const planners = committers;
const planInput = {
  periodKind: 'year',
  periodStart: '2027-01',
  revenueTarget: 200_000_000,
  currency: 'EUR',
  averageDealSize: 2_500_000,
};
const bonusPlan = (w: World) => ({
  name: 'Joint bonus',
  periodKind: 'quarter' as const,
  periodStart: '2027-01',
  metric: 'bookings' as const,
  plan: 100_000_000,
  currency: 'EUR',
  poolAtPlan: 5_000_000,
  marketingSharePct: 30,
  curve: { thresholdPct: 70, thresholdPayoutPct: 50, acceleratorRate: 2, capPct: 200 },
  participants: [
    { userId: w.marketer.id, side: 'marketing' as const, weight: 1 },
    { userId: w.rep.id, side: 'sales' as const, weight: 1 },
  ],
});
const draftAgreement = async (c: TestContext) =>
  (await c.services.agreements.create(cli, { effectiveFrom: '2027-01-01T00:00:00.000Z' })).version;

/** A fresh lead of the rep's in a stage (created there, so nothing reacts). */
let handed = 0;
const leadOfRep = async (w: World, c: TestContext, stage: 'mql' | 'sal' | 'sql') =>
  (
    await c.services.contacts.createContact(cli, {
      email: `handoff${++handed}@acme.nl`,
      ownerId: w.rep.id,
      stage,
    })
  ).id;
const opportunityOfRep = async (w: World, c: TestContext) =>
  (
    await c.services.opportunities.create(cli, {
      name: `Deal ${++handed}`,
      contactId: await leadOfRep(w, c, 'sql'),
    })
  ).id;
const deciders = { ...all(200), marketing: 403 };
const sellers = (status: number) => ({ ...all(status), marketing: 403, director: 403 });

/** A new lead of the rep's, made an MQL, routed to the rep and ignored past its first deadline. */
const pools = new WeakMap<TestContext, string>();
let leads = 0;
const breachedClock = async (w: World, c: TestContext) => {
  if (!pools.has(c)) {
    const pool = await c.services.routing.createPool(cli, { name: 'SLA', members: [{ userId: w.rep.id }] });
    await c.services.routing.updateSettings(cli, { fallbackPoolId: pool.id });
    pools.set(c, pool.id);
  }
  c.clock.set('2026-01-05T09:00:00.000Z'); // Monday 10:00 in Amsterdam
  const lead = await c.services.contacts.createContact(cli, {
    email: `sla${++leads}@acme.nl`,
    ownerId: w.rep.id,
  });
  await c.services.contacts.changeStage(cli, lead.id, { to: 'mql' });
  await expect.poll(async () => (await c.services.sla.listClocks(cli, lead.id)).length).toBe(2);
  c.clock.set('2026-01-05T13:00:00.000Z'); // 4 business hours later
  await c.services.leadFlow.sweepClocks();
  return (await c.services.sla.listClocks(cli, lead.id)).find((k) => k.status === 'breached')!.id;
};

const rows: Row[] = [
  // Signing out is idempotent: without a session there is nothing to end, and that is fine.
  {
    route: 'POST /api/v1/auth/logout',
    request: () => ({ method: 'POST', url: '/api/v1/auth/logout' }),
    expect: { ...all(204), anonymous: 204 },
  },
  { route: 'GET /api/v1/auth/session', request: () => ({ url: '/api/v1/auth/session' }), expect: all(200) },
  {
    route: 'GET /api/v1/me/second-factor',
    request: () => ({ url: '/api/v1/me/second-factor' }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/me/second-factor/enrolment',
    request: () => ({ method: 'POST', url: '/api/v1/me/second-factor/enrolment' }),
    expect: all(200),
  },
  {
    // Nothing to confirm, renew or turn off until an app is set up: each signed-in person is told so.
    route: 'POST /api/v1/me/second-factor/confirmation',
    request: () => ({
      method: 'POST',
      url: '/api/v1/me/second-factor/confirmation',
      payload: { code: '123456' },
    }),
    expect: all(409),
  },
  {
    route: 'POST /api/v1/me/second-factor/recovery-codes',
    request: () => ({
      method: 'POST',
      url: '/api/v1/me/second-factor/recovery-codes',
      payload: { code: '123456' },
    }),
    expect: all(409),
  },
  {
    route: 'DELETE /api/v1/me/second-factor',
    request: () => ({ method: 'DELETE', url: '/api/v1/me/second-factor', payload: { code: '123456' } }),
    expect: all(409),
  },
  {
    route: 'GET /api/v1/settings/security',
    request: () => ({ url: '/api/v1/settings/security' }),
    expect: adminOnly(200),
  },
  {
    route: 'PATCH /api/v1/settings/security',
    request: () => ({ method: 'PATCH', url: '/api/v1/settings/security', payload: { mfaRequiredRoles: [] } }),
    expect: adminOnly(200),
  },
  { route: 'GET /api/v1/users', request: () => ({ url: '/api/v1/users' }), expect: all(200) },
  {
    route: 'POST /api/v1/users',
    request: (_w, _c, caller) => ({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: `new.${caller}@example.nl`, name: 'New', role: 'marketing' },
    }),
    expect: adminOnly(201),
  },
  {
    route: 'GET /api/v1/users/:id',
    request: (w) => ({ url: `/api/v1/users/${w.rep.id}` }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/v1/users/:id',
    request: (w) => ({
      method: 'PATCH',
      url: `/api/v1/users/${w.teammate.id}`,
      payload: { name: 'Renamed' },
    }),
    expect: adminOnly(200),
  },
  { route: 'GET /api/v1/me', request: () => ({ url: '/api/v1/me' }), expect: all(200) },
  {
    route: 'GET /api/v1/me/notifications',
    request: () => ({ url: '/api/v1/me/notifications' }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/me/notifications/read',
    request: () => ({ method: 'POST', url: '/api/v1/me/notifications/read' }),
    expect: all(200),
  },
  { route: 'GET /api/v1/me/alerts', request: () => ({ url: '/api/v1/me/alerts' }), expect: all(200) },
  {
    route: 'PUT /api/v1/me/alerts',
    request: () => ({
      method: 'PUT',
      url: '/api/v1/me/alerts',
      payload: { routes: { 'lead.assigned': [] } },
    }),
    expect: all(200),
  },
  {
    // No chat address is set: each caller reaches the check and is told so.
    route: 'POST /api/v1/me/alerts/test',
    request: () => ({ method: 'POST', url: '/api/v1/me/alerts/test', payload: { channel: 'slack' } }),
    expect: all(400),
  },
  {
    route: 'GET /api/v1/teams/:id/alerts',
    request: (w) => ({ url: `/api/v1/teams/${w.team.id}/alerts` }),
    expect: { ...all(403), sales_manager: 200, admin: 200 },
  },
  {
    route: 'PUT /api/v1/teams/:id/alerts',
    request: (w) => ({
      method: 'PUT',
      url: `/api/v1/teams/${w.team.id}/alerts`,
      payload: { routes: { 'lead.unassigned': [] } },
    }),
    expect: { ...all(403), sales_manager: 200, admin: 200 },
  },
  {
    route: 'POST /api/v1/teams/:id/alerts/test',
    request: (w) => ({
      method: 'POST',
      url: `/api/v1/teams/${w.team.id}/alerts/test`,
      payload: { channel: 'teams' },
    }),
    expect: { ...all(403), sales_manager: 400, admin: 400 },
  },
  {
    route: 'PATCH /api/v1/me',
    request: () => ({ method: 'PATCH', url: '/api/v1/me', payload: { language: 'nl' } }),
    expect: all(200),
  },
  { route: 'GET /api/v1/teams', request: () => ({ url: '/api/v1/teams' }), expect: all(200) },
  {
    route: 'POST /api/v1/teams',
    request: () => ({ method: 'POST', url: '/api/v1/teams', payload: { name: 'Field sales' } }),
    expect: adminOnly(201),
  },
  {
    route: 'GET /api/v1/teams/:id',
    request: (w) => ({ url: `/api/v1/teams/${w.team.id}` }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/v1/teams/:id',
    request: (w) => ({
      method: 'PATCH',
      url: `/api/v1/teams/${w.team.id}`,
      payload: { name: 'Inside sales NL' },
    }),
    expect: adminOnly(200),
  },
  {
    route: 'DELETE /api/v1/teams/:id',
    request: (w) => ({ method: 'DELETE', url: `/api/v1/teams/${w.team.id}` }),
    expect: adminOnly(204),
  },
  { route: 'GET /api/v1/contacts', request: () => ({ url: '/api/v1/contacts' }), expect: all(200) },
  {
    route: 'GET /api/v1/me/logging-address',
    request: () => ({ url: '/api/v1/me/logging-address' }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/me/logging-address/renew',
    request: () => ({ method: 'POST', url: '/api/v1/me/logging-address/renew' }),
    expect: all(200),
  },
  // Nobody has connected a mailbox; connecting one on a loopback address is refused (422), but
  // for every person alike.
  { route: 'GET /api/v1/me/mailbox', request: () => ({ url: '/api/v1/me/mailbox' }), expect: all(200) },
  {
    route: 'PUT /api/v1/me/mailbox',
    request: () => ({
      method: 'PUT',
      url: '/api/v1/me/mailbox',
      payload: {
        host: '127.0.0.1',
        port: 1,
        security: 'none',
        username: 'me',
        auth: 'password',
        secret: 'x',
      },
    }),
    expect: all(422),
  },
  {
    route: 'DELETE /api/v1/me/mailbox',
    request: () => ({ method: 'DELETE', url: '/api/v1/me/mailbox' }),
    expect: all(404),
  },
  {
    route: 'POST /api/v1/me/mailbox/sync',
    request: () => ({ method: 'POST', url: '/api/v1/me/mailbox/sync' }),
    expect: all(404),
  },
  {
    route: 'GET /api/v1/mailbox/settings',
    request: () => ({ url: '/api/v1/mailbox/settings' }),
    expect: adminOnly(200),
  },
  {
    route: 'PUT /api/v1/mailbox/settings',
    request: () => ({
      method: 'PUT',
      url: '/api/v1/mailbox/settings',
      payload: { ignoredDomains: ['gmail.com'] },
    }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/mailbox/logging-status',
    request: () => ({ url: '/api/v1/mailbox/logging-status' }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/tasks',
    request: () => ({ url: '/api/v1/tasks' }),
    expect: all(200),
  },
  {
    // Next steps are work on a lead: whoever works leads, not the director who reads.
    route: 'POST /api/v1/contacts/:id/tasks',
    request: (w) => ({
      method: 'POST',
      url: `/api/v1/contacts/${w.repContact.id}/tasks`,
      payload: { title: 'Call back', kind: 'call', dueAt: '2027-01-04T09:00:00.000Z' },
    }),
    expect: workers(201),
  },
  {
    route: 'PATCH /api/v1/tasks/:id',
    request: async (w, c) => ({
      method: 'PATCH',
      url: `/api/v1/tasks/${await taskOf(w, c)}`,
      payload: { done: true },
    }),
    expect: workers(200),
  },
  {
    route: 'DELETE /api/v1/tasks/:id',
    request: async (w, c) => ({ method: 'DELETE', url: `/api/v1/tasks/${await taskOf(w, c)}` }),
    expect: workers(204),
  },
  {
    route: 'GET /api/v1/views',
    request: () => ({ url: '/api/v1/views?list=contacts' }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/views',
    request: (_w, _c, caller) => ({
      method: 'POST',
      url: '/api/v1/views',
      payload: { list: 'contacts', name: `Leads of ${caller}`, state: { stage: 'mql' } },
    }),
    expect: all(201),
  },
  {
    route: 'PATCH /api/v1/views/:id',
    request: async (w, c, caller) => ({
      method: 'PATCH',
      url: `/api/v1/views/${await viewOf(w, c, caller)}`,
      payload: { shared: true },
    }),
    expect: all(200),
  },
  {
    route: 'DELETE /api/v1/views/:id',
    request: async (w, c, caller) => ({
      method: 'DELETE',
      url: `/api/v1/views/${await viewOf(w, c, caller)}`,
    }),
    expect: all(204),
  },
  {
    // Assigning is routing: the team's manager and admins.
    route: 'POST /api/v1/contacts/bulk',
    request: async (w, c, caller) => {
      const contact = await c.services.contacts.createContact(cli, {
        email: `bulk.${caller}@example.nl`,
        ownerId: w.rep.id,
      });
      return {
        method: 'POST',
        url: '/api/v1/contacts/bulk',
        payload: { action: 'assign', contactIds: [contact.id], userId: w.teammate.id, reason: 'Cover' },
      };
    },
    expect: { ...all(403), sales_manager: 200, admin: 200 },
  },
  {
    // A list of people leaves Baton: not for reps.
    route: 'GET /api/v1/contacts.csv',
    request: () => ({ url: '/api/v1/contacts.csv' }),
    expect: { ...all(200), sales_rep: 403 },
  },
  {
    route: 'POST /api/v1/contacts',
    request: (_w, _c, caller) => ({
      method: 'POST',
      url: '/api/v1/contacts',
      payload: { email: `lead.${caller}@example.nl` },
    }),
    expect: workers(201),
  },
  {
    route: 'GET /api/v1/contacts/:id',
    request: (w) => ({ url: `/api/v1/contacts/${w.repContact.id}` }),
    expect: all(200),
  },
  {
    route: "GET /api/v1/contacts/:id (another team's)",
    request: (w) => ({ url: `/api/v1/contacts/${w.outsiderContact.id}` }),
    expect: { ...all(200), sales_manager: 404, sales_rep: 404 },
  },
  {
    route: 'PATCH /api/v1/contacts/:id',
    request: (w) => ({
      method: 'PATCH',
      url: `/api/v1/contacts/${w.repContact.id}`,
      payload: { title: 'CTO' },
    }),
    expect: workers(200),
  },
  {
    route: "PATCH /api/v1/contacts/:id (another team's)",
    request: (w) => ({
      method: 'PATCH',
      url: `/api/v1/contacts/${w.outsiderContact.id}`,
      payload: { title: 'CTO' },
    }),
    expect: { ...workers(200), sales_manager: 404, sales_rep: 404 },
  },
  {
    route: 'GET /api/v1/contacts/:id/lifecycle',
    request: (w) => ({ url: `/api/v1/contacts/${w.repContact.id}/lifecycle` }),
    expect: all(200),
  },
  {
    route: "GET /api/v1/contacts/:id/lifecycle (another team's)",
    request: (w) => ({ url: `/api/v1/contacts/${w.outsiderContact.id}/lifecycle` }),
    expect: { ...all(200), sales_manager: 404, sales_rep: 404 },
  },
  {
    route: 'POST /api/v1/contacts/:id/stage-changes',
    request: async (w, c, caller) => {
      const contact = await c.services.contacts.createContact(cli, {
        email: `move.${caller}@example.nl`,
        ownerId: w.rep.id,
      });
      return { method: 'POST', url: `/api/v1/contacts/${contact.id}/stage-changes`, payload: { to: 'mql' } };
    },
    expect: workers(201),
  },
  {
    route: "POST /api/v1/contacts/:id/stage-changes (another team's)",
    request: async (w, c, caller) => {
      const contact = await c.services.contacts.createContact(cli, {
        email: `far.${caller}@example.nl`,
        ownerId: w.outsider.id,
      });
      return { method: 'POST', url: `/api/v1/contacts/${contact.id}/stage-changes`, payload: { to: 'mql' } };
    },
    expect: { ...workers(201), sales_manager: 404, sales_rep: 404 },
  },
  {
    route: 'POST /api/v1/contacts/:id/merge',
    request: async (w, c, caller) => {
      const keep = await c.services.contacts.createContact(cli, {
        email: `keep.${caller}@example.nl`,
        ownerId: w.rep.id,
      });
      const dup = await c.services.contacts.createContact(cli, {
        email: `dup.${caller}@example.nl`,
        ownerId: w.rep.id,
      });
      return { method: 'POST', url: `/api/v1/contacts/${keep.id}/merge`, payload: { duplicateId: dup.id } };
    },
    expect: workers(200),
  },
  {
    route: 'DELETE /api/v1/contacts/:id',
    request: async (w, c, caller) => {
      const contact = await c.services.contacts.createContact(cli, {
        email: `erase.${caller}@example.nl`,
        ownerId: w.rep.id,
      });
      return { method: 'DELETE', url: `/api/v1/contacts/${contact.id}` };
    },
    expect: { ...adminOnly(204), marketing: 204 },
  },
  {
    route: 'GET /api/v1/contacts/:id/export',
    request: (w) => ({ url: `/api/v1/contacts/${w.repContact.id}/export` }),
    expect: { ...adminOnly(200), marketing: 200 },
  },
  {
    route: 'GET /api/v1/settings/retention',
    request: () => ({ url: '/api/v1/settings/retention' }),
    expect: adminOnly(200),
  },
  {
    route: 'PATCH /api/v1/settings/retention',
    request: () => ({
      method: 'PATCH',
      url: '/api/v1/settings/retention',
      payload: { emailBodiesDays: 180 },
    }),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/v1/settings/retention/run',
    request: () => ({ method: 'POST', url: '/api/v1/settings/retention/run', payload: { dryRun: true } }),
    expect: adminOnly(200),
  },
  { route: 'GET /api/v1/company', request: () => ({ url: '/api/v1/company' }), expect: all(200) },
  {
    route: 'PATCH /api/v1/company',
    request: () => ({ method: 'PATCH', url: '/api/v1/company', payload: { name: 'Nordwind ICT' } }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/setup/checklist',
    request: () => ({ url: '/api/v1/setup/checklist' }),
    expect: adminOnly(200),
  },
  {
    route: 'PUT /api/v1/setup/checklist/:key',
    request: () => ({ method: 'PUT', url: '/api/v1/setup/checklist/sla' }),
    expect: adminOnly(200),
  },
  {
    route: 'DELETE /api/v1/setup/checklist/:key',
    request: () => ({ method: 'DELETE', url: '/api/v1/setup/checklist/sla' }),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/v1/users/:id/invitation',
    request: (w) => ({ method: 'POST', url: `/api/v1/users/${w.rep.id}/invitation` }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/privacy/subjects',
    request: () => ({ url: '/api/v1/privacy/subjects?email=jan%40acme.nl' }),
    expect: { ...adminOnly(200), marketing: 200 },
  },
  {
    route: 'GET /api/v1/privacy/subjects/:id/archive',
    request: (w) => ({ url: `/api/v1/privacy/subjects/${w.repContact.id}/archive` }),
    expect: { ...adminOnly(200), marketing: 200 },
  },
  {
    route: 'GET /api/v1/contacts/:id/touchpoints',
    request: (w) => ({ url: `/api/v1/contacts/${w.repContact.id}/touchpoints` }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/contacts/:id/consents',
    request: (w) => ({ url: `/api/v1/contacts/${w.repContact.id}/consents` }),
    expect: all(200),
  },
  {
    route: "GET /api/v1/contacts/:id/consents (another team's)",
    request: (w) => ({ url: `/api/v1/contacts/${w.outsiderContact.id}/consents` }),
    expect: { ...all(200), sales_manager: 404, sales_rep: 404 },
  },
  {
    route: 'POST /api/v1/contacts/:id/consents',
    request: (w) => ({
      method: 'POST',
      url: `/api/v1/contacts/${w.repContact.id}/consents`,
      payload: { purpose: 'sales_contact', status: 'granted', source: 'phone call' },
    }),
    expect: workers(201),
  },
  {
    route: "POST /api/v1/contacts/:id/consents (another team's)",
    request: (w) => ({
      method: 'POST',
      url: `/api/v1/contacts/${w.outsiderContact.id}/consents`,
      payload: { purpose: 'sales_contact', status: 'granted', source: 'phone call' },
    }),
    expect: { ...workers(201), sales_manager: 404, sales_rep: 404 },
  },
  {
    route: "GET /api/v1/contacts/:id/touchpoints (another team's)",
    request: (w) => ({ url: `/api/v1/contacts/${w.outsiderContact.id}/touchpoints` }),
    expect: { ...all(200), sales_manager: 404, sales_rep: 404 },
  },
  {
    route: 'POST /api/v1/events',
    request: (_w, _c, caller) => ({
      method: 'POST',
      url: '/api/v1/events',
      payload: {
        type: 'page_viewed',
        occurredAt: '2026-01-05T08:00:00Z',
        email: `visitor.${caller}@example.nl`,
      },
    }),
    expect: { ...adminOnly(200), marketing: 200 },
  },
  {
    route: 'GET /api/v1/forms',
    request: () => ({ url: '/api/v1/forms' }),
    expect: { ...adminOnly(200), marketing: 200, director: 200 },
  },
  {
    route: 'POST /api/v1/forms',
    request: () => ({ method: 'POST', url: '/api/v1/forms', payload: { name: 'Contact us' } }),
    expect: { ...adminOnly(201), marketing: 201 },
  },
  {
    route: 'GET /api/v1/forms/:id',
    request: async (_w, c) => {
      const form = await c.services.forms.createForm(cli, { name: 'Whitepaper' });
      return { url: `/api/v1/forms/${form.id}` };
    },
    expect: { ...adminOnly(200), marketing: 200, director: 200 },
  },
  {
    route: 'PATCH /api/v1/forms/:id',
    request: async (_w, c) => {
      const form = await c.services.forms.createForm(cli, { name: 'Whitepaper' });
      return { method: 'PATCH', url: `/api/v1/forms/${form.id}`, payload: { isActive: false } };
    },
    expect: { ...adminOnly(200), marketing: 200 },
  },
  {
    route: 'GET /api/v1/forms/:id/snippet',
    request: async (_w, c) => {
      const form = await c.services.forms.createForm(cli, { name: 'Whitepaper' });
      return { url: `/api/v1/forms/${form.id}/snippet` };
    },
    expect: { ...adminOnly(200), marketing: 200, director: 200 },
  },
  {
    route: 'POST /api/v1/imports/:kind',
    request: (_w, _c, caller) => ({
      method: 'POST',
      url: '/api/v1/imports/contacts',
      headers: { 'content-type': 'text/csv' },
      payload: `email\nimport.${caller}@example.nl\n`,
    }),
    expect: { ...adminOnly(200), marketing: 200 },
  },
  {
    route: 'POST /api/v1/imports/:kind/jobs',
    request: (_w, _c, caller) => ({
      method: 'POST',
      url: '/api/v1/imports/contacts/jobs?dryRun=true',
      headers: { 'content-type': 'text/csv' },
      payload: `email\njob.${caller}@example.nl\n`,
    }),
    expect: { ...adminOnly(202), marketing: 202 },
  },
  { route: 'GET /api/v1/imports/jobs', request: () => ({ url: '/api/v1/imports/jobs' }), expect: all(200) },
  {
    // Someone's own import only (an admin sees every one): this one was started from the command line.
    route: 'GET /api/v1/imports/jobs/:id',
    request: async (_w, c) => {
      const job = await c.services.importJobs.start(
        cli,
        'contacts',
        Readable.from(['email\nj@example.nl\n']),
        {
          dryRun: true,
        },
      );
      await c.services.importJobs.settled();
      return { url: `/api/v1/imports/jobs/${job.id}` };
    },
    expect: { ...all(404), admin: 200 },
  },
  {
    route: 'GET /api/v1/imports/jobs/:id/errors.csv',
    request: async (_w, c) => {
      const job = await c.services.importJobs.start(
        cli,
        'contacts',
        Readable.from(['email\nnot-an-email\n']),
        {},
      );
      await c.services.importJobs.settled();
      return { url: `/api/v1/imports/jobs/${job.id}/errors.csv` };
    },
    expect: { ...all(404), admin: 200 },
  },
  { route: 'GET /api/v1/accounts', request: () => ({ url: '/api/v1/accounts' }), expect: all(200) },
  {
    route: 'POST /api/v1/accounts',
    request: (_w, _c, caller) => ({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { name: `Initech ${caller}` },
    }),
    expect: workers(201),
  },
  {
    route: 'GET /api/v1/accounts/:id',
    request: (w) => ({ url: `/api/v1/accounts/${w.account.id}` }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/v1/accounts/:id',
    request: (w) => ({
      method: 'PATCH',
      url: `/api/v1/accounts/${w.account.id}`,
      payload: { industry: 'ICT' },
    }),
    expect: workers(200),
  },
  {
    route: 'GET /api/v1/accounts/:id/duplicates',
    request: (w) => ({ url: `/api/v1/accounts/${w.account.id}/duplicates` }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/accounts/:id/merge',
    request: async (w, c) => ({
      method: 'POST',
      url: `/api/v1/accounts/${w.account.id}/merge`,
      payload: { duplicateId: await duplicateAccountOf(w, c) },
    }),
    expect: workers(200),
  },
  {
    route: 'GET /api/v1/contacts/:id/duplicates',
    request: (w) => ({ url: `/api/v1/contacts/${w.repContact.id}/duplicates` }),
    expect: all(200),
  },
  {
    route: "GET /api/v1/accounts/:id (another team's)",
    request: async (w, c) => {
      const account = await c.services.accounts.createAccount(cli, {
        name: 'Globex',
        ownerId: w.outsider.id,
      });
      return { url: `/api/v1/accounts/${account.id}` };
    },
    expect: { ...all(200), sales_manager: 404, sales_rep: 404 },
  },
  { route: 'GET /api/v1/stages', request: () => ({ url: '/api/v1/stages' }), expect: all(200) },
  { route: 'GET /api/v1/stages/:key', request: () => ({ url: '/api/v1/stages/mql' }), expect: all(200) },
  {
    route: 'GET /api/v1/funnel',
    request: () => ({ url: '/api/v1/funnel?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z' }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/stages',
    request: () => ({
      method: 'POST',
      url: '/api/v1/stages',
      payload: {
        key: 'nurture',
        name: { en: 'Nurture', nl: 'Opwarmen' },
        definition: { en: 'Being warmed up by Marketing.', nl: 'Wordt door Marketing opgewarmd.' },
        position: 50,
        isSide: true,
      },
    }),
    expect: adminOnly(201),
  },
  {
    route: 'PATCH /api/v1/stages/:key',
    request: () => ({
      method: 'PATCH',
      url: '/api/v1/stages/mql',
      payload: { definition: { en: 'Fit ≥ B and engagement ≥ 2.', nl: 'Fit ≥ B en betrokkenheid ≥ 2.' } },
    }),
    expect: adminOnly(200),
  },
  { route: 'GET /api/v1/api-keys', request: () => ({ url: '/api/v1/api-keys' }), expect: adminOnly(200) },
  {
    route: 'POST /api/v1/api-keys',
    request: () => ({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'Website', role: 'marketing' },
    }),
    expect: adminOnly(201),
  },
  {
    route: 'DELETE /api/v1/api-keys/:id',
    request: async (_w, c) => {
      const key = await c.services.apiKeys.createApiKey(cli, { name: 'Old', role: 'marketing' });
      return { method: 'DELETE', url: `/api/v1/api-keys/${key.id}` };
    },
    expect: adminOnly(200),
  },
  { route: 'GET /api/v1/connectors', request: () => ({ url: '/api/v1/connectors' }), expect: adminOnly(200) },
  {
    route: 'POST /api/v1/connectors',
    request: async () => {
      const fake = await hubspot();
      return {
        method: 'POST',
        url: '/api/v1/connectors',
        payload: { kind: 'hubspot', token: fake.token, baseUrl: fake.url },
      };
    },
    expect: adminOnly(201),
  },
  {
    route: 'POST /api/v1/connectors/oauth/start',
    request: () => ({
      method: 'POST',
      url: '/api/v1/connectors/oauth/start',
      payload: { kind: 'hubspot', clientId: 'client-1', clientSecret: 'client-secret-1' },
    }),
    expect: adminOnly(200),
  },
  {
    // A state Baton never sealed: the admin is sent back to Settings → Connections with the reason.
    route: 'GET /api/v1/connectors/oauth/callback',
    request: () => ({ url: '/api/v1/connectors/oauth/callback?state=forged&code=abc' }),
    expect: adminOnly(303),
  },
  {
    route: 'GET /api/v1/connectors/:id',
    request: async (_w, c) => ({ url: `/api/v1/connectors/${(await hubspotConnection(c)).id}` }),
    expect: adminOnly(200),
  },
  {
    route: 'PATCH /api/v1/connectors/:id',
    request: async (_w, c) => ({
      method: 'PATCH',
      url: `/api/v1/connectors/${(await hubspotConnection(c)).id}`,
      payload: { paused: true },
    }),
    expect: adminOnly(200),
  },
  {
    route: 'DELETE /api/v1/connectors/:id',
    request: async (_w, c) => ({
      method: 'DELETE',
      url: `/api/v1/connectors/${(await hubspotConnection(c)).id}`,
    }),
    expect: adminOnly(204),
  },
  {
    route: 'POST /api/v1/connectors/:id/test',
    request: async (_w, c) => ({
      method: 'POST',
      url: `/api/v1/connectors/${(await hubspotConnection(c)).id}/test`,
    }),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/v1/connectors/:id/sync',
    request: async (_w, c) => ({
      method: 'POST',
      url: `/api/v1/connectors/${(await hubspotConnection(c)).id}/sync`,
    }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/connectors/:id/log',
    request: async (_w, c) => ({ url: `/api/v1/connectors/${(await hubspotConnection(c)).id}/log` }),
    expect: adminOnly(200),
  },
  {
    // No such entry: the admin learns that; the others are refused before anything is looked up.
    route: 'POST /api/v1/connectors/:id/log/:entryId/replay',
    request: async (_w, c) => ({
      method: 'POST',
      url: `/api/v1/connectors/${(await hubspotConnection(c)).id}/log/0190a000-0000-7000-8000-000000000009/replay`,
    }),
    expect: adminOnly(404),
  },
  {
    // HubSpot's webhooks are checked by their signature, not by who sends them: unsigned is refused.
    route: 'POST /api/v1/connectors/:id/webhooks',
    request: async (_w, c) => ({
      method: 'POST',
      url: `/api/v1/connectors/${(await hubspotConnection(c)).id}/webhooks`,
      headers: { 'content-type': 'application/json' },
      payload: '[]',
    }),
    expect: { ...all(401), anonymous: 401 },
  },
  {
    route: 'GET /api/v1/webhooks/event-types',
    request: () => ({ url: '/api/v1/webhooks/event-types' }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/webhooks/endpoints',
    request: () => ({ url: '/api/v1/webhooks/endpoints' }),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/v1/webhooks/endpoints',
    request: () => ({
      method: 'POST',
      url: '/api/v1/webhooks/endpoints',
      payload: { url: hookUrl, eventTypes: ['lead.mql'] },
    }),
    expect: adminOnly(201),
  },
  {
    route: 'GET /api/v1/webhooks/endpoints/:id',
    request: async (_w, c) => ({ url: `/api/v1/webhooks/endpoints/${(await hookEndpoint(c)).id}` }),
    expect: adminOnly(200),
  },
  {
    route: 'PATCH /api/v1/webhooks/endpoints/:id',
    request: async (_w, c) => ({
      method: 'PATCH',
      url: `/api/v1/webhooks/endpoints/${(await hookEndpoint(c)).id}`,
      payload: { enabled: false },
    }),
    expect: adminOnly(200),
  },
  {
    route: 'DELETE /api/v1/webhooks/endpoints/:id',
    request: async (_w, c) => ({
      method: 'DELETE',
      url: `/api/v1/webhooks/endpoints/${(await hookEndpoint(c)).id}`,
    }),
    expect: adminOnly(204),
  },
  {
    route: 'GET /api/v1/webhooks/endpoints/:id/secret',
    request: async (_w, c) => ({ url: `/api/v1/webhooks/endpoints/${(await hookEndpoint(c)).id}/secret` }),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/v1/webhooks/endpoints/:id/rotate-secret',
    request: async (_w, c) => ({
      method: 'POST',
      url: `/api/v1/webhooks/endpoints/${(await hookEndpoint(c)).id}/rotate-secret`,
      payload: {},
    }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/webhooks/endpoints/:id/deliveries',
    request: async (_w, c) => ({
      url: `/api/v1/webhooks/endpoints/${(await hookEndpoint(c)).id}/deliveries`,
    }),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/v1/webhooks/endpoints/:id/replay',
    request: async (_w, c) => ({
      method: 'POST',
      url: `/api/v1/webhooks/endpoints/${(await hookEndpoint(c)).id}/replay`,
      payload: { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' },
    }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/webhooks/deliveries/:id',
    request: async (_w, c) => ({ url: `/api/v1/webhooks/deliveries/${await hookDelivery(c)}` }),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/v1/webhooks/deliveries/:id/replay',
    request: async (_w, c) => ({
      method: 'POST',
      url: `/api/v1/webhooks/deliveries/${await hookDelivery(c)}/replay`,
    }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/webhooks/settings',
    request: () => ({ url: '/api/v1/webhooks/settings' }),
    expect: adminOnly(200),
  },
  {
    route: 'PUT /api/v1/webhooks/settings',
    request: () => ({
      method: 'PUT',
      url: '/api/v1/webhooks/settings',
      payload: { allowPrivateTargets: false },
    }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/scoring/models',
    request: () => ({ url: '/api/v1/scoring/models' }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/scoring/models',
    request: () => ({ method: 'POST', url: '/api/v1/scoring/models', payload: { name: 'Draft' } }),
    expect: { ...adminOnly(201), marketing: 201 },
  },
  {
    route: 'GET /api/v1/scoring/models/:id',
    request: async (_w, c) => ({ url: `/api/v1/scoring/models/${(await draft(c)).id}` }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/v1/scoring/models/:id',
    request: async (_w, c) => ({
      method: 'PATCH',
      url: `/api/v1/scoring/models/${(await draft(c)).id}`,
      payload: { name: 'Renamed' },
    }),
    expect: { ...adminOnly(200), marketing: 200 },
  },
  {
    route: 'POST /api/v1/scoring/models/:id/preview',
    request: async (_w, c) => ({
      method: 'POST',
      url: `/api/v1/scoring/models/${(await draft(c)).id}/preview`,
    }),
    // It scores every contact: only those who edit scoring run it.
    expect: { ...adminOnly(200), marketing: 200 },
  },
  {
    route: 'POST /api/v1/scoring/models/:id/activate',
    request: async (_w, c) => ({
      method: 'POST',
      url: `/api/v1/scoring/models/${(await draft(c)).id}/activate`,
    }),
    expect: { ...adminOnly(200), marketing: 200 },
  },
  {
    route: 'GET /api/v1/scoring/models/:id/calibration',
    request: async (_w, c) => ({ url: `/api/v1/scoring/models/${(await draft(c)).id}/calibration` }),
    expect: all(200),
  },
  {
    // A seeded company has no outcomes to learn from yet: allowed roles get that answer.
    route: 'POST /api/v1/scoring/models/learn',
    request: () => ({ method: 'POST', url: '/api/v1/scoring/models/learn', payload: { name: 'Learned' } }),
    expect: { ...adminOnly(409), marketing: 409 },
  },
  {
    route: 'GET /api/v1/scoring/runs/:id',
    request: async (_w, c) => {
      const { run } = await c.services.scoring.activateModel(cli, (await draft(c)).id);
      return { url: `/api/v1/scoring/runs/${run.id}` };
    },
    expect: all(200),
  },
  {
    route: 'GET /api/v1/contacts/:id/score',
    request: async (w, c) => {
      await scoreAll(c);
      return { url: `/api/v1/contacts/${w.repContact.id}/score` };
    },
    expect: all(200),
  },
  {
    route: "GET /api/v1/contacts/:id/score (another team's)",
    request: async (w, c) => {
      await scoreAll(c);
      return { url: `/api/v1/contacts/${w.outsiderContact.id}/score` };
    },
    expect: { ...all(200), sales_manager: 404, sales_rep: 404 },
  },
  {
    route: 'GET /api/v1/accounts/:id/score',
    request: async (w, c) => {
      await scoreAll(c);
      return { url: `/api/v1/accounts/${w.account.id}/score` };
    },
    expect: all(200),
  },
  { route: 'GET /api/v1/routing/pools', request: () => ({ url: '/api/v1/routing/pools' }), expect: all(200) },
  {
    route: 'POST /api/v1/routing/pools',
    request: (_w, _c, caller) => ({
      method: 'POST',
      url: '/api/v1/routing/pools',
      payload: { name: `Pool ${caller}`, members: [] },
    }),
    expect: adminOnly(201),
  },
  {
    route: 'PATCH /api/v1/routing/pools/:id',
    request: async (_w, c, caller) => {
      const pool = await c.services.routing.createPool(cli, { name: `P ${caller}`, members: [] });
      return { method: 'PATCH', url: `/api/v1/routing/pools/${pool.id}`, payload: { strategy: 'weighted' } };
    },
    expect: adminOnly(200),
  },
  { route: 'GET /api/v1/routing/rules', request: () => ({ url: '/api/v1/routing/rules' }), expect: all(200) },
  {
    route: 'PUT /api/v1/routing/rules',
    request: () => ({ method: 'PUT', url: '/api/v1/routing/rules', payload: { rules: [] } }),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/v1/routing/rules/preview',
    request: async (w, c, caller) => {
      const pool = await c.services.routing.createPool(cli, { name: `Preview ${caller}`, members: [] });
      return {
        method: 'POST',
        url: '/api/v1/routing/rules/preview',
        payload: {
          rules: [
            {
              name: 'NL',
              conditions: [{ op: 'equals', field: 'country', value: 'NL' }],
              target: { poolId: pool.id },
            },
          ],
        },
      };
    },
    expect: adminOnly(200),
  },
  {
    route: 'DELETE /api/v1/routing/pools/:id',
    request: async (_w, c, caller) => {
      const pool = await c.services.routing.createPool(cli, { name: `Spare ${caller}`, members: [] });
      return { method: 'DELETE', url: `/api/v1/routing/pools/${pool.id}` };
    },
    expect: adminOnly(204),
  },
  {
    route: 'GET /api/v1/routing/settings',
    request: () => ({ url: '/api/v1/routing/settings' }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/v1/routing/settings',
    request: () => ({ method: 'PATCH', url: '/api/v1/routing/settings', payload: { ownershipFirst: true } }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/routing/unassigned',
    request: () => ({ url: '/api/v1/routing/unassigned' }),
    expect: { ...adminOnly(200), sales_manager: 200 },
  },
  {
    route: 'POST /api/v1/contacts/:id/route',
    request: (w) => ({ method: 'POST', url: `/api/v1/contacts/${w.repContact.id}/route` }),
    expect: { ...adminOnly(200), sales_manager: 200 },
  },
  {
    // The rep's contact to their teammate: the team's manager and admins; others may not.
    route: 'POST /api/v1/contacts/:id/reassign',
    request: (w) => ({
      method: 'POST',
      url: `/api/v1/contacts/${w.repContact.id}/reassign`,
      payload: { userId: w.teammate.id, reason: 'Jan is on leave' },
    }),
    expect: { ...adminOnly(200), sales_manager: 200 },
  },
  {
    route: 'GET /api/v1/contacts/:id/route-preview',
    request: (w) => ({ url: `/api/v1/contacts/${w.repContact.id}/route-preview` }),
    expect: { ...adminOnly(200), sales_manager: 200 },
  },
  {
    route: 'GET /api/v1/contacts/:id/assignments',
    request: (w) => ({ url: `/api/v1/contacts/${w.repContact.id}/assignments` }),
    expect: all(200),
  },
  {
    route: "GET /api/v1/contacts/:id/assignments (another team's)",
    request: (w) => ({ url: `/api/v1/contacts/${w.outsiderContact.id}/assignments` }),
    expect: { ...all(200), sales_manager: 404, sales_rep: 404 },
  },
  {
    // Reps set their own; the rep's manager and admins may too; others may not.
    route: 'POST /api/v1/users/:id/absences',
    request: (w) => ({
      method: 'POST',
      url: `/api/v1/users/${w.rep.id}/absences`,
      payload: { startsAt: '2026-12-24T00:00:00Z', endsAt: '2026-12-27T00:00:00Z', reason: 'Kerst' },
    }),
    expect: { ...all(403), admin: 201, sales_manager: 201, sales_rep: 201 },
  },
  {
    route: 'GET /api/v1/users/:id/absences',
    request: (w) => ({ url: `/api/v1/users/${w.rep.id}/absences` }),
    expect: all(200),
  },
  { route: 'GET /api/v1/outbox', request: () => ({ url: '/api/v1/outbox' }), expect: adminOnly(200) },
  {
    route: 'GET /api/v1/outbox/:id',
    request: async (w, c) => ({ url: `/api/v1/outbox/${await queuedEmail(w, c)}` }),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/v1/outbox/:id/retry',
    request: async (w, c) => ({
      method: 'POST',
      url: `/api/v1/outbox/${await queuedEmail(w, c, true)}/retry`,
    }),
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/v1/outbox/:id/cancel',
    request: async (w, c) => ({ method: 'POST', url: `/api/v1/outbox/${await queuedEmail(w, c)}/cancel` }),
    expect: adminOnly(200),
  },
  { route: 'GET /api/v1/sla/policies', request: () => ({ url: '/api/v1/sla/policies' }), expect: all(200) },
  {
    route: 'PATCH /api/v1/sla/policies/:id',
    request: async (_w, c) => {
      const [policy] = await c.services.sla.listPolicies(cli);
      return { method: 'PATCH', url: `/api/v1/sla/policies/${policy!.id}`, payload: { windowSeconds: 3600 } };
    },
    expect: adminOnly(200),
  },
  { route: 'GET /api/v1/sla/calendars', request: () => ({ url: '/api/v1/sla/calendars' }), expect: all(200) },
  {
    route: 'GET /api/v1/sla/calendars/:id/holidays',
    request: async (_w, c) => {
      const [calendar] = await c.services.sla.listCalendars(cli);
      return { url: `/api/v1/sla/calendars/${calendar!.id}/holidays?year=2026` };
    },
    expect: all(200),
  },
  {
    route: 'GET /api/v1/sla/report',
    request: () => ({ url: '/api/v1/sla/report?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z' }),
    expect: all(200),
  },
  { route: 'GET /api/v1/sla/queue', request: () => ({ url: '/api/v1/sla/queue' }), expect: all(200) },
  {
    route: 'POST /api/v1/sla/calendars',
    request: (_w, _c, caller) => ({
      method: 'POST',
      url: '/api/v1/sla/calendars',
      payload: {
        name: `Support ${caller}`,
        timeZone: 'Europe/Amsterdam',
        workingHours: { mon: [['08:00', '18:00']] },
        holidays: null,
      },
    }),
    expect: adminOnly(201),
  },
  {
    route: 'DELETE /api/v1/sla/calendars/:id',
    request: async (_w, c, caller) => {
      const calendar = await c.services.sla.createCalendar(cli, {
        name: `Spare ${caller}`,
        timeZone: 'Europe/Amsterdam',
        workingHours: { mon: [['09:00', '17:00']] },
        holidays: null,
      });
      return { method: 'DELETE', url: `/api/v1/sla/calendars/${calendar.id}` };
    },
    expect: adminOnly(204),
  },
  {
    route: 'PUT /api/v1/sla/calendars/:id',
    request: async (_w, c) => {
      const [calendar] = await c.services.sla.listCalendars(cli);
      const { name, timeZone, workingHours, holidays } = calendar!;
      return {
        method: 'PUT',
        url: `/api/v1/sla/calendars/${calendar!.id}`,
        payload: { name, timeZone, workingHours, holidays, closures: [] },
      };
    },
    expect: adminOnly(200),
  },
  {
    route: 'POST /api/v1/sla/preview',
    request: () => ({
      method: 'POST',
      url: '/api/v1/sla/preview',
      payload: { arrivedAt: '2026-11-27T15:00:00Z', windowSeconds: 14400 },
    }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/contacts/:id/sla',
    request: (w) => ({ url: `/api/v1/contacts/${w.repContact.id}/sla` }),
    expect: all(200),
  },
  {
    route: "GET /api/v1/contacts/:id/sla (another team's)",
    request: (w) => ({ url: `/api/v1/contacts/${w.outsiderContact.id}/sla` }),
    expect: { ...all(200), sales_manager: 404, sales_rep: 404 },
  },
  {
    route: 'POST /api/v1/sla/clocks/:id/waive',
    request: async (w, c) => ({
      method: 'POST',
      url: `/api/v1/sla/clocks/${await breachedClock(w, c)}/waive`,
      payload: { reason: 'The customer asked us to call next week' },
    }),
    expect: { ...all(403), admin: 200, sales_manager: 200, director: 200 },
  },
  {
    route: 'GET /api/v1/sla/commitments',
    request: () => ({ url: '/api/v1/sla/commitments' }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/sla/commitments',
    request: () => ({
      method: 'POST',
      url: '/api/v1/sla/commitments',
      payload: { period: 'month', startsOn: nextMonth(), mqlTarget: 120, minAcceptanceRate: 0.6 },
    }),
    expect: committers(201),
  },
  {
    route: 'GET /api/v1/sla/commitments/:id',
    request: async (_w, c) => ({ url: `/api/v1/sla/commitments/${await commitment(c)}` }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/v1/sla/commitments/:id',
    request: async (_w, c) => ({
      method: 'PATCH',
      url: `/api/v1/sla/commitments/${await commitment(c)}`,
      payload: { mqlTarget: 150 },
    }),
    expect: committers(200),
  },
  {
    route: 'DELETE /api/v1/sla/commitments/:id',
    request: async (_w, c) => ({ method: 'DELETE', url: `/api/v1/sla/commitments/${await commitment(c)}` }),
    expect: committers(204),
  },
  {
    route: 'GET /api/v1/contacts/:id/handoff',
    request: (w) => ({ url: `/api/v1/contacts/${w.repContact.id}/handoff` }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/contacts/:id/accept',
    request: async (w, c) => ({
      method: 'POST',
      url: `/api/v1/contacts/${await leadOfRep(w, c, 'mql')}/accept`,
      payload: {},
    }),
    expect: deciders,
  },
  {
    route: 'POST /api/v1/contacts/:id/reject',
    request: async (w, c) => ({
      method: 'POST',
      url: `/api/v1/contacts/${await leadOfRep(w, c, 'mql')}/reject`,
      payload: { reasonCode: 'no_budget' },
    }),
    expect: deciders,
  },
  {
    route: "POST /api/v1/contacts/:id/accept (another team's)",
    request: async (w, c) => {
      const id = (
        await c.services.contacts.createContact(cli, {
          email: `other${++handed}@globex.nl`,
          ownerId: w.outsider.id,
          stage: 'mql',
        })
      ).id;
      return { method: 'POST', url: `/api/v1/contacts/${id}/accept`, payload: {} };
    },
    // The manager and rep cannot see it; the director is above the other manager; admins may.
    expect: { ...all(200), marketing: 403, sales_manager: 404, sales_rep: 404 },
  },
  {
    route: 'POST /api/v1/contacts/:id/qualify',
    request: async (w, c) => ({
      method: 'POST',
      url: `/api/v1/contacts/${await leadOfRep(w, c, 'sal')}/qualify`,
      payload: { answers: { need: true, budget: true, authority: true, timing: true } },
    }),
    expect: deciders,
  },
  {
    route: 'POST /api/v1/contacts/:id/activities',
    request: async (w, c) => ({
      method: 'POST',
      url: `/api/v1/contacts/${await leadOfRep(w, c, 'mql')}/activities`,
      payload: { type: 'call_logged', note: 'Left a voicemail' },
    }),
    expect: { ...all(201), marketing: 403 },
  },
  {
    route: 'GET /api/v1/handoff/reasons',
    request: () => ({ url: '/api/v1/handoff/reasons' }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/handoff/reasons',
    request: (_w, _c, caller) => ({
      method: 'POST',
      url: '/api/v1/handoff/reasons',
      payload: { key: `custom_${caller}`, label: { en: 'Custom', nl: 'Eigen' }, outcome: 'recycle' },
    }),
    expect: adminOnly(201),
  },
  {
    route: 'PATCH /api/v1/handoff/reasons/:key',
    request: () => ({ method: 'PATCH', url: '/api/v1/handoff/reasons/no_budget', payload: { position: 15 } }),
    expect: adminOnly(200),
  },
  {
    route: 'PUT /api/v1/handoff/reasons/order',
    request: async (_w, c) => {
      const keys = (await c.services.handoff.listReasons(cli)).map((r) => r.key).reverse();
      return { method: 'PUT', url: '/api/v1/handoff/reasons/order', payload: { keys } };
    },
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/handoff/settings',
    request: () => ({ url: '/api/v1/handoff/settings' }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/v1/handoff/settings',
    request: () => ({ method: 'PATCH', url: '/api/v1/handoff/settings', payload: { pingPongLimit: 3 } }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/handoff/fates',
    request: () => ({ url: '/api/v1/handoff/fates?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z' }),
    expect: all(200),
  },
  {
    // Reports as CSV: the same readers as the report; the tracker names people, so not for reps.
    route: 'GET /api/v1/handoff/fates.csv',
    request: () => ({ url: '/api/v1/handoff/fates.csv?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z' }),
    expect: { ...all(200), sales_rep: 403 },
  },
  {
    route: 'GET /api/v1/handoff/rejections.csv',
    request: () => ({
      url: '/api/v1/handoff/rejections.csv?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&by=source',
    }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/sla/report.csv',
    request: () => ({ url: '/api/v1/sla/report.csv?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z' }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/funnel.csv',
    request: () => ({ url: '/api/v1/funnel.csv?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z' }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/handoff/rejections',
    request: () => ({
      url: '/api/v1/handoff/rejections?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&by=campaign',
    }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/opportunities/stages',
    request: () => ({ url: '/api/v1/opportunities/stages' }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/opportunities/stages',
    request: (_w, _c, caller) => ({
      method: 'POST',
      url: '/api/v1/opportunities/stages',
      payload: {
        key: `pilot_${caller}`,
        name: { en: 'Pilot', nl: 'Pilot' },
        position: 35,
        probability: 0.6,
        outcome: 'open',
      },
    }),
    expect: adminOnly(201),
  },
  {
    route: 'PATCH /api/v1/opportunities/stages/:key',
    request: () => ({
      method: 'PATCH',
      url: '/api/v1/opportunities/stages/demo',
      payload: { probability: 0.3 },
    }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/opportunities/win-rates',
    request: () => ({ url: '/api/v1/opportunities/win-rates?by=manager' }),
    expect: all(200),
  },
  { route: 'GET /api/v1/opportunities', request: () => ({ url: '/api/v1/opportunities' }), expect: all(200) },
  {
    route: 'POST /api/v1/opportunities',
    request: async (w, c) => ({
      method: 'POST',
      url: '/api/v1/opportunities',
      payload: { name: 'Cloud deal', contactId: await leadOfRep(w, c, 'sql'), amountMinor: 100_000 },
    }),
    expect: sellers(201),
  },
  {
    route: 'GET /api/v1/opportunities/:id',
    request: async (w, c) => ({ url: `/api/v1/opportunities/${await opportunityOfRep(w, c)}` }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/v1/opportunities/:id',
    request: async (w, c) => ({
      method: 'PATCH',
      url: `/api/v1/opportunities/${await opportunityOfRep(w, c)}`,
      payload: { amountMinor: 250_000 },
    }),
    expect: sellers(200),
  },
  {
    route: 'POST /api/v1/opportunities/:id/stage',
    request: async (w, c) => ({
      method: 'POST',
      url: `/api/v1/opportunities/${await opportunityOfRep(w, c)}/stage`,
      payload: { stage: 'proposal' },
    }),
    expect: sellers(200),
  },
  {
    route: 'GET /api/v1/attribution/settings',
    request: () => ({ url: '/api/v1/attribution/settings' }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/v1/attribution/settings',
    request: () => ({ method: 'PATCH', url: '/api/v1/attribution/settings', payload: { dedupeMinutes: 15 } }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/attribution/report',
    request: () => ({ url: '/api/v1/attribution/report?from=2026-01-01&to=2026-03-31' }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/attribution/report.csv',
    request: () => ({ url: '/api/v1/attribution/report.csv?from=2026-01-01&to=2026-03-31' }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/attribution/comparison',
    request: () => ({ url: '/api/v1/attribution/comparison?from=2026-01-01&to=2026-03-31' }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/attribution/opportunities/:id',
    request: async (w, c) => ({ url: `/api/v1/attribution/opportunities/${await opportunityOfRep(w, c)}` }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/attribution/journeys',
    request: () => ({
      method: 'POST',
      url: '/api/v1/attribution/journeys',
      headers: { 'content-type': 'text/csv' },
      payload: 'path;total_conversions;total_conversion_value;total_null\na > b;1;10;2\n',
    }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/attribution/costs',
    request: () => ({ url: '/api/v1/attribution/costs' }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/attribution/costs',
    request: () => ({
      method: 'POST',
      url: '/api/v1/attribution/costs',
      payload: { campaign: 'fair', startsOn: '2026-01-01', endsOn: '2026-01-31', amountMinor: 100 },
    }),
    expect: { ...all(403), marketing: 201, admin: 201 },
  },
  {
    route: 'DELETE /api/v1/attribution/costs/:id',
    request: async (_w, c) => {
      const cost = await c.services.attribution.createCost(cli, {
        campaign: 'fair',
        startsOn: '2026-01-01',
        endsOn: '2026-01-31',
        amountMinor: 100,
      });
      return { method: 'DELETE', url: `/api/v1/attribution/costs/${cost.id}` };
    },
    expect: { ...all(403), marketing: 204, admin: 204 },
  },
  {
    route: 'GET /api/v1/targets',
    request: () => ({ url: '/api/v1/targets' }),
    expect: all(200),
  },
  {
    route: 'PUT /api/v1/targets',
    request: () => ({
      method: 'PUT',
      url: '/api/v1/targets',
      payload: {
        periodKind: 'quarter',
        periodStart: '2027-01',
        metric: 'mql',
        ownerKind: 'company',
        value: 500,
      },
    }),
    expect: planners(200),
  },
  {
    route: 'DELETE /api/v1/targets/:id',
    request: async (_w, c) => {
      const target = await c.services.planning.putTarget(cli, {
        periodKind: 'month',
        periodStart: '2027-02',
        metric: 'sal',
        ownerKind: 'company',
        value: 10,
      });
      return { method: 'DELETE', url: `/api/v1/targets/${target.id}` };
    },
    expect: planners(204),
  },
  {
    route: 'POST /api/v1/plans/preview',
    request: () => ({ method: 'POST', url: '/api/v1/plans/preview', payload: planInput }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/plans',
    request: () => ({ method: 'POST', url: '/api/v1/plans', payload: { ...planInput, name: 'Plan' } }),
    expect: planners(201),
  },
  {
    route: 'GET /api/v1/plans',
    request: () => ({ url: '/api/v1/plans' }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/pacing',
    request: () => ({ url: '/api/v1/pacing?periodKind=year&periodStart=2027-01' }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/bonus-plans',
    request: () => ({ url: '/api/v1/bonus-plans' }),
    expect: all(200),
  },
  {
    route: 'PUT /api/v1/bonus-plans',
    request: (w) => ({ method: 'PUT', url: '/api/v1/bonus-plans', payload: bonusPlan(w) }),
    expect: { ...all(403), admin: 200, director: 200 },
  },
  {
    route: 'GET /api/v1/bonus-plans/:id',
    request: async (w, c) => ({
      url: `/api/v1/bonus-plans/${(await c.services.bonus.put(cli, bonusPlan(w))).id}`,
    }),
    expect: all(200),
  },
  {
    route: 'DELETE /api/v1/bonus-plans/:id',
    request: async (w, c) => ({
      method: 'DELETE',
      url: `/api/v1/bonus-plans/${(await c.services.bonus.put(cli, bonusPlan(w))).id}`,
    }),
    expect: { ...all(403), admin: 204, director: 204 },
  },
  {
    route: 'GET /api/v1/bonus-plans/:id/statements',
    request: async (w, c) => ({
      url: `/api/v1/bonus-plans/${(await c.services.bonus.put(cli, bonusPlan(w))).id}/statements`,
    }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/bonus-plans/:id/statements.csv',
    request: async (w, c) => ({
      url: `/api/v1/bonus-plans/${(await c.services.bonus.put(cli, bonusPlan(w))).id}/statements.csv`,
    }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/board',
    request: () => ({ url: '/api/v1/board?periodKind=quarter&periodStart=2027-01' }),
    expect: { ...all(200), sales_rep: 403 },
  },
  {
    route: 'GET /api/v1/agreements',
    request: () => ({ url: '/api/v1/agreements' }),
    expect: all(200),
  },
  {
    route: 'POST /api/v1/agreements',
    request: () => ({
      method: 'POST',
      url: '/api/v1/agreements',
      payload: { effectiveFrom: '2027-01-01T00:00:00Z' },
    }),
    expect: planners(201),
  },
  {
    route: 'GET /api/v1/agreements/diff',
    request: async (_w, c) => {
      await draftAgreement(c);
      await draftAgreement(c);
      return { url: '/api/v1/agreements/diff?from=1&to=2' };
    },
    expect: all(200),
  },
  {
    route: 'GET /api/v1/agreements/spans',
    request: () => ({ url: '/api/v1/agreements/spans?from=2027-01-01T00:00:00Z&to=2027-04-01T00:00:00Z' }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/agreements/mql-report',
    request: () => ({
      url: '/api/v1/agreements/mql-report?from=2027-01-01T00:00:00Z&to=2027-04-01T00:00:00Z',
    }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/agreements/:version',
    request: async (_w, c) => ({ url: `/api/v1/agreements/${await draftAgreement(c)}` }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/v1/agreements/:version',
    request: async (_w, c) => ({
      method: 'PATCH',
      url: `/api/v1/agreements/${await draftAgreement(c)}`,
      payload: { title: 'Plan 2027' },
    }),
    expect: planners(200),
  },
  {
    route: 'POST /api/v1/agreements/:version/propose',
    request: async (w, c) => ({
      method: 'POST',
      url: `/api/v1/agreements/${await draftAgreement(c)}/propose`,
      payload: { marketingSignerId: w.marketer.id, salesSignerId: w.director.id },
    }),
    expect: planners(200),
  },
  {
    // The marketer and the director are the named heads; everyone else may not sign.
    route: 'POST /api/v1/agreements/:version/sign',
    request: async (w, c) => {
      const version = await draftAgreement(c);
      await c.services.agreements.propose(cli, version, {
        marketingSignerId: w.marketer.id,
        salesSignerId: w.director.id,
      });
      return { method: 'POST', url: `/api/v1/agreements/${version}/sign` };
    },
    expect: { ...all(403), marketing: 200, director: 200 },
  },
  {
    route: 'POST /api/v1/agreements/:version/withdraw',
    request: async (_w, c) => ({
      method: 'POST',
      url: `/api/v1/agreements/${await draftAgreement(c)}/withdraw`,
    }),
    expect: planners(200),
  },
  {
    route: 'GET /api/v1/agreements/:version/pdf',
    request: async (_w, c) => ({ url: `/api/v1/agreements/${await draftAgreement(c)}/pdf` }),
    expect: all(200),
  },
  {
    route: 'GET /api/v1/audit',
    request: () => ({ url: '/api/v1/audit' }),
    expect: planners(200),
  },
  { route: 'GET /api/v1/audit-log', request: () => ({ url: '/api/v1/audit-log' }), expect: adminOnly(200) },
  {
    route: 'GET /api/v1/audit-log.csv',
    request: () => ({ url: '/api/v1/audit-log.csv' }),
    expect: adminOnly(200),
  },
  {
    route: 'GET /api/v1/audit-log/settings',
    request: () => ({ url: '/api/v1/audit-log/settings' }),
    expect: adminOnly(200),
  },
  {
    route: 'PATCH /api/v1/audit-log/settings',
    request: () => ({ method: 'PATCH', url: '/api/v1/audit-log/settings', payload: { retentionDays: 400 } }),
    expect: adminOnly(200),
  },
  { route: 'GET /api/v1/metrics', request: () => ({ url: '/api/v1/metrics' }), expect: all(200) },
  {
    route: 'GET /api/v1/settings/reporting',
    request: () => ({ url: '/api/v1/settings/reporting' }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/v1/settings/reporting',
    request: () => ({
      method: 'PATCH',
      url: '/api/v1/settings/reporting',
      payload: { defaultPeriod: 'last_90_days' },
    }),
    expect: adminOnly(200),
  },
];

/** Routes anyone may call. */
/** The same company seen from the other team: its rep, its manager and its lead stand in for the first team's. */
const otherAccounts = new WeakMap<TestContext, World['account']>();
const elsewhere = async (w: World, c: TestContext): Promise<World> => {
  let account = otherAccounts.get(c);
  if (!account) {
    account = await c.services.accounts.createAccount(cli, { name: 'Globex', ownerId: w.outsider.id });
    otherAccounts.set(c, account);
  }
  return { ...w, rep: w.outsider, manager: w.otherManager, repContact: w.outsiderContact, account };
};

/**
 * A row again on another team's record (record visibility, issue 18): the first team's manager and
 * rep, who could act on their own team's record, get the same 404 as for a record that does not
 * exist; a role refused outright stays refused; the others (a director above both managers, admins,
 * marketing) are answered as on the first team's record.
 */
const onAnotherTeams = (route: string, expect?: Partial<Row['expect']>): Row => {
  const row = rows.find((r) => r.route === route);
  if (!row) throw new Error(`no row ${route}`);
  const hidden = (status: number) => (status < 300 ? 404 : status);
  return {
    route: `${route} (another team's)`,
    request: async (w, c, caller) => row.request(await elsewhere(w, c), c, caller),
    expect: {
      ...row.expect,
      sales_manager: hidden(row.expect.sales_manager),
      sales_rep: hidden(row.expect.sales_rep),
      ...expect,
    },
  };
};

/** Routes that name a team's record (in the path or the body) and are open to a manager or a rep. */
const teamRecordRoutes = [
  'PATCH /api/v1/accounts/:id',
  'GET /api/v1/accounts/:id/score',
  'GET /api/v1/accounts/:id/duplicates',
  'POST /api/v1/accounts/:id/merge',
  'GET /api/v1/contacts/:id/duplicates',
  'POST /api/v1/contacts/:id/merge',
  'POST /api/v1/contacts/:id/route',
  'POST /api/v1/contacts/:id/reassign',
  'GET /api/v1/contacts/:id/route-preview',
  'GET /api/v1/contacts/:id/assignments',
  'POST /api/v1/sla/clocks/:id/waive',
  'GET /api/v1/contacts/:id/handoff',
  'POST /api/v1/contacts/:id/reject',
  'POST /api/v1/contacts/:id/qualify',
  'POST /api/v1/contacts/:id/activities',
  'POST /api/v1/contacts/:id/tasks',
  'PATCH /api/v1/tasks/:id',
  'DELETE /api/v1/tasks/:id',
  'POST /api/v1/opportunities',
  'GET /api/v1/opportunities/:id',
  'PATCH /api/v1/opportunities/:id',
  'POST /api/v1/opportunities/:id/stage',
  'GET /api/v1/attribution/opportunities/:id',
];
const existingOtherTeamRows = new Set(
  rows.filter((r) => r.route.endsWith("(another team's)")).map((r) => r.route),
);
rows.push(
  ...teamRecordRoutes
    .filter((route) => !existingOtherTeamRows.has(`${route} (another team's)`))
    .map((route) =>
      // A record named in the body that the caller cannot see is the body's field error, as for one
      // that does not exist.
      route === 'POST /api/v1/opportunities'
        ? onAnotherTeams(route, { sales_manager: 400, sales_rep: 400 })
        : onAnotherTeams(route),
    ),
);

const publicRoutes = [
  'POST /api/v1/auth/login',
  'GET /api/health',
  'POST /f/:key',
  // The steps of a sign-in: before a session exists (the challenge cookie or the provider's answer).
  'POST /api/v1/auth/second-factor',
  'POST /api/v1/auth/second-factor/enrolment',
  'GET /api/v1/auth/options',
  'GET /api/v1/auth/oidc/start',
  'GET /api/v1/auth/oidc/callback',
  // First run, and the links of invitations and "forgot password": before anyone can sign in.
  'GET /api/v1/setup',
  'POST /api/v1/setup',
  'POST /api/v1/auth/password-reset',
  'POST /api/v1/auth/password-link',
  'POST /api/v1/auth/password-link/password',
  // The holiday library's countries and regions, for the setup page of an empty store.
  'GET /api/v1/sla/holiday-countries',
  // One-click links in emails: the single-use token in the body is the permission.
  'POST /api/v1/one-click/preview',
  'POST /api/v1/one-click/act',
];

const cookieOf = (world: World, caller: Caller): string | undefined =>
  ({
    anonymous: undefined,
    marketing: world.cookies.marketer,
    director: world.cookies.director,
    sales_manager: world.cookies.manager,
    sales_rep: world.cookies.rep,
    admin: world.cookies.admin,
  })[caller];

// Who may call what is decided before any SQL runs, so the matrix runs on SQLite; each route's own
// tests run it on PostgreSQL too. (On both dialects it took five of the CI run's twenty minutes.)
describe('the permission matrix', () => {
  it("checks another team's record on every route whose path names a team's record and that a manager or a rep may call", () => {
    const scoped = /\/(contacts|accounts|opportunities|sla\/clocks|tasks)\/:id/;
    const missing = rows
      .filter((r) => !r.route.endsWith("(another team's)") && scoped.test(r.route))
      .filter((r) => r.expect.sales_manager < 300 || r.expect.sales_rep < 300)
      .filter((r) => !rows.some((o) => o.route === `${r.route} (another team's)`))
      .map((r) => r.route);
    expect(missing).toEqual([]);
  });
});

describeEachDialect('the permission matrix', (getDatabase) => {
  it('covers every route of the API', async () => {
    const app = await createTestApp(createTestContext(getDatabase()));
    const spec = app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const covered = new Set([...rows.map((r) => r.route.replace(/ \(.*\)$/, '')), ...publicRoutes]);
    expect(documented.filter((r) => !covered.has(r))).toEqual([]);
    await app.close();
  });
});

// The company is seeded (people, sign-ins, records) once; each row works on its own copy of that
// database, so what one row changes never reaches another.
describe('the permission matrix, route by route [sqlite]', () => {
  let world: World;
  let image: Buffer;

  beforeAll(async () => {
    const database = await createTestDatabase('sqlite');
    const context = createTestContext(database);
    const app = await createTestApp(context);
    world = await seedCompany(context, app);
    await app.close();
    image = database.serialize!();
    await database.dispose();
  });

  it.each(rows)('$route', async (row) => {
    const database = openDatabase({ dialect: 'sqlite', path: ':memory:', image });
    const context = createTestContext(database);
    const app = await createTestApp(context);
    try {
      const actual: Record<string, number> = {};
      for (const caller of callers) {
        const request = await row.request(world, context, caller);
        const cookie = cookieOf(world, caller);
        const response = await app.inject({
          ...request,
          headers: { ...request.headers, ...(cookie && { cookie }) },
        });
        actual[caller] = response.statusCode;
        if (response.statusCode >= 400) {
          expect(response.headers['content-type']).toContain('application/problem+json');
        }
      }
      expect(actual).toEqual({ anonymous: 401, ...row.expect });
    } finally {
      await app.close();
      await database.close();
    }
  });
});
