// The only place events are interpreted (DESIGN's event matrix). Every event becomes an Intent or an
// ignore with one human reason; a malformed payload is an ignore, never a throw.

import { messageOf } from '../errors.js';
import { fromReview, fromWorkflowRun } from './follow-ups.js';
import type { EventDecision } from './intent.js';
import { fromComment, fromIssues } from './issue-events.js';
import { fromPullRequest } from './pull-events.js';
import type { DecideOptions, EventContext } from './rule-kit.js';
import { ignore } from './rule-kit.js';
import { fromRepositoryDispatch, fromSchedule, fromWorkflowDispatch } from './trusted-events.js';

export type { DecideOptions, EventContext } from './rule-kit.js';

type Rule = (ctx: EventContext, opts: DecideOptions) => EventDecision;

const RULES: Record<string, Rule> = {
  issues: fromIssues,
  issue_comment: fromComment,
  pull_request: fromPullRequest,
  pull_request_review: fromReview,
  workflow_run: fromWorkflowRun,
  repository_dispatch: fromRepositoryDispatch,
  workflow_dispatch: fromWorkflowDispatch,
  schedule: fromSchedule,
};

export function decide(ctx: EventContext, opts: DecideOptions): EventDecision {
  const name = String(ctx.eventName);
  // hasOwn: an event named `constructor` or `__proto__` must not reach Object.prototype.
  if (!Object.hasOwn(RULES, name)) return ignore(`event '${name.slice(0, 60)}' is not one Pilot acts on`);
  try {
    return RULES[name](ctx, opts);
  } catch (error) {
    // The rules parse with zod and should not throw; if one does, the event is still only ignored.
    const message = messageOf(error);
    return ignore(`could not interpret the ${name} event: ${message.slice(0, 200)}`);
  }
}
