import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configMarkdownTable } from '../src/server/config.ts';

const root = new URL('..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function folders(dir: string): string[] {
  return (
    readdirSync(join(root, dir))
      // e2e/artifacts holds test output and is not part of the project (it is git-ignored).
      .filter((name) => name !== 'artifacts' && statSync(join(root, dir, name)).isDirectory())
      .flatMap((name) => [`${dir}/${name}/`, ...folders(`${dir}/${name}`)])
  );
}

describe('the docs stay true', () => {
  it('has the configuration table of the code in the README', () => {
    const readme = read('README.md');
    const table = /<!-- config:start -->\s*\n([\s\S]*?)\n\s*<!-- config:end -->/.exec(readme)?.[1];
    expect(table).toBe(configMarkdownTable());
  });

  it('lists every folder of the project in docs/ARCHITECTURE.md, and only folders that exist', () => {
    const architecture = read('docs/ARCHITECTURE.md');
    const tree = /## Folders[\s\S]*?```\n([\s\S]*?)```/.exec(architecture)?.[1] ?? '';
    const listed = tree
      .split('\n')
      .map((line) => line.split(/\s+/)[0])
      .filter((entry): entry is string => Boolean(entry));
    const actual = [
      'bin/',
      'src/',
      'e2e/',
      'bench/',
      'docs/',
      'web/',
      '.ci/',
      ...['src', 'e2e', 'bench', 'docs', 'web'].flatMap(folders),
    ];
    expect([...listed].sort()).toEqual([...new Set(actual)].sort());
  });

  it('shows the two commands a new user needs', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm install && npm test');
  });
});
