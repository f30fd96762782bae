// Issue routes: issues, comments (with edit history), reactions, labels and the timeline.
import {
  ApiError,
  listReply,
  notFound,
  optionalString,
  type Route,
  type RouteContext,
  requireString,
  validationFailed,
} from '../http.js';
import {
  commentJson,
  issueEventJson,
  issueJson,
  labelJson,
  reactionJson,
  timelineCommentJson,
} from '../shapes.js';
import { type Issue, REACTION_CONTENTS, type Reaction, type ReactionContent, type Repo } from '../state.js';
import { commentOf, issueOf, repoOf } from './lookup.js';

/** GitHub refuses comment bodies longer than this (FACTS: comment bodies ≤ 65,536 characters). */
const MAX_BODY = 65_536;

function checkBody(body: string, resource: string): string {
  if (body.length > MAX_BODY) {
    throw validationFailed({
      resource,
      code: 'custom',
      field: 'body',
      message: `body is too long (maximum is ${MAX_BODY} characters)`,
    });
  }
  return body;
}

function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((l) => (typeof l === 'string' ? l : (l as { name?: unknown })?.name))
    .filter((l): l is string => typeof l === 'string' && l !== '');
}

function byTime<T extends { created_at: string }>(
  items: T[],
  ctx: RouteContext,
  key: 'created_at' | 'updated_at' = 'created_at',
): T[] {
  const desc = (ctx.query.get('direction') ?? 'desc') === 'desc';
  const sorted = [...items].sort((a, b) => ((a as never)[key] < (b as never)[key] ? -1 : 1));
  return desc ? sorted.reverse() : sorted;
}

function listIssues(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const state = ctx.query.get('state') ?? 'open';
  const wanted = (ctx.query.get('labels') ?? '')
    .split(',')
    .filter(Boolean)
    .map((l) => l.toLowerCase());
  const creator = ctx.query.get('creator');
  const since = ctx.query.get('since');
  const matches = (i: Issue): boolean =>
    (state === 'all' || i.state === state) &&
    wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)) &&
    (!creator || i.user.login === creator) &&
    (!since || i.updated_at >= since);
  const sortKey = ctx.query.get('sort') === 'updated' ? 'updated_at' : 'created_at';
  const issues = byTime([...repo.issues.values()].filter(matches), ctx, sortKey);
  return listReply(
    issues.map((i) => issueJson(ctx.state, repo, i)),
    ctx,
  );
}

function updateIssue(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const issue = issueOf(ctx, repo);
  const actor = ctx.caller.user;
  const title = optionalString(ctx.body, 'title');
  if (title !== undefined) issue.title = title;
  if ('body' in ctx.body) issue.body = optionalString(ctx.body, 'body') ?? null;
  if (Array.isArray(ctx.body.labels)) setLabels(ctx, repo, issue, labelNames(ctx.body.labels));
  const state = optionalString(ctx.body, 'state');
  if (state === 'open' || state === 'closed') {
    ctx.state.setState(issue, state, actor, optionalString(ctx.body, 'state_reason'));
  }
  issue.updated_at = ctx.state.now();
  return { status: 200, body: issueJson(ctx.state, repo, issue) };
}

function setLabels(ctx: RouteContext, repo: Repo, issue: Issue, names: string[]): void {
  for (const old of [...issue.labels]) {
    if (!names.some((n) => n.toLowerCase() === old.toLowerCase()))
      ctx.state.removeLabel(issue, old, ctx.caller.user);
  }
  for (const name of names) ctx.state.addLabel(repo, issue, name, ctx.caller.user);
}

function reactionContent(ctx: RouteContext): ReactionContent {
  const content = ctx.body.content;
  if (!REACTION_CONTENTS.includes(content as ReactionContent)) {
    throw validationFailed({ resource: 'Reaction', code: 'invalid', field: 'content' });
  }
  return content as ReactionContent;
}

function createReaction(ctx: RouteContext, list: Reaction[]): ReturnType<Route['handler']> {
  const { reaction, created } = ctx.state.react(list, ctx.caller.user, reactionContent(ctx));
  return { status: created ? 201 : 200, body: reactionJson(ctx.state, reaction) };
}

function listReactions(ctx: RouteContext, list: Reaction[]): ReturnType<Route['handler']> {
  const content = ctx.query.get('content');
  const matching = list.filter((r) => !content || r.content === content);
  return listReply(
    matching.map((r) => reactionJson(ctx.state, r)),
    ctx,
  );
}

function deleteReaction(ctx: RouteContext, list: Reaction[]): ReturnType<Route['handler']> {
  const index = list.findIndex((r) => r.id === Number(ctx.params.reaction_id));
  if (index < 0) throw notFound();
  list.splice(index, 1);
  return { status: 204 };
}

