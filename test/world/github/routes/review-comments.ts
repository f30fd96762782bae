// A review's line comments and the replies in their threads: `GET …/reviews/{review_id}`,
// `GET …/reviews/{review_id}/comments` and `POST …/comments/{comment_id}/replies`.
import { ApiError, listReply, notFound, type Route, type RouteContext, requireString } from '../http.js';
import { reviewCommentJson, reviewJson } from '../shapes.js';
import type { Issue, Review } from '../state.js';
import { pullOf, repoOf } from './lookup.js';

function reviewOf(ctx: RouteContext, issue: Issue): Review {
  const review = issue.pull?.reviews.find((r) => r.id === Number(ctx.params.review_id));
  if (!review) throw notFound();
  return review;
}

function getReview(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const issue = pullOf(ctx, repo);
  return { status: 200, body: reviewJson(ctx.state, repo, issue, reviewOf(ctx, issue)) };
}

function listReviewComments(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const issue = pullOf(ctx, repo);
  const review = reviewOf(ctx, issue);
  const own = (issue.pull?.reviewComments ?? []).filter((c) => c.reviewId === review.id);
  return listReply(
    own.map((c) => reviewCommentJson(ctx.state, repo, issue, c)),
    ctx,
  );
}

function reply(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const issue = pullOf(ctx, repo);
  const pull = issue.pull as NonNullable<Issue['pull']>;
  const target = pull.reviewComments.find((c) => c.id === Number(ctx.params.comment_id));
  if (!target) throw notFound();
  // GitHub's docs: the id must be a top-level review comment; "replies to replies are not supported".
  if (target.in_reply_to_id !== undefined)
    throw new ApiError(422, 'Validation Failed: replies to replies are not supported');
  const comment = ctx.state.addReviewComment(issue, {
    reviewId: ctx.state.addReview(issue, {
      user: ctx.caller.user,
      body: '',
      state: 'COMMENTED',
      commit_id: target.commit_id,
    }).id,
    user: ctx.caller.user,
    body: requireString(ctx.body, 'body', 'PullRequestReviewComment'),
    path: target.path,
    line: target.line,
    diff_hunk: target.diff_hunk,
    commit_id: target.commit_id,
    in_reply_to_id: target.id,
  });
  return { status: 201, body: reviewCommentJson(ctx.state, repo, issue, comment) };
}

export const reviewCommentRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}',
    handler: getReview,
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments',
    handler: listReviewComments,
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies',
    handler: reply,
  },
];
