// Carrying out a merge decision on GitHub, and what follows a merge: the ledger's `merge` record
// (time to merge, cost: the `pilot_prs_merged_total` metric counts it), the branch deleted, and the
// issue closed (checked: GitHub closes it from `Closes #n` only for merges into the default branch).
import * as core from '@actions/core';
import { messageOf } from '../errors.js';
import { defaultTokenNote } from '../github/app-token.js';
import {
  deleteBranch,
  enableAutoMerge,
  type MergeMethod,
  mergePull,
  readPull,
  updateBranch,
} from '../github/merge.js';
import type { MergeRecord } from '../ledger/records.js';
import { GITHUB_TOKEN_MERGE_NOTE, type MergeNote } from '../report/merge-words.js';
import type { TaskDoc } from '../state/task.js';
import type { Deps } from './deps.js';
import type { Gathered } from './merge.js';
import { decideMerge, type MergeDecision } from './merge-decide.js';
import { appendLedger, sealed } from './merge-ledger.js';

export interface Acted {
  note: MergeNote;
  task: TaskDoc;
  tokenNote?: string;
}

type PrTask = TaskDoc & { pr: number; headSha?: string };

interface Attempt {
  issue: number;
  task: PrTask;
  gathered: Gathered;
  decision: MergeDecision;
}

const UPDATE_POLLS = 5;
const UPDATE_POLL_MS = 2000;

/** GitHub's answers that mean "merge it directly instead" (FACTS: auto-merge on a clean PR fails). */
const DIRECT_INSTEAD = /clean status|not allowed for this repository/i;

export async function actOn(deps: Deps, a: Attempt): Promise<Acted> {
  const { task, decision } = a;
  const pr = task.pr;
  const method = deps.config.mergeMethod as MergeMethod;
  const sha = task.headSha ?? '';
  switch (decision.action) {
    case 'merged':
      return afterMerge(deps, a);
    case 'merge': {
      const done = await mergePull(deps.octokit, deps.ctx.repo, { number: pr, sha, method });
      if (done.ok) return afterMerge(deps, a);
      return { task, note: { kind: 'waiting', pr, reason: `GitHub refused the merge: ${done.reason}` } };
    }
    case 'enable-auto': {
      const done = await enableAutoMerge(deps.octokit, { nodeId: a.gathered.nodeId, sha, method });
      if (done.ok) return { task, note: { kind: 'auto-merge', pr, method } };
      if (!DIRECT_INSTEAD.test(done.reason))
        return { task, note: { kind: 'waiting', pr, reason: `GitHub refused auto-merge: ${done.reason}` } };
      const facts = { ...a.gathered.facts, autoMergeAllowed: false };
      return actOn(deps, { ...a, gathered: { ...a.gathered, facts }, decision: decideMerge(facts) });
    }
    case 'update-branch':
      return updated(deps, a);
    case 'wait':
      return { task, note: { kind: 'waiting', pr, reason: decision.reason } };
    case 'refuse':
      return { task, note: { kind: 'refused', pr, reason: decision.reason } };
  }
}

/**
 * GitHub merges the base into the branch at Pilot's request (`expected_head_sha` made sure the head
 * was Pilot's own push): the new head is Pilot's doing, so the task records it as its last push.
 */
async function updated(deps: Deps, a: Attempt): Promise<Acted> {
  const { task } = a;
  const done = await updateBranch(deps.octokit, deps.ctx.repo, { number: task.pr, sha: task.headSha ?? '' });
  if (!done.ok)
    return {
      task,
      note: { kind: 'waiting', pr: task.pr, reason: `GitHub did not update the branch: ${done.reason}` },
    };
  const head = await updatedHead(deps, task.pr, task.headSha);
  if (!head)
    core.warning(`Merge autopilot: #${task.pr}'s branch update had not finished; the task keeps its head`);
  return { task: { ...task, headSha: head ?? task.headSha }, note: { kind: 'updated', pr: task.pr } };
}

/** GitHub updates the branch asynchronously: wait briefly for the new head (the emulator is at once). */
async function updatedHead(deps: Deps, pr: number, old: string | undefined): Promise<string | undefined> {
  for (let attempt = 0; attempt < UPDATE_POLLS; attempt++) {
    const pull = await readPull(deps.octokit, deps.ctx.repo, pr);
    if (pull.headSha !== old) return pull.headSha;
    await new Promise((resolve) => setTimeout(resolve, UPDATE_POLL_MS));
  }
  return undefined;
}

async function afterMerge(deps: Deps, a: Attempt): Promise<Acted> {
  const { task, gathered, issue } = a;
  const pull = await readPull(deps.octokit, deps.ctx.repo, task.pr);
  const mergedAt = pull.mergedAt ?? new Date(deps.now()).toISOString();
  const record: MergeRecord = sealed(deps, {
    v: 1,
    kind: 'merge',
    // One record per pull request: a later attempt that finds it merged adds nothing.
    key: `merge-pr-${task.pr}`,
    at: mergedAt,
    issue,
    pr: task.pr,
    sha: pull.mergeCommitSha ?? task.headSha ?? pull.headSha,
    timeToMergeMs: Math.max(0, Date.parse(mergedAt) - Date.parse(gathered.createdAt)),
    costUsd: task.costUsd,
  });
  await appendLedger(deps, [record]);
  const branchDeleted = deps.config.deleteBranch && (await removeBranch(deps, gathered.headRef));
  const issueNote = await closeIssue(deps, issue, gathered);
  const tokenNote = defaultTokenNote({ tokens: deps.tokens, botLogin: deps.config.botLogin })
    ? GITHUB_TOKEN_MERGE_NOTE
    : undefined;
  const note: MergeNote = { kind: 'merged', pr: task.pr, sha: pull.mergeCommitSha, branchDeleted, issueNote };
  return { task: { ...task, status: 'merged' }, note, tokenNote };
}

async function removeBranch(deps: Deps, branch: string): Promise<boolean> {
  const done = await deleteBranch(deps.octokit, deps.ctx.repo, branch);
  if (!done.ok) core.warning(`Merge autopilot: could not delete ${branch}: ${done.reason}`);
  return done.ok;
}

/** GitHub closes the issue from `Closes #n` only on the default branch; otherwise Pilot does, and says so. */
async function closeIssue(deps: Deps, issue: number, g: Gathered): Promise<string | undefined> {
  const { octokit, ctx } = deps;
  try {
    const { data } = await octokit.rest.issues.get({ ...ctx.repo, issue_number: issue });
    if (data.state === 'closed') return undefined;
    await octokit.rest.issues.update({
      ...ctx.repo,
      issue_number: issue,
      state: 'closed',
      state_reason: 'completed',
    });
    return g.baseRef === g.defaultBranch
      ? `GitHub had not closed #${issue}, so Pilot closed it.`
      : `Pilot closed #${issue}: the pull request merged into \`${g.baseRef}\`, not the default branch, so \`Closes #${issue}\` does not close it.`;
  } catch (error) {
    core.warning(`Merge autopilot: could not check or close #${issue}: ${messageOf(error)}`);
    return undefined;
  }
}
