// The scoring thread's entry (started by scoring.thread-host.ts): its own connection to the store,
// the scoring engine alone (store, clock, bus), and the scorer loop. Scoring reads and computes a
// lot; here it does so beside the request-handling thread instead of between its requests.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type DatabaseOptions } from '../../db/database.ts';
import { systemClock } from '../../platform/clock.ts';
import { createEventBus } from '../../platform/event-bus.ts';
import type { FromThread, ToThread } from './scoring.thread-host.ts';
import type { ScoringEngine } from './scoring.usecases.ts';
import { startScoringWorker } from './scoring.worker.ts';

const port = parentPort!;
const post = (message: FromThread) => port.postMessage(message);
const { store } = workerData as { store: DatabaseOptions };

// The server's own connection checkpoints the file in the background already.
const database = openDatabase(
  store.dialect === 'sqlite' ? { ...store, backgroundCheckpoints: false } : store,
);
const bus = createEventBus((error, event) =>
  post({ type: 'error', message: `event handler failed on ${event.type}: ${String(error)}` }),
);
// What the scorer announces (a contact moved to MQL) is announced again in the server's thread,
// where routing and the SLA listen.
bus.subscribe('contact.stage_changed', (event) => post({ type: 'event', event }));
const engine: ScoringEngine = {
  db: database.db,
  sqlite: database.sqlite,
  clock: systemClock,
  publish: (events) => bus.publish(events),
};
const worker = startScoringWorker(engine, bus, {
  onError: (error) =>
    post({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
});

port.on('message', (message: ToThread) => {
  if (message.type === 'wake') worker.wake();
  else
    void (async () => {
      await worker.stop();
      await database.close();
      post({ type: 'stopped' });
      port.close();
    })();
});
post({ type: 'ready' });
