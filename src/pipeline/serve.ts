// serve.ts is the work run's outer loop (work.ts does one task inside it): take the issue's lease,
// serve the run's own request and then every queued command in timeline order, release, and look once
// more. Queued commands are served in-process by the run that holds the lease rather than dispatched:
// the lease is never let go between two commands, so no other run can slip in between and the order
// is the timeline's. A run that finds the lease held says so once and exits 0; the holder will reach
// its command.
import * as core from '@actions/core';
import { authorize } from '../auth/authorize.js';
import type { WorkIntent } from '../events/intent.js';
import type { Outcome } from '../report/outputs.js';
import { mergeHistory, reconcile, restoreTaskDoc, saveTaskDoc } from '../state/cache-doc.js';
import { acquireLease, releaseLease } from '../state/lease.js';
import {
  isServed,
  latestLabelEvent,
  markServed,
  pendingCommands,
  type QueuedCommand,
  type QueuedNote,
  queuedNoteMarker,
} from '../state/queue.js';
import type { RunRef } from '../state/task.js';
import { findTracking, type TrackingComment, updateMarker } from '../state/tracking.js';
import { runUrlOf } from './context.js';
import { type Deps, markerKey } from './deps.js';
import { saveLeaseState } from './post-state.js';
import { postReply } from './reply.js';
import { policyOf } from './thread.js';

export type WorkFn = (deps: Deps, intent: WorkIntent) => Promise<Outcome>;

/** More commands than this in one run is a runaway; the rest wait for the next run or the sweep. */
const MAX_SERVED = 20;

async function defaultBranchSha(deps: Deps): Promise<string> {
  const { data: repo } = await deps.octokit.rest.repos.get({ ...deps.ctx.repo });
  const { data: ref } = await deps.octokit.rest.git.getRef({
    ...deps.ctx.repo,
    ref: `heads/${repo.default_branch}`,
  });
  return ref.object.sha;
}

/** Same comment already taken up, or the same label event already served: a duplicate delivery. */
async function duplicateOf(
  deps: Deps,
  intent: WorkIntent,
  tracking: TrackingComment | null,
): Promise<string | null> {
  if (intent.rerun) return null;
  const { issue } = intent;
  const login = deps.config.botLogin;
  if (intent.commentId && (await isServed(deps.octokit, deps.ctx.repo, intent.commentId, login))) {
    return `comment ${intent.commentId} was already served`;
  }
  if (intent.source === 'label' && tracking?.task.servedLabel !== undefined) {
    const latest = await latestLabelEvent(deps.octokit, deps.ctx.repo, issue, deps.config.triggerLabel);
    if (latest === tracking.task.servedLabel) return `label event ${latest} was already served`;
  }
  return null;
}

async function intentFor(deps: Deps, base: WorkIntent, queued: QueuedCommand): Promise<WorkIntent | null> {
  // Re-authorized now: permission may have been removed since the gate accepted the command.
  const auth = await authorize(queued.author, policyOf(deps), deps.lookup);
  if (!auth.allowed) {
    core.info(`Not serving comment ${queued.commentId}: ${auth.reason}`);
    await deps.octokit.rest.reactions
      .createForIssueComment({ ...deps.ctx.repo, comment_id: queued.commentId, content: 'confused' })
      .catch(() => undefined);
    return null;
  }
  return {
    kind: 'work',
    command: queued.command,
    source: queued.source,
    trustedEvent: base.trustedEvent,
    issue: base.issue,
    isPullRequest: base.isPullRequest,
    sender: queued.author,
    args: queued.args,
    commentId: queued.commentId,
    rerun: false,
  };
}

function noteOf(intent: WorkIntent): QueuedNote {
  return {
    command: intent.command,
    args: intent.args.slice(0, 2_000),
    source: intent.source,
    sender: { login: intent.sender.login, id: intent.sender.id, type: intent.sender.type },
  };
}

async function recordLabel(deps: Deps, intent: WorkIntent): Promise<void> {
  const { issue } = intent;
  const tracking = await findTracking(
    deps.octokit,
    deps.ctx.repo,
    issue,
    deps.config.botLogin,
    markerKey(deps, issue),
  );
  const id = await latestLabelEvent(deps.octokit, deps.ctx.repo, issue, deps.config.triggerLabel);
  if (!tracking || id === undefined) return;
  const task = { ...tracking.task, servedLabel: id, rev: tracking.task.rev + 1 };
  await updateMarker(deps.octokit, deps.ctx.repo, tracking, task, markerKey(deps, issue));
}

interface Served {
  own?: Outcome;
  last?: Outcome;
  count: number;
}

