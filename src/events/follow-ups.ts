// Follow-ups on Pilot's own pull requests: reviews asking for changes and failed CI runs. Both only
// count when the head branch lives in THIS repository: a fork can name its branch `pilot/…`, and Pilot
// must never run with secrets on fork code. (`workflow_run.pull_requests` is empty for fork runs, so
// the head repository is checked directly.)
import { z } from 'zod';
import { BRANCH_PREFIX } from '../constants.js';
import type { EventDecision } from './intent.js';
import {
  ActorSchema,
  clip,
  type EventContext,
  firstProblem,
  ignore,
  intentFor,
  issueFromBranch,
  PositiveInt,
  quote,
  sameName,
  toActor,
} from './rule-kit.js';

const Action = z.object({ action: z.string() });
const RepoRef = z.object({ full_name: z.string() }).nullish();

const ReviewPayload = z.object({
  review: z.object({ id: PositiveInt, state: z.string() }),
  pull_request: z.object({
    number: PositiveInt,
    head: z.object({ ref: z.string(), sha: z.string(), repo: RepoRef }),
  }),
  sender: ActorSchema,
});

const WorkflowRunPayload = z.object({
  workflow_run: z.object({
    id: PositiveInt,
    run_attempt: PositiveInt.nullish(),
    conclusion: z.string().nullish(),
    head_branch: z.string().nullish(),
    head_sha: z.string(),
    head_repository: RepoRef,
  }),
  sender: ActorSchema,
});

/** Null when the head repository is this one, else the reason to ignore the event. */
function foreignHead(head: z.infer<typeof RepoRef>, ctx: EventContext): string | null {
  if (head && sameName(head.full_name, ctx.repository)) return null;
  const name = head ? quote(head.full_name) : 'a deleted repository';
  return `head repository ${name} is not this repository '${ctx.repository}' (fork heads are ignored)`;
}

export function fromReview(ctx: EventContext): EventDecision {
  const head = Action.safeParse(ctx.payload);
  if (!head.success)
    return ignore(`pull_request_review payload without an action (${firstProblem(head.error)})`);
  if (head.data.action !== 'submitted') {
    return ignore(`pull_request_review.${clip(head.data.action)} is not an event Pilot acts on`);
  }
  const parsed = ReviewPayload.safeParse(ctx.payload);
  if (!parsed.success) return ignore(`malformed pull_request_review payload (${firstProblem(parsed.error)})`);
  const { review, pull_request: pr, sender } = parsed.data;
  if (review.state.toLowerCase() !== 'changes_requested') {
    return ignore(`review state ${quote(review.state)} does not request changes`);
  }
  if (!pr.head.ref.startsWith(BRANCH_PREFIX)) {
    return ignore(`pull request head branch ${quote(pr.head.ref)} is not a Pilot branch (${BRANCH_PREFIX}…)`);
  }
  const foreign = foreignHead(pr.head.repo, ctx);
  if (foreign) return ignore(foreign);
  // The task is keyed by its issue (concurrency group, marker); the PR number is the fallback.
  const issue = issueFromBranch(pr.head.ref);
  return intentFor(ctx, {
    kind: 'work',
    command: 'fix',
    source: 'review',
    issue: issue ?? pr.number,
    isPullRequest: issue === null,
    sender: toActor(sender),
    reviewId: review.id,
    headSha: pr.head.sha,
    headBranch: pr.head.ref,
  });
}

export function fromWorkflowRun(ctx: EventContext): EventDecision {
  const head = Action.safeParse(ctx.payload);
  if (!head.success) return ignore(`workflow_run payload without an action (${firstProblem(head.error)})`);
  if (head.data.action !== 'completed') {
    return ignore(`workflow_run.${clip(head.data.action)} is not an event Pilot acts on`);
  }
  const parsed = WorkflowRunPayload.safeParse(ctx.payload);
  if (!parsed.success) return ignore(`malformed workflow_run payload (${firstProblem(parsed.error)})`);
  const { workflow_run: run, sender } = parsed.data;
  const attempt = run.run_attempt ?? 1;
  const conclusion = ciConclusion(run.conclusion);
  if (typeof conclusion === 'object') return conclusion;
  const branch = run.head_branch ?? '';
  const issue = issueFromBranch(branch);
  if (issue === null)
    return ignore(`head branch ${quote(branch)} is not a Pilot branch (${BRANCH_PREFIX}issue-<n>-…)`);
  const foreign = foreignHead(run.head_repository, ctx);
  if (foreign) return ignore(foreign);
  return intentFor(ctx, {
    kind: 'work',
    command: 'fix',
    source: 'ci',
    issue,
    sender: toActor(sender),
    headSha: run.head_sha,
    headBranch: branch,
    ciRun: { id: run.id, attempt, conclusion },
  });
}

/**
 * A failure asks for a fix; a success may answer Pilot's flake check (a rerun the task waits on) or,
 * under `autopilot: merge`, let Pilot merge its green PR (the gate decides, src/pipeline/ci-gate.ts).
 * Anything else is ignored.
 */
function ciConclusion(conclusion: string | null | undefined): 'failure' | 'success' | EventDecision {
  if (conclusion === 'failure' || conclusion === 'success') return conclusion;
  return ignore(
    `workflow run concluded ${quote(conclusion ?? 'without a conclusion')}, neither 'failure' nor 'success'`,
  );
}
