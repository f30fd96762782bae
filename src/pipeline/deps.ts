// Everything the pipeline touches from the outside world, passed in (tests use the local emulators).
import type { PermissionLookup } from '../auth/authorize.js';
import type { Config } from '../config/load.js';
import type { TokenProvider } from '../github/app-token.js';
import type { Octokit } from '../github/client.js';
import type { StateSeal } from '../security/state-key.js';
import type { MarkerKey } from '../state/task.js';
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
  /** Authenticates Pilot's state (markers, queued notes, its own dispatches) with pilot-state-key. */
  seal: StateSeal;
}

/** The key a marker or queued note of `issue` is sealed and verified with. */
export function markerKey(deps: Pick<Deps, 'seal'>, issue: number): MarkerKey {
  return { seal: deps.seal, issue };
}

/** Signs a dispatch's client_payload: the work run knows Pilot's own dispatches by this tag. */
export function dispatchSigner(deps: Pick<Deps, 'seal'>): (text: string) => string {
  return (text) => deps.seal.sign({ purpose: 'dispatch' }, text);
}
