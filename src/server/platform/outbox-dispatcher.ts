import type { EventBus } from './event-bus.ts';

export interface OutboxDispatcher {
  /** Look for due messages now rather than at the next interval. */
  wake(): void;
  /** Stops after the messages in hand; resolves when it has. */
  stop(): Promise<void>;
}

/**
 * Sends the outbox in the background: whenever messages are queued in this process, and every
 * `intervalMs` for messages queued elsewhere (another Baton instance, the scoring thread) or due
 * for another attempt. `sendDue` leases what it takes, so several dispatchers on one database
 * never send the same message twice while each holds its lease.
 */
export function startOutboxDispatcher(
  sendDue: () => Promise<number>,
  bus: EventBus,
  options: { intervalMs: number; batch: number; onError: (error: unknown) => void },
): OutboxDispatcher {
  let stopped = false;
  let wake: (() => void) | undefined;
  let pending = false;
  const poke = () => {
    pending = true;
    wake?.();
  };
  const unsubscribe = bus.subscribe('outbox.queued', poke);

  const rest = (ms: number) =>
    new Promise<void>((resolve) => {
      if (pending || stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const loop = (async () => {
    while (!stopped) {
      pending = false;
      let handled = 0;
      try {
        handled = await sendDue();
      } catch (error) {
        options.onError(error);
      }
      // A full batch means there may be more waiting: go on at once.
      if (handled < options.batch) await rest(options.intervalMs);
    }
  })();

  return {
    wake: poke,
    async stop() {
      stopped = true;
      unsubscribe();
      wake?.();
      await loop;
    },
  };
}
