// actions/checkout persists its token for later steps: as `http.<server>/.extraheader` in .git/config
// (older versions) or in `$RUNNER_TEMP/git-credentials-<uuid>.config`, pulled in by an `includeIf`
// entry (v6). Any process of the runner user can read either, so Pilot removes both before the agent
// starts and never puts them back.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Git } from './git.js';

async function configEntries(git: Git, pattern: string): Promise<Array<[string, string]>> {
  const { stdout } = await git.run(['config', '--local', '--null', '--get-regexp', pattern], {
    allowFail: true,
  });
  return stdout
    .split('\0')
    .filter(Boolean)
    .map((entry) => {
      const cut = entry.indexOf('\n');
      return cut < 0 ? [entry, ''] : [entry.slice(0, cut), entry.slice(cut + 1)];
    });
}

function holdsCredentials(file: string): boolean {
  if (path.basename(file).startsWith('git-credentials-')) return true;
  try {
    return /extraheader/i.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/** Removes persisted checkout credentials; returns a description of each thing removed. */
export async function scrubCredentials(git: Git): Promise<string[]> {
  const removed: string[] = [];
  for (const [key] of await configEntries(git, '^http\\..*\\.extraheader$')) {
    await git.run(['config', '--local', '--unset-all', key], { allowFail: true });
    removed.push(`.git/config ${key}`);
  }
  for (const [key, value] of await configEntries(git, '^includeif\\..*\\.path$')) {
    const file = path.resolve(git.cwd, '.git', value);
    if (!holdsCredentials(file)) continue;
    await git.run(['config', '--local', '--unset-all', key], { allowFail: true });
    if (existsSync(file)) rmSync(file, { force: true });
    removed.push(`${key} → ${file}`);
  }
  return removed;
}
