import { Worker } from 'node:worker_threads';

export type ThreadName = 'scoring' | 'attribution';

const sources: Record<ThreadName, string> = {
  scoring: '../modules/scoring/scoring.thread.ts',
  attribution: '../modules/attribution/attribution.thread.ts',
};

/**
 * Starts one of Baton's worker threads. Compiled (dist/server, what `npm start` runs), this module
 * is part of a bundle whose sibling files are the threads' bundles (bin/build.js names them); from
 * the TypeScript sources (tests, development) the thread's source is loaded through tsx by
 * bin/thread.js.
 */
export function startThread(name: ThreadName, workerData: Record<string, unknown>): Worker {
  if (import.meta.url.endsWith('.js')) {
    return new Worker(new URL(`./${name}-thread.js`, import.meta.url), { workerData });
  }
  return new Worker(new URL('../../../bin/thread.js', import.meta.url), {
    workerData: { ...workerData, entry: new URL(sources[name], import.meta.url).href },
  });
}
