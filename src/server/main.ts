import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import closeWithGrace from 'close-with-grace';
import type { FastifyServerOptions } from 'fastify';
import { buildApp } from './app.ts';
import { Value } from 'typebox/value';
import { CreateUserBody } from '../contract/users.ts';
import { ConfigError, type Config } from './config.ts';
import { migrateToLatest, openDatabase, type Database, type DatabaseOptions } from './db/database.ts';
import { AppError } from './modules/shared/errors.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { createEventBus, type DomainEvent, type EventBus } from './platform/event-bus.ts';
import { createPasswordHasher, type PasswordHasher } from './platform/secrets.ts';
import { createSecretBox, loadSecretKey } from './platform/secret-box.ts';
import type { OidcSettings } from './modules/shared/deps.ts';
import { createServices, type Services } from './services.ts';
import { startLeadFlow, wireLeadFlow, type RunningLeadFlow } from './modules/lead-flow/lead-flow.ts';
import { startScoringThread } from './modules/scoring/scoring.thread-host.ts';
import { startAttributionThread } from './modules/attribution/attribution.thread-host.ts';
import type { AttributionHelper } from './modules/attribution/attribution.service.ts';
import type { ScoringWorker } from './modules/scoring/scoring.worker.ts';
import type { App } from './modules/shared/http.ts';
import { startMailListener, type MailListener } from './platform/mail-listener.ts';

export const version: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function storeOf(config: Config): DatabaseOptions {
  return config.databaseUrl
    ? { dialect: 'postgres', url: config.databaseUrl, poolMax: config.pgPoolMax }
    : { dialect: 'sqlite', path: config.sqlitePath };
}

export function openConfiguredDatabase(config: Config): Database {
  return openDatabase(storeOf(config));
}

/** The OpenID Provider of the configuration, when its issuer and client id are set. */
export function oidcSettingsOf(config: Config): OidcSettings | null {
  if (!config.oidcIssuer || !config.oidcClientId) return null;
  return {
    issuer: config.oidcIssuer,
    clientId: config.oidcClientId,
    clientSecret: config.oidcClientSecret,
    name: config.oidcName,
    signupRole: config.oidcSignupRole,
    groupsClaim: config.oidcGroupsClaim,
    groupRoles: config.oidcGroupRoles,
  };
}

export function servicesFor(
  database: Database,
  config: Config,
  adapters: {
    clock?: Clock;
    passwords?: PasswordHasher;
    events?: EventBus;
    attributionHelper?: AttributionHelper;
  } = {},
): Services {
  return createServices(
    {
      db: database.db,
      events:
        adapters.events ??
        createEventBus((error, event) => {
          process.stderr.write(`event handler failed on ${event.type}: ${String(error)}\n`);
        }),
      ...(database.sqlite && { sqlite: database.sqlite }),
      clock: adapters.clock ?? systemClock,
      passwords: adapters.passwords ?? createPasswordHasher(),
      auth: {
        sessionTtlHours: config.sessionTtlHours,
        loginMaxFailures: config.loginMaxFailures,
        loginWindowMinutes: config.loginWindowMinutes,
        oidc: oidcSettingsOf(config),
      },
      secrets: createSecretBox(() =>
        loadSecretKey(config.secretKey, join(dirname(config.sqlitePath), 'secret.key')),
      ),
      publicUrl: config.publicUrl ?? `http://localhost:${config.port}`,
    },
    {
      outboxMaxAttempts: config.outboxMaxAttempts,
      outboxLeaseMs: config.outboxLeaseMs,
      webhookLeaseMs: config.webhookLeaseMs,
      crmSyncLeaseMs: config.crmSyncLeaseSeconds * 1000,
      connectors: { allowPrivate: config.crmAllowPrivate },
      ...(config.mailLogDomain && { mailLogDomain: config.mailLogDomain }),
      mailSync: {
        intervalMs: config.mailSyncIntervalSeconds * 1000,
        lookbackMs: config.mailSyncLookbackDays * 86_400_000,
        allowPrivate: config.mailSyncAllowPrivate,
        leaseMs: config.mailSyncLeaseSeconds * 1000,
      },
      ...(adapters.attributionHelper && { attributionHelper: adapters.attributionHelper }),
    },
  );
}

