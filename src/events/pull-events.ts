// `pull_request.closed` on Pilot's own PR: the task ends there (`closed`, or `merged`). Only a PR whose
// head is a `pilot/issue-<n>` branch of THIS repository counts (a fork can name its branch `pilot/…`).
import { z } from 'zod';
import type { EventDecision } from './intent.js';
import {
  ActorSchema,
  clip,
  type DecideOptions,
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

const PullClosed = z.object({
  pull_request: z.object({
    number: PositiveInt,
    head: z.object({ ref: z.string(), sha: z.string(), repo: z.object({ full_name: z.string() }).nullish() }),
  }),
  sender: ActorSchema,
});

export function fromPullRequest(ctx: EventContext, opts: DecideOptions): EventDecision {
  const action = (ctx.payload as { action?: unknown } | null)?.action;
  if (action !== 'closed') {
    const what =
      typeof action === 'string' ? `pull_request.${clip(action)}` : 'pull_request without an action';
    return ignore(`${what} is not one Pilot acts on`);
  }
  const parsed = PullClosed.safeParse(ctx.payload);
  if (!parsed.success) return ignore(`malformed pull_request.closed payload (${firstProblem(parsed.error)})`);
  const { pull_request: pr, sender } = parsed.data;
  const issue = issueFromBranch(pr.head.ref);
  if (issue === null)
    return ignore(`pull request #${pr.number} is not on a Pilot branch (${quote(pr.head.ref)})`);
  if (!pr.head.repo || !sameName(pr.head.repo.full_name, ctx.repository)) {
    return ignore(`pull request #${pr.number} comes from another repository (fork heads are ignored)`);
  }
  // Pilot closes superseded PRs itself: that must not end the task it is still working on.
  if (sameName(sender.login, opts.botLogin))
    return ignore(`pull request #${pr.number} was closed by Pilot itself`);
  // A reply the gate handles: `cancel` with the PR's head, which says "the PR was closed".
  return intentFor(ctx, {
    kind: 'reply',
    command: 'cancel',
    source: 'review',
    issue,
    isPullRequest: true,
    sender: toActor(sender),
    headBranch: pr.head.ref,
    headSha: pr.head.sha,
  });
}
