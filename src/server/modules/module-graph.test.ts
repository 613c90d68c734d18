import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const modulesDir = new URL('./', import.meta.url);
const features = readdirSync(modulesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/** Which feature modules each feature module imports (types included, tests excluded). */
function importsOf(feature: string): Set<string> {
  const used = new Set<string>();
  const dir = new URL(`${feature}/`, modulesDir);
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const source = readFileSync(new URL(file, dir), 'utf8');
    for (const match of source.matchAll(/from '\.\.\/([\w-]+)\//g)) {
      if (match[1] !== feature && match[1] !== 'shared') used.add(match[1]!);
    }
  }
  return used;
}

/** Every cycle in the graph, each as the path that closes it. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const visit = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at !== -1) found.push([...path.slice(at), next]);
      else visit(next, [...path, next]);
    }
  };
  for (const feature of graph.keys()) visit(feature, [feature]);
  return found;
}

describe('the feature modules', () => {
  it('import one another without a loop (a step that goes back up is handed in as a function by the lead flow or services.ts)', () => {
    const graph = new Map(features.map((f) => [f, importsOf(f)]));
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a loop when there is one', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(cycles(graph)).toContainEqual(['a', 'b', 'c', 'a']);
  });
});
