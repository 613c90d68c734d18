/** Compiles the server, the CLI and the worker threads into dist/server (see build.js). */
export function buildServer(): Promise<void>;
/** Whether dist/server is at least as new as every source file. */
export function isBuildFresh(): boolean;
export const compiledCli: URL;
export const entryPoints: Record<string, string>;
