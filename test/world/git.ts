// The git side of the local world: a bare `origin` seeded with a small sample project and a workspace
// left exactly the way `actions/checkout` leaves it, persisted credentials included. Tests run the real
// `git` against it; nothing here talks to a network.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Which form of checkout's `persist-credentials: true` the workspace carries. */
export type CredentialForm = 'v6' | 'legacy' | 'none';

export interface GitWorldOptions {
  /** Directory the world lives in (the test creates and removes it). */
  root: string;
  owner: string;
  repo: string;
  /** The token checkout persisted (what `${{ github.token }}` was). */
  token: string;
  /** Files of the seed commit; defaults to a tiny Node project. */
  files?: Record<string, string>;
  defaultBranch?: string;
  credentials?: CredentialForm;
}

export interface GitWorld {
  /** Path of the bare repository that plays github.com. */
  origin: string;
  /** `file://` URL of origin (a plain path would make `--depth` a no-op). */
  originUrl: string;
  /** `GITHUB_WORKSPACE`: the checked-out clone. */
  workspace: string;
  /** `RUNNER_TEMP`: where checkout v6 writes its credentials file. */
  runnerTemp: string;
  defaultBranch: string;
  /** The file checkout v6 wrote, when `credentials` is `v6`. */
  credentialFile?: string;
  /** The header value checkout persisted (`AUTHORIZATION: basic …`), for assertions. */
  extraHeader: string;
  /** Runs git (in the workspace unless `cwd` is given) with a hermetic config; returns stdout. */
  git(args: string[], cwd?: string): Promise<string>;
  /** Branch names on origin. */
  branches(): Promise<string[]>;
  /** A file's content at a ref on origin. */
  show(ref: string, filePath: string): Promise<string>;
  /** Commit subjects reachable from a ref on origin, newest first. */
  log(ref: string): Promise<string[]>;
  /** The commit a ref on origin points at (`GITHUB_SHA` for default-branch events). */
  headSha(ref?: string): Promise<string>;
}

export const SAMPLE_PROJECT: Readonly<Record<string, string>> = {
  'package.json': `${JSON.stringify(
    {
      name: 'sample',
      version: '1.0.0',
      private: true,
      type: 'module',
      scripts: { test: 'node --test' },
    },
    null,
    2,
  )}\n`,
  'src/greet.js': "export function greet(name) {\n  return 'Hello, ' + name + '!';\n}\n",
  'test/greet.test.js':
    "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { greet } from '../src/greet.js';\n\n" +
    "test('greets by name', () => {\n  assert.equal(greet('Ada'), 'Hello, Ada!');\n});\n",
  'README.md': '# sample\n\nA tiny project for Pilot to work on.\n',
  'CLAUDE.md': '# Notes for the agent\n\nRun `npm test` before finishing.\n',
};

const SEED_IDENTITY = ['-c', 'user.name=Octocat', '-c', 'user.email=octocat@users.noreply.github.com'];

/** The credential checkout persists: basic auth of `x-access-token:<token>`. */
export function checkoutExtraHeader(token: string): string {
  return `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64')}`;
}

/**
 * Environment for the world's own git calls: no user or system config, so a developer's
 * `~/.gitconfig` (signing, hooks, templates) cannot change what the tests see.
 */
function hermeticGitEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
  };
}

