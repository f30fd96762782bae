// The emulator's one GraphQL mutation, driven by Pilot's own pinIssue through the real Octokit.
import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableAutoMerge, unresolvedThreadAuthors } from '../../../src/github/merge.js';
import { PIN_ISSUE_MUTATION, pinIssue } from '../../../src/github/pin.js';
import { type GitHubEmulator, startGitHub } from './index.js';

const O = 'octo-org';
const R = 'widgets';
let gh: GitHubEmulator;

beforeAll(async () => {
  gh = await startGitHub();
  gh.addRepo({ owner: O, repo: R });
});
afterAll(async () => {
  await gh?.close();
});

function nodeIdOf(number: number): string {
  return Buffer.from(`05:Issue${gh.issue(O, R, number).id}`).toString('base64');
}

describe('the emulator GraphQL endpoint', () => {
  it('pins an issue by its node id and answers with the PinIssuePayload selection', async () => {
    const n = gh.addIssue(O, R, { title: 'one', user: 'mona' });
    const octokit = getOctokit(gh.token, { baseUrl: gh.url });
    const data = await octokit.graphql<{ pinIssue: { issue: { number: number } } }>(PIN_ISSUE_MUTATION, {
      issueId: nodeIdOf(n),
    });
    expect(data.pinIssue.issue.number).toBe(n);
    expect(gh.pinnedIssues(O, R)).toEqual([n]);
  });

  it('refuses a fourth pinned issue, and pinIssue turns that into a reason', async () => {
    for (const t of ['two', 'three']) gh.pinIssue(O, R, gh.addIssue(O, R, { title: t, user: 'mona' }));
    const fourth = gh.addIssue(O, R, { title: 'four', user: 'mona' });
    const result = await pinIssue(getOctokit(gh.token, { baseUrl: gh.url }), nodeIdOf(fourth));
    expect(result).toEqual({ pinned: false, reason: expect.stringContaining('at most 3') });
    expect(gh.pinnedIssues(O, R)).not.toContain(fourth);
  });

  it('refuses a token without issues: write, an unknown node, and shapes outside the schema', async () => {
    const readOnly = gh.tokenForRun(9, { issues: 'read' });
    const n = gh.addIssue(O, R, { title: 'five', user: 'mona' });
    const denied = await pinIssue(getOctokit(readOnly, { baseUrl: gh.url }), nodeIdOf(n));
    expect(denied).toEqual({
      pinned: false,
      reason: expect.stringContaining('not accessible by integration'),
    });
    const octokit = getOctokit(gh.token, { baseUrl: gh.url });
    expect(await pinIssue(octokit, 'MDU6SXNzdWU5OTk5')).toEqual({
      pinned: false,
      reason: expect.stringContaining('Could not resolve to a node'),
    });
    await expect(
      octokit.graphql('mutation { pinIssue(input: {id: "x"}) { issue { number } } }'),
    ).rejects.toThrow("doesn't accept argument 'id'");
    await expect(
      octokit.graphql('mutation($i: ID!) { pinIssue(input: {issueId: $i}) { pinnedIssue { number } } }', {
        i: nodeIdOf(n),
      }),
    ).rejects.toThrow("doesn't exist on type 'PinIssuePayload'");
    await expect(octokit.graphql('query { viewer { login } }')).rejects.toThrow('only the pinIssue mutation');
  });

  it('enables auto-merge only on the expected head, with GitHub refusals for clean and disallowed', async () => {
    const octokit = getOctokit(gh.token, { baseUrl: gh.url });
    const head = 'c'.repeat(40);
    const n = gh.addPull(O, R, { title: 'auto', user: 'mona', head: 'pilot/issue-1-auto', headSha: head });
    const nodeId = Buffer.from(`011:PullRequest${gh.issue(O, R, n).pull?.id}`).toString('base64');
    const pr = { nodeId, sha: head, method: 'squash' as const };
    expect(await enableAutoMerge(octokit, pr)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not allowed'),
    });
    gh.setRepoSettings(O, R, { allowAutoMerge: true });
    expect(await enableAutoMerge(octokit, pr)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('clean status'),
    });
    gh.protectBranch(O, R, 'main', { contexts: ['ci'] });
    expect(await enableAutoMerge(octokit, { ...pr, sha: 'd'.repeat(40) })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('Head branch was modified'),
    });
    expect(await enableAutoMerge(octokit, pr)).toEqual({ ok: true });
    expect(gh.pulls(O, R).find((p) => p.number === n)?.merged).toBe(false);
    gh.addCheckRun(O, R, { headSha: head, name: 'ci' });
    expect(gh.pulls(O, R).find((p) => p.number === n)?.merged).toBe(true);
  });

  it('answers the review-threads query Pilot sends: who started each unresolved thread', async () => {
    const octokit = getOctokit(gh.token, { baseUrl: gh.url });
    const n = gh.addPull(O, R, {
      title: 'threads',
      user: 'mona',
      head: 'pilot/issue-2-threads',
      headSha: 'e'.repeat(40),
    });
    gh.addReviewThread(O, R, n, { author: 'carol' });
    gh.addReviewThread(O, R, n, { author: 'dave', resolved: true });
    gh.addReviewThread(O, R, n, { author: 'erin' });
    expect(await unresolvedThreadAuthors(octokit, { owner: O, repo: R }, n)).toEqual(['carol', 'erin']);
    await expect(
      octokit.graphql(
        'query($owner: String!) { repository(owner: $owner, name: "x") { reviewThreads { secret } } }',
        {
          owner: O,
        },
      ),
    ).rejects.toThrow("Field 'secret'");
  });
});
