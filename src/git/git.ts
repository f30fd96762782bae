// Pilot's own git. The agent writes the working tree Pilot then commits from, so nothing in it may make
// this git run code: every call carries hardening config (no hooks, no fsmonitor, no submodule
// recursion) and a minimal environment (never `process.env`: the token, the model key, the App key and
// ACTIONS_RUNTIME_TOKEN live there). The token is handed to the one push or fetch that needs it through
// environment-scoped config (GIT_CONFIG_COUNT/KEY/VALUE), which git reads and forgets.
import { spawn } from 'node:child_process';
import { type BigIntStats, lstatSync } from 'node:fs';
import path from 'node:path';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly result: GitResult,
  ) {
    super(
      `git ${args[0]} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
}

/** `.git` is not the directory Pilot checked out: Pilot runs no git in it and pushes nothing. */
export class RepositoryChanged extends Error {
  constructor(readonly detail: string) {
    super(
      `Pilot's repository metadata changed while the agent worked (${detail}). ` +
        'Pilot ran no git command in it afterwards and pushed nothing from this run.',
    );
    this.name = 'RepositoryChanged';
  }
}

export interface Git {
  readonly cwd: string;
  /** `.git` as it was when this Git was made: every call checks it is still that directory. */
  readonly identity: RepoIdentity;
  run(args: string[], opts?: { env?: Record<string, string>; allowFail?: boolean }): Promise<GitResult>;
}

/**
 * Set on every call (`-c` outranks every config file, and git hands it on to the git processes it
 * starts, e.g. for a submodule):
 * - hooks: `core.hooksPath=/dev/null`. Nothing can ever exist below /dev/null, so no hook file anyone
 *   plants (in `.git/hooks`, the working tree or a directory Pilot made) is found; an empty directory
 *   of Pilot's would have to be made, kept unwritable and removed, for the same effect.
 * - `core.fsmonitor=false`: a repository's config can name a command git runs on `status`/`add`.
 * - submodules: never recurse, never look inside a nested repository (its config would be read).
 * - `core.untrackedCache=false`: the cache lives in the index and trusts directory mtimes the agent sets.
 * - `protocol.ext.allow=never`: `ext::` remotes run commands.
 */
export const HARDENING_CONFIG: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'submodule.recurse=false',
  'diff.ignoreSubmodules=all',
  'status.submoduleSummary=false',
  'core.untrackedCache=false',
  'protocol.ext.allow=never',
];

/**
 * What Pilot's git may see of Pilot's environment: where programs and home are, the locale, the
 * runner's proxy and CA settings (self-hosted runners push through them), and where a workflow pointed
 * git's own config files. The system config (`/etc/gitconfig`, e.g. git-lfs filters) stays on: only
 * root writes it, and repositories that use LFS need it.
 */
const PASSED_ENV = [
  'PATH',
  'HOME',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'LC_MESSAGES',
  'TZ',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'GIT_SSL_CAINFO',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
];

/** The environment of one git child: the allowlist from `source`, plus what this call adds (auth). */
export function gitEnv(
  source: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_ENV) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, GIT_TERMINAL_PROMPT: '0', ...extra };
}

export interface RepoIdentity {
  dev: string;
  ino: string;
  uid: string;
}

/** Device, inode and owner of `<cwd>/.git`, which must be a real directory (not a link or a gitfile). */
export function repoIdentity(cwd: string): RepoIdentity {
  const gitDir = path.join(cwd, '.git');
  let st: BigIntStats;
  try {
    st = lstatSync(gitDir, { bigint: true });
  } catch {
    throw new RepositoryChanged(`${gitDir} is gone`);
  }
  if (!st.isDirectory()) throw new RepositoryChanged(`${gitDir} is not a directory`);
  return { dev: String(st.dev), ino: String(st.ino), uid: String(st.uid) };
}

function sameRepo(cwd: string, pinned: RepoIdentity): void {
  const now = repoIdentity(cwd);
  if (now.uid !== pinned.uid)
    throw new RepositoryChanged(`.git now belongs to uid ${now.uid}, not ${pinned.uid}`);
  if (now.dev !== pinned.dev || now.ino !== pinned.ino)
    throw new RepositoryChanged('.git was replaced by another directory');
}

export interface GitOptions {
  /** Where the allowlisted variables come from (default `process.env`); nothing else is passed. */
  source?: NodeJS.ProcessEnv;
  /** `.git` as recorded earlier (the post step gets main's record); default: as it is now. */
  identity?: RepoIdentity;
}

export function createGit(cwd: string, options: GitOptions = {}): Git {
  const source = options.source ?? process.env;
  const identity = options.identity ?? repoIdentity(cwd);
  const hardening = HARDENING_CONFIG.flatMap((entry) => ['-c', entry]);
  return {
    cwd,
    identity,
    async run(args, opts = {}) {
      sameRepo(cwd, identity);
      return spawnGit([...hardening, ...args], cwd, gitEnv(source, opts.env), args, opts.allowFail);
    },
  };
}

function spawnGit(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
  shown: string[],
  allowFail = false,
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const result = { code: code ?? 1, stdout, stderr };
      if (result.code !== 0 && !allowFail) reject(new GitError(shown, result));
      else resolve(result);
    });
  });
}

/** Environment that gives exactly one git child the token, as checkout's extraheader would. */
export function tokenEnv(token: string, serverUrl: string): Record<string, string> {
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${serverUrl.replace(/\/$/, '')}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
  };
}
