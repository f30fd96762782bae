// The gate: runs for untrusted events (read-only cache), decides, answers what it can itself, and
// hands work to a trusted `repository_dispatch` run.
import * as core from '@actions/core';
import { configTable } from '../config/describe.js';
import { DISPATCH_EVENT_TYPE } from '../constants.js';
import { messageOf } from '../errors.js';
import { helpText } from '../events/command.js';
import { toDispatchPayload } from '../events/dispatch.js';
import type { Intent, IssueIntent, ReplyIntent, WorkIntent } from '../events/intent.js';
import { react } from '../github/reactions.js';
import { renderTracking } from '../report/comment.js';
import type { Outcome } from '../report/outputs.js';
import { writeSummary } from '../report/outputs.js';
import { isWorking, newTask, type TaskDoc, withRun } from '../state/task.js';
import { findTracking, writeTracking } from '../state/tracking.js';
import { checkBudget } from './budget-check.js';
import { ciGate } from './ci-gate.js';
import { type Deps, dispatchSigner, markerKey } from './deps.js';
import { dispatchApproval, isApproval } from './epic-approve.js';
import { dispatchMemory, isMemoryCommand, listMemory } from './memory-commands.js';
import { resumeMerging } from './merge-resume.js';
import { onTask, taskOfPull } from './pull-task.js';
import { postReply } from './reply.js';
import { refuseRound } from './review-fix.js';
import { closeTask, dashboardLine, describeTask } from './status.js';

/** Pilot's identity: the author of the reaction it just made (App tokens), else `bot-login`. */
async function acknowledge(deps: Deps, intent: IssueIntent): Promise<string> {
  const { issue } = intent;
  try {
    const login = await react(deps.octokit, deps.ctx.repo, { issue, commentId: intent.commentId }, 'eyes');
    return login ?? deps.config.botLogin;
  } catch (error) {
    core.warning(`Could not react to the trigger: ${messageOf(error)}`);
    return deps.config.botLogin;
  }
}

async function answer(deps: Deps, intent: ReplyIntent, pilotLogin: string): Promise<Outcome> {
  const { issue } = intent;
  if (intent.command === 'memory') return listMemory(deps, intent);
  if (intent.command === 'help' || intent.command === 'unknown') {
    const lead = intent.command === 'unknown' ? `Unknown command \`${intent.args.slice(0, 40)}\`.\n\n` : '';
    const settings = `**Effective configuration** (secrets show only as set or not set):\n\n${configTable(deps.config)}`;
    await postReply(deps, issue, `${lead}${helpText(deps.config.triggerLabel)}\n\n${settings}`);
    return { conclusion: 'success' };
  }
  if (intent.command === 'resume') return resumeMerging(deps, intent);
  const taskIssue = await taskIssueOf(deps, intent, pilotLogin);
  const tracking = await findTracking(
    deps.octokit,
    deps.ctx.repo,
    taskIssue,
    pilotLogin,
    markerKey(deps, taskIssue),
  );
  if (intent.command === 'status') {
    const about = tracking ? describeTask(deps, tracking.task) : 'Pilot has no task for this issue yet.';
    await postReply(deps, issue, about + (await dashboardLine(deps, pilotLogin)));
    return { conclusion: 'success', taskStatus: tracking?.task.status };
  }
  // pull_request.closed on Pilot's PR arrives as `cancel` carrying the PR's head (src/events/pull-events.ts).
  if (intent.isPullRequest && intent.headBranch) return closeTask(deps, intent, tracking);
  return cancelTask(deps, intent, tracking);
}

/** `status` and `cancel` on Pilot's PR read the task of the issue that PR closes, when it is Pilot's. */
async function taskIssueOf(deps: Deps, intent: ReplyIntent, pilotLogin: string): Promise<number> {
  if (intent.source !== 'comment' || !intent.isPullRequest) return intent.issue;
  const task = await taskOfPull(deps, intent.issue, pilotLogin);
  return task.ok ? task.issue : intent.issue;
}

async function cancelTask(
  deps: Deps,
  intent: IssueIntent,
  tracking: Awaited<ReturnType<typeof findTracking>>,
): Promise<Outcome> {
  const { issue } = intent;
  const run = tracking?.task.runs.filter((r) => r.kind === 'work').at(-1);
  if (
    !tracking ||
    !run ||
    !(['queued', 'ci_fixing'].includes(tracking.task.status) || isWorking(tracking.task))
  ) {
    if (intent.source === 'comment')
      await postReply(deps, issue, 'Nothing to cancel: no Pilot run is in progress.');
    return { conclusion: 'success', taskStatus: tracking?.task.status };
  }
  try {
    await deps.octokit.rest.actions.cancelWorkflowRun({ ...deps.ctx.repo, run_id: run.id });
    await postReply(deps, issue, `Cancelling run ${run.id}; its post step will push work in progress.`);
  } catch (error) {
    await postReply(
      deps,
      issue,
      `Could not cancel run ${run.id}: ${messageOf(error)}. The workflow needs \`actions: write\` permission for cancel.`,
    );
  }
  return { conclusion: 'success', taskStatus: tracking.task.status };
}

