import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../platform/clock.ts';
import { createOAuthServer, type OAuthApp } from './oauth-fake.ts';

/*
 * A local HubSpot, written from HubSpot's public API reference (developers.hubspot.com/docs/api),
 * for the connector's tests: the official client (@hubspot/api-client) talks to it as it would to
 * api.hubapi.com. Where a behaviour is documented, the fake does it:
 *
 * - Bearer private-app tokens; 401 `INVALID_AUTHENTICATION` for another.
 * - CRM objects v3 (`/crm/v3/objects/{type}`): create, read (with `?associations=`), update (by id,
 *   or `?idProperty=email`), search. A contact's email is unique: creating a second one is a 409
 *   "Contact already exists. Existing ID: N". A property with a unique value (`baton_id` here)
 *   refuses a second record the same way.
 * - Search: filterGroups (OR of ANDs: EQ, NEQ, GT, GTE, LT, LTE, HAS_PROPERTY), one sort, `limit`
 *   up to 200, paging by `after`, and no further than 10,000 results (a 400 past it). Each
 *   object's `lastmodifieddate` (contacts) or `hs_lastmodifieddate` moves on each change.
 * - Lifecycle stage only moves forward; to move it back it must be cleared first (a 400 otherwise).
 * - List (`GET /crm/v3/objects/{type}`): id order, `limit` up to 100, paging by `after`, with
 *   `properties` and `associations` (the associated ids inline), not counted as a search.
 * - Owners (`/crm/v3/owners/`), the associations v4 batch read, and the deal pipelines
 *   (`/crm/v3/pipelines/deals`, the default Sales Pipeline with its stages' `isClosed` and
 *   `probability`).
 * - Rate limits: a rolling budget per 10 seconds (429 with policyName TEN_SECONDLY_ROLLING and the
 *   X-HubSpot-RateLimit-* headers) and 5 searches a second (429 "You have reached your secondly
 *   limit."); `storm(n)` answers the next n requests 429 with Retry-After.
 * - Webhooks v3: events POSTed as a JSON array to the app's target URL, signed with
 *   X-HubSpot-Signature-v3 = base64(HMAC-SHA256(app secret, method + uri + body + timestamp)).
 */

export interface FakeRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  /** The record this one was merged into (HubSpot answers a merged id with that record). */
  mergedInto?: string;
  /** Associated records by object type. */
  associations: Record<string, Set<string>>;
}

export interface FakeOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
}

/** HubSpot's object types by their names in paths and the ids of their webhook subscriptions. */
const objectTypeIds: Record<string, string> = {
  contacts: '0-1',
  companies: '0-2',
  deals: '0-3',
  calls: '0-48',
  emails: '0-49',
  meetings: '0-47',
  notes: '0-46',
  tasks: '0-27',
};

const lifecycleOrder = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
];

const searchCap = 10_000;

/** HubSpot's default deal pipeline: id, label, probability, closed. */
const dealStages: [string, string, number, boolean][] = [
  ['appointmentscheduled', 'Appointment Scheduled', 0.2, false],
  ['qualifiedtobuy', 'Qualified To Buy', 0.4, false],
  ['presentationscheduled', 'Presentation Scheduled', 0.6, false],
  ['decisionmakerboughtin', 'Decision Maker Bought-In', 0.8, false],
  ['contractsent', 'Contract Sent', 0.9, false],
  ['closedwon', 'Closed Won', 1, true],
  ['closedlost', 'Closed Lost', 0, true],
];

interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
}

export interface HubSpotFakeOptions {
  token?: string;
  /** The OAuth app Baton may be connected through (a public app's client id and secret). */
  oauthApp?: OAuthApp;
  clock?: Clock;
  /** Requests per rolling 10 seconds (190 for a Professional portal's private app). */
  tenSecondLimit?: number;
  searchPerSecond?: number;
}

