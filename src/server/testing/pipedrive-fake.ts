import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../platform/clock.ts';
import { createOAuthServer, type OAuthApp } from './oauth-fake.ts';

/*
 * A local Pipedrive, written from Pipedrive's public API reference (developers.pipedrive.com/docs/api)
 * for the connector's tests: the official client (`pipedrive`, API v2 and v1) talks to it as it
 * would to api.pipedrive.com. Where a behaviour is documented, the fake does it:
 *
 * - An API token in the `x-api-token` header (or `api_token` in the query); 401 otherwise.
 * - API v2 lists of persons, organizations, deals and activities: `limit` up to 500 (100 by
 *   default), cursor paging (`additional_data.next_cursor`), `updated_since` / `updated_until`
 *   (RFC 3339, inclusive since), `sort_by` id, update_time or add_time, `sort_direction`. Each
 *   record's `update_time` moves on each change; times are RFC 3339 in UTC, to the second.
 * - Notes (`/v1/notes`: POST on a person, GET by `person_id`).
 * - API v2 read by id, PATCH persons and POST persons; person fields (`/api/v2/personFields`), a
 *   custom field's value under `custom_fields[field_code]`; stages (`/api/v2/stages`, with
 *   `deal_probability`); users (`/v1/users`).
 * - A deal's outcome is its `status` (open, won, lost), not its stage.
 * - Rate limits: a burst limit of requests per 2-second window per token (429 with
 *   `x-ratelimit-limit`, `x-ratelimit-remaining`, `x-ratelimit-reset` and Retry-After), and a daily
 *   token budget that each request spends by its cost (a v2 list 10, a v2 read 1, a write 5, a v1
 *   list 20); past it, 429 until midnight UTC. `storm(n)` answers the next n requests 429.
 * - Webhooks v2: `{meta: {action, entity, entity_id, version: '2.0', ...}, data, previous}` POSTed
 *   to the subscription URL with the HTTP Basic credentials the webhook was made with (Pipedrive
 *   does not sign its webhooks).
 */

type Entity = 'persons' | 'organizations' | 'deals' | 'activities';
export type PipedriveRecord = Record<string, unknown> & { id: number; update_time: string; add_time: string };

export interface PipedriveFakeOptions {
  token?: string;
  /** The OAuth app Baton may be connected through (a Marketplace app's client id and secret). */
  oauthApp?: OAuthApp;
  clock?: Clock;
  /** Requests per 2-second window (Advanced plan, API token: 40). */
  burstLimit?: number;
  /** Tokens a day (30,000 × plan multiplier × seats). */
  dailyBudget?: number;
}

const entityOf: Record<Entity, string> = {
  persons: 'person',
  organizations: 'organization',
  deals: 'deal',
  activities: 'activity',
};

/** Pipedrive's default pipeline. */
const defaultStages = [
  { id: 1, name: 'Qualified', deal_probability: 10 },
  { id: 2, name: 'Contact Made', deal_probability: 20 },
  { id: 3, name: 'Demo Scheduled', deal_probability: 50 },
  { id: 4, name: 'Proposal Made', deal_probability: 70 },
  { id: 5, name: 'Negotiations Started', deal_probability: 90 },
];

