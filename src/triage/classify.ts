// Deterministic triage: issue text → one of five sizes, with the reason and the measurements.
// Sync and pure on purpose: the same issue always gets the same size, and the reason names the
// measurements so a maintainer can check it (or force a size with a `size/…` label).
import { type Classification, LEVELS, type Level, type Signals, type TriageInput } from './levels.js';
import { measure, type TextSignals } from './signals.js';

const EPIC_CHECKLIST_ITEMS = 12;
const SIZE_LABELS: Record<string, Level> = {
  xs: 'trivial',
  s: 'simple',
  m: 'medium',
  l: 'complex',
  xl: 'epic',
};

export function classify(issue: TriageInput): Classification {
  const text = measure(issue.title, issue.body);
  const fromLabel = levelFromLabels(issue.labels);
  const score = scoreOf(text);
  const signals: Signals = { ...text, score };
  if (fromLabel) {
    signals.label = fromLabel.label;
    return { level: fromLabel.level, reason: `label ${fromLabel.label}`, signals };
  }
  return { level: levelFor(score, text), reason: describe(text, score), signals };
}

/** `size/xs`…`size/xl` (also `size: m`, `size-l`) and `epic` decide outright; the largest one wins. */
export function levelFromLabels(labels: string[]): { level: Level; label: string } | undefined {
  let best: { level: Level; label: string } | undefined;
  for (const label of labels) {
    const level = levelOfLabel(label.trim().toLowerCase());
    if (level && (!best || LEVELS.indexOf(level) > LEVELS.indexOf(best.level))) best = { level, label };
  }
  return best;
}

function levelOfLabel(label: string): Level | undefined {
  if (label === 'epic' || label === 'type: epic' || label === 'type/epic') return 'epic';
  const size = /^size\s*[/:-]\s*(xs|s|m|l|xl)$/.exec(label);
  return size ? SIZE_LABELS[size[1]] : undefined;
}

/** Points for each dimension of size; see levelFor for the cut-offs. */
export function scoreOf(s: TextSignals): number {
  const structural = count(s.structuralTerms);
  const epic = count(s.epicTerms);
  // "typo" in a long issue is an example ("a typo in smtp.port crashes…"), not the task.
  const cosmetic = count(s.cosmeticTerms) > 0 && s.words < 60;
  return (
    step(s.words, [40, 100, 200, 350]) +
    step(s.files, [2, 4, 7]) +
    step(s.checklistItems, [1, 5, 9, 15]) +
    step(s.bullets, [3, 8]) +
    step(s.headings, [5, 8]) +
    (s.structuralTitle ? 2 : 0) +
    Math.min(structural, 3) +
    Math.min(epic, 2) * 3 +
    // A crash with a stack trace is a bug to find, never a cosmetic edit.
    (s.stackTrace ? 1 : 0) -
    (cosmetic ? 3 : 0)
  );
}

/**
 * Score bands, with one rule on top: an epic is several deliverables, so it needs planning words
 * (milestones, phases, sub-issues) or a long checklist; a large single change stays complex.
 */
export function levelFor(score: number, s: TextSignals): Level {
  if (score <= 0) return 'trivial';
  if (score <= 3) return 'simple';
  if (score <= 7) return 'medium';
  const planned = s.epicTerms !== '' || s.checklistItems >= EPIC_CHECKLIST_ITEMS;
  return score >= 12 && planned ? 'epic' : 'complex';
}

/** How many thresholds `value` reaches. */
function step(value: number, thresholds: number[]): number {
  return thresholds.filter((t) => value >= t).length;
}

function count(list: string): number {
  return list === '' ? 0 : list.split(',').length;
}

function describe(s: TextSignals, score: number): string {
  const parts = [`${s.words} words`, `${s.files} files`];
  if (s.checklistItems) parts.push(`${s.checklistItems} checklist items`);
  if (s.headings) parts.push(`${s.headings} headings`);
  if (s.codeBlocks) parts.push(`${s.codeBlocks} code blocks`);
  if (s.structuralTerms) parts.push(`structural: ${s.structuralTerms}`);
  if (s.epicTerms) parts.push(`planning: ${s.epicTerms}`);
  if (s.cosmeticTerms) parts.push(`cosmetic: ${s.cosmeticTerms}`);
  return `${parts.join(', ')} (score ${score})`;
}
