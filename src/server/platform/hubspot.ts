import type { Client } from '@hubspot/api-client';
import { commonJsExports } from './common-js.ts';
import { rollingWindow } from './rolling-window.ts';
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter.js';
import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/AssociationSpec.js';

/*
 * HubSpot through its official client (@hubspot/api-client), as the connector needs it: owners,
 * search by modification time, read with associations, create and update. The client's own retry
 * (a fixed 10 s, Retry-After ignored) and limiter (one for the whole process) are off: this adapter
 * keeps each connection within HubSpot's documented budgets (a rolling 10 seconds, and searches a
 * second) and, on a 429, waits what Retry-After says (or the policy's window) and tries again.
 */

/** Why a call to the CRM failed, in terms the sync log and the alerts use. */
export type CrmFailure = 'auth' | 'rate_limited' | 'not_found' | 'conflict' | 'invalid' | 'unavailable';

export class CrmError extends Error {
  constructor(
    readonly failure: CrmFailure,
    message: string,
    /** A 409's existing record, when the CRM names it. */
    readonly existingId: string | null = null,
    /** The properties a validation error names (their type or options changed in the CRM). */
    readonly properties: string[] = [],
  ) {
    super(message);
  }
}

export interface CrmRecord {
  id: string;
  properties: Record<string, string | null>;
  /** Associated record ids by object type, when asked for. */
  associations: Record<string, string[]>;
}

export interface CrmOwner {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
}

export interface HubSpotAccount {
  /** A private app's token, or (OAuth 2) where the current access token comes from, refreshed as it expires. */
  token: string | (() => Promise<string>);
  /** The API's address: https://api.hubapi.com, or a sandbox's or a test's. */
  baseUrl: string;
  /** Requests per rolling 10 seconds this connection may use (of the portal's budget). */
  tenSecondBudget: number;
  searchesPerSecond: number;
  /** Tries of one call through 429s before it is given up (the record waits for the next sync). */
  maxTries: number;
  /** Waits (the tests' fake clock aside, always real time). */
  sleep?: (ms: number) => Promise<void>;
}

export interface HubSpotApi {
  owners(): Promise<CrmOwner[]>;
  /** Records modified at or after `since`, oldest change first, a page at a time. */
  searchModified(
    type: string,
    since: Date,
    properties: string[],
    after: string | null,
    limit: number,
  ): Promise<{ results: CrmRecord[]; after: string | null; total: number }>;
  /**
   * Every record of a type, in id order, a page (at most 100) at a time, with the ids of the
   * associated records inline: the backfill's read, outside the search API's budget and its cap.
   */
  list(
    type: string,
    properties: string[],
    associations: string[],
    after: string | null,
    limit: number,
  ): Promise<{ results: CrmRecord[]; after: string | null }>;
  /** The ids of a type's archived (deleted) records, a page at a time: HubSpot keeps them 90 days. */
  listArchived(type: string, after: string | null): Promise<{ ids: string[]; after: string | null }>;
  /** How many records of a type there are (a search's total). */
  count(type: string): Promise<number>;
  /** The deal pipelines' stages. */
  dealStages(): Promise<{ id: string; label: string; isClosed: boolean; probability: number }[]>;
  get(type: string, id: string, properties: string[], associations: string[]): Promise<CrmRecord | null>;
  associations(fromType: string, toType: string, ids: string[]): Promise<Map<string, string[]>>;
  create(
    type: string,
    properties: Record<string, string>,
    associations: { toId: string; typeId: number }[],
  ): Promise<string>;
  update(type: string, id: string, properties: Record<string, string>, idProperty?: string): Promise<void>;
  /** What the last calls used of the budget, for the bench and the status. */
  stats: { calls: number; waits: number; waitedMs: number };
}

/** The property a type's modification time is in. */
export const modifiedProperty = (type: string) =>
  type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface ApiError {
  code?: number;
  body?: { message?: string; policyName?: string; category?: string };
  headers?: Record<string, string>;
}

