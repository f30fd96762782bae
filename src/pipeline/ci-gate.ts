// What the gate decides about a CI follow-up before anything is dispatched: autopilot off means no CI
// follow-up at all; a rerun's success (the answer to Pilot's flake check) is settled here, and under
// `autopilot: merge` a green run on Pilot's PR attempts the merge here (src/pipeline/merge.ts), both
// with no model call and no work run. The head check (the run's head is Pilot's last push) comes
// first, in gate.ts, for every follow-up, so a green run on someone else's push merges nothing.
import * as core from '@actions/core';
import type { WorkIntent } from '../events/intent.js';
import { flakeView } from '../report/ci-words.js';
import { renderTracking } from '../report/comment.js';
import type { Outcome } from '../report/outputs.js';
import { withRun } from '../state/task.js';
import { type TrackingComment, writeTracking } from '../state/tracking.js';
import { runUrlOf } from './context.js';
import { type Deps, markerKey } from './deps.js';
import { autoMerge } from './merge.js';

const skipped = (why: string, found: TrackingComment | null): Outcome => {
  core.info(`Pilot ignores this CI follow-up: ${why}`);
  return { conclusion: 'skipped', taskStatus: found?.task.status };
};

/** An outcome when the gate is done with a CI follow-up; null when it goes on to dispatch a fix. */
export async function ciGate(
  deps: Deps,
  intent: WorkIntent,
  found: TrackingComment | null,
): Promise<Outcome | null> {
  if (intent.source !== 'ci') return null;
  if (deps.config.autopilot === 'off') return skipped('autopilot is off', found);
  const run = intent.ciRun;
  if (!run) return skipped('the follow-up names no workflow run', found);
  if (run.conclusion === 'failure') return null;
  if (found && found.task.ciRerun === run.id)
    return mergeIfAllowed(deps, intent.issue, await rerunPassed(deps, intent, found, run.id));
  if (deps.config.autopilot === 'merge' && found?.task.status === 'pr_open')
    return mergeIfAllowed(deps, intent.issue, found);
  return skipped(`run ${run.id} passed, but Pilot is not waiting on a rerun of it`, found);
}

/** CI went green on Pilot's last push: the merge autopilot decides (it does nothing unless `merge`). */
async function mergeIfAllowed(deps: Deps, issue: number, tracking: TrackingComment): Promise<Outcome> {
  const after = await autoMerge(deps, issue, tracking);
  return { conclusion: 'success', taskStatus: after.task.status };
}

/** The flake check's rerun passed: the task is back to `pr_open`, and the comment says it was a flake. */
async function rerunPassed(
  deps: Deps,
  intent: WorkIntent,
  found: TrackingComment,
  runId: number,
): Promise<TrackingComment> {
  const { ctx } = deps;
  const before = found.task;
  const task = withRun(
    { ...before, status: 'pr_open', ciRerun: undefined },
    { id: ctx.runId, kind: 'gate', at: new Date(deps.now()).toISOString(), outcome: 'flake' },
  );
  const facts = {
    signature: before.ciSignature ?? 'unknown',
    runUrl: runUrlOf(ctx, runId),
    used: before.ciFixes ?? 0,
    max: deps.config.maxCiFixes,
  };
  const view = { ...flakeView(facts), links: [['gate run', ctx.runUrl] as [string, string]] };
  const written = await writeTracking(
    deps.octokit,
    ctx.repo,
    intent.issue,
    found,
    renderTracking(task, view),
    task,
    markerKey(deps, intent.issue),
  );
  core.info(`CI run ${runId} passed on rerun: #${intent.issue} is back to pr_open (a flake)`);
  return written;
}
