// Native sub-issues and "blocked by" dependencies through the real Octokit against the GitHub emulator
// (its routes are held to GitHub's OpenAPI description in test/world/github/openapi.test.ts).
import { getOctokit } from '@actions/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addBlockedBy, addSubIssue, blockersOf, subIssuesOf } from '../../src/github/sub-issues.js';
import { type GitHubEmulator, startGitHub } from '../world/github/index.js';

const repo = { owner: 'acme', repo: 'app' };
let gh: GitHubEmulator;
let octokit: ReturnType<typeof getOctokit>;

beforeEach(async () => {
  gh = await startGitHub();
  gh.addRepo(repo);
  octokit = getOctokit(gh.token, { baseUrl: gh.url });
});
afterEach(async () => {
  await gh.close();
});

const issue = (title: string) => gh.addIssue(repo.owner, repo.repo, { title, user: 'mona' });

describe('sub-issues and dependencies', () => {
  it('links an epic’s sub-issues by number (ids looked up) and reports open blockers', async () => {
    const [epic, a, b, d] = [issue('Epic'), issue('A'), issue('B'), issue('D')];
    for (const child of [a, b, d]) await addSubIssue(octokit, repo, epic, child);
    await addBlockedBy(octokit, repo, b, a);
    await addBlockedBy(octokit, repo, d, b);
    expect(await subIssuesOf(octokit, repo, epic)).toEqual([a, b, d]);
    expect(await blockersOf(octokit, repo, d)).toEqual([{ number: b, open: true }]);
    await octokit.rest.issues.update({ ...repo, issue_number: b, state: 'closed' });
    expect(await blockersOf(octokit, repo, d)).toEqual([{ number: b, open: false }]);
    expect(await blockersOf(octokit, repo, a)).toEqual([]);
  });

  it('refuses a second parent and an issue blocking itself, as GitHub does (422)', async () => {
    const [one, two, child] = [issue('One'), issue('Two'), issue('Child')];
    await addSubIssue(octokit, repo, one, child);
    await expect(addSubIssue(octokit, repo, two, child)).rejects.toMatchObject({ status: 422 });
    await expect(addBlockedBy(octokit, repo, child, child)).rejects.toMatchObject({ status: 422 });
  });
});
