// One task, one PR: a command on Pilot's pull request belongs to the task of the issue that PR closes.
// The issue comes from the head branch (`pilot/issue-<n>-…`, a branch of THIS repository) and counts
// only when that issue's authenticated marker records this very PR. Nothing the agent wrote (the PR
// body, "Closes #n") decides it: the agent could point a follow-up at any issue.
import { messageOf } from '../errors.js';
import type { WorkIntent } from '../events/intent.js';
import { issueOfBranch } from '../git/branch.js';
import { statusOf } from '../github/client.js';
import { findTracking } from '../state/tracking.js';
import { type Deps, markerKey } from './deps.js';

export type PullTask =
  | { ok: true; issue: number; branch: string; headSha: string }
  | { ok: false; reason: string };

const refuse = (reason: string): PullTask => ({ ok: false, reason });

async function readPull(deps: Deps, pr: number) {
  try {
    const { data } = await deps.octokit.rest.pulls.get({ ...deps.ctx.repo, pull_number: pr });
    return data;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw new Error(`Could not read pull request #${pr}: ${messageOf(error)}`);
  }
}

/** The task a pull request belongs to, or why Pilot will not act on it. */
export async function taskOfPull(deps: Deps, pr: number, pilotLogin: string): Promise<PullTask> {
  const pull = await readPull(deps, pr);
  if (!pull) return refuse(`#${pr} is not a pull request Pilot can read.`);
  const { ref, sha } = pull.head;
  const own = `${deps.ctx.repo.owner}/${deps.ctx.repo.repo}`.toLowerCase();
  if ((pull.head.repo?.full_name ?? '').toLowerCase() !== own) {
    return refuse(`pull request #${pr} comes from another repository; Pilot only works on its own branches.`);
  }
  const issue = issueOfBranch(ref);
  if (issue === null) {
    return refuse(
      `pull request #${pr} is not on a Pilot branch (\`pilot/issue-<n>-…\`), so it has no Pilot task.`,
    );
  }
  const found = await findTracking(deps.octokit, deps.ctx.repo, issue, pilotLogin, markerKey(deps, issue));
  if (found?.task.pr !== pr || found.task.branch !== ref) {
    return refuse(
      `pull request #${pr} is on branch \`${ref.slice(0, 100)}\`, but Pilot's task for #${issue} does not record this pull request. ` +
        `Pilot only follows up on the pull request it opened for a task; use \`/pilot run\` on the issue instead.`,
    );
  }
  return { ok: true, issue, branch: ref, headSha: sha };
}

/**
 * A work command commented on a pull request, moved to the task it belongs to. `isPullRequest` stays
 * true: the comment lives on the PR, not in the issue's timeline, so it is served directly.
 */
export function onTask(intent: WorkIntent, task: Extract<PullTask, { ok: true }>): WorkIntent {
  // The PR's head goes along: a review round acts only while it is Pilot's last push (review-fix.ts).
  return {
    ...intent,
    issue: task.issue,
    isPullRequest: true,
    headBranch: task.branch,
    headSha: task.headSha,
  };
}
