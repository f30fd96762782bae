// When the work was asked for. Comments edited after this moment are dropped from the prompt: an
// outsider could otherwise swap a harmless comment for instructions between the maintainer's trigger
// and the work run (a bait-and-switch). The work run starts later than the trigger, so its own start
// time would let such edits through.
import * as core from '@actions/core';
import { messageOf } from '../errors.js';
import type { Intent } from '../events/intent.js';
import type { Octokit, Repo } from '../github/client.js';

export interface TriggerSource {
  octokit: Octokit;
  repo: Repo;
}

function parsed(at: string | null | undefined): number | undefined {
  const ms = at ? Date.parse(at) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The trigger comment's `created_at` when there is one; else the creation time of the gate run that
 * dispatched this work (GitHub creates it when the label/review event arrives); else `fallback`
 * (a manual dispatch: the work run's own start is the trigger).
 */
export async function triggerTimeOf(src: TriggerSource, intent: Intent, fallback: number): Promise<number> {
  try {
    if (intent.commentId) {
      const { data } = await src.octokit.rest.issues.getComment({
        ...src.repo,
        comment_id: intent.commentId,
      });
      const at = parsed(data.created_at);
      if (at !== undefined) return Math.min(at, fallback);
    }
    if (intent.gateRunId) {
      const { data } = await src.octokit.rest.actions.getWorkflowRun({
        ...src.repo,
        run_id: intent.gateRunId,
      });
      const at = parsed(data.created_at);
      if (at !== undefined) return Math.min(at, fallback);
    }
  } catch (error) {
    core.warning(`Could not read the trigger time, using the run's start: ${messageOf(error)}`);
  }
  return fallback;
}
