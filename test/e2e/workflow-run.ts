// GitHub's own workflow_run.completed example (@octokit/webhooks-examples), rewritten to a run of the
// user's CI in the emulator: its id, attempt, branch, head, conclusion and this repository.
import { loadExamples, type Payload } from '../events/webhook-examples.js';
import * as shapes from '../world/github/shapes.js';
import { OWNER, REPO, type World } from '../world/index.js';

export interface RunEventOptions {
  /** `run_attempt` (a rerun is attempt 2 or later). */
  attempt?: number;
  /** Who GitHub names as the sender (the example's own when not given). */
  sender?: Payload;
  /** Fields of `workflow_run` to replace last (e.g. a fork's `head_repository`). */
  over?: Payload;
}

export function workflowRunEvent(w: World, runId: number, opts: RunEventOptions = {}): Payload {
  const found = loadExamples().find((e) => e.event === 'workflow_run' && e.payload.action === 'completed');
  if (!found) throw new Error('no workflow_run.completed example in @octokit/webhooks-examples');
  const p = structuredClone(found.payload);
  const repo = w.gh.state.repo(OWNER, REPO);
  if (!repo) throw new Error('no repository');
  const json = shapes.repoJson(w.gh.state, repo);
  const run = w.gh.run(runId);
  p.repository = { ...p.repository, ...json };
  p.organization = undefined;
  p.installation = undefined;
  if (opts.sender) p.sender = opts.sender;
  p.workflow_run = {
    ...p.workflow_run,
    id: runId,
    name: 'CI',
    run_attempt: opts.attempt ?? 1,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    conclusion: run.conclusion,
    status: 'completed',
    head_repository: { ...p.workflow_run.head_repository, ...json },
    repository: { ...p.workflow_run.repository, ...json },
    ...opts.over,
  };
  return p;
}
