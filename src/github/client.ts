import * as github from '@actions/github';
import { redactRequest } from '../security/redact.js';

export type Octokit = ReturnType<typeof github.getOctokit>;

export interface Repo {
  owner: string;
  repo: string;
}

/** Real Octokit; its base URL follows `GITHUB_API_URL` (github.com, ghe.com, or the local emulator). */
export function createOctokit(token: string): Octokit {
  const octokit = github.getOctokit(token, { retry: { enabled: false } });
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
