// Regression table: issues written the way people write them, each with the size a maintainer would
// give it. The classifier may miss a few, never many.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { classify } from '../../src/triage/classify.js';
import { LEVELS, type Level } from '../../src/triage/levels.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const MAX_MISSES = 3;

const frontMatter = z.object({
  title: z.string().min(1),
  labels: z.array(z.string()).default([]),
  expected: z.enum(LEVELS),
});

interface Fixture {
  file: string;
  title: string;
  body: string;
  labels: string[];
  expected: Level;
}

function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((file) => {
      const raw = readFileSync(join(FIXTURES, file), 'utf8');
      const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(raw);
      if (!m) throw new Error(`${file}: expected YAML front matter between --- lines`);
      return { file, body: m[2], ...frontMatter.parse(parse(m[1])) };
    });
}

function confusionTable(rows: Array<{ expected: Level; actual: Level }>): string {
  const header = `expected \\ actual  ${LEVELS.map((l) => l.padStart(8)).join('')}`;
  const lines = LEVELS.map(
    (e) =>
      `${e.padEnd(19)}${LEVELS.map((a) => String(rows.filter((r) => r.expected === e && r.actual === a).length).padStart(8)).join('')}`,
  );
  return [header, ...lines].join('\n');
}

describe('triage regression over real-looking issues', () => {
  const fixtures = loadFixtures();

  it('has at least 30 fixtures covering every level', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    expect(new Set(fixtures.map((f) => f.expected))).toEqual(new Set(LEVELS));
  });

  it(`misclassifies at most ${MAX_MISSES} issues`, () => {
    const rows = fixtures.map((f) => {
      const result = classify({ title: f.title, body: f.body, labels: f.labels });
      return { file: f.file, expected: f.expected, actual: result.level, reason: result.reason };
    });
    const misses = rows.filter((r) => r.actual !== r.expected);
    console.log(
      `${confusionTable(rows)}\n\n${rows.length - misses.length}/${rows.length} correct` +
        misses
          .map((m) => `\n  miss ${m.file}: expected ${m.expected}, got ${m.actual} (${m.reason})`)
          .join(''),
    );
    expect(misses.length).toBeLessThanOrEqual(MAX_MISSES);
  });
});
