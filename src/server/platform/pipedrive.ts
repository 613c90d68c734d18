import { commonJsExports } from './common-js.ts';
import { CrmError, type CrmFailure, type CrmOwner } from './hubspot.ts';
import { rollingWindow } from './rolling-window.ts';

/*
 * Pipedrive through its official client (`pipedrive`: API v2 for records, stages and fields, v1 for
 * users), as the connector needs it. The client answers an error with its body only; this adapter
 * keeps the status and headers instead (so Retry-After is read), keeps each connection within its
 * share of the token's 2-second burst limit, and on a 429 waits what Retry-After says and tries
 * again. A wait longer than a minute is the day's token budget spent: the sync stops and goes on
 * from its cursors once Pipedrive lets it.
 */

export type PipedriveType = 'persons' | 'organizations' | 'deals' | 'activities';
export type PipedriveRecord = Record<string, unknown> & { id: number; update_time: string };

export interface PipedriveAccount {
  /** An API token, or (OAuth 2) where the current access token comes from, refreshed as it expires. */
  token: string | (() => Promise<string>);
  /** The API's address without the version: https://api.pipedrive.com, or a test's. */
  baseUrl: string;
  /** Requests per 2 seconds this connection may use of the token's burst limit. */
  twoSecondBudget: number;
  maxTries: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface PipedriveApi {
  users(): Promise<CrmOwner[]>;
  list(
    type: PipedriveType,
    query: {
      cursor: string | null;
      limit: number;
      sortBy: 'id' | 'update_time';
      updatedSince: string | null;
    },
  ): Promise<{ items: PipedriveRecord[]; next: string | null }>;
  get(type: PipedriveType, id: string): Promise<PipedriveRecord | null>;
  stages(): Promise<{ id: string; name: string; probability: number }[]>;
  personFields(): Promise<{ code: string; name: string }[]>;
  addPersonField(name: string): Promise<string>;
  addPerson(fields: Record<string, unknown>): Promise<string>;
  updatePerson(id: string, fields: Record<string, unknown>): Promise<void>;
  addNote(personId: string, content: string): Promise<string>;
  addDeal(fields: Record<string, unknown>): Promise<string>;
  /** Makes an activity (a task); not sent again after an answer that never came. */
  addActivity(fields: Record<string, unknown>): Promise<string>;
  activitiesOf(personId: string): Promise<PipedriveRecord[]>;
  dealsOf(personId: string): Promise<PipedriveRecord[]>;
  notesOf(personId: string): Promise<{ id: string; content: string }[]>;
  stats: { calls: number; waits: number; waitedMs: number };
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** A 429 asking for longer than this is the daily budget, not the burst window. */
const longestWait = 60_000;

interface AxiosLikeError {
  response?: { status: number; data?: { error?: string }; headers?: Record<string, string> };
  message?: string;
}

const failureOf = (code: number): CrmFailure =>
  code === 401 || code === 403
    ? 'auth'
    : code === 404 || code === 410
      ? 'not_found'
      : code === 409
        ? 'conflict'
        : code === 429
          ? 'rate_limited'
          : code >= 400 && code < 500
            ? 'invalid'
            : 'unavailable';

/** The client's APIs answer the body, and errors with their status and headers kept. */
function keepErrors<T extends object>(api: T): T {
  const axios = (
    api as unknown as {
      axios: {
        interceptors: {
          response: { clear(): void; use(ok: (r: unknown) => unknown, no: (e: unknown) => unknown): void };
        };
      };
    }
  ).axios;
  axios.interceptors.response.clear();
  axios.interceptors.response.use(
    (response) => (response as { data?: unknown }).data ?? response,
    (error) => Promise.reject(error instanceof Error ? error : new Error(String(error))),
  );
  return api;
}

/** The official client's APIs over one address and credential, with Baton's error handling. */
async function clientsOf(base: string, auth: { apiKey: string } | { accessToken: () => Promise<string> }) {
  const { v1, v2 } = commonJsExports(await import('pipedrive'));
  const config2 = new v2.Configuration({ ...auth, basePath: `${base}/api/v2` });
  const config1 = new v1.Configuration({ ...auth, basePath: `${base}/v1` });
  const persons = keepErrors(new v2.PersonsApi(config2));
  const organizations = keepErrors(new v2.OrganizationsApi(config2));
  const deals = keepErrors(new v2.DealsApi(config2));
  const activities = keepErrors(new v2.ActivitiesApi(config2));
  return {
    persons,
    organizations,
    deals,
    activities,
    stages: keepErrors(new v2.StagesApi(config2)),
    fields: keepErrors(new v2.PersonFieldsApi(config2)),
    users: keepErrors(new v1.UsersApi(config1)),
    notes: keepErrors(new v1.NotesApi(config1)),
    byType: {
      persons: (q: object) => persons.getPersons(q),
      organizations: (q: object) => organizations.getOrganizations(q),
      deals: (q: object) => deals.getDeals(q),
      activities: (q: object) => activities.getActivities(q),
    },
    oneOf: {
      persons: (id: number) => persons.getPerson({ id }),
      organizations: (id: number) => organizations.getOrganization({ id }),
      deals: (id: number) => deals.getDeal({ id }),
      activities: (id: number) => activities.getActivity({ id }),
    },
  };
}
type Clients = Awaited<ReturnType<typeof clientsOf>>;

export function connectPipedrive(account: PipedriveAccount): PipedriveApi {
  const base = account.baseUrl.replace(/\/$/, '');
  const { token } = account;
  const auth = typeof token === 'string' ? { apiKey: token } : { accessToken: () => token() };
  // The client (2 MB of code) is loaded at the first call, not with every start of Baton.
  let loading: Promise<Clients> | undefined;
  const clients = () => (loading ??= clientsOf(base, auth));
  const sleep = account.sleep ?? realSleep;
  const budget = rollingWindow(account.twoSecondBudget, 2000, sleep);
  const stats = { calls: 0, waits: 0, waitedMs: 0 };

  /** A call within the budget, through 429s; a create (`once`) is not sent again after an answer that never came. */
  async function call<T>(work: (api: Clients) => Promise<unknown>, once = false): Promise<T> {
    const api = await clients();
    for (let attempt = 1; ; attempt++) {
      await budget();
      stats.calls += 1;
      try {
        return (await work(api)) as T;
      } catch (error) {
        // A refresh of the access token the CRM refused: already in Baton's terms.
        if (error instanceof CrmError) throw error;
        const e = error as AxiosLikeError;
        const code = e.response?.status ?? 0;
        const message = e.response?.data?.error ?? e.message ?? String(error);
        if (code === 0 || code >= 500) {
          if (once || attempt >= account.maxTries) throw new CrmError('unavailable', message);
          await sleep(200 * attempt);
          continue;
        }
        if (code === 429) {
          const retryAfter = Number(e.response?.headers?.['retry-after']);
          const wait = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : 2000;
          if (wait <= longestWait && attempt < account.maxTries) {
            stats.waits += 1;
            stats.waitedMs += wait;
            await sleep(wait);
            continue;
          }
          throw new CrmError(
            'rate_limited',
            wait > longestWait
              ? `${message} (the day's token budget; resets in ${Math.round(wait / 60_000)} min)`
              : message,
          );
        }
        throw new CrmError(failureOf(code), message);
      }
    }
  }

  type Page = { data?: PipedriveRecord[]; additional_data?: { next_cursor?: string | null } };

  return {
    stats,
    async users() {
      const answer = await call<{
        data?: { id: number; email: string; name?: string; active_flag?: boolean }[];
      }>((api) => api.users.getUsers());
      return (answer.data ?? [])
        .filter((u) => u.active_flag !== false && u.email)
        .map((u) => ({ id: String(u.id), email: u.email, firstName: u.name ?? null, lastName: null }));
    },
    async list(type, query) {
      const page = await call<Page>((api) =>
        api.byType[type]({
          limit: query.limit,
          sort_by: query.sortBy,
          sort_direction: 'asc',
          ...(query.cursor && { cursor: query.cursor }),
          ...(query.updatedSince && { updated_since: query.updatedSince }),
        }),
      );
      return { items: page.data ?? [], next: page.additional_data?.next_cursor ?? null };
    },
    async get(type, id) {
      try {
        return (await call<{ data: PipedriveRecord }>((api) => api.oneOf[type](Number(id)))).data;
      } catch (error) {
        if (error instanceof CrmError && error.failure === 'not_found') return null;
        throw error;
      }
    },
    async stages() {
      const answer = await call<{ data?: { id: number; name: string; deal_probability?: number }[] }>((api) =>
        api.stages.getStages(),
      );
      return (answer.data ?? []).map((s) => ({
        id: String(s.id),
        name: s.name,
        probability: (s.deal_probability ?? 0) / 100,
      }));
    },
    async personFields() {
      const answer = await call<{ data?: { field_code: string; field_name: string }[] }>((api) =>
        api.fields.getPersonFields(),
      );
      return (answer.data ?? []).map((f) => ({ code: f.field_code, name: f.field_name }));
    },
    async addPersonField(name) {
      const answer = await call<{ data: { field_code: string } }>((api) =>
        api.fields.addPersonField({
          AddPersonFieldRequest: { field_name: name, field_type: 'varchar' } as never,
        }),
      );
      return answer.data.field_code;
    },
    async addPerson(body) {
      const answer = await call<{ data: { id: number } }>((api) =>
        api.persons.addPerson({ AddPersonRequest: body }),
      );
      return String(answer.data.id);
    },
    async addNote(personId, content) {
      const answer = await call<{ data: { id: number } }>(
        (api) => api.notes.addNote({ AddNoteRequest: { content, person_id: Number(personId) } }),
        true,
      );
      return String(answer.data.id);
    },
    async addDeal(body) {
      const answer = await call<{ data: { id: number } }>(
        (api) => api.deals.addDeal({ AddDealRequest: body as never }),
        true,
      );
      return String(answer.data.id);
    },
    async addActivity(body) {
      const answer = await call<{ data: { id: number } }>(
        (api) => api.activities.addActivity({ AddActivityRequest: body }),
        true,
      );
      return String(answer.data.id);
    },
    async activitiesOf(personId) {
      const page = await call<Page>((api) =>
        api.activities.getActivities({ person_id: Number(personId), limit: 500 }),
      );
      return page.data ?? [];
    },
    async dealsOf(personId) {
      const page = await call<Page>((api) => api.deals.getDeals({ person_id: Number(personId), limit: 500 }));
      return page.data ?? [];
    },
    async notesOf(personId) {
      const answer = await call<{ data?: { id: number; content: string }[] | null }>((api) =>
        api.notes.getNotes({ person_id: Number(personId), limit: 500 }),
      );
      return (answer.data ?? []).map((n) => ({ id: String(n.id), content: n.content }));
    },
    async updatePerson(id, body) {
      await call((api) => api.persons.updatePerson({ id: Number(id), UpdatePersonRequest: body }));
    },
  };
}
