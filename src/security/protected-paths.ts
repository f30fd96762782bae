// Paths the agent may not change: what CI runs or trusts (everything under `.github/`: workflows,
// composite actions, dependabot, CODEOWNERS; and `.gitmodules`, which points checkouts at other
// repositories), what steers the agent itself (Claude Code settings, MCP servers, CLAUDE.md), Pilot's
// own configuration, and the repository's `protected-paths` (where the scripts workflows call belong).
// An entry of `protected-paths` that starts with `!` is an allowance: `!.github/workflows/lint.yml`
// lets the agent change that one file.
//
// Globs are picomatch's, always with `dot: true` (a `*` or `**` must reach `.github` and other dot
// files, or protection silently weakens) and `nocase: true` (`.GitHub/Workflows/x.yml` is the same
// file as `.github/workflows/x.yml` on a case-insensitive checkout: macOS, Windows). A path is
// protected when its plain form or its look-alike skeleton matches (see `skeleton`); it is allowed
// only when its plain form matches an allowance, so a look-alike never borrows an allowance.
import { posix } from 'node:path';
import picomatch from 'picomatch';

/** Always protected; `**\/CLAUDE.md` because Claude Code reads nested ones too. */
export const BUILTIN_PROTECTED = [
  '.github/**',
  '.gitmodules',
  '.claude/**',
  '.mcp.json',
  'CLAUDE.md',
  '**/CLAUDE.md',
  'CLAUDE.local.md',
  '**/CLAUDE.local.md',
];

const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: true, nocase: true };

export interface ProtectionRules {
  protect: string[];
  allow: string[];
}

export function protectionRules(config: { configPath: string; protectedPaths: string[] }): ProtectionRules {
  const entries = config.protectedPaths.map((p) => p.trim()).filter(Boolean);
  return {
    protect: [
      ...BUILTIN_PROTECTED,
      normalisePattern(config.configPath),
      ...entries.filter((p) => !p.startsWith('!')),
    ],
    allow: entries.filter((p) => p.startsWith('!')).map((p) => p.slice(1).trim()),
  };
}

/**
 * A repository path as git means it: NFC, `/` separators, `.` and `..` segments resolved, no leading
 * `./` or `/`. `a/../.github/x` is `.github/x`. A result starting with `../` lies outside the
 * repository.
 */
export function normalisePath(path: string): string {
  const slashed = path.normalize('NFC').replace(/\\/g, '/').replace(/^\/+/, '');
  const resolved = posix.normalize(slashed || '.');
  return resolved === '.' ? '' : resolved.replace(/\/+$/, '');
}

/** A pattern's `./` and leading `/` mean the repository root; a trailing `/` means everything below. */
function normalisePattern(pattern: string): string {
  const glob = pattern.normalize('NFC').replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
  return glob.endsWith('/') ? `${glob}**` : glob;
}

// Letters of other scripts drawn like Latin ones (after lower-casing), as in Unicode's confusables
// list: `.gіthub` with a Cyrillic і must not pass as an ordinary directory.
const LOOK_ALIKES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ј: 'j',
  һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ӏ: 'l',
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  ζ: 'z',
  η: 'n',
  ι: 'i',
  κ: 'k',
  μ: 'u',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ı: 'i',
  ɡ: 'g',
  ɩ: 'i',
  ɑ: 'a',
};
const LOOK_ALIKE = new RegExp(`[${Object.keys(LOOK_ALIKES).join('')}]`, 'gu');

/**
 * What a path looks like to a person or a lenient file system: compatibility forms folded (fullwidth
 * `．ｇｉｔｈｕｂ` is `.github`), accents, zero-width and bidi characters dropped, look-alike
 * letters mapped to Latin, lower case, and trailing dots and spaces of each name removed (Windows
 * opens `.github./workflows` as `.github/workflows`).
 */
export function skeleton(text: string): string {
  const folded = text
    .normalize('NFKD')
    .replace(/[\p{Mn}\p{Cf}]/gu, '')
    .toLowerCase()
    .replace(LOOK_ALIKE, (ch) => LOOK_ALIKES[ch] ?? ch);
  return folded
    .split('/')
    .map((name) => (name === '.' || name === '..' ? name : name.replace(/[. ]+$/, '') || name))
    .join('/');
}

/** The glob as a regular expression (picomatch with `dot` and `nocase`). */
export function globToRegExp(pattern: string): RegExp {
  return picomatch.makeRe(normalisePattern(pattern), GLOB_OPTIONS);
}

function matcher(patterns: string[], form: (text: string) => string): (path: string) => boolean {
  const globs = patterns.map((p) => form(normalisePattern(p))).filter(Boolean);
  return globs.length ? picomatch(globs, GLOB_OPTIONS) : () => false;
}

export function matchesAny(path: string, patterns: string[]): boolean {
  return matcher(patterns, (p) => p)(normalisePath(path));
}

/**
 * The paths in `paths` the agent may not change under `rules`, in the order given. A path outside
 * the repository (`../x` after resolving) is refused: no rule can vouch for it.
 */
export function refusedPaths(paths: Iterable<string>, rules: ProtectionRules): string[] {
  const protectPlain = matcher(rules.protect, (p) => p);
  const protectSkeleton = matcher(rules.protect, skeleton);
  const allowed = matcher(rules.allow, (p) => p);
  return [...new Set(paths)].filter((raw) => {
    const path = normalisePath(raw);
    if (path === '..' || path.startsWith('../')) return true;
    const skel = normalisePath(skeleton(path));
    const isProtected = protectPlain(path) || protectSkeleton(skel);
    return isProtected && !allowed(path);
  });
}
