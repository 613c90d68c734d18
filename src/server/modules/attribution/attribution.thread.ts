// The attribution helper thread's entry (started by attribution.thread-host.ts through
// bin/thread.js): its own connection to the store, crediting the half of a large report's deals it
// is given while the thread serving the request credits the other half.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type DatabaseOptions } from '../../db/database.ts';
import { journeysOf, tallyLive } from './attribution.tally.ts';
import type { FromThread, ToThread } from './attribution.thread-host.ts';

const port = parentPort!;
const post = (message: FromThread) => port.postMessage(message);
const { store } = workerData as { store: DatabaseOptions };
// The server's own connection checkpoints the file in the background already.
const database = openDatabase(
  store.dialect === 'sqlite' ? { ...store, backgroundCheckpoints: false } : store,
);

port.on('message', (message: ToThread) => {
  if (message.type !== 'stop')
    (message.type === 'tally'
      ? tallyLive(database.db, message.input)
      : journeysOf(database.db, message.input)
    ).then(
      (data) => post({ type: 'done', id: message.id, data }),
      (error: unknown) =>
        post({
          type: 'error',
          id: message.id,
          message: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
  else
    void database.close().then(() => {
      post({ type: 'stopped' });
      port.close();
    });
});
post({ type: 'ready' });
