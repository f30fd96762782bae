// Everything the pipeline touches from the outside world, passed in (tests use the local emulators).
import type { PermissionLookup } from '../auth/authorize.js';
import type { Config } from '../config/load.js';
import type { TokenProvider } from '../github/app-token.js';
import type { Octokit } from '../github/client.js';
import type { RunContext } from './context.js';

export interface Deps {
  config: Config;
  ctx: RunContext;
  octokit: Octokit;
  /** The GitHub token Pilot writes with (never given to the agent). */
  token: string;
  /** Where a fresh token comes from before a late write (App tokens are re-minted after 50 minutes). */
  tokens?: TokenProvider;
  lookup: PermissionLookup;
  now: () => number;
}
