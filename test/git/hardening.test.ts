// Pilot's own git against real git (and a fake `git` that records what it was given): a minimal
// environment, hardening config on every call, no push outside the issue's branches, no nested
// repository committed, and no git at all once `.git` was swapped.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lendablePaths } from '../../src/agent/isolation/lend.js';
import { BranchRefused, changedPaths, isIssueBranch } from '../../src/git/branch.js';
import { createGit, HARDENING_CONFIG, RepositoryChanged, tokenEnv } from '../../src/git/git.js';
import { checkpoint } from '../../src/pipeline/checkpoint.js';
import { commitPaths, push } from '../../src/pipeline/commit-push.js';
import { PushRefused } from '../../src/security/outgoing.js';
import { createGitWorld, type GitWorld } from '../world/git.js';

const ID = { name: 'Pilot', email: 'pilot@example.com' };
let dir: string;
let world: GitWorld;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pilot-git-hardening-'));
  world = await createGitWorld({ root: dir, owner: 'o', repo: 'r', token: 'unused', credentials: 'none' });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function gitIn() {
  return createGit(world.workspace, {
    source: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

function put(file: string, content: string) {
  mkdirSync(path.dirname(path.join(world.workspace, file)), { recursive: true });
  writeFileSync(path.join(world.workspace, file), content);
}

describe("the environment of Pilot's git", () => {
  it('passes only the allowlist and the auth of the one call, with the hardening config first', async () => {
    const fake = path.join(dir, 'fakebin');
    const dump = path.join(dir, 'dump');
    mkdirSync(fake);
    mkdirSync(path.join(dir, 'repo', '.git'), { recursive: true });
    writeFileSync(
      path.join(fake, 'git'),
      `#!/bin/sh\nenv > "${dump}.env"\nprintf '%s\\n' "$@" > "${dump}.args"\n`,
    );
    chmodSync(path.join(fake, 'git'), 0o755);
    const git = createGit(path.join(dir, 'repo'), {
      source: {
        PATH: `${fake}:/usr/bin:/bin`,
        HOME: '/home/runner',
        LANG: 'C.UTF-8',
        GITHUB_TOKEN: 'ghs_secret',
        ACTIONS_RUNTIME_TOKEN: 'runtime',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
        'INPUT_GITHUB-TOKEN': 'ghs_input',
        'INPUT_ANTHROPIC-API-KEY': 'sk-ant-input',
        ANTHROPIC_API_KEY: 'sk-ant-env',
        GIT_CONFIG_PARAMETERS: "'core.fsmonitor=touch /tmp/x'",
      },
    });
    await git.run(['push', 'origin', 'HEAD'], { env: tokenEnv('ghs_push', 'https://github.com') });
    const env = readFileSync(`${dump}.env`, 'utf8');
    const names = env
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(0, line.indexOf('=')))
      .filter((name) => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(name)); // set by sh itself
    expect(names.sort()).toEqual(
      [
        'PATH',
        'HOME',
        'LANG',
        'GIT_TERMINAL_PROMPT',
        'GIT_CONFIG_COUNT',
        'GIT_CONFIG_KEY_0',
        'GIT_CONFIG_VALUE_0',
      ].sort(),
    );
    expect(env).not.toMatch(/GITHUB_TOKEN|ACTIONS_|INPUT_|ANTHROPIC|GIT_CONFIG_PARAMETERS|ghs_secret|sk-ant/);
    const args = readFileSync(`${dump}.args`, 'utf8').trim().split('\n');
    expect(args.slice(0, HARDENING_CONFIG.length * 2)).toEqual(HARDENING_CONFIG.flatMap((c) => ['-c', c]));
    expect(args.slice(-3)).toEqual(['push', 'origin', 'HEAD']);
    expect(HARDENING_CONFIG).toEqual(
      expect.arrayContaining([
        'core.hooksPath=/dev/null',
        'core.fsmonitor=false',
        'submodule.recurse=false',
        'diff.ignoreSubmodules=all',
      ]),
    );
  });
});

describe('the branch guard in push', () => {
  it('accepts only pilot/issue-<this issue>-<slug>', () => {
    expect(isIssueBranch('pilot/issue-7-add-a-greeting', 7)).toBe(true);
    for (const branch of [
      'main',
      'pilot/issue-8-add-a-greeting',
      'pilot/issue-77-x',
      'pilot/issue-7',
      'pilot/issue-7-',
      'pilot/issue-7-x:refs/heads/main',
      'pilot/issue-7-a/../../main',
      'pilot/issue-7-x.lock',
      'refs/heads/pilot/issue-7-x',
    ])
      expect(isIssueBranch(branch, 7), branch).toBe(false);
  });

  it('refuses to push main (as a forged marker would name it) and origin is untouched', async () => {
    const git = gitIn();
    const before = await world.headSha('main');
    put('src/x.js', 'export const x = 1;\n');
    await commitPaths(git, ['src/x.js'], 'change', ID);
    const error = await push(git, { branch: 'main', issue: 7, auth: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BranchRefused);
    expect((error as Error).message).toContain('`main` is not a branch of issue #7');
    expect(await world.headSha('main')).toBe(before);
    expect(await world.branches()).toEqual(['main']);
  });
});

describe('nested repositories', () => {
  it('commits no nested repository: refuses, names `sub/.git`, stages nothing and runs its fsmonitor never', async () => {
    const ran = path.join(dir, 'ran');
    const sub = path.join(world.workspace, 'sub');
    const sh = (args: string[]) =>
      execFileSync('git', args, { cwd: sub, env: { PATH: process.env.PATH, HOME: dir } });
    mkdirSync(sub);
    sh(['init', '-q']);
    writeFileSync(path.join(sub, 'f.txt'), 'nested\n');
    sh(['add', 'f.txt']);
    sh(['-c', 'user.name=a', '-c', 'user.email=a@b', 'commit', '-q', '-m', 'n']);
    sh(['config', 'core.fsmonitor', `touch ${ran}`]);
    put('src/ok.js', 'export const ok = 1;\n');
    const git = gitIn();
    const paths = [...(await changedPaths(git))];
    expect(paths).toContain('sub/');
    const error = await commitPaths(git, paths, 'change', ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PushRefused);
    expect((error as PushRefused).repositories).toEqual(['sub/.git']);
    expect((error as Error).message).toContain('`sub/.git`');
    expect((await git.run(['diff', '--cached', '--name-only'])).stdout).toBe('');
    await git.run(['status']);
    expect(existsSync(ran)).toBe(false);
  });

  it('refuses a gitlink already in the index before any commit leaves', async () => {
    const git = gitIn();
    const head = (await git.run(['rev-parse', 'HEAD'])).stdout.trim();
    await git.run(['update-index', '--add', '--cacheinfo', `160000,${head},vendored`]);
    put('src/ok.js', 'export const ok = 1;\n');
    const error = await commitPaths(git, ['src/ok.js'], 'change', ID).catch((e: unknown) => e);
    expect((error as PushRefused).repositories).toEqual(['vendored']);
  });

  it('refuses to push a commit that carries a gitlink, however it was made', async () => {
    const git = gitIn();
    await git.run(['checkout', '-q', '-B', 'pilot/issue-7-x']);
    const head = (await git.run(['rev-parse', 'HEAD'])).stdout.trim();
    // Made by a git without Pilot's hardening (Pilot's own commit would leave the gitlink out).
    await world.git(['update-index', '--add', '--cacheinfo', `160000,${head},vendored`]);
    await world.git(['-c', 'user.name=a', '-c', 'user.email=a@b', 'commit', '-q', '-m', 'vendor']);
    const error = await push(git, { branch: 'pilot/issue-7-x', issue: 7, auth: {} }).catch((e: unknown) => e);
    expect((error as PushRefused).repositories).toEqual(['vendored']);
    expect(await world.branches()).toEqual(['main']);
  });
});

describe('a swapped .git', () => {
  it('stops every git call after `mv .git x && cp -r x .git`, and the checkpoint pushes nothing', async () => {
    const git = gitIn();
    await git.run(['checkout', '-q', '-B', 'pilot/issue-7-x']);
    const gitDir = path.join(world.workspace, '.git');
    execFileSync('mv', [gitDir, `${gitDir}-taken`]);
    execFileSync('cp', ['-r', `${gitDir}-taken`, gitDir]);
    put('src/ok.js', 'export const ok = 1;\n');
    await expect(git.run(['status'])).rejects.toBeInstanceOf(RepositoryChanged);
    const warnings: string[] = [];
    const pushed = await checkpoint({
      git,
      branch: 'pilot/issue-7-x',
      issue: 7,
      identity: ID,
      auth: async () => ({}),
      skip: new Set(),
      warn: (line) => warnings.push(line),
    });
    expect(pushed).toBeNull();
    expect(warnings.join('\n')).toContain('was replaced by another directory');
    expect(await world.branches()).toEqual(['main']);
  });
});

describe('a CLI stopped mid-write', () => {
  it("leaves its temporary file out of the WIP commit, and keeps the agent's finished files", async () => {
    const git = gitIn();
    await git.run(['checkout', '-q', '-B', 'pilot/issue-7-x']);
    put('src/done.js', 'export const done = 1;\n');
    // What Claude Code's atomic Write leaves when it is killed between writing and renaming.
    put('src/farewell.js.tmp.4242.a1b2c3d4e5f6', 'export function farew');
    put('src/other.js.tmp.0badc0de', 'half');
    const pushed = await checkpoint({
      git,
      branch: 'pilot/issue-7-x',
      issue: 7,
      identity: ID,
      auth: async () => ({}),
      skip: new Set(),
    });
    expect(pushed).not.toBeNull();
    const files = await world.git(['ls-tree', '-r', '--name-only', 'pilot/issue-7-x'], world.origin);
    expect(files).toContain('src/done.js');
    expect(files).not.toContain('.tmp.');
  });

  it('still commits a tracked file whose name only looks like a leftover', async () => {
    const git = gitIn();
    put('notes.tmp.12345678', 'v1\n');
    await git.run(['add', 'notes.tmp.12345678']);
    await git.run(['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'add']);
    put('notes.tmp.12345678', 'v2\n');
    expect([...(await changedPaths(git))]).toEqual(['notes.tmp.12345678']);
  });
});

describe('what is lent to the agent', () => {
  it('lends tracked files and the directories holding them, never the root, .git, untracked files or a linked directory', async () => {
    put('build/cache.bin', 'left by an earlier step\n');
    put('gha-creds-1234.json', '{"private_key":"x"}\n');
    symlinkSync('/etc', path.join(world.workspace, 'etc-link'));
    const lent = await lendablePaths(world.workspace);
    const rel = (list: string[]) => list.map((p) => path.relative(world.workspace, p));
    const tracked = (await world.git(['ls-files'])).trim().split('\n');
    expect(rel(lent.files).sort()).toEqual(tracked.sort());
    expect(rel(lent.dirs)).not.toContain('');
    expect(rel(lent.dirs)).toContain('src');
    for (const entry of [...rel(lent.files), ...rel(lent.dirs), ...rel(lent.links)])
      expect(entry).not.toMatch(/^(\.git|build|gha-creds|etc-link)/);
  });
});
