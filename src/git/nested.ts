// Repository metadata in the working tree. A directory holding `.git` is a nested repository: `git add`
// would commit it as a gitlink (mode 160000), and every later git that looks inside it reads its
// config, where `core.fsmonitor` names a command. A path with a `.git` component is another
// repository's metadata (its hooks, its config). Pilot commits neither: it names them and refuses.
import { lstatSync } from 'node:fs';
import path from 'node:path';
import type { Git } from './git.js';

const GITLINK = '160000';

/** `.git` as git itself refuses it on case-insensitive file systems (`.GIT`, the 8.3 name `GIT~1`). */
function isGitName(name: string): boolean {
  const lower = name.toLowerCase().replace(/[. ]+$/, '');
  return lower === '.git' || lower === 'git~1';
}

function holdsGit(cwd: string, dir: string): boolean {
  try {
    lstatSync(path.join(cwd, dir, '.git'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Of the paths about to be staged (as `git status` lists them), the repository metadata they hold or
 * sit in: `sub/.git` for a nested repository `sub/` or a file below it, the path itself for a `.git`
 * component. Checked on disk before `git add`, so nothing is staged.
 */
export function repositoryPaths(cwd: string, paths: Iterable<string>): string[] {
  const found = new Set<string>();
  const checked = new Map<string, boolean>();
  for (const entry of paths) {
    const parts = entry.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join('/');
      if (isGitName(parts[i])) {
        found.add(prefix);
        break;
      }
      if (!checked.has(prefix)) checked.set(prefix, holdsGit(cwd, prefix));
      if (checked.get(prefix)) {
        found.add(`${prefix}/.git`);
        break;
      }
    }
  }
  return [...found].sort();
}

/** Paths of gitlinks and `.git` components in `git diff --raw -z` / `git log --raw -z` output. */
export function rawRepositoryPaths(raw: string): string[] {
  const tokens = raw.split('\0');
  const found = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    if (!tokens[i].startsWith(':')) continue;
    const [, newMode] = tokens[i].slice(1).split(' ');
    const file = tokens[++i] ?? '';
    if (newMode === GITLINK || file.split('/').some(isGitName)) found.add(file);
  }
  return [...found].sort();
}

/** What the index would commit that is a gitlink or has a `.git` component. */
export async function stagedRepositoryPaths(git: Git): Promise<string[]> {
  // `none` here, or the hardening's `diff.ignoreSubmodules=all` would hide the gitlink itself. Index
  // against HEAD compares recorded commit ids only: git does not look inside the nested repository.
  const { stdout } = await git.run([
    'diff',
    '--cached',
    '--ignore-submodules=none',
    '--raw',
    '-z',
    '--no-renames',
    '--no-abbrev',
  ]);
  return rawRepositoryPaths(stdout);
}
