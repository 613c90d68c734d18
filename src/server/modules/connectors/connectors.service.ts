import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isPublicAddress, targetProblem } from '../../../domain/webhooks/webhooks.ts';
import { Type } from 'typebox';
import type {
  Connection,
  CreateConnectionBody,
  OAuthStartBody,
  SyncLogEntry,
  SyncLogQuery,
  UpdateConnectionBody,
} from '../../../contract/connectors.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { hubspotDefaultMapping, type FieldMapping } from '../../../domain/connectors/hubspot.ts';
import { pipedriveDefaultMapping } from '../../../domain/connectors/pipedrive.ts';
import type { ConnectionProblem } from '../../../domain/connectors/problems.ts';
import { mappingProblems } from '../../../domain/connectors/mapping.ts';
import { connectPipedrive } from '../../platform/pipedrive.ts';
import { createPipedriveSync } from './pipedrive.connector.ts';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../../db/dialect.ts';
import { readJson } from '../../db/json-column.ts';
import { connectHubSpot, CrmError, type CrmOwner } from '../../platform/hubspot.ts';
import { authorizationUrl, exchangeCode, refreshGrant, type OAuthGrant } from '../../platform/crm-oauth.ts';
import { newId } from '../../platform/ids.ts';
import type { CaptureService } from '../capture/capture.service.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import {
  countLinks,
  deleteConnection,
  findConnection,
  findConnections,
  findCursors,
  findDueConnections,
  findLog,
  findLogEntry,
  finishConnectionSync,
  insertConnection,
  insertLogEntries,
  leaseConnection,
  markReplayed,
  updateConnection,
  type ConnectionRow,
} from './connectors.repository.ts';
import { createHubSpotSync, type ConnectionSettings, type SyncDeps } from './hubspot.connector.ts';
import type { LogEntry, SyncCounts } from './inbound.ts';
import type { Insertable } from 'kysely';
import type { ConnectionLogTable } from '../../db/tables.ts';
import type { OpportunitiesService } from '../opportunities/opportunities.service.ts';

/** A connection's choices beside its mapping (the `options` column). */
const SettingsColumn = Type.Object({ breachTasks: Type.Optional(Type.Boolean()) });

const MappingColumn = Type.Array(
  Type.Object({
    field: Type.String(),
    property: Type.String(),
    direction: Type.String(),
    systemOfRecord: Type.String(),
  }),
);

export interface ConnectorOptions {
  /** How long a process holds a connection's sync before another may take it over. */
  leaseMs: number;
  /** Calls through 429s before a record waits for the next sync. */
  maxTries: number;
  /** Share of the portal's 10-second budget (HubSpot Professional: 190) this connection uses. */
  tenSecondBudget: number;
  searchesPerSecond: number;
  /** Share of a Pipedrive token's 2-second burst limit (Essential: 20, Advanced: 40) this connection uses. */
  twoSecondBudget: number;
  /** Whether a connection may point at a private, loopback or reserved address (the operator's choice). */
  allowPrivate: boolean;
  warn: (message: string) => void;
  /** Tells the admins (email and bell) of a problem only they can fix; `key` tells it once. */
  tellAdmins?: (
    connection: { id: string; name: string },
    problem: ConnectionProblem,
    key: string,
  ) => Promise<void>;
}

const defaultBaseUrl = { hubspot: 'https://api.hubapi.com', pipedrive: 'https://api.pipedrive.com' } as const;
const vendorName = { hubspot: 'HubSpot', pipedrive: 'Pipedrive' } as const;
const defaultMapping = { hubspot: hubspotDefaultMapping, pipedrive: pipedriveDefaultMapping } as const;

/** One sync of one connection, whichever CRM it is. */
interface CrmSync {
  counts: SyncCounts;
  log: Insertable<ConnectionLogTable>[];
  unknownOwners: string[];
  problems: { problem: ConnectionProblem; key: string }[];
  run(): Promise<void>;
  /** Records deleted in the CRM (a webhook's news). */
  removeRecords(type: string, ids: readonly string[]): Promise<void>;
  /** Records merged into `survivor` in the CRM (a webhook's news), the survivor read first. */
  mergeRecords(type: string, survivor: string, merged: readonly string[]): Promise<void>;
  totals(): Promise<number>;
  pullRecords(type: string, ids: readonly string[]): Promise<void>;
  pushLeads(only?: readonly string[]): Promise<void>;
}

/** A CRM as the service needs it: its owners (the token's test), and a sync. */
interface Vendor {
  owners(): Promise<CrmOwner[]>;
  sync(
    deps: SyncDeps,
    row: ConnectionRow,
    mapping: readonly FieldMapping[],
    settings: ConnectionSettings,
  ): CrmSync;
}
/** An OAuth 2 access token is refreshed when it has less than this left. */
const refreshAheadMs = 5 * 60_000;
/** How long an admin has to grant access in the CRM and come back. */
const oauthStateMs = 15 * 60_000;

