// A review round (issue 18 item 5): a `changes_requested` review on Pilot's PR, or `/pilot fix` on
// it, resumes the task's session with the review and every line comment, pushes one change, replies in
// each review thread with the agent's per-comment answer and posts one summary. Bounded by
// `max-review-rounds`; acts only while the PR's head is the commit Pilot last pushed. Text from
// reviewers below `min-permission` reaches the agent as quoted data only (src/prompt/review.ts).
import * as core from '@actions/core';
import { authorize } from '../auth/authorize.js';
import { messageOf } from '../errors.js';
import type { IssueIntent, WorkIntent } from '../events/intent.js';
import {
  type LineComment,
  listReviews,
  type Review,
  readReview,
  replyInThread,
  reviewLineComments,
} from '../github/review-threads.js';
import { reviewSection } from '../prompt/review.js';
import { renderTracking } from '../report/comment.js';
import type { Outcome } from '../report/outputs.js';
import {
  notPilotsHead,
  parseAnswer,
  roundSummary,
  roundsUsedUp,
  threadReply,
} from '../report/review-words.js';
import type { TaskDoc } from '../state/task.js';
import { findTracking, type TrackingComment, writeTracking } from '../state/tracking.js';
import { type Deps, markerKey } from './deps.js';
import { postReply } from './reply.js';
import { policyOf } from './thread.js';
import { triggerTimeOf } from './trigger-time.js';

/** One review round as the work run carries it: the PR, the round's number, and what to answer. */
export interface ReviewRound {
  pr: number;
  /** This round's number (the rounds used before it, plus one). */
  round: number;
  max: number;
  review?: Review & { trusted: boolean };
  comments: Array<LineComment & { trusted: boolean }>;
}

/** A follow-up that answers a review: a review event, or `/pilot fix` commented on Pilot's PR. */
export function isReviewRound(intent: Pick<IssueIntent, 'command' | 'source' | 'isPullRequest'>): boolean {
  return intent.command === 'fix' && (intent.source === 'review' || intent.isPullRequest);
}

const skipped = (task: TaskDoc | undefined): Outcome => ({ conclusion: 'skipped', taskStatus: task?.status });

/**
 * The gate's check, before anything is dispatched: `/pilot fix` on a PR whose head is not Pilot's last
 * push, or a review round past `max-review-rounds`, gets a comment on the PR and no agent. Null when
 * the round may go on. (Reviews on another head are ignored earlier, like CI runs: gate.ts.)
 */
export async function refuseRound(deps: Deps, intent: IssueIntent, task: TaskDoc | undefined) {
  if (!isReviewRound(intent) || !task) return null;
  if (intent.source === 'comment' && intent.headSha !== task.headSha) {
    core.info(`Pilot refuses /pilot fix: head ${intent.headSha ?? 'unknown'} is not its last push`);
    await postReply(deps, task.pr ?? intent.issue, notPilotsHead(intent.headSha ?? 'unknown', task.headSha));
    return skipped(task);
  }
  return roundsSpent(deps, intent, task);
}

/** A review round past `max-review-rounds` gets a comment on the PR and no agent. */
async function roundsSpent(deps: Deps, intent: IssueIntent, task: TaskDoc): Promise<Outcome | null> {
  const used = task.reviewRounds ?? 0;
  const max = deps.config.maxReviewRounds;
  if (used < max) return null;
  core.info(`Pilot refuses a review round for #${intent.issue}: ${used} of ${max} rounds used`);
  await postReply(deps, task.pr ?? intent.issue, roundsUsedUp(used, max, intent.issue));
  return skipped(task);
}

type Opened = { ok: true; round: ReviewRound } | { ok: false; outcome: Outcome };

/**
 * A round the work run refuses claims nothing: the gate's `queued` goes back to `pr_open`, with the
 * reason, so the tracking comment does not promise a run that will not come.
 */