export async function startPipedriveFake(options: PipedriveFakeOptions = {}) {
  let token = options.token ?? 'pd-api-token-1234';
  const clock = options.clock ?? systemClock;
  // Pipedrive's access tokens live an hour; the token answer names the company's API address.
  const oauth = createOAuthServer({
    clock,
    lifetimeSeconds: 3599,
    ...(options.oauthApp && { app: options.oauthApp }),
  });
  let burstLimit = options.burstLimit ?? 40;
  let dailyBudget = options.dailyBudget ?? 30_000 * 3 * 5;
  const tables: Record<Entity, Map<number, PipedriveRecord>> = {
    persons: new Map(),
    organizations: new Map(),
    deals: new Map(),
    activities: new Map(),
  };
  const notes: { id: number; content: string; person_id: number; add_time: string; update_time: string }[] =
    [];
  const users: { id: number; name: string; email: string; active_flag: boolean; is_admin: boolean }[] = [];
  const personFields: {
    field_code: string;
    field_name: string;
    field_type: string;
    is_custom_field: boolean;
  }[] = [
    { field_code: 'name', field_name: 'Name', field_type: 'varchar', is_custom_field: false },
    { field_code: 'owner_id', field_name: 'Owner', field_type: 'user', is_custom_field: false },
  ];
  let nextId = 1;
  let lastStamp = 0;
  const recent: number[] = [];
  let spentToday = 0;
  let day = '';
  let stormLeft = 0;
  /** The next note is made, and its answer lost (the connection drops). */
  let dropNextCreate = false;
  let stormRetryAfter = 1;
  const webhook: { url: string | null; user: string; password: string } = {
    url: null,
    user: '',
    password: '',
  };
  const counts = { requests: 0, limited: 0, lists: 0, tokens: 0 };

  /** Update times strictly increase (to the second, as Pipedrive's do, and then by a second). */
  const stamp = () => {
    lastStamp = Math.max(lastStamp + 1000, Math.floor(clock.now().getTime() / 1000) * 1000);
    return new Date(lastStamp).toISOString().replace('.000Z', 'Z');
  };

  const emit = (
    type: Entity,
    action: 'create' | 'change' | 'delete',
    record: PipedriveRecord,
    previous: unknown,
  ) => {
    if (!webhook.url) return;
    const body = JSON.stringify({
      meta: {
        action,
        entity: entityOf[type],
        entity_id: String(record.id),
        id: String(record.id),
        company_id: '4711',
        user_id: '1',
        version: '2.0',
        timestamp: record.update_time,
        change_source: 'app',
        attempt: 1,
        host: 'nordwind.pipedrive.com',
        webhook_id: '99',
      },
      data: action === 'delete' ? null : record,
      previous,
    });
    const auth = Buffer.from(`${webhook.user}:${webhook.password}`).toString('base64');
    setImmediate(
      () =>
        void fetch(webhook.url!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Basic ${auth}` },
          body,
        }).catch(() => undefined),
    );
  };

  const put = (type: Entity, fields: Record<string, unknown>): PipedriveRecord => {
    const at = stamp();
    const record = {
      custom_fields: {},
      ...fields,
      id: nextId++,
      add_time: at,
      update_time: at,
    } as PipedriveRecord;
    tables[type].set(record.id, record);
    emit(type, 'create', record, null);
    return record;
  };

  const change = (type: Entity, record: PipedriveRecord, fields: Record<string, unknown>) => {
    const previous = Object.fromEntries(Object.keys(fields).map((k) => [k, record[k] ?? null]));
    const { custom_fields, ...rest } = fields as { custom_fields?: Record<string, unknown> };
    Object.assign(record, rest);
    if (custom_fields)
      record.custom_fields = { ...(record.custom_fields as Record<string, unknown>), ...custom_fields };
    record.update_time = stamp();
    emit(type, 'change', record, previous);
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, error: string, headers: Record<string, string> = {}) =>
    send(res, status, { success: false, error, errorCode: status }, headers);

  const costOf = (method: string, path: string) =>
    method !== 'GET' ? 5 : path.startsWith('/v1/') ? 20 : /\/\d+$/.test(path) ? 1 : 10;

  const limited = (res: ServerResponse, cost: number): boolean => {
    if (stormLeft > 0) {
      stormLeft -= 1;
      counts.limited += 1;
      fail(res, 429, 'Request over limit', { 'retry-after': String(stormRetryAfter) });
      return true;
    }
    // Budgets run in real time, whatever the tests' clock says.
    const now = performance.now();
    while (recent.length > 0 && recent[0]! <= now - 2000) recent.shift();
    const today = clock.now().toISOString().slice(0, 10);
    if (today !== day) {
      day = today;
      spentToday = 0;
    }
    const headers = {
      'x-ratelimit-limit': String(burstLimit),
      'x-ratelimit-remaining': String(Math.max(0, burstLimit - recent.length - 1)),
      'x-ratelimit-reset': '2',
    };
    if (spentToday + cost > dailyBudget) {
      counts.limited += 1;
      const midnight = Date.parse(`${today}T00:00:00Z`) + 86_400_000;
      fail(res, 429, 'Daily API token budget exceeded', {
        ...headers,
        'retry-after': String(Math.ceil((midnight - clock.now().getTime()) / 1000)),
      });
      return true;
    }
    if (recent.length >= burstLimit) {
      counts.limited += 1;
      fail(res, 429, 'Request over limit', { ...headers, 'retry-after': '2' });
      return true;
    }
    recent.push(now);
    spentToday += cost;
    counts.tokens += cost;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    return false;
  };

  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  const encodeCursor = (key: string | number, id: number) =>
    Buffer.from(JSON.stringify([key, id])).toString('base64url');
  const decodeCursor = (cursor: string): [string | number, number] | null => {
    try {
      return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string | number, number];
    } catch {
      return null;
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    counts.requests += 1;
    if (
      await oauth.handle(
        req,
        res,
        { authorize: '/oauth/authorize', token: '/oauth/token' },
        'basic',
        (error, message) => ({
          success: false,
          error,
          message,
        }),
      )
    )
      return;
    const url = new URL(req.url ?? '/', 'http://fake');
    const given = req.headers['x-api-token'] ?? url.searchParams.get('api_token');
    const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (given !== token && !oauth.isValid(bearer)) return fail(res, 401, 'unauthorized access');
    const path = url.pathname.replace(/\/$/, '');
    const method = req.method ?? 'GET';
    if (limited(res, costOf(method, path))) return;
    const body = await readBody(req);

    if (path === '/v1/notes' && method === 'POST') {
      const person = tables.persons.get(Number(body.person_id));
      if (typeof body.content !== 'string' || body.content === '')
        return fail(res, 400, 'content is required');
      if (!person) return fail(res, 400, 'a note needs a person, organization, deal or lead');
      const at = stamp();
      const note = {
        id: nextId++,
        content: body.content,
        person_id: person.id,
        add_time: at,
        update_time: at,
      };
      notes.push(note);
      if (dropNextCreate) {
        dropNextCreate = false;
        return res.socket?.destroy();
      }
      return send(res, 201, { success: true, data: note });
    }
    if (path === '/v1/notes' && method === 'GET') {
      const person = Number(url.searchParams.get('person_id'));
      return send(res, 200, {
        success: true,
        data: notes.filter((n) => !person || n.person_id === person),
        additional_data: { pagination: { start: 0, limit: 500, more_items_in_collection: false } },
      });
    }
    if (method === 'GET' && path === '/v1/users') return send(res, 200, { success: true, data: users });
    if (method === 'GET' && path === '/api/v2/stages')
      return send(res, 200, {
        success: true,
        data: defaultStages.map((s, i) => ({
          ...s,
          pipeline_id: 1,
          order_nr: i + 1,
          is_deleted: false,
          deal_probability: s.deal_probability,
          add_time: '2025-01-01T00:00:00Z',
          update_time: '2025-01-01T00:00:00Z',
        })),
        additional_data: { next_cursor: null },
      });
    if (path === '/api/v2/personFields') {
      if (method === 'GET')
        return send(res, 200, { success: true, data: personFields, additional_data: { next_cursor: null } });
      if (method === 'POST') {
        const name = typeof body.field_name === 'string' ? body.field_name : '';
        if (!name) return fail(res, 400, 'field_name is required');
        const field = {
          field_code: `${Array.from({ length: 40 }, (_, i) => ((nextId * 7 + i) % 16).toString(16)).join('')}`,
          field_name: name,
          field_type: typeof body.field_type === 'string' ? body.field_type : 'varchar',
          is_custom_field: true,
        };
        nextId += 1;
        personFields.push(field);
        return send(res, 200, { success: true, data: field });
      }
    }

    const list = /^\/api\/v2\/(persons|organizations|deals|activities)$/.exec(path);
    if (list && method === 'GET') {
      counts.lists += 1;
      const type = list[1] as Entity;
      const limit = Number(url.searchParams.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        return fail(res, 400, 'limit must be between 1 and 500');
      const sortBy = url.searchParams.get('sort_by') ?? 'id';
      if (!['id', 'update_time', 'add_time'].includes(sortBy)) return fail(res, 400, 'invalid sort_by');
      const descending = url.searchParams.get('sort_direction') === 'desc';
      const personId = url.searchParams.get('person_id');
      const since = url.searchParams.get('updated_since');
      const until = url.searchParams.get('updated_until');
      if ((since && Number.isNaN(Date.parse(since))) || (until && Number.isNaN(Date.parse(until))))
        return fail(res, 400, 'updated_since and updated_until must be RFC 3339 times');
      const keyOf = (r: PipedriveRecord) => (sortBy === 'id' ? r.id : Date.parse(r[sortBy] as string));
      const compare = (a: [number, number], b: [number, number]) =>
        (a[0] - b[0] || a[1] - b[1]) * (descending ? -1 : 1);
      const cursorText = url.searchParams.get('cursor');
      const cursor = cursorText ? decodeCursor(cursorText) : null;
      if (cursorText && !cursor) return fail(res, 400, 'invalid cursor');
      const found = [...tables[type].values()]
        .filter(
          (r) =>
            !r.is_deleted &&
            (!personId || r.person_id === Number(personId)) &&
            (!since || Date.parse(r.update_time) >= Date.parse(since)) &&
            (!until || Date.parse(r.update_time) < Date.parse(until)),
        )
        .map((r) => ({ r, key: [keyOf(r), r.id] as [number, number] }))
        .filter((x) => !cursor || compare(x.key, [Number(cursor[0]), cursor[1]]) > 0)
        .sort((a, b) => compare(a.key, b.key));
      const page = found.slice(0, limit);
      const last = page.at(-1);
      return send(res, 200, {
        success: true,
        data: page.map((x) => x.r),
        additional_data: {
          next_cursor: found.length > limit && last ? encodeCursor(last.key[0], last.r.id) : null,
        },
      });
    }

    const one = /^\/api\/v2\/(persons|organizations|deals|activities)\/(\d+)$/.exec(path);
    if (one) {
      const type = one[1] as Entity;
      const record = tables[type].get(Number(one[2]));
      if (!record || record.is_deleted) return fail(res, 404, `${entityOf[type]} not found`);
      if (method === 'GET') return send(res, 200, { success: true, data: record });
      if (method === 'PATCH') {
        change(type, record, body);
        return send(res, 200, { success: true, data: record });
      }
    }
    if (method === 'POST' && path === '/api/v2/deals') {
      if (typeof body.title !== 'string' || body.title === '') return fail(res, 400, 'title is required');
      const deal = put('deals', { status: 'open', currency: 'EUR', pipeline_id: 1, stage_id: 1, ...body });
      if (dropNextCreate) {
        dropNextCreate = false;
        return res.socket?.destroy();
      }
      return send(res, 200, { success: true, data: deal });
    }
    if (method === 'POST' && path === '/api/v2/activities') {
      if (typeof body.subject !== 'string' || body.subject === '')
        return fail(res, 400, 'subject is required');
      if (body.owner_id !== undefined && !users.some((u) => u.id === body.owner_id))
        return fail(res, 400, 'owner_id is not a user of this company');
      const activity = put('activities', { done: false, type: 'task', ...body });
      if (dropNextCreate) {
        dropNextCreate = false;
        return res.socket?.destroy();
      }
      return send(res, 200, { success: true, data: activity });
    }
    if (method === 'POST' && path === '/api/v2/persons') {
      if (!body.name) return fail(res, 400, 'name is required');
      return send(res, 200, { success: true, data: put('persons', body) });
    }
    return fail(res, 404, `No route for ${method} ${path}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      fail(res, 500, error instanceof Error ? error.message : String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  oauth.extras.api_domain = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get token() {
      return token;
    },
    counts,
    addUser(user: { name: string; email: string }) {
      const added = { id: nextId++, ...user, active_flag: true, is_admin: false };
      users.push(added);
      return added;
    },
    /** Adds a record as a person in Pipedrive would. */
    create(type: Entity, fields: Record<string, unknown>) {
      return put(type, fields);
    },
    /** Changes a record as a person in Pipedrive would. */
    update(type: Entity, id: number, fields: Record<string, unknown>) {
      const record = tables[type].get(id);
      if (!record) throw new Error(`no ${type} ${id}`);
      change(type, record, fields);
      return record;
    },
    /** Deletes a record as a person in Pipedrive would (a merge deletes the merged one too). */
    remove(type: Entity, id: number) {
      const record = tables[type].get(id);
      if (!record) throw new Error(`no ${type} ${id}`);
      record.is_deleted = true;
      record.update_time = stamp();
      emit(type, 'delete', record, null);
    },
    get: (type: Entity, id: number) => tables[type].get(id) ?? null,
    all: (type: Entity) => [...tables[type].values()].filter((r) => !r.is_deleted),
    personByEmail(email: string) {
      return (
        this.all('persons').find((p) =>
          (p.emails as { value: string }[] | undefined)?.some(
            (e) => e.value.toLowerCase() === email.toLowerCase(),
          ),
        ) ?? null
      );
    },
    notesOf: (personId: number) => notes.filter((n) => n.person_id === personId),
    fieldCode(name: string) {
      return personFields.find((f) => f.field_name === name)?.field_code ?? null;
    },
    dropNextCreate() {
      dropNextCreate = true;
    },
    storm(n: number, retryAfterSeconds = 1) {
      stormLeft = n;
      stormRetryAfter = retryAfterSeconds;
    },
    setLimits(burst: number, daily: number) {
      burstLimit = burst;
      dailyBudget = daily;
      recent.length = 0;
    },
    /** A webhook v2 to `url`, with HTTP Basic credentials (what Pipedrive's webhook form asks for). */
    subscribe(url: string, user: string, password: string) {
      webhook.url = url;
      webhook.user = user;
      webhook.password = password;
    },
    revokeToken() {
      token = `revoked-${nextId++}`;
      oauth.revoke();
    },
    /** The OAuth app and its counts (codes exchanged, tokens refreshed). */
    get oauth() {
      return oauth;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type PipedriveFake = Awaited<ReturnType<typeof startPipedriveFake>>;