interface Log {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * On a start with no users: create the first admin from the environment, or print a one-time
 * setup token for the setup page in the browser (the Grafana and Gitea way).
 */
export async function ensureFirstAdmin(services: Services, config: Config, log: Log): Promise<void> {
  if ((await services.users.countUsers()) > 0) return;
  if (!config.adminEmail || !config.adminPassword) {
    const issued = await services.onboarding.issueSetupToken();
    if (!issued) return;
    const base = (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
    log.warn(
      `Baton has no users yet. Open ${base}/setup and enter this setup token: ${issued.token} ` +
        `(it works once, until ${issued.expiresAt.toISOString()}; a restart or \`npx baton setup-token\` gives a new one). ` +
        'Or create the first admin with `npx baton users add --email you@example.com --name "Your Name" --role admin --password-stdin`.',
    );
    return;
  }
  const input: CreateUserBody = {
    email: config.adminEmail,
    name: 'Administrator',
    role: 'admin',
    password: config.adminPassword,
  };
  const problems = [...Value.Errors(CreateUserBody, input)].map((e) =>
    e.instancePath === '/password' ? `BATON_ADMIN_PASSWORD ${e.message}` : `BATON_ADMIN_EMAIL ${e.message}`,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  try {
    await services.users.createUser({ kind: 'cli' }, input);
    log.info(`Created the first admin, ${config.adminEmail}.`);
  } catch (error) {
    // Another instance starting at the same moment may have created it first.
    if (error instanceof AppError && error.code === 'users.email_taken') return;
    throw error;
  }
}

export interface RunningServer {
  app: App;
  database: Database;
  services: Services;
  url: string;
  /** The port of the logging address's SMTP listener, when it runs. */
  mailLogPort?: number;
  close(): Promise<void>;
}

/** The composition root: config → database → migrations → services → app → listen. */
export async function startServer(
  config: Config,
  options: { logger?: FastifyServerOptions['logger']; handleSignals?: boolean } = {},
): Promise<RunningServer> {
  const database = openConfiguredDatabase(config);
  let app: App | undefined;
  let scorer: ScoringWorker | undefined;
  let attributionThread: ReturnType<typeof startAttributionThread> | undefined;
  let flow: RunningLeadFlow | undefined;
  let services: Services | undefined;
  let mail: MailListener | undefined;
  try {
    await migrateToLatest(database.db);
    database.optimize?.();
    // Handlers' failures go to the app's log once the app exists.
    let reportHandlerError: (error: unknown, event: DomainEvent) => void = (error, event) => {
      process.stderr.write(`event handler failed on ${event.type}: ${String(error)}\n`);
    };
    const events = createEventBus((error, event) => reportHandlerError(error, event));
    // Large attribution reports are credited on two cores; an in-memory store has no second connection.
    const store = storeOf(config);
    if (store.dialect === 'postgres' || store.path !== ':memory:')
      attributionThread = startAttributionThread(
        store.dialect === 'postgres' ? { ...store, poolMax: 2 } : store,
        { error: (message) => process.stderr.write(`${message}\n`) },
      );
    services = servicesFor(database, config, {
      events,
      ...(attributionThread && { attributionHelper: attributionThread }),
    });
    wireLeadFlow(services, events);
    app = await buildApp({
      database,
      services,
      version,
      cookieSecure: config.cookieSecure,
      trustProxy: config.trustProxy,
      webDir: config.webDir,
      ...(config.publicUrl && { publicUrl: config.publicUrl }),
      logger: options.logger ?? { level: config.logLevel, stream: process.stderr },
    });
    const log = app.log;
    reportHandlerError = (error, event) =>
      log.error({ err: error, event: event.type }, 'event handler failed');
    await ensureFirstAdmin(services, config, { info: (m) => log.info(m), warn: (m) => log.warn(m) });
    await services.scoring.ensureDefaultModel();
    // Single instance: an import that was running when this process stopped will not finish.
    await services.importJobs.failInterrupted();
    await app.listen({ port: config.port, host: config.host });
    // The lead's journey in the background: routing what waits, the SLA sweep, the outbox.
    flow = await startLeadFlow(services, events, config, {
      error: (fields, message) => log.error(fields, message),
      warn: (message) => log.warn(message),
    });
    // The logging address: reps BCC or forward their email with leads to Baton's own SMTP listener.
    if (config.mailLogPort !== undefined) {
      const mailbox = services.mailbox;
      mail = await startMailListener({
        host: config.mailLogHost,
        port: config.mailLogPort,
        maxBytes: config.mailLogMaxBytes,
        accepts: (address) => mailbox.acceptsRecipient(address),
        onMessage: (envelope, headers) => mailbox.receive(envelope, headers),
        onRefused: (why, detail) => {
          mailbox.refused(why);
          log.warn(`logging address: a message was refused (${why}: ${detail})`);
        },
        onError: (error) => log.error({ err: error }, 'logging address failed'),
      });
      log.info(`Logging address listening for SMTP on ${config.mailLogHost}:${mail.port}`);
    }
    const thread = startScoringThread(storeOf(config), events, { error: (message) => log.error(message) });
    scorer = thread;
    await thread.ready;
    await attributionThread?.ready;
  } catch (error) {
    await mail?.close();
    await attributionThread?.stop();
    await flow?.stop();
    await app?.close();
    await database.close();
    throw error;
  }
  const running = app;
  const worker = scorer;
  const helper = attributionThread;
  const loops = flow;
  const built = services;
  const listener = mail;

  // SQLite's planner statistics follow the data (see Database.optimize).
  const tuning = setInterval(() => {
    try {
      database.optimize?.();
    } catch (error) {
      running.log.warn({ err: error }, 'refreshing the query planner statistics failed');
    }
  }, 3_600_000);
  tuning.unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(tuning);
      await running.close();
      await listener?.close();
      // The scorer first (it forwards events), then the loops and the reactions in flight.
      await worker.stop();
      await loops.stop();
      await helper?.stop();
      await database.close();
    })());

  if (options.handleSignals) {
    closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
      if (err) running.log.error({ err }, 'shutting down after an error');
      else running.log.info(`${String(signal)} received, shutting down`);
      await close();
    });
  }
  const address = running.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    app: running,
    database,
    services: built,
    url: `http://localhost:${port}`,
    ...(listener && { mailLogPort: listener.port }),
    close,
  };
}
