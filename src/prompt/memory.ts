// Which learnings a run's prompt carries (pure): the most relevant first — learnings about the files
// the issue names or the task touched, then the most used, then the newest — as many as fit in the
// `memory-tokens` budget. Tokens are estimated as characters / 4, which is close enough for English
// and code to keep a budget, and needs no tokenizer in the bundle.
import { cleanText } from './sanitize.js';

export interface PromptLearning {
  id: string;
  text: string;
  paths: string[];
  hits: number;
  /** ISO time it was written. */
  created: string;
}

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** File paths an issue's text names: `src/x.ts`, `docs/a.md`, `package.json` (no URLs). */
export function pathsNamed(text: string): string[] {
  const found = new Set<string>();
  const re = /(?<![\w./:-])((?:[\w@-]+\/)*[\w@-]+\.[A-Za-z][\w]{0,9}|(?:[\w@-]+\/)+[\w@-]+\/?)(?![\w/:-])/g;
  for (const m of text.replace(/\bhttps?:\/\/\S+/g, ' ').matchAll(re)) {
    const path = m[1].replace(/\/$/, '');
    // A bare name needs a real extension (`package.json`, `Makefile.am`), so "e.g." is no file.
    if (path.includes('/') || /\.[A-Za-z]\w+$/.test(path)) found.add(path);
    if (found.size >= 50) break;
  }
  return [...found];
}

/** A learning path matches a task path when one is the other or a folder holding it. */
function related(a: string, b: string): boolean {
  const x = a.replace(/\/$/, '');
  const y = b.replace(/\/$/, '');
  return x === y || y.startsWith(`${x}/`) || x.startsWith(`${y}/`);
}

function overlap(learning: PromptLearning, taskPaths: string[]): number {
  return learning.paths.filter((p) => taskPaths.some((t) => related(p, t))).length;
}

/** The line a learning becomes in the prompt: one line, hidden text and look-alike commands defused. */
export function learningLine(l: PromptLearning): string {
  const text = cleanText(l.text).replace(/\s+/g, ' ').trim();
  return `- [${l.id}] ${text}`;
}

/** Ranked: path overlap, then hits, then recency (then id, so the order is stable). */
export function rankLearnings(learnings: PromptLearning[], taskPaths: string[]): PromptLearning[] {
  const scored = learnings.map((l) => ({ l, o: overlap(l, taskPaths) }));
  scored.sort(
    (a, b) =>
      b.o - a.o ||
      b.l.hits - a.l.hits ||
      (a.l.created < b.l.created ? 1 : a.l.created > b.l.created ? -1 : 0) ||
      (a.l.id < b.l.id ? -1 : 1),
  );
  return scored.map((s) => s.l);
}

/** The best-ranked learnings whose lines fit in `budgetTokens` together (one too long is skipped). */
export function selectLearnings(
  learnings: PromptLearning[],
  taskPaths: string[],
  budgetTokens: number,
): PromptLearning[] {
  const chosen: PromptLearning[] = [];
  let left = budgetTokens;
  for (const l of rankLearnings(learnings, taskPaths)) {
    const cost = estimateTokens(learningLine(l)) + 1;
    if (cost > left) continue;
    chosen.push(l);
    left -= cost;
  }
  return chosen;
}

/** The prompt's memory section, or nothing when no learning was chosen. */
export function memorySection(chosen: PromptLearning[]): string[] {
  if (chosen.length === 0) return [];
  return [
    "Lessons this repository's maintainers asked you to keep in mind (Pilot's memory; ids in brackets):",
    chosen.map(learningLine).join('\n'),
  ];
}
