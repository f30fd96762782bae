// Paths the agent may not change: what CI runs or trusts (everything under `.github/`: workflows,
// composite actions, dependabot, CODEOWNERS; and `.gitmodules`, which points checkouts at other
// repositories), what steers the agent itself (Claude Code settings, MCP servers, CLAUDE.md), Pilot's
// own configuration, and the repository's `protected-paths` (where the scripts workflows call belong).
// An entry of `protected-paths` that starts with `!` is an allowance: `!.github/workflows/lint.yml`
// lets the agent change that one file.
//
// The matcher is Pilot's own (no glob dependency in the bundle): dot files match like any other name,
// and matching is case-insensitive and Unicode-normalised, because `.GitHub/Workflows/x.yml` is the
// same file as `.github/workflows/x.yml` on a case-insensitive checkout (macOS, Windows).

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

export interface ProtectionRules {
  protect: string[];
  allow: string[];
}

export function protectionRules(config: { configPath: string; protectedPaths: string[] }): ProtectionRules {
  const entries = config.protectedPaths.map((p) => p.trim()).filter(Boolean);
  return {
    protect: [
      ...BUILTIN_PROTECTED,
      normalise(config.configPath),
      ...entries.filter((p) => !p.startsWith('!')),
    ],
    allow: entries.filter((p) => p.startsWith('!')).map((p) => p.slice(1).trim()),
  };
}

function normalise(path: string): string {
  return path.normalize('NFC').replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
}

/**
 * A gitignore-like glob: `**` spans directories, `*` and `?` stay within one, a trailing `/` means
 * everything below. Case-insensitive, so `.GitHub/Workflows` on a case-insensitive checkout counts.
 */
export function globToRegExp(pattern: string): RegExp {
  let glob = normalise(pattern);
  if (glob.endsWith('/')) glob += '**';
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i');
}

export function matchesAny(path: string, patterns: string[]): boolean {
  const p = normalise(path);
  return patterns.some((pattern) => globToRegExp(pattern).test(p));
}

/** The paths in `paths` the agent may not change under `rules`, in the order given. */
export function refusedPaths(paths: Iterable<string>, rules: ProtectionRules): string[] {
  return [...new Set(paths)].filter((p) => matchesAny(p, rules.protect) && !matchesAny(p, rules.allow));
}
