// Native sub-issues and issue dependencies ("blocked by"), as epics use them. Both take the other
// issue's database `id`, not its number (FACTS); an id of no issue in this repository is a 422 here
// (GitHub also allows issues of the same owner elsewhere, which the emulator has no need for).
import { listReply, type Route, type RouteContext, validationFailed } from '../http.js';
import { issueJson } from '../shapes.js';
import type { Issue, Repo } from '../state.js';
import { issueOf, repoOf } from './lookup.js';

/** Links kept beside the issues: parent id → sub-issue ids, blocked id → blocking ids. */
const subIssues = new WeakMap<Repo, Map<number, number[]>>();
const blockedBy = new WeakMap<Repo, Map<number, number[]>>();

function links(store: WeakMap<Repo, Map<number, number[]>>, repo: Repo): Map<number, number[]> {
  let map = store.get(repo);
  if (!map) {
    map = new Map();
    store.set(repo, map);
  }
  return map;
}

function byId(repo: Repo, id: unknown, resource: string, field: string): Issue {
  const found = typeof id === 'number' ? [...repo.issues.values()].find((i) => i.id === id) : undefined;
  if (!found) throw validationFailed({ resource, code: 'invalid', field });
  return found;
}

function idsToIssues(repo: Repo, ids: number[], ctx: RouteContext) {
  const all = [...repo.issues.values()];
  const issues = ids.map((id) => all.find((i) => i.id === id)).filter((i): i is Issue => i !== undefined);
  return listReply(
    issues.map((i) => issueJson(ctx.state, repo, i)),
    ctx,
  );
}

function addSubIssue(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const parent = issueOf(ctx, repo);
  const child = byId(repo, ctx.body.sub_issue_id, 'SubIssue', 'sub_issue_id');
  const all = links(subIssues, repo);
  const hasParent = [...all.values()].some((ids) => ids.includes(child.id));
  if (child.id === parent.id || hasParent)
    throw validationFailed({ resource: 'SubIssue', code: 'custom', field: 'sub_issue_id' });
  all.set(parent.id, [...(all.get(parent.id) ?? []), child.id]);
  return { status: 201, body: issueJson(ctx.state, repo, parent) };
}

function addBlockedBy(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const issue = issueOf(ctx, repo);
  const blocker = byId(repo, ctx.body.issue_id, 'IssueDependency', 'issue_id');
  const all = links(blockedBy, repo);
  const now = all.get(issue.id) ?? [];
  if (blocker.id === issue.id || now.includes(blocker.id))
    throw validationFailed({ resource: 'IssueDependency', code: 'custom', field: 'issue_id' });
  all.set(issue.id, [...now, blocker.id]);
  return { status: 201, body: issueJson(ctx.state, repo, issue) };
}

export const subIssueRoutes: Route[] = [
  { method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/sub_issues', handler: addSubIssue },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/sub_issues',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return idsToIssues(repo, links(subIssues, repo).get(issueOf(ctx, repo).id) ?? [], ctx);
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by',
    handler: addBlockedBy,
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return idsToIssues(repo, links(blockedBy, repo).get(issueOf(ctx, repo).id) ?? [], ctx);
    },
  },
];
