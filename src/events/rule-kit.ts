// Small helpers shared by the event rules: one way to say "ignore, because …" and one way to build an
// Intent, so every rule fills the same fields the same way.
import { z } from 'zod';
import { BRANCH_PREFIX, TRUSTED_EVENTS } from '../constants.js';
import type { Actor, EventDecision, Intent } from './intent.js';

export interface EventContext {
  /** `GITHUB_EVENT_NAME`. */
  eventName: string;
  /** The parsed `GITHUB_EVENT_PATH` file; anything, until parsed. */
  payload: unknown;
  /** `GITHUB_REPOSITORY`, `owner/repo`. */
  repository: string;
  /** `GITHUB_RUN_ATTEMPT`. */
  runAttempt: number;
}

export interface DecideOptions {
  triggerLabel: string;
  /** Pilot's own login (`github-actions[bot]` or `<app-slug>[bot]`): its comments never trigger it. */
  botLogin: string;
}

/** Events whose runs get a writable cache and can only be started by someone with write access. */
export const PositiveInt = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** `sender` / `user` objects in webhook payloads (only the fields Pilot uses; others are allowed). */
export const ActorSchema = z.object({
  login: z.string().min(1),
  id: z.number().int().nonnegative(),
  type: z.string().min(1),
});

export function ignore(reason: string): EventDecision {
  return { type: 'ignore', reason };
}

/** The fields every rule fills itself; `intentFor` defaults the rest. Distributes over Intent's variants. */
type Defaulted = 'trustedEvent' | 'isPullRequest' | 'args' | 'rerun';
type IntentCore = Intent extends infer I
  ? I extends Intent
    ? Omit<I, Defaulted> & Partial<Pick<I, Defaulted>>
    : never
  : never;

export function intentFor(ctx: EventContext, core: IntentCore): EventDecision {
  const intent: Intent = {
    trustedEvent: TRUSTED_EVENTS.has(ctx.eventName),
    isPullRequest: false,
    args: '',
    rerun: Number.isFinite(ctx.runAttempt) && ctx.runAttempt > 1,
    ...core,
  };
  return { type: 'intent', intent };
}

export function toActor(actor: z.infer<typeof ActorSchema>): Actor {
  return { login: actor.login, id: actor.id, type: actor.type };
}

/** GitHub logins, label names and repository names compare case-insensitively. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** An untrusted value shortened to one line of at most 60 characters, for a log reason. */
export function clip(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  return oneLine.length > 60 ? `${oneLine.slice(0, 60)}…` : oneLine;
}

export function quote(value: unknown): string {
  return `'${clip(value)}'`;
}

/** The first problem zod found, for a one-line reason. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unreadable payload';
  return `${issue.path.join('.') || 'payload'}: ${issue.message}`;
}

/** `pilot/issue-<n>` or `pilot/issue-<n>-<slug>`: the branch names Pilot creates. */
export function issueFromBranch(branch: string): number | null {
  if (!branch.startsWith(BRANCH_PREFIX)) return null;
  const match = /^issue-([1-9][0-9]{0,15})(?:-|$)/.exec(branch.slice(BRANCH_PREFIX.length));
  if (!match) return null;
  const n = Number(match[1]);
  return Number.isSafeInteger(n) ? n : null;
}