export function runGit(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: hermeticGitEnv(), maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

async function seedOrigin(root: string, origin: string, branch: string, files: Record<string, string>) {
  await runGit(['init', '--bare', '--quiet', `--initial-branch=${branch}`, origin], root);
  const seed = path.join(root, '.seed');
  await mkdir(seed, { recursive: true });
  await runGit(['init', '--quiet', `--initial-branch=${branch}`], seed);
  await writeFiles(seed, files);
  await runGit(['add', '--all'], seed);
  await runGit([...SEED_IDENTITY, 'commit', '--quiet', '-m', 'Initial commit'], seed);
  await runGit(['push', '--quiet', origin, `HEAD:refs/heads/${branch}`], seed);
  await rm(seed, { recursive: true, force: true });
}

/**
 * The commands actions/checkout runs for a branch event: init, remote, a depth-1 fetch of the one
 * commit into `refs/remotes/origin/<branch>`, then `checkout -B` so the branch tracks origin.
 */
async function checkoutLikeActions(workspace: string, originUrl: string, branch: string): Promise<void> {
  await mkdir(workspace, { recursive: true });
  await runGit(['init', '--quiet', `--initial-branch=${branch}`, workspace], workspace);
  await runGit(['remote', 'add', 'origin', originUrl], workspace);
  await runGit(['config', '--local', 'gc.auto', '0'], workspace);
  await runGit(
    [
      'fetch',
      '--quiet',
      '--no-tags',
      '--prune',
      '--no-recurse-submodules',
      '--depth=1',
      'origin',
      `+refs/heads/${branch}:refs/remotes/origin/${branch}`,
    ],
    workspace,
  );
  await runGit(['checkout', '--quiet', '--force', '-B', branch, `refs/remotes/origin/${branch}`], workspace);
}

/**
 * checkout v6: the header lives in `$RUNNER_TEMP/git-credentials-<uuid>.config`, pulled in through
 * `includeIf.gitdir:` entries for the host path, its worktrees, and the container paths
 * (see actions/checkout src/git-auth-helper.ts `configureToken`).
 */
async function persistV6(workspace: string, runnerTemp: string, header: string): Promise<string> {
  const file = path.join(runnerTemp, `git-credentials-${randomUUID()}.config`);
  await writeFile(file, `[http "https://github.com/"]\n\textraheader = ${header}\n`);
  const gitDir = path.join(workspace, '.git');
  const containerFile = path.posix.join('/github/runner_temp', path.basename(file));
  const includes: Array<[string, string]> = [
    [`includeIf.gitdir:${gitDir}.path`, file],
    [`includeIf.gitdir:${gitDir}/worktrees/*.path`, file],
    ['includeIf.gitdir:/github/workspace/.git.path', containerFile],
    ['includeIf.gitdir:/github/workspace/.git/worktrees/*.path', containerFile],
  ];
  for (const [key, value] of includes) await runGit(['config', '--local', key, value], workspace);
  return file;
}

/** Before v6 the header went straight into the workspace's `.git/config`. */
async function persistLegacy(workspace: string, header: string): Promise<void> {
  await runGit(['config', '--local', 'http.https://github.com/.extraheader', header], workspace);
}

export async function createGitWorld(opts: GitWorldOptions): Promise<GitWorld> {
  const defaultBranch = opts.defaultBranch ?? 'main';
  const root = path.resolve(opts.root);
  const origin = path.join(root, 'remotes', opts.owner, `${opts.repo}.git`);
  const originUrl = pathToFileURL(origin).href;
  // The hosted runner's layout: /home/runner/work/<repo>/<repo> and /home/runner/work/_temp.
  const workspace = path.join(root, 'work', opts.repo, opts.repo);
  const runnerTemp = path.join(root, 'work', '_temp');
  await mkdir(path.dirname(origin), { recursive: true });
  await mkdir(runnerTemp, { recursive: true });

  await seedOrigin(root, origin, defaultBranch, opts.files ?? SAMPLE_PROJECT);
  await checkoutLikeActions(workspace, originUrl, defaultBranch);

  const extraHeader = checkoutExtraHeader(opts.token);
  const form = opts.credentials ?? 'v6';
  let credentialFile: string | undefined;
  if (form === 'v6') credentialFile = await persistV6(workspace, runnerTemp, extraHeader);
  if (form === 'legacy') await persistLegacy(workspace, extraHeader);

  const onOrigin = (args: string[]) => runGit(args, origin);
  return {
    origin,
    originUrl,
    workspace,
    runnerTemp,
    defaultBranch,
    credentialFile,
    extraHeader,
    git: (args, cwd) => runGit(args, cwd ?? workspace),
    branches: async () =>
      (await onOrigin(['for-each-ref', '--format=%(refname:short)', 'refs/heads/']))
        .split('\n')
        .filter(Boolean),
    show: (ref, filePath) => onOrigin(['show', `${ref}:${filePath}`]),
    log: async (ref) => (await onOrigin(['log', '--format=%s', ref, '--'])).split('\n').filter(Boolean),
    headSha: async (ref = defaultBranch) => (await onOrigin(['rev-parse', ref])).trim(),
  };
}
