// Merge routes: a branch with its protection (required status checks), merging a pull request with
// the head it must still have (`sha`), bringing it up to date with its base (`update-branch`), and
// reading a GitHub Environment's protection rules.
import { ApiError, notFound, optionalString, type Route, type RouteContext } from '../http.js';
import { mergeableState, mergeNow } from '../merging.js';
import { nodeId, repoUrl, userJson } from '../shapes.js';
import { fakeSha, type Issue } from '../state.js';
import { pullOf, repoOf } from './lookup.js';

function commitJson(ctx: RouteContext, url: string, sha: string) {
  const person = { name: 'Emulator', email: 'emulator@example.com', date: ctx.state.now() };
  return {
    url: `${url}/commits/${sha}`,
    sha,
    node_id: nodeId('Commit', Number.parseInt(sha.slice(0, 6), 16)),
    html_url: `${ctx.state.serverUrl}/commit/${sha}`,
    comments_url: `${url}/commits/${sha}/comments`,
    commit: {
      url: `${url}/git/commits/${sha}`,
      author: person,
      committer: person,
      message: 'commit',
      comment_count: 0,
      tree: { sha: fakeSha(`tree-${sha}`), url: `${url}/git/trees/${fakeSha(`tree-${sha}`)}` },
    },
    author: null,
    committer: null,
    parents: [],
  };
}

function getBranch(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const { branch } = ctx.params;
  const sha = ctx.state.resolveRef(repo, `refs/heads/${branch}`);
  if (!sha) throw new ApiError(404, 'Branch not found');
  const url = repoUrl(ctx.state, repo);
  const rules = repo.protection?.get(branch);
  const protectionUrl = `${url}/branches/${branch}/protection`;
  return {
    status: 200,
    body: {
      name: branch,
      commit: commitJson(ctx, url, sha),
      _links: {
        self: `${url}/branches/${branch}`,
        html: `${ctx.state.serverUrl}/${repo.key}/tree/${branch}`,
      },
      protected: rules !== undefined,
      protection: rules
        ? {
            enabled: true,
            required_status_checks: {
              enforcement_level: 'non_admins',
              contexts: rules.contexts,
              checks: rules.contexts.map((context) => ({ context, app_id: null })),
              strict: rules.strict,
            },
          }
        : { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
      protection_url: protectionUrl,
    },
  };
}

function openPull(ctx: RouteContext): { issue: Issue; pr: NonNullable<Issue['pull']> } {
  const issue = pullOf(ctx, repoOf(ctx));
  return { issue, pr: issue.pull as NonNullable<Issue['pull']> };
}

function mergePull(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const { issue, pr } = openPull(ctx);
  const sha = optionalString(ctx.body, 'sha');
  if (sha !== undefined && sha !== pr.headSha)
    throw new ApiError(409, 'Head branch was modified. Review and try the merge again.');
  const state = mergeableState(ctx.state, repo, issue);
  if (issue.state !== 'open' || !['clean', 'unstable', 'has_hooks'].includes(state))
    throw new ApiError(405, 'Pull Request is not mergeable');
  const merged = mergeNow(ctx.state, repo, issue, ctx.caller.user);
  return { status: 200, body: { sha: merged, merged: true, message: 'Pull Request successfully merged' } };
}

function updateBranch(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const { issue, pr } = openPull(ctx);
  const expected = optionalString(ctx.body, 'expected_head_sha');
  if (expected !== undefined && expected !== pr.headSha)
    throw new ApiError(422, "expected_head_sha didn't match current head ref.");
  const base = ctx.state.resolveRef(repo, pr.baseRef);
  if (issue.state !== 'open' || !base) throw new ApiError(422, 'merge conflict between base and head');
  // GitHub merges the base into the head branch (asynchronously there; at once here).
  pr.headSha = fakeSha(`update-${pr.headSha}-${base}`);
  pr.baseSha = base;
  repo.refs.set(`refs/heads/${pr.headRef}`, pr.headSha);
  const url = `${ctx.state.serverUrl}/${repo.key}/pull/${issue.number}`;
  return { status: 202, body: { message: 'Updating pull request branch.', url } };
}

function getEnvironment(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const env = repo.environments?.get(ctx.params.environment_name);
  if (!env) throw notFound();
  const url = repoUrl(ctx.state, repo);
  const reviewers = env.reviewers.map((login) => ({
    type: 'User',
    reviewer: userJson(ctx.state, ctx.state.user(login)),
  }));
  return {
    status: 200,
    body: {
      id: env.id,
      node_id: nodeId('Environment', env.id),
      name: env.name,
      url: `${url}/environments/${env.name}`,
      html_url: `${ctx.state.serverUrl}/${repo.key}/deployments/activity_log?environments_filter=${env.name}`,
      created_at: env.created_at,
      updated_at: env.created_at,
      protection_rules: reviewers.length
        ? [
            {
              id: env.id * 10,
              node_id: nodeId('Gate', env.id * 10),
              type: 'required_reviewers',
              prevent_self_review: false,
              reviewers,
            },
          ]
        : [],
    },
  };
}

export const mergeRoutes: Route[] = [
  { method: 'GET', path: '/repos/{owner}/{repo}/branches/{branch}', handler: getBranch, scope: 'contents' },
  {
    method: 'PUT',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    handler: mergePull,
    scope: 'contents',
  },
  { method: 'PUT', path: '/repos/{owner}/{repo}/pulls/{pull_number}/update-branch', handler: updateBranch },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/environments/{environment_name}',
    handler: getEnvironment,
    scope: 'actions',
  },
];
