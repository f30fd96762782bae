// The emulator's whole route table, declarative so the conformance test can enumerate it.
import type { Route, Scope } from '../http.js';
import { actionsRoutes } from './actions.js';
import { appRoutes } from './apps.js';
import { cacheRoutes } from './caches.js';
import { gitRoutes } from './git.js';
import { issueRoutes } from './issues.js';
import { mergeRoutes } from './merge.js';
import { pullRoutes } from './pulls.js';
import { repoRoutes } from './repos.js';
import { subIssueRoutes } from './sub-issues.js';

/** Which `GITHUB_TOKEN` permission each family of routes needs (first match wins). */
const SCOPES: Array<[RegExp, Scope]> = [
  [/\/dispatches$|\/git\//, 'contents'],
  [/\/pulls/, 'pull_requests'],
  [/\/issues|\/labels/, 'issues'],
  [/\/actions\//, 'actions'],
  [/\/check-runs/, 'checks'],
];

function withScope(route: Route): Route {
  return { ...route, scope: route.scope ?? SCOPES.find(([re]) => re.test(route.path))?.[1] ?? 'metadata' };
}

export const ROUTES: readonly Route[] = [
  ...repoRoutes,
  ...issueRoutes,
  ...subIssueRoutes,
  ...pullRoutes,
  ...mergeRoutes,
  ...actionsRoutes,
  ...gitRoutes,
  ...cacheRoutes,
  ...appRoutes,
].map(withScope);
