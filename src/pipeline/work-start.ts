// The work run's first step: read the issue, plan it, claim the task and say "working on it".
import * as core from '@actions/core';
import type { IsolationReport } from '../agent/isolation/index.js';
import type { WorkIntent } from '../events/intent.js';
import { issueOfBranch, taskBranch } from '../git/branch.js';
import { renderTracking, type TrackingView } from '../report/comment.js';
import { startView } from '../report/work-words.js';
import { newTask, type TaskDoc, withRun } from '../state/task.js';
import { findTracking, rebuildTask, type TrackingComment, writeTracking } from '../state/tracking.js';
import type { CiFix } from './ci-fix.js';
import { runUrlOf } from './context.js';
import { type Deps, markerKey } from './deps.js';
import { adoptLesson, type Lesson } from './memory-lessons.js';
import type { UsedMemory } from './memory-prompt.js';
import { planIssue, type TaskPlan } from './plan.js';
import { saveRunState } from './post-state.js';
import { isReviewRound, type ReviewRound } from './review-fix.js';
import type { IssueText } from './thread.js';

/** What the run knows once the task is claimed: the issue, its plan, and the tracking comment. */
export interface TaskStart {
  issue: IssueText;
  prior: TaskDoc | null;
  branch: string;
  plan: TaskPlan;
  task: TaskDoc;
  tracking: TrackingComment;
  startView: TrackingView;
  links: Array<[string, string]>;
  started: number;
}

/** One task through the work run: what was asked, what the run knows, and the agent's isolation. */
export interface WorkTask {
  deps: Deps;
  intent: WorkIntent;
  start: TaskStart;
  isolation: IsolationReport;
  /** The review this run answers (src/pipeline/review-fix.ts), when it is a review round. */
  review?: ReviewRound;
  /** A CI fix: the failed run and its error regions (src/pipeline/ci-fix.ts). */
  ci?: CiFix;
  /** The learnings the agent's prompt carried (set by work-agent.ts; src/pipeline/memory-prompt.ts). */
  memory?: UsedMemory;
  /** A lesson distilled after this review round or CI fix, to propose (src/pipeline/memory-lessons.ts). */
  lesson?: Lesson;
}

/** Reads the issue, plans it, and says "working on it" in the tracking comment. */
export async function startTask(deps: Deps, intent: WorkIntent): Promise<TaskStart> {
  const { ctx, octokit } = deps;
  const started = deps.now();
  const { issue } = intent;
  const { data } = await octokit.rest.issues.get({ ...ctx.repo, issue_number: issue });
  const found = await findTracking(octokit, ctx.repo, issue, deps.config.botLogin, markerKey(deps, issue));
  // No branch in an authenticated marker (a new task, or only forged markers): what GitHub records is
  // the truth, i.e. the open PR on the issue's own `pilot/issue-<n>-…` branch.
  const rebuilt = found?.task.branch ? {} : await rebuildTask(octokit, ctx.repo, issue);
  // A lesson proposed by an earlier run that a maintainer approved (👍) since is kept now.
  const known = { ...((await adoptLesson(deps, found)) ?? newTask()), ...rebuilt };
  const branch = ownBranch(known.branch, issue) ?? taskBranch(issue, data.title);
  const body = data.body ?? '';
  const plan = planIssue(deps.config, data);
  const task = withRun(
    { ...known, ...startStatus(intent), branch, attempts: known.attempts + 1 },
    { id: ctx.runId, kind: 'work', at: new Date(started).toISOString() },
  );
  const links = runLinks(deps, intent);
  const view = startView(intent.command, branch, plan, links);
  const tracking = await writeTracking(
    octokit,
    ctx.repo,
    issue,
    found,
    renderTracking(task, view),
    task,
    markerKey(deps, issue),
  );
  saveRunState({ issue, trackingId: tracking.id, branch }, deps.config);
  const author = data.user && { login: data.user.login, id: data.user.id, type: data.user.type };
  const text: IssueText = { number: issue, title: data.title, body, author };
  return {
    issue: text,
    prior: found?.task ?? null,
    branch,
    plan,
    task,
    tracking,
    startView: view,
    links,
    started,
  };
}

/**
 * The status while the run works, a claim like `running` (src/state/task.ts claimedHolder): a CI fix
 * shows `ci_fixing` (the flake check it follows, if any, is over), a review round `review_fixing`.
 */
function startStatus(intent: WorkIntent): Pick<TaskDoc, 'status' | 'ciRerun'> {
  if (intent.source === 'ci') return { status: 'ci_fixing', ciRerun: undefined };
  return { status: isReviewRound(intent) ? 'review_fixing' : 'running' };
}

/** A branch from the marker counts only when it is this issue's own `pilot/issue-<n>-…` branch. */
function ownBranch(branch: string | undefined, issue: number): string | undefined {
  if (!branch) return undefined;
  if (issueOfBranch(branch) === issue) return branch;
  core.warning(
    `The task names branch ${JSON.stringify(branch)}, which is not #${issue}'s: using the issue's own branch`,
  );
  return undefined;
}

function runLinks(deps: Deps, intent: WorkIntent): Array<[string, string]> {
  const links: Array<[string, string]> = [];
  if (intent.gateRunId) links.push(['gate run', runUrlOf(deps.ctx, intent.gateRunId)]);
  links.push(['work run', deps.ctx.runUrl]);
  return links;
}
