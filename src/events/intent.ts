// The Intent is what an event means to Pilot, decided once in src/events/ and trusted downstream.
import type { CommandName } from '../constants.js';
import type { TrackerTicket } from './tracker-task.js';

export interface Actor {
  login: string;
  id: number;
  /** `User`, `Bot` or `Organization`, as GitHub's payload says. */
  type: string;
}

/** Where the intent came from (for logs, the tracking comment and follow-up rules). */
export type IntentSource = 'label' | 'comment' | 'review' | 'ci' | 'dispatch' | 'manual' | 'schedule';

/** Commands the gate answers itself vs. work it hands to a trusted run. */
/** `remember`/`forget` write the ledger, so a trusted run does them (src/pipeline/memory-commands.ts). */
/** `approve` creates an epic's sub-issues: a trusted run does it (src/pipeline/epic-approve.ts). */
export type WorkCommand = 'run' | 'plan' | 'retry' | 'fix' | 'remember' | 'forget' | 'approve';
export type ReplyCommand = 'help' | 'status' | 'cancel' | 'unknown' | 'memory' | 'resume';

/** What every intent carries, whatever it concerns. */
interface IntentFields {
  source: IntentSource;
  /** The event itself is trusted (repository_dispatch, workflow_dispatch, schedule): its cache is writable. */
  trustedEvent: boolean;
  isPullRequest: boolean;
  /** Who asked: the sender of the label/comment/review, or the original sender carried by a dispatch. */
  sender: Actor;
  /** Free text after the command (`/pilot run <args>`, `/pilot fix <args>`) or the unknown subcommand. */
  args: string;
  /** The comment that carried the command, when there is one (for reactions and the queue). */
  commentId?: number;
  /** The review that asked for changes. */
  reviewId?: number;
  /** Head SHA of the failing run or the reviewed PR: follow-ups only act on Pilot's own last push. */
  headSha?: string;
  headBranch?: string;
  /**
   * A CI follow-up's workflow run: its id (the jobs and logs to read, the rerun to ask for), attempt and
   * conclusion. `success` reaches Pilot only for a rerun (attempt > 1): it may be the flake check's answer.
   */
  ciRun?: { id: number; attempt?: number; conclusion: 'failure' | 'success' };
  /** Run id of the gate that dispatched this work (links in the tracking comment). */
  gateRunId?: number;
  /**
   * A dispatched run: who really sent the event (GitHub's `sender`, not a name in client_payload), the
   * text Pilot's tag would cover and the tag, if any. src/auth/dispatch.ts decides whom to trust.
   */
  dispatch?: { realSender: Actor | null; signed: string; tag?: string };
  /** `GITHUB_RUN_ATTEMPT` > 1: a human re-ran the job; a retry, not a duplicate delivery. */
  rerun: boolean;
  /**
   * A `pilot-task` dispatch's ticket (untrusted text): the run finds or opens the issue linked to its key
   * first (src/pipeline/tracker-in.ts), so `issue` is 0 until then.
   */
  tracker?: TrackerTicket;
}

/** Issue (or pull request) number the task belongs to. */
interface OnIssue {
  issue: number;
}

/** Work the gate dispatches and the work run does. */
export interface WorkIntent extends IntentFields, OnIssue {
  kind: 'work';
  command: WorkCommand;
}

/** A command the gate answers itself. */
export interface ReplyIntent extends IntentFields, OnIssue {
  kind: 'reply';
  command: ReplyCommand;
}

/** The scheduled (or manual) pass over every task: it concerns no one issue, so it carries none. */
export interface SweepIntent extends IntentFields {
  kind: 'sweep';
  command: 'sweep';
}

export type IssueIntent = WorkIntent | ReplyIntent;
/** Discriminated by `kind`: only the variants that concern an issue have `issue`. */
export type Intent = IssueIntent | SweepIntent;

export type EventDecision = { type: 'intent'; intent: Intent } | { type: 'ignore'; reason: string };

export type { CommandName };
