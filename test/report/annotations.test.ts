// Error annotations point at the file and line they are about: a mistake in `.github/pilot.yml` (read
// by the real config loader from INPUT_* variables and a real file) and a push the guard refused
// (checked against a real git origin). What the runner receives is the workflow command on stdout.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createGit } from '../../src/git/git.js';
import { commitPaths, push } from '../../src/pipeline/commit-push.js';
import { annotateFailure } from '../../src/report/annotations.js';
import { protectionRules } from '../../src/security/protected-paths.js';
import { clearInputs, makeWorkspace, removeWorkspaces, setInputs } from '../config/inputs-env.js';
import { createGitWorld } from '../world/git.js';

/** The `::error …::` commands written while `run` runs. */
function errorCommands(run: () => void): string[] {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('::error'));
}

const dirs: string[] = [];
afterEach(() => {
  clearInputs();
  removeWorkspaces();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('error annotations', () => {
  it('point at the line of .github/pilot.yml a configuration mistake is on', () => {
    clearInputs();
    setInputs({ 'trigger-label': 'pilot' });
    const workspace = makeWorkspace({
      '.github/pilot.yml': 'model: sonnet\nmax_turn: 40\nautopilot: always\n',
    });
    let failure: unknown;
    try {
      loadConfig({ workspace });
    } catch (error) {
      failure = error;
    }
    const commands = errorCommands(() => annotateFailure(failure));
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatch(
      /^::error title=Pilot configuration,file=\.github\/pilot\.yml,line=2::unknown key 'max_turn'.*did you mean 'max-turns'\?/,
    );
    expect(commands[1]).toMatch(
      /^::error title=Pilot configuration,file=\.github\/pilot\.yml,line=3::autopilot: "always"/,
    );
  });

  it('point at the protected file and at the line of a possible secret of a refused push, never the value', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pilot-annotate-'));
    dirs.push(dir);
    const world = await createGitWorld({ root: dir, owner: 'o', repo: 'r', token: 'x', credentials: 'none' });
    const git = createGit(world.workspace, {
      source: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_GLOBAL: '/dev/null' },
    });
    await git.run(['checkout', '-B', 'pilot/issue-1-x']);
    const secret = `ghp_${'A1b2C3d4E5'.repeat(4)}`;
    const files = {
      '.github/workflows/evil.yml': 'on: push\n',
      'src/config.js': `// one\nconst key = '${secret}';\n`,
    };
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(world.workspace, f)), { recursive: true });
      writeFileSync(path.join(world.workspace, f), text);
    }
    await commitPaths(git, Object.keys(files), 'change', { name: 'Pilot', email: 'p@example.com' });
    const rules = protectionRules({ configPath: '.github/pilot.yml', protectedPaths: [] });
    const refused = await push(git, { branch: 'pilot/issue-1-x', issue: 1, auth: {}, rules }).catch(
      (e: unknown) => e,
    );
    const commands = errorCommands(() => annotateFailure(refused));
    expect(commands).toContainEqual(
      expect.stringMatching(
        /^::error title=Pilot refused the push,file=\.github\/workflows\/evil\.yml::.*protected path/,
      ),
    );
    expect(commands).toContainEqual(
      expect.stringMatching(
        /^::error title=Pilot refused the push,file=src\/config\.js,line=2::Possible secret/,
      ),
    );
    expect(commands.join('\n')).not.toContain(secret);
    expect(await world.branches()).not.toContain('pilot/issue-1-x');
  });

  it('leave other errors to the failure message', () => {
    expect(errorCommands(() => annotateFailure(new Error('network down')))).toEqual([]);
  });
});
