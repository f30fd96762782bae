// How many of the repository's Actions runs, other than this one, GitHub lists in the given states:
// the sweep waits for live runs, the metrics count the queue.
import type { Deps } from './deps.js';

type RunStatus = 'queued' | 'pending' | 'in_progress';

export async function otherRuns(deps: Deps, statuses: readonly RunStatus[]): Promise<number> {
  let count = 0;
  for (const status of statuses) {
    const { data } = await deps.octokit.rest.actions.listWorkflowRunsForRepo({
      ...deps.ctx.repo,
      status,
      per_page: 100,
    });
    count += data.workflow_runs.filter((r) => r.id !== deps.ctx.runId).length;
  }
  return count;
}
