/** Compiles the server, the CLI and the worker threads into dist/server (see build.js). */
export function buildServer(): Promise<void>;
export const entryPoints: Record<string, string>;
