// Finding the records a route's path names, answering 404 the way GitHub does when they are missing.
import { notFound, type RouteContext } from '../http.js';
import type { Comment, Issue, Repo } from '../state.js';

export function repoOf(ctx: RouteContext): Repo {
  const repo = ctx.state.repo(ctx.params.owner, ctx.params.repo);
  if (!repo) throw notFound();
  return repo;
}

export function issueOf(ctx: RouteContext, repo: Repo, param = 'issue_number'): Issue {
  const issue = ctx.state.issue(repo, Number(ctx.params[param]));
  if (!issue) throw notFound();
  return issue;
}

/** A pull request by number; an issue number that is not a PR is a 404 on the pulls routes. */
export function pullOf(ctx: RouteContext, repo: Repo): Issue {
  const issue = issueOf(ctx, repo, 'pull_number');
  if (!issue.pull) throw notFound();
  return issue;
}

export function commentOf(ctx: RouteContext, repo: Repo): Comment {
  const comment = ctx.state.comments.get(Number(ctx.params.comment_id));
  if (!comment || comment.repoKey !== repo.key) throw notFound();
  return comment;
}
