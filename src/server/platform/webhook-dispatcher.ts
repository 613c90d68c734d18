import type { DomainEvent, EventBus } from './event-bus.ts';

export interface WebhookDispatcher {
  /** Look for work now rather than at the next interval. */
  wake(): void;
  /** Stops after the deliveries in hand; resolves when it has. */
  stop(): Promise<void>;
}

/**
 * Delivers webhooks in the background: fans queued messages out to the endpoints, then runs one
 * worker per endpoint with work due, so that a slow or failing endpoint holds up only itself. It
 * looks whenever a decision is announced in this process and every `intervalMs` for messages
 * queued elsewhere (another instance, the scoring thread) and retries coming due.
 */
export function startWebhookDispatcher(
  work: {
    /** Gives queued messages to the endpoints; returns how many it took (a full batch: go on). */
    fanOut: () => Promise<number>;
    dueEndpoints: () => Promise<string[]>;
    /** Sends one batch of an endpoint's due deliveries; returns how many (0: nothing left). */
    deliver: (endpointId: string) => Promise<number>;
  },
  bus: EventBus,
  options: {
    intervalMs: number;
    fanOutBatch: number;
    wakeOn: readonly DomainEvent['type'][];
    onError: (error: unknown) => void;
  },
): WebhookDispatcher {
  let stopped = false;
  let pending = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    pending = true;
    wake?.();
  };
  const unsubscribes = options.wakeOn.map((type) => bus.subscribe(type, poke));
  const running = new Map<string, Promise<void>>();

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

  const worker = (endpointId: string) =>
    (async () => {
      try {
        while (!stopped && (await work.deliver(endpointId)) > 0);
      } catch (error) {
        options.onError(error);
      } finally {
        running.delete(endpointId);
      }
    })();

  const loop = (async () => {
    while (!stopped) {
      pending = false;
      let fanned = 0;
      try {
        fanned = await work.fanOut();
        for (const id of await work.dueEndpoints())
          if (!running.has(id) && !stopped) running.set(id, worker(id));
      } catch (error) {
        options.onError(error);
      }
      if (fanned < options.fanOutBatch) await rest(options.intervalMs);
    }
  })();

  return {
    wake: poke,
    async stop() {
      stopped = true;
      for (const off of unsubscribes) off();
      wake?.();
      await loop;
      await Promise.all(running.values());
    },
  };
}
