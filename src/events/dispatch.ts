// The `client_payload` contract between the gate run (which sends `repository_dispatch`) and the work
// run (which receives it). The work run reads it back as UNTRUSTED input: anyone holding a token with
// write access can send a `pilot` dispatch, so every field is bounded and typed, and the sender it names
// is re-authorized before any work happens.
import { z } from 'zod';
import type { Intent, IntentSource } from './intent.js';

/** GitHub accepts at most 10 top-level keys in `client_payload`. */
export const DISPATCH_MAX_KEYS = 10;
/** Long instructions stay on the comment (found again by `comment_id`); the payload carries a prefix. */
export const DISPATCH_ARGS_MAX = 2_000;

const SOURCES = [
  'label',
  'comment',
  'review',
  'ci',
  'dispatch',
  'manual',
  'schedule',
] as const satisfies readonly IntentSource[];

/** GitHub logins: letters, digits, `-` (and `_` for managed users); apps end in `[bot]`. */
const Login = z
  .string()
  .max(120)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}(?:\[bot\])?$/, 'not a GitHub login');
const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const DispatchPayload = z.strictObject({
  issue: Id,
  command: z.enum(['run', 'plan', 'retry', 'fix']),
  args: z.string().max(DISPATCH_ARGS_MAX).default(''),
  sender: z.strictObject({
    login: Login,
    id: Id,
    type: z.enum(['User', 'Bot', 'Organization']),
  }),
  comment_id: Id.optional(),
  review_id: Id.optional(),
  head_sha: z
    .string()
    .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, 'not a commit SHA')
    .optional(),
  gate_run_id: Id.optional(),
  source: z.enum(SOURCES).default('dispatch'),
  is_pr: z.boolean().default(false),
});
export type DispatchPayload = z.infer<typeof DispatchPayload>;

/** Cuts text to `max` UTF-16 units without leaving half a surrogate pair behind. */
function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** The compact payload the gate sends for a work intent (keys with no value are left out). */
export function toDispatchPayload(intent: Intent, gateRunId: number): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    issue: intent.issue,
    command: intent.command,
    args: cap(intent.args, DISPATCH_ARGS_MAX),
    sender: { login: intent.sender.login, id: intent.sender.id, type: intent.sender.type },
    comment_id: intent.commentId,
    review_id: intent.reviewId,
    head_sha: intent.headSha,
    gate_run_id: gateRunId,
    source: intent.source,
    is_pr: intent.isPullRequest,
  };
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  return payload;
}

/** One short line naming what was wrong, never echoing the (possibly huge or hostile) values. */
export function describeDispatchError(error: z.ZodError): string {
  const problems = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return `client_payload is not a valid Pilot dispatch: ${problems.join('; ')}${more}`.slice(0, 400);
}
