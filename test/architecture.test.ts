// docs/architecture.md's promise, checked: a folder of src/ imports only from lower layers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { sources } from './src-files.js';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

const LAYERS: Record<string, number> = {
  constants: 1,
  errors: 1,
  secrets: 1,
  events: 2,
  config: 3,
  prompt: 3,
  git: 4,
  github: 4,
  security: 4,
  state: 4,
  auth: 5,
  report: 5,
  ledger: 5,
  triage: 5,
  notify: 5,
  agent: 6,
  metrics: 6,
  ops: 6,
  pipeline: 7,
  launch: 8,
  entry: 9,
  main: 9,
  post: 9,
};

/** Layer 4's folders may import one another, one way only (docs/architecture.md). */
const KNOT = new Set(['git', 'github', 'security', 'state']);

const folderOf = (file: string) =>
  path
    .relative(SRC, file)
    .split(path.sep)[0]
    .replace(/\.[jt]s$/, '');

function folderImports(): Array<[string, string, string]> {
  const edges: Array<[string, string, string]> = [];
  for (const file of sources(SRC)) {
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(
      /(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g,
    )) {
      const target = path.resolve(path.dirname(file), spec);
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from !== to) edges.push([from, to, path.relative(SRC, file)]);
    }
  }
  return edges;
}

it('gives every folder of src/ a layer in docs/architecture.md', () => {
  const folders = new Set(sources(SRC).map(folderOf));
  expect([...folders].filter((f) => !(f in LAYERS))).toEqual([]);
  const doc = readFileSync(fileURLToPath(new URL('../docs/architecture.md', import.meta.url)), 'utf8');
  expect(Object.keys(LAYERS).filter((f) => !doc.includes(`\`${f}`))).toEqual([]);
});

it('imports only from lower layers (the layer-4 knot aside)', () => {
  const upward = folderImports()
    .filter(([from, to]) => LAYERS[to] >= LAYERS[from] && !(KNOT.has(from) && KNOT.has(to)))
    .map(([from, to, file]) => `${file}: ${from} → ${to}`);
  expect(upward).toEqual([]);
});

it('has no two folders that import each other', () => {
  const edges = new Set(folderImports().map(([from, to]) => `${from}>${to}`));
  const mutual = [...edges].filter((e) => {
    const [from, to] = e.split('>');
    return from < to && edges.has(`${to}>${from}`);
  });
  expect(mutual).toEqual([]);
});
