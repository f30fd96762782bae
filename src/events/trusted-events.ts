// Events only someone with write access can cause: `repository_dispatch` (the gate's hand-off, or an
// external tracker), `workflow_dispatch` (a human in the Actions tab) and `schedule` (the sweep).
// Their runs get a writable cache; the sender they name is still re-authorized downstream.
import { z } from 'zod';
import { DISPATCH_EVENT_TYPE } from '../constants.js';
import { DispatchPayload, describeDispatchError, dispatchText } from './dispatch.js';
import type { Actor, EventDecision, WorkCommand } from './intent.js';
import {
  ActorSchema,
  type DecideOptions,
  type EventContext,
  firstProblem,
  ignore,
  intentFor,
  quote,
  toActor,
} from './rule-kit.js';
import { describeTrackerError, TRACKER_EVENT_TYPE, TrackerTaskPayload } from './tracker-task.js';

const RepositoryDispatch = z.object({
  action: z.string(),
  client_payload: z.unknown(),
  // Who really sent it: GitHub fills this in; the run phase's routed intent carries the event's.
  sender: ActorSchema.nullish(),
});

export function fromRepositoryDispatch(ctx: EventContext): EventDecision {
  const head = RepositoryDispatch.safeParse(ctx.payload);
  if (!head.success) return ignore(`malformed repository_dispatch payload (${firstProblem(head.error)})`);
  // In the payload, `action` is the `event_type` the sender chose.
  if (head.data.action === TRACKER_EVENT_TYPE) return fromTrackerTask(ctx, head.data);
  if (head.data.action !== DISPATCH_EVENT_TYPE) {
    return ignore(
      `repository_dispatch event type ${quote(head.data.action)} is not '${DISPATCH_EVENT_TYPE}'`,
    );
  }
  const parsed = DispatchPayload.safeParse(head.data.client_payload);
  if (!parsed.success) return ignore(describeDispatchError(parsed.error));
  const p = parsed.data;
  return intentFor(ctx, {
    kind: 'work',
    command: p.command,
    source: p.source,
    issue: p.issue,
    isPullRequest: p.is_pr,
    sender: { ...p.sender },
    args: p.args,
    commentId: p.comment_id,
    reviewId: p.review_id,
    headSha: p.head_sha,
    gateRunId: p.gate_run_id,
    ...(p.ci_run_id && { ciRun: { id: p.ci_run_id, conclusion: 'failure' as const } }),
    dispatch: {
      realSender: head.data.sender ? toActor(head.data.sender) : null,
      signed: dispatchText(head.data.client_payload),
      tag: p.tag,
    },
  });
}

/** A tracker's ticket acts for the event's real sender only: nothing in its payload names anyone. */
function fromTrackerTask(ctx: EventContext, head: z.infer<typeof RepositoryDispatch>): EventDecision {
  const parsed = TrackerTaskPayload.safeParse(head.client_payload);
  if (!parsed.success) return ignore(describeTrackerError(parsed.error));
  if (!head.sender) return ignore(`a ${TRACKER_EVENT_TYPE} dispatch without a sender acts for no one`);
  const sender = toActor(head.sender);
  return intentFor(ctx, {
    kind: 'work',
    command: 'run',
    source: 'dispatch',
    issue: 0,
    sender,
    args: '',
    dispatch: { realSender: sender, signed: '' },
    tracker: parsed.data,
  });
}

const MANUAL_COMMANDS = ['run', 'plan', 'retry', 'fix'] as const;

// Inputs arrive as strings (booleans may be booleans); `inputs` is null when the workflow has none.
const WorkflowDispatch = z.object({
  inputs: z
    .object({
      issue: z.union([z.string(), z.number()]).nullish(),
      command: z.string().nullish(),
      instructions: z.string().max(65_536).nullish(),
    })
    .nullish(),
  sender: ActorSchema,
});

function manualIssue(raw: string | number): number | null {
  const text = String(raw).trim().replace(/^#/, '');
  if (!/^[1-9][0-9]{0,15}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

function manualCommand(raw: string | null | undefined): WorkCommand | null {
  const text = (raw ?? '').trim().toLowerCase() || 'run';
  return (MANUAL_COMMANDS as readonly string[]).includes(text) ? (text as WorkCommand) : null;
}

export function fromWorkflowDispatch(ctx: EventContext): EventDecision {
  const parsed = WorkflowDispatch.safeParse(ctx.payload);
  if (!parsed.success) return ignore(`malformed workflow_dispatch payload (${firstProblem(parsed.error)})`);
  const { inputs, sender } = parsed.data;
  const rawIssue = inputs?.issue;
  if (rawIssue === undefined || rawIssue === null || String(rawIssue).trim() === '') {
    return intentFor(ctx, sweep(toActor(sender), 'manual'));
  }
  const issue = manualIssue(rawIssue);
  if (issue === null)
    return ignore(`workflow_dispatch input 'issue' must be an issue number like 42, got ${quote(rawIssue)}`);
  const command = manualCommand(inputs?.command);
  if (!command) {
    return ignore(
      `workflow_dispatch input 'command' must be one of ${MANUAL_COMMANDS.join(', ')}, got ${quote(inputs?.command)}`,
    );
  }
  return intentFor(ctx, {
    kind: 'work',
    command,
    source: 'manual',
    issue,
    sender: toActor(sender),
    args: (inputs?.instructions ?? '').trim(),
    dispatch: { realSender: toActor(sender), signed: '' },
  });
}

function sweep(sender: Actor, source: 'manual' | 'schedule') {
  return { kind: 'sweep', command: 'sweep', source, sender } as const;
}

/** A schedule has no human sender: the sweep acts as Pilot itself. */
export function fromSchedule(ctx: EventContext, opts: DecideOptions): EventDecision {
  const pilot: Actor = { login: opts.botLogin, id: 0, type: 'Bot' };
  return intentFor(ctx, sweep(pilot, 'schedule'));
}