export async function startHubSpotFake(options: HubSpotFakeOptions = {}) {
  let token = options.token ?? 'pat-eu1-test';
  const clock = options.clock ?? systemClock;
  // HubSpot's access tokens live 30 minutes.
  const oauth = createOAuthServer({
    clock,
    lifetimeSeconds: 1800,
    ...(options.oauthApp && { app: options.oauthApp }),
  });
  let tenSecondLimit = options.tenSecondLimit ?? 190;
  let searchPerSecond = options.searchPerSecond ?? 5;
  const objects = new Map<string, Map<string, FakeRecord>>();
  /** Each type's records in id order, for the list endpoint's paging. */
  const ordered = new Map<string, FakeRecord[]>();
  const owners: FakeOwner[] = [];
  let nextId = 1000;
  let lastStamp = 0;
  const recent: number[] = [];
  const recentSearches: number[] = [];
  let stormLeft = 0;
  /** The next create is made, and its answer lost (the connection drops): a crash's view of it. */
  let dropNextCreate = false;
  let stormRetryAfter = 1;
  const webhook: {
    url: string | null;
    signedAs: string;
    secret: string;
    pending: object[];
    portalId: number;
  } = {
    url: null,
    signedAs: '',
    secret: '',
    pending: [],
    portalId: 4711,
  };
  const counts = { requests: 0, limited: 0, searches: 0, lists: 0 };

  const table = (type: string) => {
    let found = objects.get(type);
    if (!found) objects.set(type, (found = new Map<string, FakeRecord>()));
    return found;
  };
  /** Modification times strictly increase, as a cursor on them needs. */
  const stamp = () => {
    lastStamp = Math.max(lastStamp + 1, clock.now().getTime());
    return new Date(lastStamp).toISOString();
  };
  const modifiedProperty = (type: string) =>
    type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';

  const emit = (type: string, record: FakeRecord, subscriptionType: string, propertyName?: string) => {
    if (!webhook.url) return;
    webhook.pending.push({
      eventId: nextId++,
      subscriptionId: 1,
      portalId: webhook.portalId,
      appId: 99,
      occurredAt: Date.parse(record.updatedAt),
      subscriptionType,
      attemptNumber: 0,
      objectId: Number(record.id),
      objectTypeId: objectTypeIds[type] ?? type,
      changeSource: 'CRM_UI',
      ...(propertyName && { propertyName, propertyValue: record.properties[propertyName] ?? '' }),
    });
    setImmediate(() => void flushWebhooks());
  };

  const flushWebhooks = async () => {
    if (!webhook.url || webhook.pending.length === 0) return;
    const events = webhook.pending.splice(0, 100);
    const body = JSON.stringify(events);
    const timestamp = String(clock.now().getTime());
    const signature = createHmac('sha256', webhook.secret)
      .update(`POST${webhook.signedAs}${body}${timestamp}`)
      .digest('base64');
    await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hubspot-signature-v3': signature,
        'x-hubspot-request-timestamp': timestamp,
      },
      body,
    }).catch(() => undefined);
  };

  const put = (type: string, properties: Record<string, string | null>, associations = {}) => {
    const at = stamp();
    const id = String(nextId++);
    const record: FakeRecord = {
      id,
      properties: {
        ...properties,
        hs_object_id: id,
        createdate: at,
        [modifiedProperty(type)]: at,
      },
      createdAt: at,
      updatedAt: at,
      archived: false,
      associations,
    };
    table(type).set(id, record);
    let list = ordered.get(type);
    if (!list) ordered.set(type, (list = []));
    list.push(record);
    emit(type, record, type === 'contacts' ? 'contact.creation' : 'object.creation');
    return record;
  };

  const change = (type: string, record: FakeRecord, properties: Record<string, string | null>) => {
    const at = stamp();
    const changed = Object.keys(properties).filter((k) => record.properties[k] !== properties[k]);
    Object.assign(record.properties, properties, { [modifiedProperty(type)]: at });
    record.updatedAt = at;
    for (const name of changed)
      emit(type, record, type === 'contacts' ? 'contact.propertyChange' : 'object.propertyChange', name);
  };

  /**
   * Merges one record into another as HubSpot does: the primary keeps its id, takes the other's
   * associations, lists the merged id in hs_merged_object_ids, and a merge event goes out; the
   * merged id answers with the primary from then on.
   */
  const merge = (type: string, primaryId: string, mergedId: string): FakeRecord | null => {
    const primary = table(type).get(primaryId);
    const other = table(type).get(mergedId);
    if (!primary || !other || primary.archived || other.archived || primaryId === mergedId) return null;
    other.archived = true;
    other.mergedInto = primaryId;
    for (const [toType, ids] of Object.entries(other.associations))
      for (const toId of ids) associate(type, primaryId, toType, toId);
    const ids = [...(primary.properties.hs_merged_object_ids?.split(';').filter(Boolean) ?? []), mergedId];
    const at = stamp();
    Object.assign(primary.properties, { hs_merged_object_ids: ids.join(';'), [modifiedProperty(type)]: at });
    primary.updatedAt = at;
    if (webhook.url) {
      webhook.pending.push({
        eventId: nextId++,
        subscriptionId: 1,
        portalId: webhook.portalId,
        appId: 99,
        occurredAt: Date.parse(at),
        subscriptionType: type === 'contacts' ? 'contact.merge' : 'object.merge',
        attemptNumber: 0,
        objectId: Number(primaryId),
        objectTypeId: objectTypeIds[type] ?? type,
        changeSource: 'CRM_UI',
        primaryObjectId: Number(primaryId),
        mergedObjectIds: [Number(mergedId)],
        newObjectId: Number(primaryId),
        numberOfPropertiesMoved: 0,
      });
      setImmediate(() => void flushWebhooks());
    }
    return primary;
  };

  const associate = (fromType: string, fromId: string, toType: string, toId: string) => {
    const from = table(fromType).get(fromId);
    const to = table(toType).get(toId);
    if (!from || !to) return;
    (from.associations[toType] ??= new Set()).add(toId);
    (to.associations[fromType] ??= new Set()).add(fromId);
  };

  const present = (record: FakeRecord, wanted: string[] | null, type: string, withAssociations: string[]) => {
    const base = ['hs_object_id', 'createdate', modifiedProperty(type)];
    const names = wanted ? [...new Set([...base, ...wanted])] : Object.keys(record.properties);
    const properties: Record<string, string | null> = {};
    for (const name of names) properties[name] = record.properties[name] ?? null;
    const associations: Record<string, { results: { id: string; type: string }[] }> = {};
    for (const other of withAssociations) {
      const ids = [...(record.associations[other] ?? [])];
      if (ids.length > 0)
        associations[other] = {
          results: ids.map((id) => ({ id, type: `${type.replace(/s$/, '')}_to_${other.replace(/s$/, '')}` })),
        };
    }
    return {
      id: record.id,
      properties,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      archived: record.archived,
      ...(withAssociations.length > 0 && Object.keys(associations).length > 0 && { associations }),
    };
  };

  const matches = (record: FakeRecord, filter: Filter): boolean => {
    const value = record.properties[filter.propertyName] ?? null;
    if (filter.operator === 'HAS_PROPERTY') return value !== null && value !== '';
    if (filter.operator === 'NOT_HAS_PROPERTY') return value === null || value === '';
    if (value === null) return filter.operator === 'NEQ';
    const wanted = filter.value ?? '';
    const numeric = (text: string) => {
      const date = Date.parse(text);
      if (/^\d+$/.test(text)) return Number(text);
      return Number.isNaN(date) ? Number.NaN : date;
    };
    const a = numeric(value);
    const b = numeric(wanted);
    const ordered = !Number.isNaN(a) && !Number.isNaN(b);
    switch (filter.operator) {
      case 'EQ':
        return ordered ? a === b : value.toLowerCase() === wanted.toLowerCase();
      case 'NEQ':
        return ordered ? a !== b : value.toLowerCase() !== wanted.toLowerCase();
      case 'GT':
        return ordered && a > b;
      case 'GTE':
        return ordered && a >= b;
      case 'LT':
        return ordered && a < b;
      case 'LTE':
        return ordered && a <= b;
      default:
        return false;
    }
  };

  const send = (
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const problem = (res: ServerResponse, status: number, category: string, message: string, extra = {}) =>
    send(res, status, { status: 'error', message, correlationId: `fake-${nextId++}`, category, ...extra });

  const limited = (res: ServerResponse, isSearch: boolean): boolean => {
    // Budgets run in real time, whatever the tests' clock says.
    const now = performance.now();
    if (stormLeft > 0) {
      stormLeft -= 1;
      counts.limited += 1;
      send(
        res,
        429,
        {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          policyName: 'TEN_SECONDLY_ROLLING',
        },
        { 'retry-after': String(stormRetryAfter) },
      );
      return true;
    }
    while (recent.length > 0 && recent[0]! <= now - 10_000) recent.shift();
    while (recentSearches.length > 0 && recentSearches[0]! <= now - 1000) recentSearches.shift();
    const headers = {
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-max': String(tenSecondLimit),
      'x-hubspot-ratelimit-remaining': String(Math.max(0, tenSecondLimit - recent.length - 1)),
    };
    if (recent.length >= tenSecondLimit) {
      counts.limited += 1;
      send(
        res,
        429,
        {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          policyName: 'TEN_SECONDLY_ROLLING',
        },
        { ...headers, 'retry-after': String(Math.ceil((recent[0]! + 10_000 - now) / 1000)) },
      );
      return true;
    }
    if (isSearch && recentSearches.length >= searchPerSecond) {
      counts.limited += 1;
      send(
        res,
        429,
        { status: 'error', message: 'You have reached your secondly limit.' },
        { 'retry-after': '1' },
      );
      return true;
    }
    recent.push(now);
    if (isSearch) recentSearches.push(now);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    return false;
  };

  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? JSON.parse(text) : null;
  };

  type Body = {
    properties?: Record<string, string | null>;
    associations?: { to: { id: string }; types: { associationTypeId: number }[] }[];
    filterGroups?: { filters: Filter[] }[];
    sorts?: ({ propertyName: string; direction: string } | string)[];
    properties_?: string[];
    limit?: number;
    after?: string;
    inputs?: { id: string }[];
  };

  /** Which object type an association type id of a create request points to (the documented defaults). */
  const associationTarget: Record<number, string> = {
    1: 'companies',
    3: 'contacts',
    4: 'deals',
    194: 'contacts',
    202: 'contacts',
    204: 'contacts',
    200: 'contacts',
    210: 'contacts',
    214: 'deals',
    279: 'contacts',
  };

  /** A property's type changed by the portal's admin: an enumeration with only these options. */
  const propertyOptions = new Map<string, string[]>();

  /**
   * A write's invalid values as HubSpot tells of them: "Property values were not valid:" and a
   * JSON list of { isValid, message, error, name }.
   */
  const invalidValues = (
    type: string,
    record: FakeRecord | null,
    properties: Record<string, string | null>,
  ): string | null => {
    const errors: { isValid: false; message: string; error: string; name: string }[] = [];
    for (const [name, value] of Object.entries(properties)) {
      const allowed = propertyOptions.get(`${type}.${name}`);
      if (allowed && value && !allowed.includes(value))
        errors.push({
          isValid: false,
          message: `${value} was not one of the allowed options: [${allowed.join(', ')}]`,
          error: 'INVALID_OPTION',
          name,
        });
    }
    const next = properties.lifecyclestage;
    const current = record?.properties.lifecyclestage;
    if (type === 'contacts' && next && current && lifecycleOrder.includes(next))
      if (lifecycleOrder.indexOf(next) < lifecycleOrder.indexOf(current))
        errors.push({
          isValid: false,
          message: `lifecyclestage can only move forward: clear it before setting ${next}`,
          error: 'INVALID_OPTION',
          name: 'lifecyclestage',
        });
    return errors.length > 0 ? `Property values were not valid: ${JSON.stringify(errors)}` : null;
  };

  const uniqueProblem = (type: string, properties: Record<string, string | null>, except?: string) => {
    for (const name of type === 'contacts' ? ['email', 'baton_id'] : ['baton_id']) {
      const value = properties[name];
      if (!value) continue;
      for (const other of table(type).values())
        if (other.id !== except && other.properties[name]?.toLowerCase() === value.toLowerCase())
          return type === 'contacts' && name === 'email'
            ? `Contact already exists. Existing ID: ${other.id}`
            : `A ${type.replace(/s$/, '')} with ${name} ${value} already exists. Existing ID: ${other.id}`;
    }
    return null;
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    counts.requests += 1;
    if (
      await oauth.handle(
        req,
        res,
        { authorize: '/oauth/authorize', token: '/oauth/v1/token' },
        'form',
        (error, message) => ({
          status: error === 'invalid_grant' ? 'BAD_REFRESH_TOKEN' : 'BAD_CLIENT_ID',
          message,
          correlationId: 'fake',
        }),
      )
    )
      return;
    const url = new URL(req.url ?? '/', 'http://fake');
    const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (bearer !== token && !oauth.isValid(bearer))
      return problem(
        res,
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
      );
    const path = url.pathname.replace(/\/$/, '');
    const isSearch = path.endsWith('/search');
    if (limited(res, isSearch)) return;
    const body = ((await readBody(req)) ?? {}) as Body;

    if (req.method === 'GET' && path === '/crm/v3/owners') {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), 500);
      const start = Number(url.searchParams.get('after') ?? 0);
      const email = url.searchParams.get('email');
      const all = owners.filter((o) => !email || o.email.toLowerCase() === email.toLowerCase());
      const page = all.slice(start, start + limit);
      return send(res, 200, {
        results: page.map((o) => ({
          ...o,
          userId: Number(o.id) + 1,
          archived: false,
          createdAt: '2025-01-01T00:00:00.000Z',
          updatedAt: '2025-01-01T00:00:00.000Z',
        })),
        ...(start + limit < all.length && { paging: { next: { after: String(start + limit) } } }),
      });
    }

    if (req.method === 'GET' && path === '/crm/v3/pipelines/deals') {
      const at = '2025-01-01T00:00:00.000Z';
      return send(res, 200, {
        results: [
          {
            id: 'default',
            label: 'Sales Pipeline',
            displayOrder: 0,
            archived: false,
            createdAt: at,
            updatedAt: at,
            stages: dealStages.map(([id, label, probability, isClosed], displayOrder) => ({
              id,
              label,
              displayOrder,
              metadata: { isClosed: String(isClosed), probability: String(probability) },
              archived: false,
              createdAt: at,
              updatedAt: at,
              writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
            })),
          },
        ],
      });
    }

    const batchRead = /^\/crm\/v4\/associations\/(\w+)\/(\w+)\/batch\/read$/.exec(path);
    if (req.method === 'POST' && batchRead) {
      const [, from, to] = batchRead as unknown as [string, string, string];
      return send(res, 200, {
        status: 'COMPLETE',
        results: (body.inputs ?? []).flatMap(({ id }) => {
          const record = table(from).get(id);
          const ids = [...(record?.associations[to] ?? [])];
          return ids.length === 0
            ? []
            : [
                {
                  from: { id },
                  to: ids.map((toId) => ({
                    toObjectId: Number(toId),
                    associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 1, label: null }],
                  })),
                },
              ];
        }),
        startedAt: clock.now().toISOString(),
        completedAt: clock.now().toISOString(),
      });
    }

    const search = /^\/crm\/v3\/objects\/(\w+)\/search$/.exec(path);
    if (req.method === 'POST' && search) {
      counts.searches += 1;
      const type = search[1]!;
      const limit = body.limit ?? 10;
      if (limit > 200) return problem(res, 400, 'VALIDATION_ERROR', 'limit must be at most 200');
      const after = Number(body.after ?? 0);
      if (after + limit > searchCap)
        return problem(
          res,
          400,
          'VALIDATION_ERROR',
          `The search API can return at most ${searchCap} results; narrow the query`,
        );
      const groups = body.filterGroups ?? [];
      let found = [...table(type).values()].filter(
        (r) =>
          !r.archived && (groups.length === 0 || groups.some((g) => g.filters.every((f) => matches(r, f)))),
      );
      const sort = body.sorts?.[0];
      const by =
        typeof sort === 'string'
          ? {
              propertyName: sort.replace(/^-/, ''),
              direction: sort.startsWith('-') ? 'DESCENDING' : 'ASCENDING',
            }
          : sort;
      found.sort((a, b) => Number(a.id) - Number(b.id));
      if (by) {
        const key = (r: FakeRecord) => {
          const value = r.properties[by.propertyName] ?? '';
          const date = Date.parse(value);
          return Number.isNaN(date) ? value : date;
        };
        found = found.sort((a, b) => {
          const x = key(a);
          const y = key(b);
          const order = x < y ? -1 : x > y ? 1 : 0;
          return by.direction === 'DESCENDING' ? -order : order;
        });
      }
      const page = found.slice(after, after + limit);
      const wanted = (body as { properties?: unknown }).properties;
      return send(res, 200, {
        total: found.length,
        results: page.map((r) => present(r, Array.isArray(wanted) ? (wanted as string[]) : null, type, [])),
        ...(after + limit < found.length && { paging: { next: { after: String(after + limit) } } }),
      });
    }

    const merging = /^\/crm\/v3\/objects\/(\w+)\/merge$/.exec(path);
    if (merging && req.method === 'POST') {
      const { primaryObjectId, objectIdToMerge } = body as {
        primaryObjectId?: string;
        objectIdToMerge?: string;
      };
      const merged = merge(merging[1]!, String(primaryObjectId), String(objectIdToMerge));
      if (!merged) return problem(res, 404, 'OBJECT_NOT_FOUND', 'resource not found');
      return send(res, 200, present(merged, null, merging[1]!, []));
    }

    const one = /^\/crm\/v3\/objects\/(\w+)(?:\/([^/]+))?$/.exec(path);
    if (one) {
      const type = one[1]!;
      const key = one[2] ? decodeURIComponent(one[2]) : null;
      const idProperty = url.searchParams.get('idProperty');
      const find = (): FakeRecord | null => {
        if (!key) return null;
        if (!idProperty) {
          const found = table(type).get(key) ?? null;
          return found?.mergedInto ? (table(type).get(found.mergedInto) ?? null) : found;
        }
        for (const r of table(type).values())
          if (r.properties[idProperty]?.toLowerCase() === key.toLowerCase()) return r;
        return null;
      };
      if (req.method === 'POST' && !key) {
        const properties = body.properties ?? {};
        const duplicate = uniqueProblem(type, properties);
        if (duplicate) return problem(res, 409, 'CONFLICT', duplicate);
        const invalid = invalidValues(type, null, properties);
        if (invalid) return problem(res, 400, 'VALIDATION_ERROR', invalid);
        const record = put(type, properties);
        for (const a of body.associations ?? []) {
          const target = associationTarget[a.types[0]?.associationTypeId ?? 0];
          if (target) associate(type, record.id, target, a.to.id);
        }
        if (dropNextCreate) {
          dropNextCreate = false;
          return res.socket?.destroy();
        }
        return send(res, 201, present(record, null, type, []));
      }
      if (req.method === 'GET' && !key) {
        counts.lists += 1;
        const limit = Number(url.searchParams.get('limit') ?? 10);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100)
          return problem(res, 400, 'VALIDATION_ERROR', 'limit must be between 1 and 100');
        const list = (name: string) =>
          url.searchParams
            .getAll(name)
            .flatMap((v) => v.split(','))
            .filter(Boolean);
        const wanted = list('properties');
        const all = ordered.get(type) ?? [];
        const results: ReturnType<typeof present>[] = [];
        // archived=true lists only the archived (deleted, not merged) records.
        const archived = url.searchParams.get('archived') === 'true';
        let at = Number(url.searchParams.get('after') ?? 0);
        for (; at < all.length && results.length < limit; at += 1)
          if (all[at]!.archived === archived && !all[at]!.mergedInto)
            results.push(present(all[at]!, wanted.length > 0 ? wanted : null, type, list('associations')));
        return send(res, 200, {
          results,
          ...(at < all.length && { paging: { next: { after: String(at), link: `${path}?after=${at}` } } }),
        });
      }
      const record = find();
      if (!record || record.archived) return problem(res, 404, 'OBJECT_NOT_FOUND', `resource not found`);
      if (req.method === 'GET') {
        // An array parameter, repeated or comma-separated.
        const list = (name: string) =>
          url.searchParams
            .getAll(name)
            .flatMap((v) => v.split(','))
            .filter(Boolean);
        const wanted = list('properties');
        return send(res, 200, present(record, wanted.length > 0 ? wanted : null, type, list('associations')));
      }
      if (req.method === 'PATCH') {
        const properties = body.properties ?? {};
        const duplicate = uniqueProblem(type, properties, record.id);
        if (duplicate) return problem(res, 409, 'CONFLICT', duplicate);
        const invalid = invalidValues(type, record, properties);
        if (invalid) return problem(res, 400, 'VALIDATION_ERROR', invalid);
        change(type, record, properties);
        return send(res, 200, present(record, null, type, []));
      }
      if (req.method === 'DELETE') {
        record.archived = true;
        record.updatedAt = stamp();
        emit(type, record, type === 'contacts' ? 'contact.deletion' : 'object.deletion');
        return send(res, 204);
      }
    }
    return problem(res, 404, 'NOT_FOUND', `No route for ${req.method} ${path}`);
  }

  /** Work to run before the next request is answered, once: what happens meanwhile in Baton. */
  let beforeNextAnswer: (() => Promise<void>) | null = null;
  const server = createServer((req, res) => {
    const first = beforeNextAnswer;
    beforeNextAnswer = null;
    (first ? first() : Promise.resolve())
      .then(() => handle(req, res))
      .catch((error: unknown) =>
        problem(res, 500, 'INTERNAL_ERROR', error instanceof Error ? error.message : String(error)),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    counts,
    /** Adds an owner (a HubSpot user who can own records). */
    addOwner(owner: Omit<FakeOwner, 'id'>): FakeOwner {
      const added = { id: String(nextId++), ...owner };
      owners.push(added);
      return added;
    },
    /** Adds a record as a person in HubSpot would, with its associations. */
    create(
      type: string,
      properties: Record<string, string | null>,
      associations: Record<string, string[]> = {},
    ) {
      const record = put(type, properties);
      for (const [other, ids] of Object.entries(associations))
        for (const id of ids) associate(type, record.id, other, id);
      return record;
    },
    /** Changes a record as a person in HubSpot would. */
    update(type: string, id: string, properties: Record<string, string | null>) {
      const record = table(type).get(id);
      if (!record) throw new Error(`no ${type} ${id}`);
      change(type, record, properties);
      return record;
    },
    get: (type: string, id: string) => table(type).get(id) ?? null,
    all: (type: string) => [...table(type).values()].filter((r) => !r.archived),
    findBy(type: string, property: string, value: string) {
      return (
        this.all(type).find((r) => r.properties[property]?.toLowerCase() === value.toLowerCase()) ?? null
      );
    },
    /** Deletes (archives) a record as a person in HubSpot would; a deletion event goes out. */
    archive(type: string, id: string) {
      const record = table(type).get(id);
      if (!record) throw new Error(`no ${type} ${id}`);
      record.archived = true;
      record.updatedAt = stamp();
      emit(type, record, type === 'contacts' ? 'contact.deletion' : 'object.deletion');
    },
    /** Merges `mergedId` into `primaryId` as a person in HubSpot would. */
    merge(type: string, primaryId: string, mergedId: string) {
      if (!merge(type, primaryId, mergedId)) throw new Error(`cannot merge ${type} ${mergedId}`);
    },
    /** The portal's admin makes a property an enumeration of these options (its type changed). */
    setPropertyOptions(type: string, name: string, allowed: string[]) {
      propertyOptions.set(`${type}.${name}`, allowed);
    },
    /** Runs `work` before the next request is answered (a change made in Baton while it syncs). */
    beforeNextAnswer(work: () => Promise<void>) {
      beforeNextAnswer = work;
    },
    /** Makes the next created record but drops the connection before answering. */
    dropNextCreate() {
      dropNextCreate = true;
    },
    /** The next n requests are answered 429 with Retry-After (seconds). */
    storm(n: number, retryAfterSeconds = 1) {
      stormLeft = n;
      stormRetryAfter = retryAfterSeconds;
    },
    /**
     * Sends webhooks (v3 signatures) to the app's target URL, signed with the app's secret;
     * `deliverTo` is where that address leads here (a proxy in front of Baton).
     */
    subscribe(targetUrl: string, appSecret: string, deliverTo = targetUrl) {
      webhook.url = deliverTo;
      webhook.signedAs = targetUrl;
      webhook.secret = appSecret;
    },
    /** The portal's budgets from now on (a bench reads unthrottled first, then as a portal would). */
    setLimits(tenSeconds: number, searchesPerSecond: number) {
      tenSecondLimit = tenSeconds;
      searchPerSecond = searchesPerSecond;
      recent.length = 0;
      recentSearches.length = 0;
    },
    /** The portal's admin revokes the private app's token, and uninstalls the OAuth app. */
    revokeToken() {
      token = `revoked-${nextId++}`;
      oauth.revoke();
    },
    /** The OAuth app and its counts (codes exchanged, tokens refreshed). */
    oauth,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type HubSpotFake = Awaited<ReturnType<typeof startHubSpotFake>>;
