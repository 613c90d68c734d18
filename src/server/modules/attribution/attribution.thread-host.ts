import type { Worker } from 'node:worker_threads';
import { startThread } from '../../platform/threads.ts';
import type { DatabaseOptions } from '../../db/database.ts';
import type { AttributionHelper } from './attribution.service.ts';
import type { Journey } from '../../../domain/attribution/journeys.ts';
import type { JourneysInput, LiveInput, TallyData } from './attribution.tally.ts';
import type { DealRange } from './attribution.repository.ts';

export type ToThread =
  | { type: 'tally'; id: number; input: LiveInput & { range: DealRange } }
  | { type: 'journeys'; id: number; input: JourneysInput }
  | { type: 'stop' };
export type FromThread =
  | { type: 'ready' }
  | { type: 'stopped' }
  | { type: 'done'; id: number; data: unknown }
  | { type: 'error'; id: number; message: string };

/**
 * Starts the attribution helper: a worker thread with its own connection to the store, so a large
 * report is credited on two cores. If the thread dies, the requests it held fail (the service then
 * credits that half itself) and it is started again.
 */
export function startAttributionThread(
  store: DatabaseOptions,
  log: { error(message: string): void },
  options: { minDeals?: number } = {},
): AttributionHelper & { ready: Promise<void>; stop(): Promise<void> } {
  let worker: Worker;
  let ready!: Promise<void>;
  let stopping = false;
  let stopped: (() => void) | undefined;
  let nextId = 0;
  const waiting = new Map<number, { resolve(data: unknown): void; reject(error: Error): void }>();

  const spawn = () => {
    worker = startThread('attribution', { store });
    ready = new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (message: FromThread) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'stopped') stopped?.();
        else {
          const request = waiting.get(message.id);
          waiting.delete(message.id);
          if (message.type === 'done') request?.resolve(message.data);
          else request?.reject(new Error(message.message));
        }
      });
    });
    ready.catch(() => undefined);
    worker.on('error', (error) => log.error(`attribution thread failed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => {
      stopped?.();
      for (const request of waiting.values())
        request.reject(new Error(`attribution thread exited (${code})`));
      waiting.clear();
      if (!stopping) spawn();
    });
  };
  spawn();

  const ask = async <T>(message: Exclude<ToThread, { type: 'stop' }>): Promise<T> => {
    await ready;
    return new Promise<T>((resolve, reject) => {
      waiting.set(message.id, { resolve: (data) => resolve(data as T), reject });
      worker.postMessage(message);
    });
  };

  return {
    // A small report is quick on one thread; handing half of it to another pays off for thousands.
    minDeals: options.minDeals ?? 5000,
    get ready() {
      return ready;
    },
    tally: (input) => ask<TallyData>({ type: 'tally', id: nextId++, input }),
    journeys: (input) => ask<Journey[]>({ type: 'journeys', id: nextId++, input }),
    async stop() {
      stopping = true;
      const done = new Promise<void>((resolve) => (stopped = resolve));
      worker.postMessage({ type: 'stop' } satisfies ToThread);
      const timeout = setTimeout(() => void worker.terminate(), 10_000);
      await done;
      clearTimeout(timeout);
    },
  };
}
