import type { EventBus } from '../../platform/event-bus.ts';
import {
  advanceRescoringRuns,
  refreshFadedScores,
  scoreDueContacts,
  type ScoringEngine,
} from './scoring.usecases.ts';

export interface ScoringWorker {
  /** Look for work now rather than at the next interval. */
  wake(): void;
  /** Stops after the chunk in hand; resolves when it has. */
  stop(): Promise<void>;
}

/**
 * Scores in the background, in chunks, yielding to requests between chunks: contacts with new
 * activity and any rescoring run in turns, then scores that have faded. New touches wake it at once
 * from idle (otherwise it looks again every `idleMs`); once caught up it lets changes gather for
 * `settleMs` before the next pass, so MQLs follow their touches within a second or two. What it has not done survives a restart in the database
 * (activity versions, the run's cursor), so nothing is lost if the process dies.
 */
export function startScoringWorker(
  engine: ScoringEngine,
  bus: EventBus,
  options: { idleMs?: number; settleMs?: number; chunk?: number; onError: (error: unknown) => void },
): ScoringWorker {
  const idleMs = options.idleMs ?? 1000;
  const settleMs = options.settleMs ?? 1000;
  const chunk = options.chunk ?? 500;
  let stopped = false;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  const unsubscribe = [bus.subscribe('touch.recorded', poke), bus.subscribe('contact.created', poke)];

  const rest = (ms: number) =>
    new Promise<void>((resolve) => {
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
      let worked = 0;
      try {
        // New activity and a running rescoring take turns, so a steady stream of touches never
        // starves the run; faded scores are refreshed when there is nothing else to do.
        worked =
          (await scoreDueContacts({ ...engine, limit: chunk })) +
          (await advanceRescoringRuns({ ...engine, limit: chunk }));
        if (worked === 0) worked = await refreshFadedScores({ ...engine, limit: chunk });
      } catch (error) {
        options.onError(error);
        await rest(idleMs);
        continue;
      }
      if (worked === 0) await rest(idleMs);
      else if (worked < chunk) {
        // Caught up: let changes gather for a moment, so a contact with several touches in a row
        // is scored once rather than once per touch.
        await new Promise((resolve) => setTimeout(resolve, settleMs));
      } else await new Promise((resolve) => setImmediate(resolve));
    }
  })();

  return {
    wake: poke,
    async stop() {
      stopped = true;
      for (const off of unsubscribe) off();
      poke();
      await loop;
    },
  };
}