/** A command on a pull request acts on the task of the issue that PR closes, or on nothing. */
async function onItsTask(deps: Deps, intent: WorkIntent, pilotLogin: string): Promise<WorkIntent | null> {
  if (intent.source !== 'comment' || !intent.isPullRequest) return intent;
  const task = await taskOfPull(deps, intent.issue, pilotLogin);
  if (task.ok) return onTask(intent, task);
  core.info(`Pilot refuses /pilot ${intent.command} on #${intent.issue}: ${task.reason}`);
  await postReply(deps, intent.issue, `Pilot did not start: ${task.reason}`);
  return null;
}

async function dispatch(deps: Deps, asked: WorkIntent, pilotLogin: string): Promise<Outcome> {
  const intent = await onItsTask(deps, asked, pilotLogin);
  if (!intent) return { conclusion: 'skipped' };
  const { issue } = intent;
  const { ctx } = deps;
  const found = await findTracking(deps.octokit, ctx.repo, issue, pilotLogin, markerKey(deps, issue));
  const stale = followUpOnOtherHead(intent, found?.task.headSha);
  if (stale) {
    core.info(`Pilot ignores this ${intent.source} follow-up: ${stale}`);
    return { conclusion: 'skipped', taskStatus: found?.task.status };
  }
  // `/pilot fix` on a PR head Pilot did not push, or a round past `max-review-rounds`: a comment, no agent.
  const refused = await refuseRound(deps, intent, found?.task);
  if (refused) return refused;
  const ci = await ciGate(deps, intent, found);
  if (ci) return ci;
  const budget = await checkBudget(deps, intent, 'gate');
  if (!budget.proceed) return budget.outcome;
  const task = withRun(
    // A working task keeps its status: that claim is what tells a stale lease from a live one.
    { ...(found?.task ?? newTask()), status: queuedStatus(intent, found?.task) },
    {
      id: ctx.runId,
      kind: 'gate',
      at: new Date(deps.now()).toISOString(),
    },
  );
  const view = renderTracking(task, {
    headline: `queued (${intent.command})`,
    body: `Requested by @${intent.sender.login}. A trusted run will pick this up shortly.`,
    links: [
      ['gate run', ctx.runUrl],
      ['work runs', ctx.workflowUrl],
    ],
  });
  const tracking = await writeTracking(
    deps.octokit,
    ctx.repo,
    issue,
    found,
    view,
    task,
    markerKey(deps, issue),
  );
  await deps.octokit.rest.repos.createDispatchEvent({
    ...ctx.repo,
    event_type: DISPATCH_EVENT_TYPE,
    client_payload: toDispatchPayload(intent, ctx.runId, dispatchSigner(deps)),
  });
  core.info(
    `Dispatched '${intent.command}' for #${issue} to a trusted run (event_type ${DISPATCH_EVENT_TYPE})`,
  );
  await writeSummary(`Pilot gate: dispatched ${intent.command} for #${issue}`, [
    ['Requested by', `@${intent.sender.login}`],
    ['Tracking comment', tracking.url],
    ['Work run', `${ctx.workflowUrl} (repository_dispatch \`${DISPATCH_EVENT_TYPE}\`)`],
  ]);
  return { conclusion: 'success', taskStatus: 'queued' };
}

/** A working task keeps its status; a CI fix shows `ci_fixing` from the moment it is asked for. */
function queuedStatus(intent: WorkIntent, task: TaskDoc | undefined): TaskDoc['status'] {
  if (task && isWorking(task)) return task.status;
  return intent.source === 'ci' ? 'ci_fixing' : 'queued';
}

/**
 * Reviews and CI failures count only for the head Pilot pushed last (recorded in its authenticated
 * marker): a later push by someone else, or a SHA Pilot never pushed, starts nothing.
 */
function followUpOnOtherHead(intent: IssueIntent, pushed: string | undefined): string | null {
  if (intent.source !== 'review' && intent.source !== 'ci') return null;
  if (intent.headSha && pushed === intent.headSha) return null;
  const head = intent.headSha ? intent.headSha.slice(0, 7) : 'unknown';
  return `head ${head} is not Pilot's last push (${pushed ? pushed.slice(0, 7) : 'none recorded'})`;
}

export async function gate(deps: Deps, intent: Intent): Promise<Outcome> {
  if (intent.kind === 'sweep') return { conclusion: 'skipped' };
  const pilotLogin = await acknowledge(deps, intent);
  if (intent.kind === 'reply') return answer(deps, intent, pilotLogin);
  // Memory commands concern no task: no tracking comment, no budget (src/pipeline/memory-commands.ts).
  if (isMemoryCommand(intent)) return dispatchMemory(deps, intent);
  // An epic's approval rewrites no tracking comment in the gate; the trusted run answers (epic-approve.ts).
  if (isApproval(intent)) return dispatchApproval(deps, intent);
  return dispatch(deps, intent, pilotLogin);
}
