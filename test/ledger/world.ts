// Shared setup for the ledger tests: the GitHub emulator, a repository, real Octokit clients, and
// records as a finishing run would write them.
import { getOctokit } from '@actions/github';
import type { Where } from '../../src/ledger/index.js';
import type { LedgerRecord, RunRecord } from '../../src/ledger/records.js';
import { type GitHubEmulator, startGitHub } from '../world/github/index.js';

export const repo = { owner: 'acme', repo: 'app' };

export async function ledgerWorld(): Promise<{ gh: GitHubEmulator; where: () => Where }> {
  const gh = await startGitHub();
  gh.addRepo(repo);
  // A fresh client per caller, as separate runs have.
  return { gh, where: () => ({ octokit: getOctokit(gh.token, { baseUrl: gh.url }), repo }) };
}

export function runRecord(runId: number, fields: Partial<RunRecord> = {}): LedgerRecord {
  return {
    v: 1,
    kind: 'run',
    key: `${runId}-1`,
    at: '2026-12-03T10:00:00.000Z',
    issue: 7,
    intent: 'run',
    outcome: 'success',
    costUsd: 0.25,
    tokensIn: 1000,
    tokensOut: 200,
    tokensCacheRead: 0,
    tokensCacheWrite: 0,
    turns: 4,
    durationMs: 60_000,
    model: 'claude-sonnet',
    runner: 'ubuntu-latest',
    runId,
    attempt: 1,
    ...fields,
  };
}

/** Git Data writes (anything but GET under /git/) the emulator answered, by status. */
export function gitWrites(gh: GitHubEmulator): Array<{ method: string; path: string; status: number }> {
  return gh.requests().filter((r) => r.method !== 'GET' && r.path.includes('/git/'));
}
