// Measurements of an issue's text. Pure functions over the markdown a reader sees; no network, no model.

const FENCE = /^(\s*)(```|~~~)[^\n]*\n[\s\S]*?^\1\2[ \t]*$/gm;
const URL = /\bhttps?:\/\/\S+/g;
const CHECKLIST_ITEM = /^\s*(?:[-*+]|\d+\.)\s+\[[ xX]\]/gm;
const HEADING = /^ {0,3}#{1,6}\s+\S/gm;
// List items that are not checklist items (steps, sub-points, file lists).
const BULLET = /^\s*(?:[-*+]|\d+\.)\s+(?!\[[ xX]\])\S/gm;
// A path has a directory part or a known source/document extension; versions like "4.17.21" do not.
const PATH =
  /(?<![\w/.-])(?:[\w.-]+\/)+[\w.*-]+|(?<![\w/.-])[\w-]+(?:\.[\w-]+)*\.(?:ts|tsx|js|jsx|mjs|cjs|json|ya?ml|md|py|go|rs|java|kt|rb|php|cs|css|scss|html|sql|toml|sh|txt)\b/g;

/** Words that name a change of structure rather than a change of behaviour. */
const STRUCTURAL_TERMS = [
  'refactor',
  'migrate',
  'migration',
  'architecture',
  'architectural',
  'redesign',
  'rewrite',
  'overhaul',
  'replace',
  'upgrade',
  'breaking change',
  'across the codebase',
  'backwards compatib',
  'multi-tenant',
];
/** Words that say the work is several deliverables, planned over time. */
const EPIC_TERMS = [
  'epic',
  'roadmap',
  'milestone',
  'phase 2',
  'sub-issue',
  'multi-quarter',
  'sprints',
  'many prs',
];
/** Words that say the change is cosmetic. */
const COSMETIC_TERMS = [
  'typo',
  'misspell',
  'spelling',
  'grammar',
  'wording',
  'broken link',
  'wrong link',
  'docs url',
  'one-line',
  'copyright year',
  'tiny',
];

export interface TextSignals {
  words: number;
  files: number;
  codeBlocks: number;
  checklistItems: number;
  headings: number;
  bullets: number;
  structuralTerms: string;
  /** The title itself names a structural change ("Refactor …", "Migrate …"). */
  structuralTitle: boolean;
  epicTerms: string;
  cosmeticTerms: string;
  stackTrace: boolean;
}

export function measure(title: string, body: string): TextSignals {
  const codeBlocks = body.match(FENCE) ?? [];
  const prose = body.replace(FENCE, '\n');
  const text = `${title}\n${prose}`.toLowerCase();
  return {
    words: countWords(`${title}\n${prose}`),
    files: distinctPaths(`${title}\n${prose}`).length,
    codeBlocks: codeBlocks.length,
    checklistItems: (prose.match(CHECKLIST_ITEM) ?? []).length,
    headings: countHeadings(prose),
    bullets: (prose.match(BULLET) ?? []).length,
    structuralTerms: termsIn(text, STRUCTURAL_TERMS).join(','),
    structuralTitle: termsIn(title.toLowerCase(), STRUCTURAL_TERMS).length > 0,
    epicTerms: termsIn(text, EPIC_TERMS).join(','),
    cosmeticTerms: termsIn(text, COSMETIC_TERMS).join(','),
    stackTrace: codeBlocks.some(looksLikeStackTrace),
  };
}

function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** Markdown headings plus bold-only lines ("**Steps to reproduce**") that issue forms use as headings. */
function countHeadings(prose: string): number {
  const bold = prose.match(/^\*\*[^*\n]+\*\*:?\s*$/gm) ?? [];
  return (prose.match(HEADING) ?? []).length + bold.length;
}

export function distinctPaths(text: string): string[] {
  const withoutUrls = text.replace(URL, ' ');
  const found = new Set<string>();
  for (const m of withoutUrls.matchAll(PATH)) {
    const path = m[0].replace(/[.,:;)]+$/, '');
    if (path.includes('/') && !/[a-z]/i.test(path.replaceAll('/', ''))) continue; // "3/4", dates
    if (/^(?:and|or)\//i.test(path)) continue; // prose like "and/or"
    found.add(path);
  }
  return [...found];
}

function termsIn(text: string, terms: string[]): string[] {
  return terms.filter((t) => new RegExp(`(?<![\\w-])${escapeRegExp(t)}`).test(text));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function looksLikeStackTrace(block: string): boolean {
  return (
    /^\s+at\s+\S+.*:\d+/m.test(block) ||
    /Traceback \(most recent call last\)/.test(block) ||
    /❯ \S+:\d+/.test(block)
  );
}
