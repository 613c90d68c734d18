/** Compiles the server, the CLI and the worker threads into dist/server (see build.js). */
export function buildServer(): Promise<void>;
/** Whether dist/server (under `root`, the repository's by default) is at least as new as every file it was made from. */
export function isBuildFresh(root?: URL): boolean;
export const compiledCli: URL;
export const entryPoints: Record<string, string>;
