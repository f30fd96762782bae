// The emulator's whole route table, declarative so the conformance test can enumerate it.
import type { Route } from '../http.js';
import { actionsRoutes } from './actions.js';
import { cacheRoutes } from './caches.js';
import { gitRoutes } from './git.js';
import { issueRoutes } from './issues.js';
import { pullRoutes } from './pulls.js';
import { repoRoutes } from './repos.js';

export const ROUTES: readonly Route[] = [
  ...repoRoutes,
  ...issueRoutes,
  ...pullRoutes,
  ...actionsRoutes,
  ...gitRoutes,
  ...cacheRoutes,
];
