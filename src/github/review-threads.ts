// A pull request review and its line comments as Pilot reads them (`GET …/reviews/{id}`,
// `GET …/reviews/{id}/comments`), and Pilot's answer in a comment's thread
// (`POST …/comments/{comment_id}/replies`). Parsed with zod here: the rest of Pilot sees plain data.
import { z } from 'zod';
import type { Octokit, Repo } from './client.js';

const Author = z
  .object({ login: z.string(), id: z.number(), type: z.string() })
  .nullish()
  .transform((u) => u ?? { login: 'ghost', id: 0, type: 'User' });

const ReviewJson = z.object({
  id: z.number().int().positive(),
  user: Author,
  body: z.string().nullish(),
  state: z.string(),
  commit_id: z.string().nullish(),
  submitted_at: z.string().nullish(),
});

const LineCommentJson = z.object({
  id: z.number().int().positive(),
  user: Author,
  body: z.string(),
  path: z.string(),
  line: z.number().int().nullish(),
  original_line: z.number().int().nullish(),
  diff_hunk: z.string(),
  in_reply_to_id: z.number().int().positive().nullish(),
  updated_at: z.string(),
});

export interface ReviewAuthor {
  login: string;
  id: number;
  type: string;
}

export interface Review {
  id: number;
  author: ReviewAuthor;
  body: string;
  /** `CHANGES_REQUESTED`, `COMMENTED`, `APPROVED`… as GitHub spells it. */
  state: string;
  commitId: string | null;
  submittedAt: string | null;
}

/** One line comment of a review: where it points, what it says, and the thread it starts (or is in). */
export interface LineComment {
  id: number;
  author: ReviewAuthor;
  body: string;
  path: string;
  /** The line in the file; null for an outdated comment whose line no longer exists. */
  line: number | null;
  diffHunk: string;
  /** The thread's first comment: replies go there (GitHub does not take replies to replies). */
  threadId: number;
  updatedAt: string;
}

function toReview(raw: unknown): Review {
  const r = ReviewJson.parse(raw);
  return {
    id: r.id,
    author: r.user,
    body: r.body ?? '',
    state: r.state.toUpperCase(),
    commitId: r.commit_id ?? null,
    submittedAt: r.submitted_at ?? null,
  };
}

export async function readReview(
  octokit: Octokit,
  repo: Repo,
  pr: number,
  reviewId: number,
): Promise<Review> {
  const { data } = await octokit.rest.pulls.getReview({ ...repo, pull_number: pr, review_id: reviewId });
  return toReview(data);
}

/** Every review on the pull request, oldest first. */
export async function listReviews(octokit: Octokit, repo: Repo, pr: number): Promise<Review[]> {
  const all = await octokit.paginate(octokit.rest.pulls.listReviews, {
    ...repo,
    pull_number: pr,
    per_page: 100,
  });
  return all.map(toReview);
}

/** The line comments submitted with one review, oldest first. */
export async function reviewLineComments(
  octokit: Octokit,
  repo: Repo,
  pr: number,
  reviewId: number,
): Promise<LineComment[]> {
  const all = await octokit.paginate(octokit.rest.pulls.listCommentsForReview, {
    ...repo,
    pull_number: pr,
    review_id: reviewId,
    per_page: 100,
  });
  return all.map((raw) => {
    const c = LineCommentJson.parse(raw);
    return {
      id: c.id,
      author: c.user,
      body: c.body,
      path: c.path,
      line: c.line ?? c.original_line ?? null,
      diffHunk: c.diff_hunk,
      threadId: c.in_reply_to_id ?? c.id,
      updatedAt: c.updated_at,
    };
  });
}

/** Posts `body` in the thread that `threadId` starts. The caller has made the text safe to publish. */
export async function replyInThread(
  octokit: Octokit,
  repo: Repo,
  pr: number,
  threadId: number,
  body: string,
): Promise<void> {
  await octokit.rest.pulls.createReplyForReviewComment({
    ...repo,
    pull_number: pr,
    comment_id: threadId,
    body,
  });
}
