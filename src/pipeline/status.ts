import * as core from '@actions/core';
import type { IssueIntent } from '../events/intent.js';
import { formatUsd, renderTracking } from '../report/comment.js';
import { failureMessage } from '../report/github-errors.js';
import type { Outcome } from '../report/outputs.js';
import { findDashboard } from '../state/dashboard-issue.js';
import { claimedHolder, type TaskDoc } from '../state/task.js';
import type { TrackingComment } from '../state/tracking.js';
import { writeTracking } from '../state/tracking.js';
import { runUrlOf } from './context.js';
import { type Deps, markerKey } from './deps.js';
import { announce } from './notices.js';

/** A line linking the dashboard issue when the sweep keeps one; empty otherwise (reads only). */
export async function dashboardLine(deps: Deps, pilotLogin: string): Promise<string> {
  try {
    const dashboard = await findDashboard(deps.octokit, deps.ctx.repo, pilotLogin, deps.seal);
    if (!dashboard) return '';
    return `\n\nRepository-wide runs, spend and queue: [Pilot dashboard](${dashboard.url}) (#${dashboard.number}).`;
  } catch (error) {
    core.info(`Could not look for the dashboard issue (${failureMessage(error)}): replying without it`);
    return '';
  }
}

/** The `/pilot status` reply, read from the marker. */
export function describeTask(deps: Deps, task: TaskDoc): string {
  const lines = [
    `**Pilot status:** \`${task.status}\``,
    `- branch: ${task.branch ? `\`${task.branch}\`` : '—'}`,
    `- pull request: ${task.pr ? `#${task.pr}` : '—'}`,
    `- cost so far: ${formatUsd(task.costUsd)} over ${task.attempts} run(s)`,
  ];
  const runs = task.runs
    .slice(-5)
    .map((r) => `[${r.kind} ${r.id}](${runUrlOf(deps.ctx, r.id)})${r.outcome ? ` ${r.outcome}` : ''}`);
  if (runs.length) lines.push(`- recent runs: ${runs.join(', ')}`);
  return lines.join('\n');
}

/**
 * Pilot's PR was closed: the task ends as `merged` or `closed` (a run still working on it, such as a
 * fix, is cancelled). A PR of some other branch than the task's is not this task's business.
 */
export async function closeTask(
  deps: Deps,
  intent: IssueIntent,
  tracking: TrackingComment | null,
): Promise<Outcome> {
  if (!tracking || (tracking.task.branch && tracking.task.branch !== intent.headBranch)) {
    core.info(`The closed pull request (${intent.headBranch}) is not the task's branch: nothing to record`);
    return { conclusion: 'skipped', taskStatus: tracking?.task.status };
  }
  const { ctx, octokit } = deps;
  const task = tracking.task;
  const pr = task.pr ? (await octokit.rest.pulls.get({ ...ctx.repo, pull_number: task.pr })).data : null;
  const merged = pr?.merged === true;
  const holder = claimedHolder(task);
  if (holder !== undefined) {
    await octokit.rest.actions
      .cancelWorkflowRun({ ...ctx.repo, run_id: holder })
      .catch((error: Error) => core.warning(`Could not cancel run ${holder}: ${error.message}`));
  }
  const next: TaskDoc = { ...task, status: merged ? 'merged' : 'closed', rev: task.rev + 1 };
  const what = task.pr ? `pull request #${task.pr}` : 'the pull request';
  const view = renderTracking(next, {
    headline: merged ? `${what} was merged` : `${what} was closed without merging`,
    body: merged ? undefined : 'The task is closed. Comment `/pilot run` to start again.',
    links: [['run', ctx.runUrl]],
  });
  const { issue } = intent;
  await writeTracking(octokit, ctx.repo, issue, tracking, view, next, markerKey(deps, issue));
  core.info(`Task for #${intent.issue} is now ${next.status}`);
  if (merged)
    await announce(deps, {
      event: 'pr.merged',
      issue,
      url: pr?.html_url,
      status: 'merged',
      summary: `${what} was merged`,
    });
  return { conclusion: 'success', taskStatus: next.status };
}
