import { randomBytes } from 'node:crypto';
import { createSecretBox } from '../platform/secret-box.ts';
import type { OidcSettings } from '../modules/shared/deps.ts';
import type { AttributionHelper } from '../modules/attribution/attribution.service.ts';
import type { FastifyServerOptions } from 'fastify';
import type { Role } from '../../domain/access/roles.ts';
import { buildApp } from '../app.ts';
import type { Database } from '../db/database.ts';
import type { App } from '../modules/shared/http.ts';
import { createTestClock, type TestClock } from '../platform/clock.ts';
import { createEventBus, type EventBus } from '../platform/event-bus.ts';
import { createPasswordHasher, type PasswordHasher } from '../platform/secrets.ts';
import { createServices, type MailSyncSettings, type Services, type ServicesOptions } from '../services.ts';
import { wireLeadFlow } from '../modules/lead-flow/lead-flow.ts';

/** Cheap scrypt parameters for tests: the same code path, less memory and time per hash. */
export const testPasswords = createPasswordHasher({ logN: 10, r: 8, p: 1 });
export const testPassword = 'correct horse battery';

export interface TestContext {
  database: Database;
  clock: TestClock;
  services: Services;
  /** The bus services announce on; tests subscribe to see what was announced. */
  events: EventBus;
  handlerErrors: unknown[];
}

/**
 * Services on a database with a test clock. `reactions: false` leaves the bus unheard, as after a
 * crash between a commit and its reactions.
 */
export function createTestContext(
  database: Database,
  clock: TestClock = createTestClock(),
  options: {
    reactions?: boolean;
    attributionHelper?: AttributionHelper;
    attributionKeptCredit?: boolean;
    passwords?: PasswordHasher;
    oidc?: OidcSettings;
    mailSync?: Partial<MailSyncSettings>;
    connectors?: ServicesOptions['connectors'];
  } = {},
): TestContext {
  const handlerErrors: unknown[] = [];
  const events = createEventBus((error) => handlerErrors.push(error));
  const services = createServices(
    {
      db: database.db,
      events,
      ...(database.sqlite && { sqlite: database.sqlite }),
      clock,
      passwords: options.passwords ?? testPasswords,
      auth: { sessionTtlHours: 336, loginMaxFailures: 5, loginWindowMinutes: 15, oidc: options.oidc ?? null },
      secrets: createSecretBox(randomBytes(32)),
      publicUrl: 'https://baton.example.nl',
    },
    {
      ...(options.attributionHelper && { attributionHelper: options.attributionHelper }),
      ...(options.attributionKeptCredit !== undefined && {
        attributionKeptCredit: options.attributionKeptCredit,
      }),
      ...(options.mailSync && { mailSync: options.mailSync }),
      // The local CRMs listen on 127.0.0.1.
      connectors: { allowPrivate: true, ...options.connectors },
    },
  );
  if (options.reactions !== false) wireLeadFlow(services, events);
  return { database, clock, services, events, handlerErrors };
}

export async function createTestApp(
  context: TestContext,
  options: {
    logger?: FastifyServerOptions['logger'];
    cookieSecure?: 'auto' | 'always' | 'never';
    /** The built web app it serves (dist/web by default). */
    webDir?: string;
  } = {},
): Promise<App> {
  const app = await buildApp({
    ...(options.webDir && { webDir: options.webDir }),
    database: context.database,
    services: context.services,
    version: 'test',
    cookieSecure: options.cookieSecure ?? 'auto',
    publicUrl: 'https://baton.example.nl',
    trustProxy: false,
    logger: options.logger ?? false,
  });
  await app.ready();
  return app;
}

const cli = { kind: 'cli' } as const;
let counter = 0;

/**
 * A demo request from a new person: an MQL at once, which routing gives to `ownerId`. Waits (up to
 * 30 s, for a loaded machine) until routing, which reacts after the commit, has done so.
 */
export async function routedLead(
  context: TestContext,
  lead: { email: string; firstName: string; ownerId: string },
): Promise<string> {
  const outcome = await context.services.capture.ingest(
    cli,
    {
      type: 'demo_requested',
      email: lead.email,
      occurredAt: context.clock.now().toISOString(),
      firstName: lead.firstName,
    },
    undefined,
  );
  await context.services.scoring.scoreDue();
  const id = outcome.body.results[0]!.contactId!;
  const deadline = performance.now() + 30_000; // real time: the test clock stands still
  for (;;) {
    const { ownerId } = await context.services.contacts.getContact(cli, id);
    if (ownerId === lead.ownerId) return id;
    if (performance.now() > deadline)
      throw new Error(`${lead.email} went to ${ownerId ?? 'no one'}, not ${lead.ownerId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Working hours of every hour of the week: for tests on the real clock, which may run at night. */
export const allWeekHours = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [
    day,
    [['00:00', '24:00']] as [string, string][],
  ]),
);

export async function addUser(
  context: TestContext,
  role: Role,
  options: {
    name?: string;
    managerId?: string | null;
    email?: string;
    workingHours?: typeof allWeekHours;
  } = {},
) {
  counter += 1;
  return context.services.users.createUser(cli, {
    email: options.email ?? `${role}.${counter}@example.nl`,
    name: options.name ?? `${role} ${counter}`,
    role,
    password: testPassword,
    ...(options.managerId !== undefined && { managerId: options.managerId }),
    ...(options.workingHours && { workingHours: options.workingHours }),
  });
}

/** Signs in through the API and returns the Cookie header to send. */
export async function signIn(app: App, email: string, password = testPassword): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === 'baton_session');
  if (!cookie) throw new Error('no session cookie');
  return `baton_session=${cookie.value}`;
}

/**
 * A small company: a director, a sales manager with a team of two reps, a rep outside the team, a
 * marketer and an admin, each signed in; one contact per rep.
 */
export async function seedCompany(context: TestContext, app: App) {
  const admin = await addUser(context, 'admin');
  const director = await addUser(context, 'director');
  const manager = await addUser(context, 'sales_manager', { managerId: director.id });
  const rep = await addUser(context, 'sales_rep', { managerId: manager.id });
  const teammate = await addUser(context, 'sales_rep', { managerId: manager.id });
  const otherManager = await addUser(context, 'sales_manager', { managerId: director.id });
  const outsider = await addUser(context, 'sales_rep', { managerId: otherManager.id });
  const marketer = await addUser(context, 'marketing');
  const team = await context.services.teams.createTeam(cli, {
    name: 'Inside sales',
    managerId: manager.id,
    memberIds: [rep.id, teammate.id],
  });
  const account = await context.services.accounts.createAccount(cli, {
    name: 'Acme B.V.',
    domains: ['acme.nl'],
    ownerId: rep.id,
  });
  const repContact = await context.services.contacts.createContact(cli, {
    email: 'jan@acme.nl',
    firstName: 'Jan',
    lastName: 'Jansen',
    accountId: account.id,
    ownerId: rep.id,
  });
  const outsiderContact = await context.services.contacts.createContact(cli, {
    email: 'piet@globex.nl',
    firstName: 'Piet',
    ownerId: outsider.id,
  });
  const cookies = {
    admin: await signIn(app, admin.email),
    director: await signIn(app, director.email),
    manager: await signIn(app, manager.email),
    rep: await signIn(app, rep.email),
    outsider: await signIn(app, outsider.email),
    marketer: await signIn(app, marketer.email),
  };
  return {
    admin,
    director,
    manager,
    rep,
    teammate,
    otherManager,
    outsider,
    marketer,
    team,
    account,
    repContact,
    outsiderContact,
    cookies,
  };
}
