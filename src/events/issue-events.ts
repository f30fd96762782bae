// `issues` and `issue_comment`: the label trigger, cancel-by-removal, and `/pilot` comment commands.
import { z } from 'zod';
import { COMMAND_PREFIX, MARKER_PREFIX, REPLY_MARKER } from '../constants.js';
import { parseCommand } from './command.js';
import type { EventDecision, ReplyCommand, WorkCommand } from './intent.js';
import {
  ActorSchema,
  clip,
  type DecideOptions,
  type EventContext,
  firstProblem,
  ignore,
  intentFor,
  PositiveInt,
  quote,
  sameName,
  toActor,
} from './rule-kit.js';

const Action = z.object({ action: z.string() });

const IssueRef = z.object({
  number: PositiveInt,
  // Present (an object) when the "issue" is a pull request.
  pull_request: z.unknown().optional(),
});

const IssuesPayload = z.object({
  action: z.string(),
  issue: IssueRef,
  label: z.object({ name: z.string() }).nullish(),
  sender: ActorSchema,
});

const CommentPayload = z.object({
  action: z.string(),
  issue: IssueRef,
  comment: z.object({ id: PositiveInt, body: z.string().nullish(), user: ActorSchema.nullish() }),
  sender: ActorSchema,
});

const WORK_COMMANDS = new Set<string>(['run', 'plan', 'retry', 'fix', 'remember', 'forget', 'approve']);

export function fromIssues(ctx: EventContext, opts: DecideOptions): EventDecision {
  const head = Action.safeParse(ctx.payload);
  if (!head.success) return ignore(`issues payload without an action (${firstProblem(head.error)})`);
  const action = head.data.action;
  if (action === 'opened') {
    return ignore(`issues.opened is not a trigger: Pilot starts on the '${opts.triggerLabel}' label`);
  }
  if (action !== 'labeled' && action !== 'unlabeled' && action !== 'closed') {
    return ignore(`issues.${clip(action)} is not an event Pilot acts on`);
  }
  const parsed = IssuesPayload.safeParse(ctx.payload);
  if (!parsed.success) return ignore(`malformed issues.${action} payload (${firstProblem(parsed.error)})`);
  const p = parsed.data;
  const base = {
    issue: p.issue.number,
    isPullRequest: p.issue.pull_request != null,
    sender: toActor(p.sender),
    source: 'label' as const,
  };
  // Pilot closes epics and may drop its label itself: its own actions must not cancel its own work.
  if (action !== 'labeled' && sameName(p.sender.login, opts.botLogin)) {
    return ignore(`issues.${action} by Pilot itself (${p.sender.login})`);
  }
  if (action === 'closed') return intentFor(ctx, { ...base, kind: 'reply', command: 'cancel' });
  if (!p.label) return ignore(`issues.${action} payload has no label`);
  if (!sameName(p.label.name, opts.triggerLabel)) {
    return ignore(`label ${quote(p.label.name)} is not the trigger label '${opts.triggerLabel}'`);
  }
  if (action === 'unlabeled') return intentFor(ctx, { ...base, kind: 'reply', command: 'cancel' });
  return intentFor(ctx, { ...base, kind: 'work', command: 'run' });
}

/** Pilot's own comments never trigger it: by login, or by its marker on a comment from a bot. */
function ownCommentReason(p: z.infer<typeof CommentPayload>, botLogin: string): string | null {
  const author = p.comment.user ?? p.sender;
  if (sameName(author.login, botLogin) || sameName(p.sender.login, botLogin)) {
    return `comment by Pilot itself (${author.login})`;
  }
  const body = p.comment.body ?? '';
  if (author.type === 'Bot' && (body.includes(MARKER_PREFIX) || body.includes(REPLY_MARKER))) {
    return `comment by bot ${author.login} carries Pilot's marker`;
  }
  return null;
}

export function fromComment(ctx: EventContext, opts: DecideOptions): EventDecision {
  const head = Action.safeParse(ctx.payload);
  if (!head.success) return ignore(`issue_comment payload without an action (${firstProblem(head.error)})`);
  if (head.data.action !== 'created') {
    return ignore(`issue_comment.${clip(head.data.action)}: only new comments carry commands`);
  }
  const parsed = CommentPayload.safeParse(ctx.payload);
  if (!parsed.success) return ignore(`malformed issue_comment payload (${firstProblem(parsed.error)})`);
  const p = parsed.data;
  const own = ownCommentReason(p, opts.botLogin);
  if (own) return ignore(own);
  // GitHub sends the comment's author as the sender of `created`; a payload where they differ is not
  // one GitHub wrote, and acting on it would credit one account with another's words.
  if (p.comment.user && !sameName(p.comment.user.login, p.sender.login)) {
    return ignore(
      `comment author ${quote(p.comment.user.login)} is not the event sender ${quote(p.sender.login)}`,
    );
  }
  const command = parseCommand(p.comment.body ?? '');
  if (!command) return ignore(`comment's first line is not a ${COMMAND_PREFIX} command`);
  const base = {
    issue: p.issue.number,
    isPullRequest: p.issue.pull_request != null,
    sender: toActor(p.sender),
    source: 'comment' as const,
    commentId: p.comment.id,
    args: command.args,
  };
  if (WORK_COMMANDS.has(command.command)) {
    return intentFor(ctx, { ...base, kind: 'work', command: command.command as WorkCommand });
  }
  return intentFor(ctx, { ...base, kind: 'reply', command: command.command as ReplyCommand });
}