async function refused(
  deps: Deps,
  issue: number,
  found: TrackingComment | null,
  reason: string,
): Promise<Opened> {
  const task = found?.task;
  if (!found || !task?.pr || task.status !== 'queued') return { ok: false, outcome: skipped(task) };
  const doc: TaskDoc = { ...task, status: 'pr_open', rev: task.rev + 1 };
  const view = {
    headline: `pull request #${task.pr} is open`,
    body: reason,
    links: [['work run', deps.ctx.runUrl]] as Array<[string, string]>,
  };
  const key = markerKey(deps, issue);
  await writeTracking(deps.octokit, deps.ctx.repo, issue, found, renderTracking(doc, view), doc, key);
  return { ok: false, outcome: skipped(doc) };
}

/**
 * The work run's checks (the gate's may be stale by now) and the review to answer. Refusals are
 * said on the PR and start no agent; the gate's `queued` claim is undone (refused above).
 */
export async function openRound(deps: Deps, intent: WorkIntent): Promise<Opened> {
  const { issue } = intent;
  const found = await findTracking(
    deps.octokit,
    deps.ctx.repo,
    issue,
    deps.config.botLogin,
    markerKey(deps, issue),
  );
  const task = found?.task;
  if (!task?.pr) {
    await postReply(deps, issue, 'Pilot did not start: this task has no pull request to answer a review on.');
    return { ok: false, outcome: skipped(task) };
  }
  const spent = await roundsSpent(deps, intent, task);
  if (spent)
    return refused(
      deps,
      issue,
      found,
      roundsUsedUp(task.reviewRounds ?? 0, deps.config.maxReviewRounds, issue),
    );
  const { data: pull } = await deps.octokit.rest.pulls.get({ ...deps.ctx.repo, pull_number: task.pr });
  // The reviewed head (a review event's) must be Pilot's last push, and so must the PR's head now. A
  // review served from the queue carries no head: the PR's decides.
  const reviewed = intent.source === 'review' ? intent.headSha : undefined;
  const head = reviewed && reviewed !== task.headSha ? reviewed : pull.head.sha;
  if (!head || head !== task.headSha) {
    core.info(`Pilot refuses the review round: head ${head ?? 'unknown'} is not its last push`);
    const reason = notPilotsHead(head ?? 'unknown', task.headSha);
    await postReply(deps, task.pr, reason);
    return refused(deps, issue, found, reason);
  }
  const review = await reviewToAnswer(deps, intent, task.pr, task.headSha);
  const comments = review ? await linesOf(deps, intent, task.pr, review.id) : [];
  const round = (task.reviewRounds ?? 0) + 1;
  core.info(
    `Review round ${round} of ${deps.config.maxReviewRounds} on #${task.pr}: ${review ? `review ${review.id}` : 'no review'}, ${comments.length} line comment(s)`,
  );
  return { ok: true, round: { pr: task.pr, round, max: deps.config.maxReviewRounds, review, comments } };
}

/** Whether `author` may direct the work (a bot's words are context even when it may start Pilot). */
function trustOf(deps: Deps): (author: { login: string; id: number; type: string }) => Promise<boolean> {
  const known = new Map<string, boolean>();
  return async (author) => {
    if (!known.has(author.login)) {
      const allowed = author.type !== 'Bot' && (await authorize(author, policyOf(deps), deps.lookup)).allowed;
      known.set(author.login, allowed);
    }
    return known.get(author.login) as boolean;
  };
}

/**
 * The review event's own review; for `/pilot fix`, the newest review of someone else on Pilot's last
 * push that asks for changes or comments (none: the maintainer's words are the whole request).
 */
async function reviewToAnswer(deps: Deps, intent: WorkIntent, pr: number, head: string | undefined) {
  const { octokit, ctx } = deps;
  const pilot = deps.config.botLogin.toLowerCase();
  let review: Review | undefined;
  if (intent.reviewId) review = await readReview(octokit, ctx.repo, pr, intent.reviewId);
  else {
    const all = await listReviews(octokit, ctx.repo, pr);
    review = all
      .filter((r) => r.author.login.toLowerCase() !== pilot && r.commitId === head)
      .filter((r) => r.state === 'CHANGES_REQUESTED' || (r.state === 'COMMENTED' && r.body.trim()))
      .at(-1);
  }
  return review && { ...review, trusted: await trustOf(deps)(review.author) };
}

