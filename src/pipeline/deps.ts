// Everything the pipeline touches from the outside world, passed in (tests use the local emulators).
import type { PermissionLookup } from '../auth/authorize.js';
import type { Config } from '../config/load.js';
import type { Octokit } from '../github/client.js';
import type { RunContext } from './context.js';

export interface Deps {
  config: Config;
  ctx: RunContext;
  octokit: Octokit;
  /** The GitHub token Pilot writes with (never given to the agent). */
  token: string;
  lookup: PermissionLookup;
  now: () => number;
}
