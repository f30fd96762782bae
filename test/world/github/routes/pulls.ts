// Pull request routes: list, create (with GitHub's refusals), get, update, reviews and their line comments.
import {
  ApiError,
  listReply,
  optionalString,
  type Route,
  type RouteContext,
  requireString,
  validationFailed,
} from '../http.js';
import { pullJson, reviewJson } from '../shapes.js';
import type { Issue, Repo, Review } from '../state.js';
import { pullOf, repoOf } from './lookup.js';
import { reviewCommentRoutes } from './review-comments.js';

const ACTIONS_REFUSAL = 'GitHub Actions is not permitted to create or approve pull requests.';

/** `head` is `branch` or `owner:branch`; returns the head repository and branch. */
function parseHead(ctx: RouteContext, repo: Repo, head: string): { headRepo: Repo; ref: string } {
  const colon = head.indexOf(':');
  if (colon < 0) return { headRepo: repo, ref: head };
  const owner = head.slice(0, colon);
  const ref = head.slice(colon + 1);
  const headRepo =
    owner.toLowerCase() === repo.owner.login.toLowerCase() ? repo : ctx.state.repo(owner, repo.name);
  if (!headRepo) throw validationFailed({ resource: 'PullRequest', field: 'head', code: 'invalid' });
  return { headRepo, ref };
}

function openPullFor(repo: Repo, headRepoKey: string, headRef: string): Issue | undefined {
  return [...repo.issues.values()].find(
    (i) => i.pull && i.state === 'open' && i.pull.headRepoKey === headRepoKey && i.pull.headRef === headRef,
  );
}

function createPull(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  if (ctx.caller.actionsToken && !repo.allowActionsToCreatePullRequests)
    throw new ApiError(403, ACTIONS_REFUSAL);
  const title = requireString(ctx.body, 'title', 'PullRequest');
  const { headRepo, ref: headRef } = parseHead(ctx, repo, requireString(ctx.body, 'head', 'PullRequest'));
  const baseRef = requireString(ctx.body, 'base', 'PullRequest');
  const headSha = ctx.state.resolveRef(headRepo, headRef);
  const baseSha = ctx.state.resolveRef(repo, baseRef);
  if (!headSha) throw validationFailed({ resource: 'PullRequest', field: 'head', code: 'invalid' });
  if (!baseSha) throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
  if (openPullFor(repo, headRepo.key, headRef)) {
    const message = `A pull request already exists for ${headRepo.owner.login}:${headRef}.`;
    throw validationFailed({ resource: 'PullRequest', code: 'custom', message });
  }
  if (headSha === baseSha) {
    throw validationFailed({
      resource: 'PullRequest',
      code: 'custom',
      message: `No commits between ${baseRef} and ${headRef}`,
    });
  }
  const issue = ctx.state.createPull(repo, {
    title,
    body: optionalString(ctx.body, 'body') ?? null,
    user: ctx.caller.user,
    headRepo,
    headRef,
    headSha,
    baseRef,
    baseSha,
    draft: ctx.body.draft === true,
    maintainerCanModify: ctx.body.maintainer_can_modify !== false,
  });
  return { status: 201, body: pullJson(ctx.state, repo, issue) };
}

function listPulls(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const state = ctx.query.get('state') ?? 'open';
  const head = ctx.query.get('head');
  const base = ctx.query.get('base');
  const wantHead = head ? parseHead(ctx, repo, head) : undefined;
  const pulls = [...repo.issues.values()].filter(
    (i) =>
      i.pull &&
      (state === 'all' || i.state === state) &&
      (!wantHead || (i.pull.headRepoKey === wantHead.headRepo.key && i.pull.headRef === wantHead.ref)) &&
      (!base || i.pull.baseRef === base),
  );
  const desc = (ctx.query.get('direction') ?? 'desc') === 'desc';
  const sorted = pulls.sort((a, b) => (desc ? b.number - a.number : a.number - b.number));
  return listReply(
    sorted.map((i) => pullJson(ctx.state, repo, i, true)),
    ctx,
  );
}

function updatePull(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const issue = pullOf(ctx, repo);
  const pull = issue.pull as NonNullable<Issue['pull']>;
  const title = optionalString(ctx.body, 'title');
  if (title !== undefined) issue.title = title;
  if ('body' in ctx.body) issue.body = optionalString(ctx.body, 'body') ?? null;
  const base = optionalString(ctx.body, 'base');
  if (base !== undefined) {
    const sha = ctx.state.resolveRef(repo, base);
    if (!sha) throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    pull.baseRef = base;
    pull.baseSha = sha;
  }
  const state = optionalString(ctx.body, 'state');
  if (state === 'open' || state === 'closed') ctx.state.setState(issue, state, ctx.caller.user);
  issue.updated_at = ctx.state.now();
  return { status: 200, body: pullJson(ctx.state, repo, issue) };
}

const REVIEW_STATES: Record<string, Review['state']> = {
  APPROVE: 'APPROVED',
  REQUEST_CHANGES: 'CHANGES_REQUESTED',
  COMMENT: 'COMMENTED',
};

function createReview(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const issue = pullOf(ctx, repo);
  const pull = issue.pull as NonNullable<Issue['pull']>;
  const event = optionalString(ctx.body, 'event');
  const state = event ? REVIEW_STATES[event] : 'PENDING';
  if (!state) throw validationFailed({ resource: 'PullRequestReview', field: 'event', code: 'invalid' });
  if (state === 'APPROVED' && ctx.caller.actionsToken && !repo.allowActionsToCreatePullRequests) {
    throw new ApiError(403, ACTIONS_REFUSAL);
  }
  const review = ctx.state.addReview(issue, {
    user: ctx.caller.user,
    body: optionalString(ctx.body, 'body') ?? '',
    state,
    commit_id: optionalString(ctx.body, 'commit_id') ?? pull.headSha,
  });
  return { status: 200, body: reviewJson(ctx.state, repo, issue, review) };
}

export const pullRoutes: Route[] = [
  { method: 'GET', path: '/repos/{owner}/{repo}/pulls', handler: listPulls },
  { method: 'POST', path: '/repos/{owner}/{repo}/pulls', handler: createPull },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return { status: 200, body: pullJson(ctx.state, repo, pullOf(ctx, repo)) };
    },
  },
  { method: 'PATCH', path: '/repos/{owner}/{repo}/pulls/{pull_number}', handler: updatePull },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = pullOf(ctx, repo);
      return listReply(
        (issue.pull?.reviews ?? []).map((r) => reviewJson(ctx.state, repo, issue, r)),
        ctx,
      );
    },
  },
  { method: 'POST', path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', handler: createReview },
  ...reviewCommentRoutes,
];