/** The review's line comments, without Pilot's own and without any edited after the trigger. */
async function linesOf(deps: Deps, intent: WorkIntent, pr: number, reviewId: number) {
  const { octokit, ctx } = deps;
  const all = await reviewLineComments(octokit, ctx.repo, pr, reviewId);
  // An edit after the maintainer asked could swap a harmless comment for instructions.
  const trigger = await triggerTimeOf({ octokit, repo: ctx.repo }, intent, deps.now());
  const pilot = deps.config.botLogin.toLowerCase();
  const trust = trustOf(deps);
  const kept = [];
  for (const c of all) {
    if (c.author.login.toLowerCase() === pilot) continue;
    if (Date.parse(c.updatedAt) > trigger) {
      core.info(`Leaving out line comment ${c.id}: edited after the review round was asked for`);
      continue;
    }
    kept.push({ ...c, trusted: await trust(c.author) });
  }
  return kept;
}

/** The prompt's review section for this round (quoted with the run's nonce). */
export function reviewPrompt(round: ReviewRound, nonce: string): string[] {
  const { review } = round;
  return reviewSection({
    review: review && {
      id: review.id,
      author: review.author.login,
      body: review.body,
      trusted: review.trusted,
    },
    comments: round.comments.map((c) => ({
      id: c.id,
      author: c.author.login,
      body: c.body,
      trusted: c.trusted,
      path: c.path,
      line: c.line,
      diffHunk: c.diffHunk,
    })),
    nonce,
    maxChars: 40_000,
  });
}

/** What the round's run did, as answerRound needs it. */
export interface RoundResult {
  ok: boolean;
  resultText: string;
  commit: string | null;
  branch: string;
  failure?: string;
}

/**
 * Replies in each review thread (once per thread) with the agent's answer for it, then one summary
 * on the PR. Best effort: a refused reply is a warning, never the run's failure.
 */
export async function answerRound(deps: Deps, round: ReviewRound, run: RoundResult): Promise<void> {
  const answer = parseAnswer(run.resultText);
  if (run.ok && answer.problem) core.warning(`The agent's review answer: ${answer.problem}`);
  const threads = new Map<number, LineComment>();
  for (const c of round.comments) if (!threads.has(c.threadId)) threads.set(c.threadId, c);
  let replied = 0;
  for (const [threadId, c] of run.ok ? threads : new Map<number, LineComment>()) {
    try {
      const body = threadReply(answer.replies.get(c.id), run.commit);
      await replyInThread(deps.octokit, deps.ctx.repo, round.pr, threadId, body);
      replied++;
    } catch (error) {
      core.warning(`Could not reply in review thread ${threadId}: ${messageOf(error)}`);
    }
  }
  const { review } = round;
  const summary = roundSummary({
    reviewId: review?.id,
    reviewer: review?.author.login,
    round: round.round,
    max: round.max,
    commit: run.commit,
    branch: run.branch,
    replied,
    threads: threads.size,
    failure: run.ok ? undefined : (run.failure ?? 'the agent did not finish'),
    answer,
  });
  await postReply(deps, round.pr, summary).catch((error) =>
    core.warning(`Could not post the review round's summary: ${messageOf(error)}`),
  );
}

/** The task document's review fields after the round: the round is spent; a failure is a human's call. */
export function afterRound(
  round: ReviewRound,
  status: TaskDoc['status'],
): Pick<TaskDoc, 'status' | 'reviewRounds'> {
  // The PR still stands when the round fails: a person decides, the task does not start over.
  return { reviewRounds: round.round, status: status === 'failed' ? 'needs_human' : status };
}