/**
 * The properties a HubSpot validation error names: its message is "Property values were not valid:"
 * and a JSON list of { isValid, message, error, name }.
 *
 * @example refusedProperties('Property values were not valid: [{"isValid":false,"name":"phone"}]') // ['phone']
 */
export function refusedProperties(message: string): string[] {
  const at = message.indexOf('Property values were not valid: [');
  if (at < 0) return [];
  try {
    const list = JSON.parse(message.slice(at + 'Property values were not valid: '.length)) as unknown;
    return Array.isArray(list)
      ? list.flatMap((item: { name?: unknown; isValid?: unknown }) =>
          typeof item?.name === 'string' && item.isValid !== true ? [item.name] : [],
        )
      : [];
  } catch {
    return [];
  }
}

const failureOf = (code: number): CrmFailure =>
  code === 401 || code === 403
    ? 'auth'
    : code === 404
      ? 'not_found'
      : code === 409
        ? 'conflict'
        : code === 429
          ? 'rate_limited'
          : code >= 400 && code < 500
            ? 'invalid'
            : 'unavailable';

export function connectHubSpot(account: HubSpotAccount): HubSpotApi {
  const { token } = account;
  // The client (10 MB of code) is loaded at the first call, not with every start of Baton.
  let loading: Promise<Client> | undefined;
  const connect = () =>
    (loading ??= import('@hubspot/api-client').then((namespace) => {
      const { Client } = commonJsExports(namespace);
      return new Client({
        ...(typeof token === 'string' && { accessToken: token }),
        basePath: account.baseUrl.replace(/\/$/, ''),
      });
    }));
  const sleep = account.sleep ?? realSleep;
  const budget = rollingWindow(account.tenSecondBudget, 10_000, sleep);
  const searchBudget = rollingWindow(account.searchesPerSecond, 1000, sleep);
  const stats = { calls: 0, waits: 0, waitedMs: 0 };

  /**
   * A call within the budgets, through 429s. A create (`once`) is not sent again after an answer
   * that never came (the CRM may have made the record): the sync stops there, and the next one
   * finds what was made.
   */
  async function call<T>(work: (client: Client) => Promise<T>, isSearch = false, once = false): Promise<T> {
    const client = await connect();
    for (let attempt = 1; ; attempt++) {
      await budget();
      if (isSearch) await searchBudget();
      if (typeof token !== 'string') {
        const current = await token();
        // The client rebuilds its APIs on a new token: only when it changed.
        if (client.config.accessToken !== current) client.setAccessToken(current);
      }
      stats.calls += 1;
      try {
        return await work(client);
      } catch (error) {
        const e = error as ApiError;
        const code = typeof e.code === 'number' ? e.code : 0;
        const message = e.body?.message ?? (error instanceof Error ? error.message : String(error));
        if (once && (code === 0 || code >= 500)) throw new CrmError('unavailable', message);
        if (code === 0) {
          if (attempt >= account.maxTries) throw new CrmError('unavailable', message);
          await sleep(200 * attempt);
          continue;
        }
        if ((code === 429 || code >= 500) && attempt < account.maxTries) {
          const retryAfter = Number(e.headers?.['retry-after']);
          const wait =
            code >= 500
              ? 200 * attempt
              : Number.isFinite(retryAfter) && retryAfter >= 0
                ? retryAfter * 1000
                : e.body?.policyName === 'TEN_SECONDLY_ROLLING'
                  ? 10_000
                  : 1000;
          stats.waits += 1;
          stats.waitedMs += wait;
          await sleep(wait);
          continue;
        }
        const existing = code === 409 ? (/Existing ID: (\d+)/.exec(message)?.[1] ?? null) : null;
        throw new CrmError(failureOf(code), message, existing, refusedProperties(message));
      }
    }
  }

  const record = (r: {
    id: string;
    properties: Record<string, string | null>;
    associations?: Record<string, { results: { id: string }[] }>;
  }): CrmRecord => ({
    id: r.id,
    properties: r.properties,
    associations: Object.fromEntries(
      Object.entries(r.associations ?? {}).map(([type, a]) => [type, a.results.map((x) => x.id)]),
    ),
  });

  return {
    stats,
    async owners() {
      const found: CrmOwner[] = [];
      let after: string | undefined;
      do {
        const page = await call((client) =>
          client.crm.owners.ownersApi.getPage(undefined, after, 500, false),
        );
        for (const o of page.results)
          if (o.email)
            found.push({
              id: o.id,
              email: o.email,
              firstName: o.firstName ?? null,
              lastName: o.lastName ?? null,
            });
        after = page.paging?.next?.after;
      } while (after);
      return found;
    },
    async searchModified(type, since, properties, after, limit) {
      const page = await call(
        (client) =>
          client.crm.objects.searchApi.doSearch(type, {
            filterGroups: [
              {
                filters: [
                  {
                    propertyName: modifiedProperty(type),
                    operator: 'GTE' as FilterOperatorEnum,
                    value: String(since.getTime()),
                  },
                ],
              },
            ],
            sorts: [modifiedProperty(type)],
            properties: [...properties, modifiedProperty(type)],
            limit,
            ...(after !== null && { after }),
          }),
        true,
      );
      return {
        results: page.results.map(record),
        after: page.paging?.next?.after ?? null,
        total: page.total,
      };
    },
    async list(type, properties, associations, after, limit) {
      const page = await call((client) =>
        client.crm.objects.basicApi.getPage(
          type,
          limit,
          after ?? undefined,
          properties,
          undefined,
          associations.length > 0 ? associations : undefined,
          false,
        ),
      );
      return { results: page.results.map(record), after: page.paging?.next?.after ?? null };
    },
    async listArchived(type, after) {
      const page = await call((client) =>
        client.crm.objects.basicApi.getPage(type, 100, after ?? undefined, [], undefined, undefined, true),
      );
      return { ids: page.results.map((r) => r.id), after: page.paging?.next?.after ?? null };
    },
    async count(type) {
      const page = await call(
        (client) =>
          client.crm.objects.searchApi.doSearch(type, { filterGroups: [], properties: [], limit: 1 }),
        true,
      );
      return page.total;
    },
    async dealStages() {
      const answer = await call((client) => client.crm.pipelines.pipelinesApi.getAll('deals'));
      return answer.results.flatMap((pipeline) =>
        pipeline.stages.map((stage) => ({
          id: stage.id,
          label: stage.label,
          isClosed: stage.metadata?.isClosed === 'true',
          probability: Number(stage.metadata?.probability ?? 0) || 0,
        })),
      );
    },
    async get(type, id, properties, associations) {
      try {
        return record(
          await call((client) =>
            client.crm.objects.basicApi.getById(
              type,
              id,
              properties,
              undefined,
              associations.length > 0 ? associations : undefined,
            ),
          ),
        );
      } catch (error) {
        if (error instanceof CrmError && error.failure === 'not_found') return null;
        throw error;
      }
    },
    async associations(fromType, toType, ids) {
      const found = new Map<string, string[]>();
      for (let i = 0; i < ids.length; i += 1000) {
        const answer = await call((client) =>
          client.crm.associations.v4.batchApi.getPage(fromType, toType, {
            inputs: ids.slice(i, i + 1000).map((id) => ({ id })),
          }),
        );
        for (const r of answer.results)
          found.set(
            r._from.id,
            r.to.map((t) => String(t.toObjectId)),
          );
      }
      return found;
    },
    async create(type, properties, associations) {
      const created = await call(
        (client) =>
          client.crm.objects.basicApi.create(type, {
            properties,
            associations: associations.map((a) => ({
              to: { id: a.toId },
              types: [
                {
                  associationCategory: 'HUBSPOT_DEFINED' as AssociationSpecAssociationCategoryEnum,
                  associationTypeId: a.typeId,
                },
              ],
            })),
          }),
        false,
        true,
      );
      return created.id;
    },
    async update(type, id, properties, idProperty) {
      await call((client) => client.crm.objects.basicApi.update(type, id, { properties }, idProperty));
    },
  };
}
