// Paths the agent may not change: what runs with the repository's secrets (workflows), what steers
// the agent itself (Claude Code settings, MCP servers, CLAUDE.md), Pilot's own configuration, and
// the repository's `protected-paths`. An entry of `protected-paths` that starts with `!` is an
// allowance: `!.github/workflows/lint.yml` lets the agent change that one file.

/** Always protected; `**\/CLAUDE.md` because Claude Code reads nested ones too. */
export const BUILTIN_PROTECTED = [
  '.github/workflows/**',
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
  return path.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
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
