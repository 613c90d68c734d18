// Starts a worker thread on Baton's TypeScript sources: tsx compiles them on load, as bin/baton.js
// does for the process. The thread's own entry module comes in `workerData.entry`.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