/** A webhook older than this is refused (HubSpot's own advice for v3 signatures). */
const webhookMaxAgeMs = 5 * 60_000;

/** HubSpot's object type ids in webhook events, as the connector's object types. */
const objectTypeOfId: Record<string, string> = {
  '0-1': 'contacts',
  '0-2': 'companies',
  '0-3': 'deals',
  '0-47': 'meetings',
  '0-48': 'calls',
  '0-49': 'emails',
};

/** A HubSpot webhook event, as its v3 payload has it (merge events name the records merged). */
interface HubSpotWebhookEvent {
  objectTypeId?: string;
  subscriptionType?: string;
  objectId?: number;
  primaryObjectId?: number;
  mergedObjectIds?: number[];
  newObjectId?: number;
}

/** Pipedrive's webhook entities as the connector's object types. */
const pipedriveTypeOf: Record<string, string> = {
  person: 'persons',
  organization: 'organizations',
  deal: 'deals',
  activity: 'activities',
};

/**
 * Connections to the company's CRM: set up and managed by an admin (the token sealed, shown as a
 * hint), synced on a schedule under a lease (several Baton processes share the work), and told of
 * changes by the CRM's signed webhooks. Each sync's problems go to the sync log, record by record,
 * and the rest goes on.
 */
export function createConnectorsService(
  deps: ServiceDeps,
  capture: CaptureService,
  opportunities: OpportunitiesService,
  settle: (contactId: string) => Promise<void>,
  options: ConnectorOptions,
) {
  const { db, clock, secrets } = deps;
  const syncDeps: SyncDeps = { db, clock, capture, opportunities, settle };

  /** A connection's credentials: a token, or an OAuth 2 grant (sealed as JSON). */
  const credentialsOf = (sealed: string): { token: string } | { grant: OAuthGrant } => {
    const opened = secrets.open(sealed);
    return opened.startsWith('{')
      ? { grant: (JSON.parse(opened) as { oauth: OAuthGrant }).oauth }
      : { token: opened };
  };
  const sealGrant = (grant: OAuthGrant) => secrets.seal(JSON.stringify({ oauth: grant }));

  /**
   * One client per connection and credentials, kept: the budgets (10 seconds, searches a second)
   * are the connection's, whichever request or sync uses it. A grant refreshed keeps its client.
   */
  const clients = new Map<string, { seen: Set<string>; vendor: Vendor }>();
  const vendorOf = (row: ConnectionRow): Vendor => {
    const kept = clients.get(row.id);
    if (kept?.seen.has(row.secret_sealed)) return kept.vendor;
    const credentials = credentialsOf(row.secret_sealed);
    const vendor =
      'grant' in credentials
        ? vendorFor(
            row.kind,
            accessTokenOf(row, credentials.grant),
            row.base_url ?? credentials.grant.apiDomain,
          )
        : vendorFor(row.kind, credentials.token, row.base_url);
    clients.set(row.id, { seen: new Set([row.secret_sealed]), vendor });
    return vendor;
  };

  /**
   * An OAuth 2 connection's access token, refreshed when it has less than five minutes left and
   * stored sealed. Another process may have refreshed it already: its fresher grant is taken.
   */
  const accessTokenOf = (row: ConnectionRow, grant: OAuthGrant) => {
    let current = grant;
    let refreshing: Promise<string> | null = null;
    const fresh = (g: OAuthGrant) => new Date(g.expiresAt).getTime() - clock.now().getTime() > refreshAheadMs;
    return (): Promise<string> => {
      if (fresh(current)) return Promise.resolve(current.accessToken);
      refreshing ??= (async () => {
        const stored = await findConnection(db, row.id);
        const theirs = stored ? credentialsOf(stored.secret_sealed) : null;
        if (theirs && 'grant' in theirs && fresh(theirs.grant)) {
          current = theirs.grant;
          clients.get(row.id)?.seen.add(stored!.secret_sealed);
          return current.accessToken;
        }
        current = await refreshGrant(row.kind as 'hubspot' | 'pipedrive', current, row.base_url, clock.now());
        const sealed = sealGrant(current);
        await updateConnection(db, row.id, { secret_sealed: sealed, updated_at: toDbTime(clock.now()) });
        clients.get(row.id)?.seen.add(sealed);
        return current.accessToken;
      })().finally(() => {
        refreshing = null;
      });
      return refreshing;
    };
  };

  /** An entry of the sync log about the connection as a whole. */
  const entry = (row: ConnectionRow, e: Pick<LogEntry, 'outcome' | 'code' | 'message' | 'payload'>) => ({
    id: newId(),
    connection_id: row.id,
    at: toDbTime(clock.now()),
    direction: 'in',
    object_type: 'connection',
    remote_id: null,
    local_id: null,
    replayed_at: null,
    ...e,
  });

  const mappingOf = (row: ConnectionRow) =>
    readJson(MappingColumn, row.mapping, 'connections.mapping') as FieldMapping[];
  const settingsOf = (row: ConnectionRow): ConnectionSettings => ({
    breachTasks: readJson(SettingsColumn, row.options, 'connections.options').breachTasks === true,
  });

  /** A CRM's client for a kind, a token and an address, within this connection's budgets. */
  const vendorFor = (
    kind: string,
    token: string | (() => Promise<string>),
    baseUrl: string | null,
  ): Vendor => {
    if (kind === 'pipedrive') {
      const api = connectPipedrive({
        token,
        baseUrl: baseUrl ?? defaultBaseUrl.pipedrive,
        twoSecondBudget: options.twoSecondBudget,
        maxTries: options.maxTries,
      });
      return {
        owners: () => api.users(),
        sync: (d, row, mapping, settings) => createPipedriveSync(d, row, api, mapping, settings),
      };
    }
    const api = connectHubSpot({
      token,
      baseUrl: baseUrl ?? defaultBaseUrl.hubspot,
      tenSecondBudget: options.tenSecondBudget,
      searchesPerSecond: options.searchesPerSecond,
      maxTries: options.maxTries,
    });
    return {
      owners: () => api.owners(),
      sync: (d, row, mapping, settings) => createHubSpotSync(d, row, api, mapping, settings),
    };
  };

  const webhookUrlOf = (id: string) =>
    `${deps.publicUrl.replace(/\/$/, '')}/api/v1/connectors/${id}/webhooks`;

  const present = async (row: ConnectionRow): Promise<Connection> => {
    const credentials = credentialsOf(row.secret_sealed);
    return {
      id: row.id,
      kind: row.kind as Connection['kind'],
      name: row.name,
      baseUrl: row.base_url,
      auth: 'grant' in credentials ? 'oauth' : 'token',
      tokenHint: `…${('grant' in credentials ? credentials.grant.clientId : credentials.token).slice(-4)}`,
      tokenExpiresAt: 'grant' in credentials ? credentials.grant.expiresAt : null,
      hasWebhookSecret: row.webhook_secret_sealed !== null,
      webhookUrl: webhookUrlOf(row.id),
      mapping: mappingOf(row),
      state: row.state as Connection['state'],
      lastError: row.last_error,
      pollIntervalSeconds: row.poll_interval_seconds,
      breachTasks: settingsOf(row).breachTasks,
      lastSyncedAt: fromDbTimeOrNull(row.last_synced_at)?.toISOString() ?? null,
      nextSyncAt: fromDbTime(row.next_sync_at).toISOString(),
      backfill: {
        state: row.backfill_state as 'pending' | 'running' | 'done',
        done: Number(row.backfill_done),
        total: Number(row.backfill_total),
      },
      cursors: (await findCursors(db, row.id)).map((c) => ({
        objectType: c.object_type,
        cursor: c.cursor,
        updatedAt: fromDbTime(c.updated_at).toISOString(),
      })),
      linked: Object.fromEntries((await countLinks(db, row.id)).map((c) => [c.object_type, Number(c.count)])),
      createdAt: fromDbTime(row.created_at).toISOString(),
    };
  };

  const load = async (id: string) => {
    const row = await findConnection(db, id);
    if (!row) throw createError('connectors.not_found', `No CRM connection ${id}`);
    return row;
  };

  /**
   * A CRM address of the admin's own (a sandbox, a proxy) that Baton may call: http(s), no
   * credentials in it, and (unless the operator allows it) neither written as nor resolving to a
   * private, loopback or reserved address, so a connection cannot reach into Baton's own network.
   */
  const checkBaseUrl = async (baseUrl: string | undefined) => {
    if (baseUrl === undefined) return;
    const refuse = (reason: string) =>
      createError('http.validation_failed', `baseUrl ${reason}`, [{ field: 'body.baseUrl', reason }]);
    const problem = targetProblem(baseUrl, options.allowPrivate);
    if (problem === 'private_address')
      throw refuse(
        'is a private, loopback or reserved address; the server’s operator may allow them (BATON_CRM_ALLOW_PRIVATE)',
      );
    if (problem)
      throw refuse(
        problem === 'has_credentials' ? 'must not hold a user or password' : 'must be an http(s) address',
      );
    if (options.allowPrivate) return;
    const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
    const found = await lookup(host, { all: true }).catch(() => []);
    if (found.some((a) => !isPublicAddress(a.address)))
      throw refuse(
        `resolves to a private, loopback or reserved address; the server’s operator may allow them (BATON_CRM_ALLOW_PRIVATE)`,
      );
  };

  /** A mapping that means something: each field once, the owner and the stage going out. */
  const checkMapping = (mapping: readonly FieldMapping[] | undefined) => {
    const problems = mapping ? mappingProblems(mapping) : [];
    if (problems.length > 0)
      throw createError(
        'http.validation_failed',
        problems.map((p) => p.reason).join('; '),
        problems.map((p) => ({ field: `body.mapping.${p.index}.${p.field}`, reason: p.reason })),
      );
  };

  const oauthRedirectUri = () => `${deps.publicUrl.replace(/\/$/, '')}/api/v1/connectors/oauth/callback`;

  /** A new connection with its sealed credentials, its creation in the audit log. */
  async function insertNew(
    who: Actor,
    body: Omit<CreateConnectionBody, 'token'>,
    sealed: string,
    auth: 'token' | 'oauth',
  ): Promise<ConnectionRow> {
    const now = toDbTime(clock.now());
    const baseUrl = body.baseUrl ?? null;
    const row = {
      id: newId(),
      kind: body.kind,
      name: body.name ?? vendorName[body.kind],
      base_url: baseUrl,
      secret_sealed: sealed,
      webhook_secret_sealed: body.webhookSecret ? secrets.seal(body.webhookSecret) : null,
      mapping: JSON.stringify(body.mapping ?? defaultMapping[body.kind]),
      options: JSON.stringify({ breachTasks: body.breachTasks ?? false }),
      state: 'active',
      last_error: null,
      poll_interval_seconds: body.pollIntervalSeconds ?? 300,
      next_sync_at: now,
      last_synced_at: null,
      lease_owner: null,
      lease_until: null,
      backfill_state: 'pending',
      backfill_total: 0,
      backfill_done: 0,
      created_by: who.kind === 'user' ? who.userId : null,
      created_at: now,
      updated_at: now,
    };
    await db.transaction().execute(async (trx) => {
      await insertConnection(trx, row);
      await insertEvent(trx, {
        type: 'connection.created',
        occurredAt: clock.now(),
        actor: actorRef(who),
        subject: { type: 'connection', id: row.id },
        payload: { kind: row.kind, name: row.name, baseUrl, auth },
      });
    });
    return (await findConnection(db, row.id))!;
  }

  /** Checks a token by reading the owners: the least any sync does first. */
  async function probe(kind: 'hubspot' | 'pipedrive', vendor: Vendor) {
    try {
      const owners = await vendor.owners();
      const users = new Set(
        (await db.selectFrom('users').select('email').where('is_active', '=', true).execute()).map((u) =>
          u.email.toLowerCase(),
        ),
      );
      return {
        ok: true,
        owners: owners.length,
        matchedOwners: owners.filter((o) => users.has(o.email.toLowerCase())).length,
      };
    } catch (error) {
      const reason =
        error instanceof CrmError && error.failure === 'auth'
          ? kind === 'hubspot'
            ? 'the token was refused (revoked, or without the crm.objects.contacts scopes)'
            : 'the API token was refused (revoked, or of a user who is no longer in the company)'
          : error instanceof Error
            ? error.message
            : String(error);
      throw createError('connectors.connection_failed', `${vendorName[kind]}: ${reason}`, [
        { field: 'body.token', reason },
      ]);
    }
  }

  const audit = async (actor: Actor, type: string, id: string, payload: Record<string, unknown>) =>
    insertEvent(db, {
      type,
      occurredAt: clock.now(),
      actor: actorRef(actor),
      subject: { type: 'connection', id },
      payload,
    });

  /** A sync's log stored, and the admins told of what only they can fix (each problem once). */
  async function settleSync(row: ConnectionRow, sync: CrmSync) {
    await insertLogEntries(db, sync.log);
    const key = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
    const problems = [...sync.problems];
    if (sync.log.some((e) => e.code === 'connectors.token_revoked'))
      problems.push({ problem: { kind: 'token_revoked' }, key: `token_revoked:${key(row.secret_sealed)}` });
    if (sync.unknownOwners.length > 0)
      problems.push({
        problem: { kind: 'unknown_owners', owners: sync.unknownOwners },
        key: `unknown_owners:${key(sync.unknownOwners.sort().join(','))}`,
      });
    const told = new Set<string>();
    for (const { problem, key: once } of problems) {
      if (told.has(once)) continue;
      told.add(once);
      await options.tellAdmins?.(row, problem, once);
    }
  }

  /** One sync of one connection under this process's lease; its outcome on the connection. */
  async function syncOne(row: ConnectionRow, owner: string): Promise<SyncCounts | null> {
    const began = clock.now();
    const leaseUntil = () => toDbTime(new Date(clock.now().getTime() + options.leaseMs));
    if (!(await leaseConnection(db, row.id, owner, toDbTime(began), leaseUntil()))) return null;
    let done = Number(row.backfill_done);
    const backfilling = row.backfill_state !== 'done';
    const sync = vendorOf(row).sync(
      {
        ...syncDeps,
        // Each page moves the backfill's bar and holds the lease a while longer; a lease lost
        // (this process stalled past it, another took over) ends this sync.
        onPage: async (read, backfill) => {
          if (backfill) done += read;
          const now = toDbTime(clock.now());
          if (!(await leaseConnection(db, row.id, owner, now, leaseUntil())))
            throw new Error('another process took this connection over');
          if (backfill) await updateConnection(db, row.id, { backfill_done: done, updated_at: now });
        },
      },
      row,
      mappingOf(row),
      settingsOf(row),
    );
    const vendor = vendorName[row.kind as 'hubspot' | 'pipedrive'] ?? row.kind;
    let error: string | null = null;
    let failing = false;
    try {
      if (row.backfill_state === 'pending')
        await updateConnection(db, row.id, {
          backfill_state: 'running',
          backfill_total: await sync.totals(),
        });
      await sync.run();
    } catch (caught) {
      failing = true;
      const crm = caught instanceof CrmError ? caught : null;
      error =
        crm?.failure === 'auth'
          ? `${vendor} refused the token (revoked, or a scope was removed): connect again with a new token`
          : crm?.failure === 'rate_limited'
            ? `${vendor} kept answering 429 (rate limited): the sync goes on from where it stopped at the next turn (${crm.message})`
            : caught instanceof Error
              ? caught.message
              : String(caught);
      sync.log.push(
        entry(row, {
          outcome: 'error',
          code:
            crm?.failure === 'auth'
              ? 'connectors.token_revoked'
              : crm?.failure === 'rate_limited'
                ? 'connectors.rate_limited'
                : 'connectors.sync_failed',
          message: error,
          payload: null,
        }),
      );
      if (!crm) options.warn(`CRM sync of connection ${row.id} failed: ${error}`);
    }
    const c = sync.counts;
    if (c.contactsIn + c.companiesIn + c.dealsIn + c.activitiesIn + c.contactsOut > 0)
      sync.log.push(
        entry(row, {
          outcome: 'ok',
          code: 'connectors.synced',
          message: `${c.contactsIn} people, ${c.companiesIn} companies, ${c.dealsIn} deals and ${c.activitiesIn} activities in, ${c.contactsOut} leads out`,
          payload: JSON.stringify(c),
        }),
      );
    await settleSync(row, sync);
    const now = clock.now();
    await finishConnectionSync(db, row.id, owner, {
      state: failing ? 'failing' : 'active',
      last_error: error,
      ...(!failing && { last_synced_at: toDbTime(now) }),
      ...(!failing && backfilling && { backfill_state: 'done' }),
      backfill_done: done,
      next_sync_at: toDbTime(
        new Date(Math.max(began.getTime() + row.poll_interval_seconds * 1000, now.getTime() + 1000)),
      ),
      updated_at: toDbTime(now),
    });
    return c;
  }

  const entryOf = (row: Awaited<ReturnType<typeof findLogEntry>> & object): SyncLogEntry => ({
    id: row.id,
    at: fromDbTime(row.at).toISOString(),
    direction: row.direction as 'in' | 'out',
    objectType: row.object_type,
    remoteId: row.remote_id,
    localId: row.local_id,
    outcome: row.outcome as SyncLogEntry['outcome'],
    code: row.code,
    message: row.message,
    replayable: row.outcome === 'error' && row.payload !== null,
    replayedAt: fromDbTimeOrNull(row.replayed_at)?.toISOString() ?? null,
  });

  return {
    async list(actor: Actor | null): Promise<{ data: Connection[] }> {
      authorize(actor, 'connectors.manage');
      return { data: await Promise.all((await findConnections(db)).map(present)) };
    },

    async get(actor: Actor | null, id: string): Promise<Connection> {
      authorize(actor, 'connectors.manage');
      return present(await load(id));
    },

    async create(actor: Actor | null, body: CreateConnectionBody): Promise<Connection> {
      const who = authorize(actor, 'connectors.manage');
      checkMapping(body.mapping);
      await checkBaseUrl(body.baseUrl);
      await probe(body.kind, vendorFor(body.kind, body.token, body.baseUrl ?? null));
      return present(await insertNew(who, body, secrets.seal(body.token), 'token'));
    },

    /**
     * OAuth 2, first step: where to send the admin to grant Baton access in the CRM. What the
     * admin chose (and the app's secret) travels sealed in `state`, bound to them, for a while.
     */
    async oauthStart(actor: Actor | null, body: OAuthStartBody) {
      const who = authorize(actor, 'connectors.manage');
      checkMapping(body.mapping);
      await checkBaseUrl(body.baseUrl);
      if (who.kind !== 'user')
        throw createError('auth.forbidden', 'Granting access through OAuth 2 takes a signed-in admin');
      let app = { clientId: body.clientId, clientSecret: body.clientSecret };
      if (body.connectionId) {
        const row = await load(body.connectionId);
        if (row.kind !== body.kind)
          throw createError('http.validation_failed', 'The connection is of another CRM', [
            { field: 'body.kind', reason: `is not the connection's (${row.kind})` },
          ]);
        // Access granted again: through the app the connection has, unless another is given.
        const held = credentialsOf(row.secret_sealed);
        if ('grant' in held)
          app = {
            clientId: app.clientId ?? held.grant.clientId,
            clientSecret: app.clientSecret ?? held.grant.clientSecret,
          };
      }
      const missing = (['clientId', 'clientSecret'] as const).filter((f) => !app[f]);
      if (missing.length > 0)
        throw createError(
          'http.validation_failed',
          'OAuth 2 needs the app’s client id and secret',
          missing.map((f) => ({ field: `body.${f}`, reason: 'is required' })),
        );
      const state = secrets.seal(
        JSON.stringify({
          ...body,
          ...app,
          userId: who.userId,
          expiresAt: new Date(clock.now().getTime() + oauthStateMs).toISOString(),
        }),
      );
      return {
        authorizeUrl: await authorizationUrl(body.kind, {
          clientId: app.clientId!,
          redirectUri: oauthRedirectUri(),
          state,
          baseUrl: body.baseUrl ?? null,
        }),
        redirectUri: oauthRedirectUri(),
      };
    },

    /**
     * OAuth 2, second step: the admin is back from the CRM with a code. The state is checked (sealed
     * by Baton, not expired, the same admin), the code exchanged for tokens, the access tried, and
     * the connection made (or given the new grant). Returns the connection's id.
     */
    async oauthCallback(
      actor: Actor | null,
      query: { state: string; code?: string | undefined; error?: string | undefined },
    ): Promise<string> {
      const who = authorize(actor, 'connectors.manage');
      let state: OAuthStartBody & {
        clientId: string;
        clientSecret: string;
        userId: string;
        expiresAt: string;
      };
      try {
        state = JSON.parse(secrets.open(query.state)) as typeof state;
      } catch {
        throw createError('connectors.oauth_state_invalid', 'This OAuth answer is not one Baton asked for');
      }
      if (new Date(state.expiresAt).getTime() < clock.now().getTime())
        throw createError('connectors.oauth_state_invalid', 'This OAuth answer came too late: start again');
      if (who.kind !== 'user' || who.userId !== state.userId)
        throw createError('connectors.oauth_state_invalid', 'This OAuth answer is for another admin');
      if (query.error || !query.code)
        throw createError(
          'connectors.oauth_denied',
          `${vendorName[state.kind]} did not grant access${query.error ? ` (${query.error})` : ''}`,
        );
      // Disconnected while the admin was away: nothing to give the grant to.
      if (state.connectionId) await load(state.connectionId);
      const baseUrl = state.baseUrl ?? null;
      let grant: OAuthGrant;
      try {
        grant = await exchangeCode(state.kind, {
          clientId: state.clientId,
          clientSecret: state.clientSecret,
          code: query.code,
          redirectUri: oauthRedirectUri(),
          baseUrl,
          now: clock.now(),
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw createError('connectors.connection_failed', `${vendorName[state.kind]}: ${reason}`, [
          { field: 'query.code', reason },
        ]);
      }
      // An access token goes as a bearer token (a string would be taken for an API token).
      const bearer = () => Promise.resolve(grant.accessToken);
      await probe(state.kind, vendorFor(state.kind, bearer, baseUrl ?? grant.apiDomain));
      const sealed = sealGrant(grant);
      if (!state.connectionId) return (await insertNew(who, state, sealed, 'oauth')).id;
      const now = toDbTime(clock.now());
      await updateConnection(db, state.connectionId, {
        secret_sealed: sealed,
        state: 'active',
        last_error: null,
        next_sync_at: now,
        updated_at: now,
      });
      await audit(who, 'connection.changed', state.connectionId, { changed: ['auth'], auth: 'oauth' });
      return state.connectionId;
    },

    async update(actor: Actor | null, id: string, body: UpdateConnectionBody): Promise<Connection> {
      const who = authorize(actor, 'connectors.manage');
      checkMapping(body.mapping);
      const row = await load(id);
      if (body.token)
        await probe(row.kind as 'hubspot' | 'pipedrive', vendorFor(row.kind, body.token, row.base_url));
      const now = toDbTime(clock.now());
      await updateConnection(db, id, {
        ...(body.name !== undefined && { name: body.name }),
        ...(body.token !== undefined && { secret_sealed: secrets.seal(body.token) }),
        ...(body.webhookSecret !== undefined && {
          webhook_secret_sealed: body.webhookSecret === null ? null : secrets.seal(body.webhookSecret),
        }),
        ...(body.pollIntervalSeconds !== undefined && { poll_interval_seconds: body.pollIntervalSeconds }),
        ...(body.mapping !== undefined && { mapping: JSON.stringify(body.mapping) }),
        ...(body.breachTasks !== undefined && {
          options: JSON.stringify({ ...settingsOf(row), breachTasks: body.breachTasks }),
        }),
        ...(body.paused === true && { state: 'paused' }),
        // Resuming (or a new token) syncs at once.
        ...((body.paused === false || body.token !== undefined) && {
          state: 'active',
          last_error: null,
          next_sync_at: now,
        }),
        updated_at: now,
      });
      await audit(who, 'connection.changed', id, {
        changed: Object.keys(body).filter((k) => k !== 'token' && k !== 'webhookSecret'),
        ...(body.token !== undefined && { token: 'replaced' }),
        ...(body.webhookSecret !== undefined && {
          webhookSecret: body.webhookSecret === null ? 'removed' : 'replaced',
        }),
      });
      return present(await load(id));
    },

    async remove(actor: Actor | null, id: string): Promise<void> {
      const who = authorize(actor, 'connectors.manage');
      const row = await load(id);
      await db.transaction().execute(async (trx) => {
        await deleteConnection(trx, id);
        await insertEvent(trx, {
          type: 'connection.deleted',
          occurredAt: clock.now(),
          actor: actorRef(who),
          subject: { type: 'connection', id },
          payload: { kind: row.kind, name: row.name },
        });
      });
    },

    async test(actor: Actor | null, id: string) {
      authorize(actor, 'connectors.manage');
      const row = await load(id);
      return probe(row.kind as 'hubspot' | 'pipedrive', vendorOf(row));
    },

    /** Syncs now, in this request (an admin's "sync now", and the tests). */
    async syncNow(actor: Actor | null, id: string): Promise<Connection> {
      authorize(actor, 'connectors.manage');
      const row = await load(id);
      await syncOne(row, `request:${newId()}`);
      return present(await load(id));
    },

    async log(actor: Actor | null, id: string, query: SyncLogQuery) {
      authorize(actor, 'connectors.manage');
      await load(id);
      const limit = query.limit ?? 50;
      const offset = query.offset ?? 0;
      const { rows, total } = await findLog(db, id, {
        ...(query.outcome && { outcome: query.outcome }),
        limit,
        offset,
      });
      return { data: rows.map(entryOf), total, limit, offset };
    },

    /** Reads (or writes) a failed record again, now. */
    async replay(actor: Actor | null, id: string, entryId: string): Promise<SyncLogEntry> {
      const who = authorize(actor, 'connectors.manage');
      const row = await load(id);
      const entry = await findLogEntry(db, id, entryId);
      if (!entry) throw createError('connectors.log_entry_not_found', `No entry ${entryId} in this sync log`);
      if (entry.outcome !== 'error' || entry.payload === null)
        throw createError('connectors.not_replayable', 'Only a failed record can be replayed');
      const payload = JSON.parse(entry.payload) as { type: string; id?: string; localId?: string };
      const sync = vendorOf(row).sync(syncDeps, row, mappingOf(row), settingsOf(row));
      if (payload.localId) await sync.pushLeads([payload.localId]);
      else if (payload.id) await sync.pullRecords(payload.type, [payload.id]);
      await settleSync(row, sync);
      const at = toDbTime(clock.now());
      await markReplayed(db, entryId, at);
      await audit(who, 'connection.replayed', id, {
        entryId,
        code: entry.code,
        failedAgain: sync.counts.errors > 0,
      });
      return entryOf((await findLogEntry(db, id, entryId))!);
    },

    /** The background turn: every due connection, each under a lease. */
    async syncDue(owner: string): Promise<number> {
      let synced = 0;
      for (const row of await findDueConnections(db, toDbTime(clock.now()))) {
        if (row.state === 'paused') continue;
        if (await syncOne(row, owner)) synced += 1;
      }
      return synced;
    },

    /**
     * A CRM's webhook. HubSpot's carry the v3 signature (HMAC-SHA256 over method, address, body
     * and timestamp with the app's secret; older than five minutes refused); Pipedrive's v2 carry
     * the HTTP Basic credentials the webhook was made with (user `baton`, the connection's webhook
     * secret). The records named are read again and synced before the answer, so a call logged in
     * the CRM stops the lead's clock in seconds; a failure answers 500 and the CRM tries again.
     */
    async receiveWebhook(
      id: string,
      request: {
        rawBody: string;
        signature: string | undefined;
        timestamp: string | undefined;
        authorization: string | undefined;
      },
    ): Promise<{ received: number }> {
      const row = await findConnection(db, id);
      const secret = row?.webhook_secret_sealed ? secrets.open(row.webhook_secret_sealed) : null;
      const same = (given: Buffer, expected: Buffer | null) =>
        expected !== null && given.length === expected.length && timingSafeEqual(given, expected);
      let genuine = false;
      if (row?.kind === 'pipedrive') {
        genuine = same(
          Buffer.from(request.authorization ?? ''),
          secret ? Buffer.from(`Basic ${Buffer.from(`baton:${secret}`).toString('base64')}`) : null,
        );
      } else if (row) {
        const stamp = Number(request.timestamp);
        const fresh = Number.isFinite(stamp) && Math.abs(clock.now().getTime() - stamp) <= webhookMaxAgeMs;
        genuine =
          fresh &&
          same(
            Buffer.from(request.signature ?? '', 'base64'),
            secret
              ? createHmac('sha256', secret)
                  .update(`POST${webhookUrlOf(id)}${request.rawBody}${request.timestamp}`)
                  .digest()
              : null,
          );
      }
      if (!row || !genuine)
        throw createError(
          'connectors.bad_signature',
          row?.kind === 'pipedrive'
            ? 'The HTTP Basic credentials of this webhook are not the connection’s'
            : 'The X-HubSpot-Signature-v3 of this request is not valid or too old',
        );
      if (row.state === 'paused') return { received: 0 };
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.rawBody);
      } catch {
        throw createError('http.validation_failed', 'The webhook’s body is not JSON', [
          { field: 'body', reason: 'is not JSON' },
        ]);
      }
      const byType = new Map<string, Set<string>>();
      const add = (type: string, remote: string) => {
        let ids = byType.get(type);
        if (!ids) byType.set(type, (ids = new Set()));
        ids.add(remote);
      };
      const removals: { type: string; id: string }[] = [];
      const merges: { type: string; survivor: string; merged: string[] }[] = [];
      if (row.kind === 'pipedrive') {
        const meta = (parsed as { meta?: { action?: string; entity?: string; entity_id?: string | number } })
          ?.meta;
        const type = pipedriveTypeOf[meta?.entity ?? ''];
        if (type && meta?.entity_id !== undefined) {
          if (meta.action === 'delete' || meta.action === 'deleted')
            removals.push({ type, id: String(meta.entity_id) });
          else add(type, String(meta.entity_id));
        }
      } else
        for (const event of Array.isArray(parsed) ? (parsed as HubSpotWebhookEvent[]) : []) {
          const type =
            objectTypeOfId[event.objectTypeId ?? ''] ??
            (event.subscriptionType?.startsWith('contact.')
              ? 'contacts'
              : event.subscriptionType?.startsWith('company.')
                ? 'companies'
                : event.subscriptionType?.startsWith('deal.')
                  ? 'deals'
                  : null);
          if (!type || event.objectId === undefined) continue;
          const kind = event.subscriptionType?.split('.')[1] ?? '';
          if (kind === 'deletion' || kind === 'privacyDeletion')
            removals.push({ type, id: String(event.objectId) });
          else if (kind === 'merge') {
            // Since 2023 a merge may make a new record; before, the primary one lives on.
            const survivor = String(event.newObjectId ?? event.primaryObjectId ?? event.objectId);
            const merged = [event.primaryObjectId, ...(event.mergedObjectIds ?? [])]
              .filter((m) => m !== undefined)
              .map(String)
              .filter((m) => m !== survivor);
            add(type, survivor);
            merges.push({ type, survivor, merged });
          } else add(type, String(event.objectId));
        }
      const sync = vendorOf(row).sync(syncDeps, row, mappingOf(row), settingsOf(row));
      // Companies and people before what was done with them.
      for (const type of [
        'companies',
        'organizations',
        'contacts',
        'persons',
        'deals',
        'calls',
        'meetings',
        'emails',
        'activities',
      ])
        if (byType.has(type)) await sync.pullRecords(type, [...byType.get(type)!]);
      for (const merge of merges) await sync.mergeRecords(merge.type, merge.survivor, merge.merged);
      for (const type of new Set(removals.map((r) => r.type)))
        await sync.removeRecords(
          type,
          removals.filter((r) => r.type === type).map((r) => r.id),
        );
      await settleSync(row, sync);
      return { received: [...byType.values()].reduce((n, ids) => n + ids.size, 0) + removals.length };
    },
  };
}

export type ConnectorsService = ReturnType<typeof createConnectorsService>;