function issueLabelsReply(ctx: RouteContext, repo: Repo, issue: Issue): ReturnType<Route['handler']> {
  return {
    status: 200,
    body: issue.labels.map((name) => labelJson(ctx.state, repo, ctx.state.ensureLabel(repo, name))),
  };
}

function timeline(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const issue = issueOf(ctx, repo);
  const events = issue.events.map((e) => ({
    at: e.created_at,
    json: issueEventJson(ctx.state, repo, issue, e),
  }));
  const comments = issue.comments
    .map((id) => ctx.state.comments.get(id))
    .filter((c) => c !== undefined)
    .map((c) => ({ at: c.created_at, json: timelineCommentJson(ctx.state, repo, c) }));
  const all = [...events, ...comments].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return listReply(
    all.map((e) => e.json),
    ctx,
  );
}

// One row per GitHub route (held to the OpenAPI description); GET-one routes of issues and pulls look
// alike because GitHub's do.
export const issueRoutes: Route[] = [
  { method: 'GET', path: '/repos/{owner}/{repo}/issues', handler: listIssues },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const title = requireString(ctx.body, 'title', 'Issue');
      const body = optionalString(ctx.body, 'body');
      const issue = ctx.state.createIssue(repo, {
        title,
        body: body === undefined ? null : checkBody(body, 'Issue'),
        user: ctx.caller.user,
        labels: labelNames(ctx.body.labels),
      });
      return { status: 201, body: issueJson(ctx.state, repo, issue) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return { status: 200, body: issueJson(ctx.state, repo, issueOf(ctx, repo)) };
    },
  },
  { method: 'PATCH', path: '/repos/{owner}/{repo}/issues/{issue_number}', handler: updateIssue },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = issueOf(ctx, repo);
      const since = ctx.query.get('since');
      const comments = issue.comments
        .map((id) => ctx.state.comments.get(id))
        .filter((c) => c !== undefined && (!since || c.updated_at >= since))
        .map((c) => commentJson(ctx.state, repo, c as NonNullable<typeof c>));
      return listReply(comments, ctx);
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = issueOf(ctx, repo);
      const body = checkBody(requireString(ctx.body, 'body', 'IssueComment'), 'IssueComment');
      const comment = ctx.state.createComment(repo, issue, body, ctx.caller.user);
      return { status: 201, body: commentJson(ctx.state, repo, comment) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return { status: 200, body: commentJson(ctx.state, repo, commentOf(ctx, repo)) };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const comment = commentOf(ctx, repo);
      const body = checkBody(requireString(ctx.body, 'body', 'IssueComment'), 'IssueComment');
      ctx.state.editComment(comment, body, ctx.caller.user);
      return { status: 200, body: commentJson(ctx.state, repo, comment) };
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    handler: (ctx) => {
      ctx.state.deleteComment(commentOf(ctx, repoOf(ctx)));
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
    handler: (ctx) => listReactions(ctx, commentOf(ctx, repoOf(ctx)).reactions),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
    handler: (ctx) => createReaction(ctx, commentOf(ctx, repoOf(ctx)).reactions),
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions/{reaction_id}',
    handler: (ctx) => deleteReaction(ctx, commentOf(ctx, repoOf(ctx)).reactions),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/reactions',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return listReactions(ctx, issueOf(ctx, repo).reactions);
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/reactions',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return createReaction(ctx, issueOf(ctx, repo).reactions);
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/reactions/{reaction_id}',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return deleteReaction(ctx, issueOf(ctx, repo).reactions);
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return issueLabelsReply(ctx, repo, issueOf(ctx, repo));
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = issueOf(ctx, repo);
      // Octokit sends `{labels: [...]}`; GitHub also accepts a bare array.
      const names = labelNames(Array.isArray(ctx.body) ? ctx.body : ctx.body.labels);
      if (names.length === 0)
        throw validationFailed({ resource: 'Label', code: 'missing_field', field: 'labels' });
      for (const name of names) ctx.state.addLabel(repo, issue, name, ctx.caller.user);
      return issueLabelsReply(ctx, repo, issue);
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = issueOf(ctx, repo);
      if (!ctx.state.removeLabel(issue, ctx.params.name, ctx.caller.user)) {
        throw new ApiError(404, 'Label does not exist');
      }
      return issueLabelsReply(ctx, repo, issue);
    },
  },
  { method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}/timeline', handler: timeline },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/labels',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return listReply(
        [...repo.labels.values()].map((l) => labelJson(ctx.state, repo, l)),
        ctx,
      );
    },
  },
];
