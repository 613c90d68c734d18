import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { startThread } from '../../platform/threads.ts';
import type { DatabaseOptions } from '../../db/database.ts';
import type { DomainEvent, EventBus } from '../../platform/event-bus.ts';
import type { ScoringWorker } from './scoring.worker.ts';

export type ToThread = { type: 'wake' } | { type: 'stop' };
export type FromThread =
  | { type: 'ready' }
  | { type: 'stopped' }
  | { type: 'event'; event: DomainEvent }
  | { type: 'error'; message: string };

const wakeEveryMs = 100;

/**
 * Runs the scorer in a worker thread with its own connection to the store. New touches wake it
 * (at most every 100 ms: a batch announces a thousand); what it announces is published on this
 * thread's bus. If the thread dies it is started again: its work is in the database, not in memory.
 */
export function startScoringThread(
  store: DatabaseOptions,
  bus: EventBus,
  log: { error(message: string): void },
): ScoringWorker & { ready: Promise<void> } {
  let stopping = false;
  let worker: Worker;
  let lastWake = -Infinity;
  let ready!: Promise<void>;
  let stopped: (() => void) | undefined;

  const spawn = () => {
    worker = startThread('scoring', { store });
    ready = new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (message: FromThread) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'event') bus.publish([message.event]);
        else if (message.type === 'error') log.error(`scoring: ${message.message}`);
        else stopped?.();
      });
    });
    // Failures are logged below; whoever awaits `ready` sees them too.
    ready.catch(() => undefined);
    worker.on('error', (error) => log.error(`scoring thread failed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => {
      stopped?.();
      if (!stopping) {
        log.error(`scoring thread exited (${code}); starting it again`);
        spawn();
      }
    });
  };
  spawn();

  const wake = () => {
    const now = performance.now();
    if (now - lastWake < wakeEveryMs) return;
    lastWake = now;
    worker.postMessage({ type: 'wake' } satisfies ToThread);
  };
  const unsubscribe = [bus.subscribe('touch.recorded', wake), bus.subscribe('contact.created', wake)];

  return {
    get ready() {
      return ready;
    },
    wake,
    async stop() {
      stopping = true;
      for (const off of unsubscribe) off();
      const done = new Promise<void>((resolve) => (stopped = resolve));
      worker.postMessage({ type: 'stop' } satisfies ToThread);
      const timeout = setTimeout(() => void worker.terminate(), 10_000);
      await done;
      clearTimeout(timeout);
    },
  };
}
