/**
 * Baton's configuration: every key with its environment variable, default and documentation.
 * This is the only module that reads `process.env`; the README's configuration table is generated
 * from it (`baton config --markdown`) and a test keeps the two equal.
 */

import { roles } from '../domain/access/roles.ts';
import { parseSecretKey } from './platform/secret-box.ts';

interface KeySpec<T> {
  env: string;
  doc: string;
  /** Shown in the docs; `undefined` means the key is unset unless given. */
  defaultText: string;
  default: T;
  parse: (raw: string) => T;
  secret?: boolean;
}

const integer =
  (min: number, max: number) =>
  (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`must be a whole number from ${min} to ${max}`);
    }
    return value;
  };

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (raw: string): T => {
    if (!(values as readonly string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}`);
    return raw as T;
  };

const boolean = (raw: string): boolean => {
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new Error('must be true or false');
};

const text = (raw: string): string => raw;
const optionalText = (raw: string): string | undefined => (raw === '' ? undefined : raw);
const optionalPort = (raw: string): number | undefined => (raw === '' ? undefined : integer(0, 65535)(raw));
const domainName = (raw: string): string | undefined => {
  if (raw === '') return undefined;
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(raw))
    throw new Error('must be a domain name, e.g. baton.example.nl');
  return raw.toLowerCase();
};

const databaseUrl = (raw: string): string | undefined => {
  if (raw === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw))
    throw new Error('must be a postgres:// URL (leave it unset for SQLite)');
  return raw;
};

const httpUrl = (raw: string): string | undefined => {
  if (raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be an http:// or https:// URL');
  }
  if (!['http:', 'https:'].includes(url.protocol)) throw new Error('must be an http:// or https:// URL');
  return raw.replace(/\/+$/, '');
};

const smtpUrl = (raw: string): string | undefined => {
  if (raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.nl:587');
  }
  if (!['smtp:', 'smtps:'].includes(url.protocol))
    throw new Error('must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.nl:587');
  return raw;
};

const mailbox = (raw: string): string => {
  if (!/^[^\s@<>]+@[^\s@<>]+$|<[^\s@<>]+@[^\s@<>]+>$/.test(raw))
    throw new Error('must be an address, e.g. baton@example.nl or "Baton <baton@example.nl>"');
  return raw;
};

const secretKey = (raw: string): Buffer | undefined => (raw === '' ? undefined : parseSecretKey(raw));

const optionalRole = (raw: string): (typeof roles)[number] | undefined =>
  raw === '' ? undefined : oneOf(roles)(raw);

/** "Group A=admin;Sales NL=sales_rep": the first group of a person's that is listed gives their role. */
const groupRoles = (raw: string): [string, (typeof roles)[number]][] =>
  raw === ''
    ? []
    : raw.split(';').map((pair) => {
        const at = pair.lastIndexOf('=');
        const group = pair.slice(0, at).trim();
        if (at <= 0 || group === '') throw new Error('must be "group=role;group=role"');
        return [group, oneOf(roles)(pair.slice(at + 1).trim())];
      });

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const cookieSecureModes = ['auto', 'always', 'never'] as const;
const defaultLogLevel: (typeof logLevels)[number] = 'info';
const defaultCookieSecure: (typeof cookieSecureModes)[number] = 'auto';

export const configSpec = {
  port: { env: 'PORT', doc: 'HTTP port', defaultText: '3000', default: 3000, parse: integer(0, 65535) },
  host: {
    env: 'HOST',
    doc: 'Interface to listen on',
    defaultText: '0.0.0.0',
    default: '0.0.0.0',
    parse: text,
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    doc: 'PostgreSQL connection URL. Unset: SQLite at BATON_SQLITE_PATH',
    defaultText: '(unset)',
    default: undefined,
    parse: databaseUrl,
    secret: true,
  },
  sqlitePath: {
    env: 'BATON_SQLITE_PATH',
    doc: 'SQLite database file (its folder is created)',
    defaultText: './data/baton.db',
    default: './data/baton.db',
    parse: text,
  },
  pgPoolMax: {
    env: 'BATON_PG_POOL_MAX',
    doc: 'Maximum PostgreSQL connections per Baton instance',
    defaultText: '10',
    default: 10,
    parse: integer(1, 500),
  },
  logLevel: {
    env: 'LOG_LEVEL',
    doc: `Log level: ${logLevels.join(', ')}`,
    defaultText: 'info',
    default: defaultLogLevel,
    parse: oneOf(logLevels),
  },
  trustProxy: {
    env: 'BATON_TRUST_PROXY',
    doc: 'Trust X-Forwarded-* headers (set when Baton runs behind a reverse proxy)',
    defaultText: 'false',
    default: false,
    parse: boolean,
  },
  cookieSecure: {
    env: 'BATON_COOKIE_SECURE',
    doc: 'Secure flag on the session cookie: auto (when the request came over https), always, never',
    defaultText: 'auto',
    default: defaultCookieSecure,
    parse: oneOf(cookieSecureModes),
  },
  sessionTtlHours: {
    env: 'BATON_SESSION_TTL_HOURS',
    doc: 'How long a sign-in lasts, in hours',
    defaultText: '336',
    default: 336,
    parse: integer(1, 24 * 365),
  },
  loginMaxFailures: {
    env: 'BATON_LOGIN_MAX_FAILURES',
    doc: 'Failed sign-ins per email within the window before further attempts are refused',
    defaultText: '5',
    default: 5,
    parse: integer(1, 1000),
  },
  loginWindowMinutes: {
    env: 'BATON_LOGIN_WINDOW_MINUTES',
    doc: 'Window for counting failed sign-ins, in minutes',
    defaultText: '15',
    default: 15,
    parse: integer(1, 24 * 60),
  },
  adminEmail: {
    env: 'BATON_ADMIN_EMAIL',
    doc: 'Creates the first admin on a start with no users (with BATON_ADMIN_PASSWORD)',
    defaultText: '(unset)',
    default: undefined,
    parse: optionalText,
  },
  adminPassword: {
    env: 'BATON_ADMIN_PASSWORD',
    doc: 'Password of that first admin (at least 10 characters)',
    defaultText: '(unset)',
    default: undefined,
    parse: optionalText,
    secret: true,
  },
  slaSweepMs: {
    env: 'BATON_SLA_SWEEP_MS',
    doc: 'How often follow-up deadlines are checked for reminders and escalations, in milliseconds',
    defaultText: '10000',
    default: 10_000,
    parse: integer(50, 3_600_000),
  },
  webDir: {
    env: 'BATON_WEB_DIR',
    doc: 'The built web app that Baton serves at / (npm run build:web writes it; npm start builds it first)',
    defaultText: 'dist/web',
    default: 'dist/web',
    parse: text,
  },
  publicUrl: {
    env: 'BATON_PUBLIC_URL',
    doc: 'The address people open Baton at; links in emails start with it',
    defaultText: 'http://localhost:PORT',
    default: undefined,
    parse: httpUrl,
  },
  smtpUrl: {
    env: 'BATON_SMTP_URL',
    doc: 'SMTP server for emails, e.g. smtp://user:password@mail.example.nl:587 (smtps:// for TLS from the start). Unset: emails are queued, not sent',
    defaultText: '(unset)',
    default: undefined,
    parse: smtpUrl,
    secret: true,
  },
  mailFrom: {
    env: 'BATON_MAIL_FROM',
    doc: 'Sender of the emails',
    defaultText: 'Baton <baton@localhost>',
    default: 'Baton <baton@localhost>',
    parse: mailbox,
  },
  outboxIntervalMs: {
    env: 'BATON_OUTBOX_INTERVAL_MS',
    doc: 'How often the email dispatcher looks for due messages, in milliseconds (new ones wake it at once)',
    defaultText: '5000',
    default: 5000,
    parse: integer(50, 3_600_000),
  },
  webhookIntervalMs: {
    env: 'BATON_WEBHOOK_INTERVAL_MS',
    doc: 'How often the webhook dispatcher looks for messages and retries due, in milliseconds (a decision in this process wakes it at once)',
    defaultText: '1000',
    default: 1000,
    parse: integer(20, 3_600_000),
  },
  webhookLeaseMs: {
    env: 'BATON_WEBHOOK_LEASE_MS',
    doc: 'How long an instance holds the webhook deliveries it is sending; if it dies, another sends them again after this (with the same webhook-id), in milliseconds',
    defaultText: '60000',
    default: 60_000,
    parse: integer(1000, 3_600_000),
  },
  webhookTimeoutMs: {
    env: 'BATON_WEBHOOK_TIMEOUT_MS',
    doc: 'How long a webhook endpoint has to answer before the attempt counts as failed, in milliseconds',
    defaultText: '10000',
    default: 10_000,
    parse: integer(100, 120_000),
  },
  outboxLeaseMs: {
    env: 'BATON_OUTBOX_LEASE_MS',
    doc: 'How long an instance holds the emails it is sending; if it dies, another sends them after this, in milliseconds',
    defaultText: '300000',
    default: 300_000,
    parse: integer(1000, 3_600_000),
  },
  outboxMaxAttempts: {
    env: 'BATON_OUTBOX_MAX_ATTEMPTS',
    doc: 'Attempts to send an email before it is given up (30 s after the first failure, doubling, at most an hour apart)',
    defaultText: '10',
    default: 10,
    parse: integer(1, 100),
  },
  mailLogPort: {
    env: 'BATON_MAIL_LOG_PORT',
    doc: 'The logging address: the port of Baton’s own SMTP listener, where reps BCC or forward their email with leads (point the logging domain’s MX at it). Unset: no listener',
    defaultText: '(unset)',
    default: undefined,
    parse: optionalPort,
  },
  mailLogHost: {
    env: 'BATON_MAIL_LOG_HOST',
    doc: 'Interface the SMTP listener of the logging address listens on',
    defaultText: '0.0.0.0',
    default: '0.0.0.0',
    parse: text,
  },
  mailLogDomain: {
    env: 'BATON_MAIL_LOG_DOMAIN',
    doc: 'Domain of the logging addresses (log+…@this domain). Unset: the host of BATON_PUBLIC_URL',
    defaultText: '(public URL’s host)',
    default: undefined,
    parse: domainName,
  },
  mailLogMaxBytes: {
    env: 'BATON_MAIL_LOG_MAX_BYTES',
    doc: 'Largest message the logging address takes, in bytes; a bigger one is refused before it is sent',
    defaultText: '26214400',
    default: 26_214_400,
    parse: integer(1024, 1_073_741_824),
  },
  mailSyncIntervalSeconds: {
    env: 'BATON_MAIL_SYNC_INTERVAL_SECONDS',
    doc: 'How often each connected mailbox is read over IMAP for email and invitations with leads, in seconds',
    defaultText: '120',
    default: 120,
    parse: integer(1, 86_400),
  },
  mailSyncLookbackDays: {
    env: 'BATON_MAIL_SYNC_LOOKBACK_DAYS',
    doc: 'How many days back the first read of a newly connected mailbox goes',
    defaultText: '14',
    default: 14,
    parse: integer(0, 365),
  },
  mailSyncLeaseSeconds: {
    env: 'BATON_MAIL_SYNC_LEASE_SECONDS',
    doc: 'How long an instance holds a mailbox it is reading (renewed as it reads); if it dies, another takes the mailbox over after this, from its cursor, in seconds',
    defaultText: '120',
    default: 120,
    parse: integer(1, 3600),
  },
  crmAllowPrivate: {
    env: 'BATON_CRM_ALLOW_PRIVATE',
    doc: 'Let admins point a CRM connection at a private, loopback or reserved address (a sandbox or proxy on your own network); off, such addresses are refused',
    defaultText: 'false',
    default: false,
    parse: boolean,
  },
  crmSyncLeaseSeconds: {
    env: 'BATON_CRM_SYNC_LEASE_SECONDS',
    doc: "How long an instance holds a CRM connection it is syncing (renewed after each page); if it dies, another takes the sync over after this, from the connection's cursors, in seconds",
    defaultText: '120',
    default: 120,
    parse: integer(1, 3600),
  },
  mailSyncAllowPrivate: {
    env: 'BATON_MAIL_SYNC_ALLOW_PRIVATE',
    doc: 'Let people connect mailboxes on private, loopback or reserved addresses (an Exchange server on your own network); off, such servers are refused',
    defaultText: 'false',
    default: false,
    parse: boolean,
  },
  secretKey: {
    env: 'BATON_SECRET_KEY',
    doc: 'Key that seals stored secrets such as TOTP secrets (32 bytes, base64: openssl rand -base64 32). Unset: a key file beside the SQLite store, made once; several instances must share one key',
    defaultText: '(key file)',
    default: undefined,
    parse: secretKey,
    secret: true,
  },
  oidcIssuer: {
    env: 'BATON_OIDC_ISSUER',
    doc: 'Single sign-on: the OpenID Provider’s issuer URL (Entra ID, Google, Okta, Keycloak). Unset: no SSO',
    defaultText: '(unset)',
    default: undefined,
    parse: httpUrl,
  },
  oidcClientId: {
    env: 'BATON_OIDC_CLIENT_ID',
    doc: 'Baton’s client id at the provider; the redirect URI to register is BATON_PUBLIC_URL/api/v1/auth/oidc/callback',
    defaultText: '(unset)',
    default: undefined,
    parse: optionalText,
  },
  oidcClientSecret: {
    env: 'BATON_OIDC_CLIENT_SECRET',
    doc: 'Baton’s client secret at the provider',
    defaultText: '(unset)',
    default: undefined,
    parse: optionalText,
    secret: true,
  },
  oidcName: {
    env: 'BATON_OIDC_NAME',
    doc: 'The provider’s name on the sign-in button ("Sign in with …")',
    defaultText: 'SSO',
    default: 'SSO',
    parse: text,
  },
  oidcSignupRole: {
    env: 'BATON_OIDC_SIGNUP_ROLE',
    doc: 'Create a user at their first SSO sign-in, with this role (admin, director, sales_manager, sales_rep, marketing). Unset: only existing users, matched by email',
    defaultText: '(unset)',
    default: undefined,
    parse: optionalRole,
  },
  oidcGroupsClaim: {
    env: 'BATON_OIDC_GROUPS_CLAIM',
    doc: 'The ID token claim that lists a person’s groups',
    defaultText: 'groups',
    default: 'groups',
    parse: text,
  },
  oidcGroupRoles: {
    env: 'BATON_OIDC_GROUP_ROLES',
    doc: 'Groups that set the role at each SSO sign-in: "Baton admins=admin;Sales=sales_rep" (the first listed group a person is in wins)',
    defaultText: '(unset)',
    default: [],
    parse: groupRoles,
  },
} satisfies Record<string, KeySpec<unknown>>;

type Spec = typeof configSpec;
export type Config = { [K in keyof Spec]: Spec[K] extends KeySpec<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(configSpec) as [string, KeySpec<unknown>][]) {
    const raw = env[spec.env];
    if (raw === undefined) {
      values[name] = spec.default;
      continue;
    }
    try {
      values[name] = spec.parse(raw.trim());
    } catch (error) {
      problems.push(`${spec.env} ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Config;
}

/** The configuration table of the README, aligned as Prettier formats Markdown tables. */
export function configMarkdownTable(): string {
  const rows = [
    ['Variable', 'Default', 'Meaning'],
    ...Object.values(configSpec as Record<string, KeySpec<unknown>>).map((spec) => [
      `\`${spec.env}\``,
      spec.defaultText,
      spec.doc,
    ]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const [header, ...body] = rows;
  return [line(header!), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** A tablespace's name as SQL may name it without quotes, or a clear error. */
function tablespaceName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value))
    throw new Error(
      `BATON_TEST_DATABASE_TABLESPACE must be a tablespace's name in lower-case letters, digits and _ (got ${JSON.stringify(value)})`,
    );
  return value;
}

/** Settings of the test suite itself (see README, "Tests"). */
export function loadTestSettings(env: Env = process.env): {
  postgresUrl: string | undefined;
  requirePostgres: boolean;
  /**
   * A tablespace the tests' PostgreSQL databases are made in (BATON_TEST_DATABASE_TABLESPACE), for
   * one on a RAM disk: making a database writes some 800 files, which is most of a test's cost on a
   * file system that is slow to make files. Unset: the server's default.
   */
  postgresTablespace: string | undefined;
  chromiumPath: string;
  requireBrowser: boolean;
  /** Dovecot, for the mailbox sync's tests (BATON_TEST_REQUIRE_DOVECOT: its absence fails them). */
  dovecotPath: string;
  requireDovecot: boolean;
  /** Whether browser journeys save their screenshots (BATON_E2E_SCREENSHOTS=0: not, as in CI). */
  screenshots: boolean;
  /** The API fuzz test: requests per operation, and the first seed. */
  fuzz: { runs: number; seed: number };
} {
  const whole = (value: string | undefined, fallback: number) =>
    value && /^\d+$/.test(value) ? Number(value) : fallback;
  return {
    postgresUrl: env.BATON_TEST_DATABASE_URL || undefined,
    requirePostgres: ['1', 'true'].includes(env.BATON_TEST_REQUIRE_POSTGRES ?? ''),
    postgresTablespace: tablespaceName(env.BATON_TEST_DATABASE_TABLESPACE),
    chromiumPath: env.BATON_CHROMIUM_PATH || '/usr/bin/chromium',
    requireBrowser: ['1', 'true'].includes(env.BATON_TEST_REQUIRE_BROWSER ?? ''),
    dovecotPath: env.BATON_DOVECOT_PATH || '/usr/sbin/dovecot',
    requireDovecot: ['1', 'true'].includes(env.BATON_TEST_REQUIRE_DOVECOT ?? ''),
    screenshots: !['0', 'false'].includes(env.BATON_E2E_SCREENSHOTS ?? ''),
    fuzz: { runs: whole(env.BATON_FUZZ_RUNS, 30), seed: whole(env.BATON_FUZZ_SEED, 4242) },
  };
}
