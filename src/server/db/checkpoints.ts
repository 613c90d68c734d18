import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/**
 * How often the checkpointer copies what the write-ahead log holds into the database file. Each
 * checkpoint with pages to copy costs two fsyncs beside the commits' own; pages written again in
 * the meantime are copied once. 50 ms and 1 s gave the same single-event rate within the noise.
 */
const intervalMs = 250;
/** SQLite's own default: the connection that commits checkpoints once the log holds this many pages. */
const defaultAutoCheckpointPages = 1_000;
/**
 * With a checkpointer beside it, the writing connection still checkpoints past this many pages
 * (~40 MB): under writes that never pause, the log is only restarted from its beginning by a
 * checkpoint that nothing commits during, and that is one run by the writer itself. By then the
 * checkpointer has copied nearly all of it, so the writer's share is small.
 */
const safetyNetPages = 10_000;

// Plain CommonJS, so that it runs as it is from the sources (tests) and from the bundle alike.
const source = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.path, { fileMustExist: true });
db.pragma('synchronous = FULL');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // Busy or locked: the next turn tries again. Anything else is the parent's to hear about.
    if (!/busy|locked/i.test(String(error && error.code) + String(error && error.message))) throw error;
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints a SQLite file store from a worker thread of its own, so that copying committed pages
 * from the write-ahead log into the database file, and its fsync, no longer run inside a commit on
 * the thread that serves requests (~13% of batched capture, up to half of a large sweep's commit;
 * issue 27). Passive checkpoints never wait for, nor hold up, a reader or a writer. If the thread
 * fails, the connection checkpoints by itself again, as SQLite does by default, and says so on
 * standard error.
 */
export function startCheckpointer(connection: SQLite.Database, path: string): { stop(): Promise<void> } {
  const worker = new Worker(source, {
    eval: true,
    workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), path, intervalMs },
  });
  // It never keeps a process alive on its own: a CLI command ends when its work does.
  worker.unref();
  connection.pragma(`wal_autocheckpoint = ${safetyNetPages}`);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping = false;
  worker.on('error', (error) => {
    if (stopping || !connection.open) return;
    connection.pragma(`wal_autocheckpoint = ${defaultAutoCheckpointPages}`);
    // Nothing is lost, only the speed: said where an operator looks, as the other threads' failures are.
    process.stderr.write(
      `SQLite checkpoints thread failed (${error.message}); commits checkpoint the store themselves again\n`,
    );
  });
  return {
    async stop() {
      stopping = true;
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
