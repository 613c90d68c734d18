import { AsyncLocalStorage } from 'node:async_hooks';

/** Where the request being served comes from: what the audit log records as "from where". */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

const storage = new AsyncLocalStorage<RequestOrigin>();

/** Runs `work` (a request's whole handling) with its origin available to whatever it calls. */
export function withRequestOrigin<T>(origin: RequestOrigin, work: () => T): T {
  return storage.run(origin, work);
}

/** The origin of the request being served; null outside a request (the CLI, background work). */
export function currentRequestOrigin(): RequestOrigin | null {
  return storage.getStore() ?? null;
}
