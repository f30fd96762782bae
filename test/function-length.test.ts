// Issue 14's promise, kept: no function, method or arrow in src/ spans more than 60 lines.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';
import { sources } from './src-files.js';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const MAX_LINES = 60;

/** Every function-like node with a body that spans more than `max` lines, as `file:line name (n lines)`. */
function longFunctions(file: string, text: string, max: number): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const lines = lineOf(node.end) - lineOf(node.getStart(sf)) + 1;
      const name = node.name ? node.name.getText(sf) : '(anonymous)';
      if (lines > max) found.push(`${file}:${lineOf(node.getStart(sf)) + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

it('finds a function longer than the limit (the check itself can fail)', () => {
  const body = Array.from({ length: MAX_LINES }, (_, i) => `  const a${i} = ${i};`).join('\n');
  expect(longFunctions('x.ts', `function tooLong() {\n${body}\n}`, MAX_LINES)).toEqual([
    `x.ts:1 tooLong (${MAX_LINES + 2} lines)`,
  ]);
  expect(
    longFunctions('x.ts', `const ok = () => {\n${body.split('\n').slice(2).join('\n')}\n};`, MAX_LINES),
  ).toEqual([]);
});

it(`has no function in src/ over ${MAX_LINES} lines`, () => {
  const long = sources(SRC).flatMap((file) =>
    longFunctions(path.relative(SRC, file), readFileSync(file, 'utf8'), MAX_LINES),
  );
  expect(long).toEqual([]);
});
