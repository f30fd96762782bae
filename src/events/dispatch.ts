// The `client_payload` contract between the gate run (which sends `repository_dispatch`) and the work
// run (which receives it). The work run reads it back as UNTRUSTED input: anyone holding a token with
// write access can send a `pilot` dispatch, so every field is bounded and typed, and the sender it names
// is re-authorized before any work happens.
import { z } from 'zod';
import type { IntentSource, IssueIntent } from './intent.js';
import { GITHUB_LOGIN } from './login.js';

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

const Login = z.string().max(120).regex(GITHUB_LOGIN, 'not a GitHub login');
const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const DispatchPayload = z.strictObject({
  issue: Id,
  command: z.enum(['run', 'plan', 'retry', 'fix', 'remember', 'forget', 'approve']),
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
  /** A CI fix's failed workflow run (only failures are dispatched; a rerun's success ends in the gate). */
  ci_run_id: Id.optional(),
  source: z.enum(SOURCES).default('dispatch'),
  is_pr: z.boolean().default(false),
  /** Pilot's authentication tag (HMAC under pilot-state-key) over the other keys: see dispatchText. */
  tag: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'not an authentication tag')
    .optional(),
});
export type DispatchPayload = z.infer<typeof DispatchPayload>;

/** Cuts text to `max` UTF-16 units without leaving half a surrogate pair behind. */
function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** Keys in a stable order at every depth, so the tag covers the same text after GitHub's round trip. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

/** The text Pilot's dispatch tag covers: the raw client_payload without its `tag`, canonically ordered. */
export function dispatchText(clientPayload: unknown): string {
  if (typeof clientPayload !== 'object' || clientPayload === null || Array.isArray(clientPayload)) return '';
  const { tag: _tag, ...rest } = clientPayload as Record<string, unknown>;
  return JSON.stringify(canonical(rest));
}

/**
 * The compact payload the gate (and the sweep, and the route job) sends for a work intent: keys with
 * no value are left out (GitHub allows 10), and `sign` adds Pilot's authentication tag.
 */
export function toDispatchPayload(
  intent: IssueIntent,
  gateRunId: number,
  sign?: (text: string) => string,
): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    issue: intent.issue,
    command: intent.command,
    args: cap(intent.args, DISPATCH_ARGS_MAX),
    sender: { login: intent.sender.login, id: intent.sender.id, type: intent.sender.type },
    comment_id: intent.commentId,
    review_id: intent.reviewId,
    head_sha: intent.headSha,
    gate_run_id: gateRunId,
    ci_run_id: intent.ciRun?.id,
    source: intent.source,
    is_pr: intent.isPullRequest,
  };
  if (!payload.is_pr) delete payload.is_pr;
  if (payload.args === '') delete payload.args;
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  // Untagged (tests, tools), a payload is only as good as its real sender (src/auth/dispatch.ts).
  if (sign) payload.tag = sign(dispatchText(payload));
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
