// `WIP:` checkpoints while the agent works: what it changed so far, committed and pushed to the task
// branch every `checkpoint-minutes`. A lost runner (preempted VM, OOM kill) runs no post step, so the
// last checkpoint is all that survives it. A checkpoint never fails the run: trouble is a warning.
import * as core from '@actions/core';
import { every, realTimers, type Timers } from '../agent/progress.js';
import { messageOf } from '../errors.js';
import { changedPaths, type Identity } from '../git/branch.js';
import { type Git, tokenEnv } from '../git/git.js';
import { type ProtectionRules, protectionRules } from '../security/protected-paths.js';
import { commitPaths, push } from './commit-push.js';
import type { Deps } from './deps.js';

export interface CheckpointOptions {
  /** Pilot's git in the workspace, made before the workspace was lent (it checks `.git` is unchanged). */
  git: Git;
  branch: string;
  issue: number;
  identity: Identity;
  /** The push credentials, asked for each push: an App token may have been minted an hour ago. */
  auth: () => Promise<Record<string, string>>;
  rules?: ProtectionRules;
  /** Paths that were modified before the agent started: not the agent's work, never committed. */
  skip: ReadonlySet<string>;
  log?: (line: string) => void;
  warn?: (line: string) => void;
}

/** Commits and pushes the agent's changes so far; returns the pushed commit, or null (none, or failed). */
export async function checkpoint(opts: CheckpointOptions): Promise<string | null> {
  try {
    const paths = [...(await changedPaths(opts.git))].filter((p) => !opts.skip.has(p));
    const message = `WIP: checkpoint (#${opts.issue})`;
    const commit = await commitPaths(opts.git, paths, message, opts.identity);
    if (!commit) return null;
    await push(opts.git, {
      branch: opts.branch,
      issue: opts.issue,
      auth: await opts.auth(),
      rules: opts.rules,
    });
    opts.log?.(`Checkpoint ${commit.slice(0, 7)} pushed to ${opts.branch}`);
    return commit;
  } catch (error) {
    opts.warn?.(`Checkpoint failed: ${messageOf(error)}`);
    return null;
  }
}

/**
 * Checkpoints every `everyMs` until stopped; `stop()` waits for one in progress, so the final commit
 * after the agent ends never races a checkpoint.
 */
export function startCheckpoints(
  everyMs: number,
  opts: CheckpointOptions,
  timers: Timers = realTimers,
): { stop(): Promise<void> } {
  return every(everyMs, async () => void (await checkpoint(opts)), timers);
}

/** The options for the work run's checkpoints, from its configuration and workspace. */
export function checkpointOptions(
  deps: Deps,
  where: { git: Git; branch: string; issue: number; skip: ReadonlySet<string>; auth: Record<string, string> },
): CheckpointOptions {
  const { config, ctx } = deps;
  return {
    git: where.git,
    branch: where.branch,
    issue: where.issue,
    identity: { name: config.gitUserName, email: config.gitUserEmail },
    auth: async () => (deps.tokens ? tokenEnv(await deps.tokens.token(), ctx.serverUrl) : where.auth),
    rules: protectionRules(config),
    skip: where.skip,
    log: (line) => core.info(line),
    warn: (line) => core.warning(line),
  };
}
