import { redactRequest } from '../security/redact.js';
import { type LimitPolicy, limitedOctokit, type Octokit } from './rate-limits.js';

export type { Octokit };

export interface Repo {
  owner: string;
  repo: string;
}

/** Octokit's `authStrategy` option: how each request is authenticated, given by the caller. */
export type AuthStrategy = () => unknown;

/**
 * Real Octokit with GitHub's rate limits handled (rate-limits.ts); its base URL follows
 * `GITHUB_API_URL` (github.com, ghe.com, or the local emulator). With an `authStrategy` (App tokens:
 * `authStrategyFor` in app-token.ts, re-minted when 50 minutes old) every request asks it for the token.
 */
export function createOctokit(token: string, authStrategy?: AuthStrategy, policy?: LimitPolicy): Octokit {
  const octokit = limitedOctokit(
    token,
    {
      // Read now, not when @actions/github was loaded (tests point it at the emulator later).
      ...(process.env.GITHUB_API_URL && { baseUrl: process.env.GITHUB_API_URL }),
      ...(authStrategy && { authStrategy }),
    },
    policy,
  );
  octokit.hook.before('request', redactRequest);
  return octokit;
}

export function parseRepository(full: string): Repo {
  const [owner, repo] = full.split('/');
  if (!owner || !repo) throw new Error(`GITHUB_REPOSITORY "${full}" is not of the form owner/repo`);
  return { owner, repo };
}

/** GitHub's error status, when the error came from the API. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}
