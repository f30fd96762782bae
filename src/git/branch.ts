import { BRANCH_PREFIX } from '../constants.js';
import type { Git } from './git.js';

export function slugify(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || 'task';
}

export function taskBranch(issue: number, title: string): string {
  return `${BRANCH_PREFIX}issue-${issue}-${slugify(title)}`;
}

/** Branch names Pilot owns for an issue: `pilot/issue-<n>` or `pilot/issue-<n>-<slug>`. */
export function issueOfBranch(branch: string): number | null {
  const match = new RegExp(`^${BRANCH_PREFIX}issue-(\\d+)(?:-|$)`).exec(branch);
  return match ? Number(match[1]) : null;
}

async function remoteHas(git: Git, branch: string, auth: Record<string, string>): Promise<boolean> {
  const { stdout } = await git.run(['ls-remote', '--heads', 'origin', `refs/heads/${branch}`], { env: auth });
  return stdout.trim().length > 0;
}

/**
 * Puts the workspace on the task branch: the existing remote branch when there is one (a re-run
 * continues it), else a new branch from the default branch. Never commits on a detached or
 * `refs/pull/*` HEAD: the branch is always checked out by name.
 */
export async function checkoutTaskBranch(
  git: Git,
  opts: { branch: string; base: string; auth: Record<string, string> },
): Promise<{ existed: boolean }> {
  const { branch, base, auth } = opts;
  const fetch = (ref: string) =>
    git.run(['fetch', '--no-tags', '--depth=50', 'origin', `+refs/heads/${ref}:refs/remotes/origin/${ref}`], {
      env: auth,
    });
  await fetch(base);
  const existed = await remoteHas(git, branch, auth);
  if (existed) await fetch(branch);
  await git.run(['checkout', '-B', branch, `refs/remotes/origin/${existed ? branch : base}`]);
  return { existed };
}

/**
 * Claude Code writes a file atomically through `<file>.tmp.<pid>.<hex>` (or `<file>.tmp.<hex>`) and
 * renames it. A CLI stopped mid-write (budget, timeout, cancel) leaves that temporary file behind: it
 * is not the agent's work, and committing it would put a half-written copy in the WIP commit.
 */
const WRITE_LEFTOVER = /\.tmp\.(?:\d+\.)?[0-9a-f]{8,16}$/;

/** An untracked file that is the CLI's interrupted atomic write, never a file the agent meant to add. */
export function isWriteLeftover(path: string): boolean {
  return WRITE_LEFTOVER.test(path);
}

/**
 * Paths with changes in the work tree or index (tracked or not), as git reports them. A nested
 * repository is listed as its directory (`sub/`); git never looks inside it (submodules ignored).
 * Untracked interrupted writes of the CLI are left out (see `isWriteLeftover`).
 */
export async function changedPaths(git: Git): Promise<Set<string>> {
  const { stdout } = await git.run([
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
    '--ignore-submodules=all',
  ]);
  const paths = new Set<string>();
  const entries = stdout.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (entry.length < 4) continue;
    if (entry.startsWith('??') && isWriteLeftover(entry.slice(3))) continue;
    paths.add(entry.slice(3));
    // A rename or copy is followed by its source path; both are changes.
    if (entry[0] === 'R' || entry[0] === 'C') paths.add(entries[++i]);
  }
  return paths;
}

export interface Identity {
  name: string;
  email: string;
}

/** Pilot pushes only to `pilot/issue-<n>-<slug>` of the issue it works on, whatever a marker says. */
export class BranchRefused extends Error {
  constructor(
    readonly branch: string,
    readonly issue: number,
  ) {
    super(
      `Pilot did not push: \`${branch}\` is not a branch of issue #${issue}. ` +
        `Pilot pushes only to \`${BRANCH_PREFIX}issue-${issue}-…\` branches.`,
    );
    this.name = 'BranchRefused';
  }
}

/** Whether Pilot may push `branch` for `issue`: `pilot/issue-<issue>-` and a plain slug, nothing else. */
export function isIssueBranch(branch: string, issue: number): boolean {
  const prefix = `${BRANCH_PREFIX}issue-${issue}-`;
  if (!branch.startsWith(prefix)) return false;
  const slug = branch.slice(prefix.length);
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(slug) && !slug.includes('..') && !/(\.lock|\.)$/.test(slug);
}