/** Serves `first` (if any), then queued commands oldest first, while holding the lease. */
async function drain(deps: Deps, base: WorkIntent, first: WorkIntent | null, work: WorkFn, served: Served) {
  let next = first;
  while (served.count < MAX_SERVED) {
    if (!next) {
      const [oldest] = await pendingCommands(
        deps.octokit,
        deps.ctx.repo,
        base.issue,
        deps.config.botLogin,
        markerKey(deps, base.issue),
      );
      if (!oldest) return;
      next = await intentFor(deps, base, oldest);
      if (!next) continue;
    }
    if (next.commentId) await markServed(deps.octokit, deps.ctx.repo, next.commentId);
    core.info(
      `Serving ${next.command} for #${next.issue} (${next.commentId ? `comment ${next.commentId}` : next.source})`,
    );
    const outcome = await work(deps, next);
    served.count += 1;
    served.last = outcome;
    if (next.commentId === base.commentId) served.own = outcome;
    next = null;
  }
}

/** A comment command waits its turn in the timeline; anything else (label, dispatch input) goes first. */
async function firstOf(deps: Deps, intent: WorkIntent): Promise<WorkIntent | null> {
  // A re-run attempt serves its own command again, even though it carries 🚀 from the first attempt.
  if (intent.commentId === undefined || intent.rerun) return intent;
  // A command on the task's PR (src/pipeline/pull-task.ts) is not in the issue's timeline: serve it now.
  if (intent.isPullRequest && intent.source === 'comment') return intent;
  // A comment Pilot never acknowledged (its 👀 failed) is not in the queue: serve it directly.
  return (await isAcknowledged(deps, intent.commentId)) ? null : intent;
}

export async function serveWork(deps: Deps, intent: WorkIntent, work: WorkFn): Promise<Outcome> {
  const { octokit, ctx } = deps;
  const { issue } = intent;
  const found = await findTracking(octokit, ctx.repo, issue, deps.config.botLogin, markerKey(deps, issue));
  const cached = reconcile(found?.task ?? null, await restoreTaskDoc(ctx.runnerTemp, issue));
  core.info(`Task history: ${cached.note}`);
  const duplicate = await duplicateOf(deps, intent, found);
  if (duplicate) {
    core.info(`Ignoring a duplicate delivery: ${duplicate}`);
    return { conclusion: 'skipped', taskStatus: found?.task.status };
  }
  const sha = await defaultBranchSha(deps);
  const lease = await acquireLease(octokit, ctx.repo, {
    issue,
    sha,
    runId: ctx.runId,
    task: found?.task ?? null,
  });
  if (!lease.acquired) {
    const where = lease.holder ? runUrlOf(ctx, lease.holder) : (found?.url ?? ctx.workflowUrl);
    core.info(`The lease for #${issue} is held${lease.holder ? ` by run ${lease.holder}` : ''}: queued`);
    // A comment is its own place in the queue; anything else is queued in this note.
    const note =
      intent.commentId === undefined ? `\n\n${queuedNoteMarker(noteOf(intent), markerKey(deps, issue))}` : '';
    await postReply(
      deps,
      issue,
      `Already running: ${where}; queued. This request will be served when that run finishes.${note}`,
    );
    return { conclusion: 'skipped', taskStatus: 'queued' };
  }
  if (lease.broke) core.info(`Broke the stale lease of run ${lease.broke}`);
  let held = lease.lease;
  saveLeaseState(held);
  const served: Served = { count: 0 };
  let first = await firstOf(deps, intent);
  if (intent.source === 'label') await recordLabel(deps, intent);
  for (let round = 0; ; round++) {
    try {
      await drain(deps, intent, first, work, served);
    } finally {
      await releaseLease(octokit, ctx.repo, issue, held, ctx.runId);
    }
    first = null;
    if (round >= 2 || served.count >= MAX_SERVED) break;
    // A command whose run found the lease held just before the release is only visible now.
    if (
      !(await pendingCommands(octokit, ctx.repo, issue, deps.config.botLogin, markerKey(deps, issue))).length
    )
      break;
    const again = await acquireLease(octokit, ctx.repo, { issue, sha, runId: ctx.runId, task: null });
    if (!again.acquired) break;
    held = again.lease;
    saveLeaseState(held);
  }
  await cacheTask(deps, issue, cached.history);
  return served.own ?? served.last ?? { conclusion: 'skipped', taskStatus: found?.task.status };
}

async function isAcknowledged(deps: Deps, commentId: number): Promise<boolean> {
  const { data } = await deps.octokit.rest.reactions.listForIssueComment({
    ...deps.ctx.repo,
    comment_id: commentId,
    per_page: 100,
  });
  const login = deps.config.botLogin.toLowerCase();
  return data.some((r) => r.content === 'eyes' && r.user?.login.toLowerCase() === login);
}

async function cacheTask(deps: Deps, issue: number, history: RunRef[]): Promise<void> {
  const latest = await findTracking(
    deps.octokit,
    deps.ctx.repo,
    issue,
    deps.config.botLogin,
    markerKey(deps, issue),
  );
  if (!latest) return;
  await saveTaskDoc(
    deps.ctx.runnerTemp,
    { v: 1, issue, task: latest.task, history: mergeHistory(history, latest.task.runs) },
    { id: deps.ctx.runId, attempt: deps.ctx.runAttempt },
  );
}
