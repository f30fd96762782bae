// The words of a review round: the agent's structured answer (one reply per line comment and a
// summary, in the fenced block src/prompt/review.ts asks for) parsed with zod, and what Pilot posts
// from it. Every reply is the agent's text, so it is neutralised (no hidden comments, so no forged
// marker; no foreign links, closing keywords or team pings) and redacted before it leaves.
import { z } from 'zod';
import { REPLY_MARKER } from '../constants.js';
import { REPLIES_FENCE } from '../prompt/review.js';
import { neutraliseAgentText } from '../security/outgoing.js';
import { redact } from '../security/redact.js';

const Answer = z.object({
  replies: z
    .array(z.object({ comment: z.number().int().positive(), reply: z.string().max(5_000) }))
    .max(200)
    .default([]),
  summary: z.string().max(10_000).optional(),
});

/** What the agent answered: replies by line comment id, its summary, and whether it gave a block at all. */
export interface ReviewAnswer {
  replies: Map<number, string>;
  summary?: string;
  /** Why no usable block was found, when none was. */
  problem?: string;
}

const FENCE = new RegExp(`\`\`\`${REPLIES_FENCE}[^\\n]*\\n([\\s\\S]*?)\\n?\`\`\``, 'g');

/** The last `pilot-replies` block of the agent's final message, checked against the schema. */
export function parseAnswer(resultText: string): ReviewAnswer {
  const blocks = [...resultText.matchAll(FENCE)];
  const last = blocks.at(-1)?.[1];
  if (last === undefined) return { replies: new Map(), problem: `no \`${REPLIES_FENCE}\` block` };
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    return { replies: new Map(), problem: `the \`${REPLIES_FENCE}\` block is not JSON` };
  }
  const parsed = Answer.safeParse(json);
  if (!parsed.success)
    return { replies: new Map(), problem: `the \`${REPLIES_FENCE}\` block has the wrong shape` };
  const replies = new Map(parsed.data.replies.map((r) => [r.comment, r.reply.trim()]));
  return { replies, summary: parsed.data.summary?.trim() || undefined };
}

/** The agent's final message without its answer block (what the PR body shows). */
export function withoutAnswer(resultText: string): string {
  return resultText.replace(FENCE, '').trim();
}

const safe = (text: string, max: number): string => redact(neutraliseAgentText(text)).slice(0, max);

/** Pilot's reply in one review thread. */
export function threadReply(reply: string | undefined, commit: string | null): string {
  const where = commit ? `in \`${commit.slice(0, 12)}\`` : 'without a new commit';
  const text = reply
    ? safe(reply, 5_000)
    : '_The agent gave no answer for this comment; see the summary on the pull request._';
  return `**Pilot** (review round answered ${where}):\n\n${text}\n\n${REPLY_MARKER}`;
}

export interface RoundFacts {
  reviewId?: number;
  reviewer?: string;
  round: number;
  max: number;
  commit: string | null;
  branch: string;
  replied: number;
  threads: number;
  /** Why the round did not finish, when it did not. */
  failure?: string;
  answer: ReviewAnswer;
}

/** The one summary comment on the PR after a review round (postReply adds the marker). */
export function roundSummary(f: RoundFacts): string {
  const what = f.reviewId ? `review ${f.reviewId} by @${f.reviewer}` : 'the fix request';
  const lines = [`**Pilot answered ${what}** (review round ${f.round} of ${f.max}).`, ''];
  if (f.commit) lines.push(`Pushed \`${f.commit.slice(0, 12)}\` to \`${f.branch}\`.`);
  else lines.push(f.failure ? `No change was pushed: ${safe(f.failure, 1_000)}` : 'No change was pushed.');
  if (f.threads) lines.push(`Replied in ${f.replied} of ${f.threads} review thread(s).`);
  if (f.answer.problem && f.threads)
    lines.push(
      `The agent's answer could not be read (${f.answer.problem}): each thread got a general reply.`,
    );
  if (f.answer.summary) lines.push('', safe(f.answer.summary, 10_000));
  return lines.join('\n');
}

/** Why a review gets no agent: the task used every round `max-review-rounds` allows. */
export function roundsUsedUp(used: number, max: number, issue: number): string {
  return (
    `Pilot will not answer this review: the task for #${issue} has used ${used} of ${max} review rounds ` +
    '(`max-review-rounds`). Push the remaining changes yourself, or raise `max-review-rounds` and ask again with `/pilot fix`.'
  );
}

/** Why `/pilot fix` on the PR starts nothing: someone else pushed since Pilot did. */
export function notPilotsHead(head: string, pushed: string | undefined): string {
  const last = pushed ? `\`${pushed.slice(0, 12)}\`` : 'none recorded';
  return (
    `Pilot did not start: the pull request's head \`${head.slice(0, 12)}\` is not the commit Pilot last pushed (${last}). ` +
    'Pilot only follows up on its own last push; `/pilot run` on the issue starts the task again.'
  );
}

/** The tracking comment's row for the rounds used out of the bound. */
export function roundsRow(used: number, max: number): [string, string] {
  return ['Review rounds', `${used} of ${max}`];
}
