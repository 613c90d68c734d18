import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBuildFresh } from '../bin/build.js';

/*
 * bin/baton.js runs the compiled build when it is fresh, and the sources through tsx otherwise.
 * Fresh means: no file the build was made from is newer than it (dist/server/inputs.json, which the
 * build writes from esbuild's record of what it bundled), and no install since.
 */
describe('whether the build is fresh', () => {
  let dir: string;
  const root = () => pathToFileURL(`${dir}/`);
  const at = (path: string, seconds: number) => {
    const file = join(dir, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, path);
    utimesSync(file, seconds, seconds);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-build-'));
    at('src/cli/main.ts', 1_000);
    at('src/server/app.ts', 1_000);
    at('src/server/app.test.ts', 1_000);
    at('node_modules/.package-lock.json', 1_000);
    at('dist/server/baton.js', 2_000);
    writeFileSync(
      join(dir, 'dist/server/inputs.json'),
      JSON.stringify(['src/cli/main.ts', 'src/server/app.ts']),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is fresh when nothing it was made from changed since', () => {
    expect(isBuildFresh(root())).toBe(true);
  });

  it('stays fresh when a file it was not made from changes: a test, a new file no entry imports', () => {
    at('src/server/app.test.ts', 3_000);
    at('src/server/unused.ts', 3_000);
    expect(isBuildFresh(root())).toBe(true);
  });

  it('is stale when a file it was made from is newer, or gone', () => {
    at('src/server/app.ts', 3_000);
    expect(isBuildFresh(root())).toBe(false);
    at('src/server/app.ts', 1_000);
    expect(isBuildFresh(root())).toBe(true);
    rmSync(join(dir, 'src/server/app.ts'));
    expect(isBuildFresh(root())).toBe(false);
  });

  it('is stale after an install, and without a build or a record of its inputs', () => {
    at('node_modules/.package-lock.json', 3_000);
    expect(isBuildFresh(root())).toBe(false);
    at('node_modules/.package-lock.json', 1_000);
    rmSync(join(dir, 'dist/server/inputs.json'));
    expect(isBuildFresh(root())).toBe(false);
    rmSync(join(dir, 'dist'), { recursive: true });
    expect(isBuildFresh(root())).toBe(false);
  });

  it('is fresh for the build the tests run (global setup built it), which records its sources', () => {
    expect(isBuildFresh()).toBe(true);
    const inputs = JSON.parse(
      readFileSync(new URL('../dist/server/inputs.json', import.meta.url), 'utf8'),
    ) as string[];
    expect(inputs).toContain('src/cli/main.ts');
    expect(inputs).toContain('src/server/modules/scoring/scoring.thread.ts');
    expect(inputs.filter((file) => file.endsWith('.test.ts'))).toEqual([]);
    expect(inputs.filter((file) => file.startsWith('node_modules/'))).toEqual([]);
  });
});
