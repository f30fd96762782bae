// Holds the GitHub emulator to GitHub's published OpenAPI description: every registered route must
// exist there, and every response the real Octokit receives must validate against its schema.
import { generateKeyPairSync } from 'node:crypto';
import { getOctokit } from '@actions/github';
import { createAppAuth } from '@octokit/auth-app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHub } from './index.js';
import { loadSpec, ResponseValidator } from './openapi-spec.js';
import type { CacheEntry } from './state.js';

const O = 'octo-org';
const R = 'widgets';
const repo = { owner: O, repo: R };
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

interface Answer {
  route: string;
  status: number;
  data: unknown;
}

type Octokit = ReturnType<typeof getOctokit>;

let gh: GitHubEmulator;
let validator: ResponseValidator;
let bot: Octokit;
let human: Octokit;
const caches: CacheEntry[] = [];

beforeAll(async () => {
  validator = new ResponseValidator(loadSpec());
  gh = await startGitHub({
    cacheEntries: {
      listEntries: () => [...caches],
      deleteEntry: (id) => {
        const i = caches.findIndex((c) => c.id === id);
        if (i >= 0) caches.splice(i, 1);
      },
    },
  });
  gh.addRepo({ owner: O, repo: R, ownerType: 'Organization' });
  gh.setPermission(O, R, 'alice', 'write');
  gh.addToken('alice-token', 'alice');
  bot = getOctokit(gh.token, { baseUrl: gh.url });
  human = getOctokit('alice-token', { baseUrl: gh.url });
});

afterAll(async () => {
  await gh?.close();
});

/** Runs one call and keeps the status and body, whether Octokit resolved or threw. */
async function answer(
  route: string,
  call: () => Promise<{ status: number; data: unknown }>,
): Promise<Answer> {
  try {
    const r = await call();
    return { route, status: r.status, data: r.data };
  } catch (error) {
    const e = error as { status?: number; response?: { data?: unknown } };
    if (typeof e.status !== 'number') throw error;
    return { route, status: e.status, data: e.response?.data };
  }
}

type Ask = (route: string, call: () => Promise<{ status: number; data: unknown }>) => Promise<Answer>;

/** Blobs, trees, commits and the compare-and-swap ref update the ledger uses. */
async function exerciseGitData(a: Ask): Promise<void> {
  const blob = await a('POST /repos/{owner}/{repo}/git/blobs', () =>
    bot.rest.git.createBlob({ ...repo, content: '{"v":1}\n', encoding: 'utf-8' }),
  );
  const blobSha = (blob.data as { sha: string }).sha;
  await a('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', () =>
    bot.rest.git.getBlob({ ...repo, file_sha: blobSha }),
  );
  await a('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', () =>
    bot.rest.git.getBlob({ ...repo, file_sha: 'c'.repeat(40) }),
  );
  const tree = await a('POST /repos/{owner}/{repo}/git/trees', () =>
    bot.rest.git.createTree({
      ...repo,
      tree: [
        { path: 'segments/2026-12/0001.jsonl', mode: '100644', type: 'blob', sha: blobSha },
        { path: 'head.json', mode: '100644', type: 'blob', content: '{}\n' },
      ],
    }),
  );
  const treeSha = (tree.data as { sha: string }).sha;
  await a('POST /repos/{owner}/{repo}/git/trees', () =>
    bot.rest.git.createTree({ ...repo, base_tree: 'd'.repeat(40), tree: [] }),
  );
  await a('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', () =>
    bot.rest.git.getTree({ ...repo, tree_sha: treeSha, recursive: '1' }),
  );
  const first = await a('POST /repos/{owner}/{repo}/git/commits', () =>
    bot.rest.git.createCommit({ ...repo, message: 'ledger', tree: treeSha, parents: [] }),
  );
  const firstSha = (first.data as { sha: string }).sha;
  await a('POST /repos/{owner}/{repo}/git/commits', () =>
    bot.rest.git.createCommit({ ...repo, message: 'x', tree: treeSha, parents: ['e'.repeat(40)] }),
  );
  await a('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', () =>
    bot.rest.git.getCommit({ ...repo, commit_sha: firstSha }),
  );
  await a('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', () =>
    bot.rest.git.getCommit({ ...repo, commit_sha: 'f'.repeat(40) }),
  );
  await bot.rest.git.createRef({ ...repo, ref: 'refs/pilot/ledger', sha: firstSha });
  const side = await bot.rest.git.createCommit({ ...repo, message: 'side', tree: treeSha, parents: [] });
  await a('PATCH /repos/{owner}/{repo}/git/refs/{ref}', () =>
    bot.rest.git.updateRef({ ...repo, ref: 'pilot/ledger', sha: side.data.sha, force: false }),
  );
  await a('GET /repos/{owner}/{repo}/git/matching-refs/{ref}', () =>
    bot.rest.git.listMatchingRefs({ ...repo, ref: 'pilot/ledger' }),
  );
}

/** Native sub-issues and "blocked by" dependencies (epics): both take database ids, not numbers. */
async function exerciseSubIssues(a: Ask): Promise<void> {
  const epic = gh.addIssue(O, R, { title: 'Epic', user: 'alice' });
  const [first, second] = [
    gh.addIssue(O, R, { title: 'A', user: 'alice' }),
    gh.addIssue(O, R, { title: 'B', user: 'alice' }),
  ];
  const id = async (n: number) => (await bot.rest.issues.get({ ...repo, issue_number: n })).data.id;
  await a('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', async () =>
    bot.rest.issues.addSubIssue({ ...repo, issue_number: epic, sub_issue_id: await id(first) }),
  );
  await a('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', () =>
    bot.rest.issues.addSubIssue({ ...repo, issue_number: epic, sub_issue_id: 987654321 }),
  );
  await a('GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', () =>
    bot.rest.issues.listSubIssues({ ...repo, issue_number: epic }),
  );
  await a('POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by', async () =>
    bot.rest.issues.addBlockedByDependency({ ...repo, issue_number: second, issue_id: await id(first) }),
  );
  await a('POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by', async () =>
    bot.rest.issues.addBlockedByDependency({ ...repo, issue_number: second, issue_id: await id(second) }),
  );
  await a('GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by', () =>
    bot.rest.issues.listDependenciesBlockedBy({ ...repo, issue_number: second }),
  );
}

/** Branch protection, merging (refused and done), update-branch and environments. */
async function exerciseMerges(a: Ask, draft: number): Promise<void> {
  gh.protectBranch(O, R, 'main', { strict: true, contexts: ['ci'] });
  gh.addEnvironment(O, R, 'pilot-prod', ['alice']);
  gh.addEnvironment(O, R, 'pilot-open');
  await a('GET /repos/{owner}/{repo}/branches/{branch}', () =>
    bot.rest.repos.getBranch({ ...repo, branch: 'main' }),
  );
  await a('GET /repos/{owner}/{repo}/branches/{branch}', () =>
    bot.rest.repos.getBranch({ ...repo, branch: 'gone' }),
  );
  await a('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', () =>
    bot.rest.pulls.merge({ ...repo, pull_number: draft }),
  );
  await a('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', () =>
    bot.rest.pulls.merge({ ...repo, pull_number: draft, sha: SHA_B }),
  );
  await a('PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch', () =>
    bot.rest.pulls.updateBranch({ ...repo, pull_number: draft, expected_head_sha: SHA_B }),
  );
  await a('PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch', () =>
    bot.rest.pulls.updateBranch({ ...repo, pull_number: draft }),
  );
  const ready = gh.addPull(O, R, { title: 'ready', user: 'alice', head: 'feature-ready', headSha: SHA_A });
  gh.addCheckRun(O, R, { headSha: SHA_A, name: 'ci' });
  await a('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', () =>
    bot.rest.pulls.merge({ ...repo, pull_number: ready, sha: SHA_A, merge_method: 'squash' }),
  );
  gh.protectBranch(O, R, 'main', { contexts: [] });
  await a('GET /repos/{owner}/{repo}/environments/{environment_name}', () =>
    bot.rest.repos.getEnvironment({ ...repo, environment_name: 'pilot-prod' }),
  );
  await a('GET /repos/{owner}/{repo}/environments/{environment_name}', () =>
    bot.rest.repos.getEnvironment({ ...repo, environment_name: 'pilot-open' }),
  );
}

/** Exercises every route (successes and the documented refusals), returning what came back. */
async function exerciseAllRoutes(): Promise<Answer[]> {
  const out: Answer[] = [];
  const a = async (route: string, call: () => Promise<{ status: number; data: unknown }>) => {
    const got = await answer(route, call);
    out.push(got);
    return got;
  };
  const issueNumber = gh.addIssue(O, R, {
    title: 'Add a button',
    body: 'please',
    user: 'alice',
    labels: ['pilot'],
  });
  gh.setBranch(O, R, 'pilot/issue-1-add-a-button', SHA_B);
  const run = gh.startRun({
    owner: O,
    repo: R,
    event: 'repository_dispatch',
    headBranch: 'main',
    headSha: SHA_A,
  });
  const done = gh.startRun({ owner: O, repo: R, event: 'issues', headBranch: 'main', headSha: SHA_A });
  gh.finishRun(done, 'success');
  gh.setJobLog(gh.run(run).jobs[0].id, 'step 1\nstep 2\n');
  gh.addCheckRun(O, R, { headSha: SHA_B, name: 'test', conclusion: 'failure', summary: '1 failed' });
  caches.push({
    id: 7,
    key: 'pilot-v1-session-1-1-1',
    ref: 'refs/heads/main',
    version: 'v1',
    size_in_bytes: 1024,
    created_at: '2026-01-01T00:00:00Z',
    last_accessed_at: '2026-01-02T00:00:00Z',
  });
  caches.push({ ...caches[0], id: 8, key: 'pilot-v1-ledger' });

  await a('GET /repos/{owner}/{repo}', () => bot.rest.repos.get(repo));
  await a('GET /repos/{owner}/{repo}', () => bot.rest.repos.get({ owner: O, repo: 'missing' }));
  for (const username of ['alice', 'octo-org', 'nobody-here']) {
    await a('GET /repos/{owner}/{repo}/collaborators/{username}/permission', () =>
      bot.rest.repos.getCollaboratorPermissionLevel({ ...repo, username }),
    );
  }

  await a('POST /repos/{owner}/{repo}/issues', () =>
    human.rest.issues.create({ ...repo, title: 'Second', labels: ['bug'] }),
  );
  await a('GET /repos/{owner}/{repo}/issues/{issue_number}', () =>
    bot.rest.issues.get({ ...repo, issue_number: issueNumber }),
  );
  await a('GET /repos/{owner}/{repo}/issues/{issue_number}', () =>
    bot.rest.issues.get({ ...repo, issue_number: 999 }),
  );
  await a('PATCH /repos/{owner}/{repo}/issues/{issue_number}', () =>
    bot.rest.issues.update({ ...repo, issue_number: 2, state: 'closed', state_reason: 'not_planned' }),
  );
  await a('GET /repos/{owner}/{repo}/issues', () =>
    bot.rest.issues.listForRepo({ ...repo, state: 'all', labels: 'pilot' }),
  );
  await a('GET /repos/{owner}/{repo}/labels', () => bot.rest.issues.listLabelsForRepo(repo));

  const created = await a('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', () =>
    bot.rest.issues.createComment({ ...repo, issue_number: issueNumber, body: 'Working on it' }),
  );
  await a('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', () =>
    bot.rest.issues.createComment({ ...repo, issue_number: issueNumber, body: 'x'.repeat(65_537) }),
  );
  const comment_id = (created.data as { id: number }).id;
  await a('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', () =>
    bot.rest.issues.listComments({ ...repo, issue_number: issueNumber }),
  );
  await a('GET /repos/{owner}/{repo}/issues/comments/{comment_id}', () =>
    bot.rest.issues.getComment({ ...repo, comment_id }),
  );
  await a('GET /repos/{owner}/{repo}/issues/comments/{comment_id}', () =>
    bot.rest.issues.getComment({ ...repo, comment_id: 424242 }),
  );
  await a('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', () =>
    bot.rest.issues.updateComment({ ...repo, comment_id, body: 'Done' }),
  );

  for (const content of ['eyes', 'eyes'] as const) {
    await a('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', () =>
      bot.rest.reactions.createForIssueComment({ ...repo, comment_id, content }),
    );
    await a('POST /repos/{owner}/{repo}/issues/{issue_number}/reactions', () =>
      bot.rest.reactions.createForIssue({ ...repo, issue_number: issueNumber, content }),
    );
  }
  const rocket = await a('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', () =>
    human.rest.reactions.createForIssueComment({ ...repo, comment_id, content: 'rocket' }),
  );
  await a('GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', () =>
    bot.rest.reactions.listForIssueComment({ ...repo, comment_id }),
  );
  await a('DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions/{reaction_id}', () =>
    human.rest.reactions.deleteForIssueComment({
      ...repo,
      comment_id,
      reaction_id: (rocket.data as { id: number }).id,
    }),
  );
  const issueEyes = await a('GET /repos/{owner}/{repo}/issues/{issue_number}/reactions', () =>
    bot.rest.reactions.listForIssue({ ...repo, issue_number: issueNumber }),
  );
  await a('DELETE /repos/{owner}/{repo}/issues/{issue_number}/reactions/{reaction_id}', () =>
    bot.rest.reactions.deleteForIssue({
      ...repo,
      issue_number: issueNumber,
      reaction_id: (issueEyes.data as Array<{ id: number }>)[0].id,
    }),
  );

  await a('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', () =>
    bot.rest.issues.addLabels({ ...repo, issue_number: issueNumber, labels: ['pilot:running'] }),
  );
  await a('GET /repos/{owner}/{repo}/issues/{issue_number}/labels', () =>
    bot.rest.issues.listLabelsOnIssue({ ...repo, issue_number: issueNumber }),
  );
  await a('DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', () =>
    bot.rest.issues.removeLabel({ ...repo, issue_number: issueNumber, name: 'pilot:running' }),
  );
  await a('DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', () =>
    bot.rest.issues.removeLabel({ ...repo, issue_number: issueNumber, name: 'never-there' }),
  );
  await a('GET /repos/{owner}/{repo}/issues/{issue_number}/timeline', () =>
    bot.rest.issues.listEventsForTimeline({ ...repo, issue_number: issueNumber }),
  );

  const head = 'pilot/issue-1-add-a-button';
  const pr = await a('POST /repos/{owner}/{repo}/pulls', () =>
    bot.rest.pulls.create({
      ...repo,
      title: 'Add a button',
      head,
      base: 'main',
      body: 'Closes #1',
      draft: true,
    }),
  );
  await a('POST /repos/{owner}/{repo}/pulls', () =>
    bot.rest.pulls.create({ ...repo, title: 'again', head, base: 'main' }),
  );
  const pull_number = (pr.data as { number: number }).number;
  await a('GET /repos/{owner}/{repo}/pulls', () =>
    bot.rest.pulls.list({ ...repo, head: `${O}:${head}`, state: 'all' }),
  );
  await a('GET /repos/{owner}/{repo}/pulls/{pull_number}', () =>
    bot.rest.pulls.get({ ...repo, pull_number }),
  );
  await a('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', () =>
    bot.rest.pulls.update({ ...repo, pull_number, body: 'Closes #1\n\nUpdated' }),
  );
  await a('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', () =>
    human.rest.pulls.createReview({ ...repo, pull_number, event: 'REQUEST_CHANGES', body: 'rename it' }),
  );
  await a('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', () =>
    bot.rest.pulls.listReviews({ ...repo, pull_number }),
  );
  const lined = gh.addReview(O, R, pull_number, {
    user: 'alice',
    state: 'CHANGES_REQUESTED',
    body: 'two things',
    comments: [{ path: 'src/a.js', line: 3, body: 'rename this' }],
  });
  await a('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}', () =>
    bot.rest.pulls.getReview({ ...repo, pull_number, review_id: lined.id }),
  );
  await a('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}', () =>
    bot.rest.pulls.getReview({ ...repo, pull_number, review_id: 999_999 }),
  );
  await a('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments', () =>
    bot.rest.pulls.listCommentsForReview({ ...repo, pull_number, review_id: lined.id }),
  );
  await a('POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies', () =>
    bot.rest.pulls.createReplyForReviewComment({
      ...repo,
      pull_number,
      comment_id: lined.comments[0].id,
      body: 'Renamed.',
    }),
  );
  await a('POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies', () =>
    bot.rest.pulls.createReplyForReviewComment({ ...repo, pull_number, comment_id: 1, body: 'nobody' }),
  );
  await exerciseMerges(a, pull_number);

  await a('POST /repos/{owner}/{repo}/dispatches', () =>
    bot.rest.repos.createDispatchEvent({ ...repo, event_type: 'pilot', client_payload: { issue: 1 } }),
  );
  const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
  await a('POST /repos/{owner}/{repo}/dispatches', () =>
    bot.rest.repos.createDispatchEvent({ ...repo, event_type: 'pilot', client_payload: tooMany }),
  );

  await a('GET /repos/{owner}/{repo}/actions/runs/{run_id}', () =>
    bot.rest.actions.getWorkflowRun({ ...repo, run_id: run }),
  );
  await a('GET /repos/{owner}/{repo}/actions/runs', () =>
    bot.rest.actions.listWorkflowRunsForRepo({ ...repo, status: 'in_progress' }),
  );
  await a('GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs', () =>
    bot.rest.actions.listJobsForWorkflowRun({ ...repo, run_id: run }),
  );
  await a('POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel', () =>
    bot.rest.actions.cancelWorkflowRun({ ...repo, run_id: run }),
  );
  await a('POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel', () =>
    bot.rest.actions.cancelWorkflowRun({ ...repo, run_id: done }),
  );
  const ci = gh.addCiRun(O, R, {
    headBranch: 'pilot/issue-1-x',
    headSha: SHA_A,
    conclusion: 'failure',
    jobs: [
      {
        name: 'test',
        log: '##[error]boom\n',
        conclusion: 'failure',
        steps: [
          { name: 'Set up job', conclusion: 'success' },
          { name: 'npm test', conclusion: 'failure' },
        ],
      },
    ],
  });
  await a('GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs', () =>
    bot.rest.actions.listJobsForWorkflowRun({ ...repo, run_id: ci.id }),
  );
  await a('POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs', () =>
    bot.rest.actions.reRunWorkflowFailedJobs({ ...repo, run_id: ci.id }),
  );
  await a('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', () =>
    bot.rest.actions.downloadJobLogsForWorkflowRun({
      ...repo,
      job_id: gh.run(run).jobs[0].id,
      request: { redirect: 'manual' },
    }),
  );
  await a('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', () =>
    bot.rest.checks.listForRef({ ...repo, ref: head }),
  );

  const lease = 'refs/pilot/leases/issue-1';
  await a('POST /repos/{owner}/{repo}/git/refs', () =>
    bot.rest.git.createRef({ ...repo, ref: lease, sha: SHA_A }),
  );
  await a('POST /repos/{owner}/{repo}/git/refs', () =>
    bot.rest.git.createRef({ ...repo, ref: lease, sha: SHA_A }),
  );
  await a('GET /repos/{owner}/{repo}/git/ref/{ref}', () =>
    bot.rest.git.getRef({ ...repo, ref: 'pilot/leases/issue-1' }),
  );
  await a('GET /repos/{owner}/{repo}/git/ref/{ref}', () =>
    bot.rest.git.getRef({ ...repo, ref: 'heads/main' }),
  );
  await a('GET /repos/{owner}/{repo}/git/ref/{ref}', () =>
    bot.rest.git.getRef({ ...repo, ref: 'pilot/leases/issue-9' }),
  );
  await a('PATCH /repos/{owner}/{repo}/git/refs/{ref}', () =>
    bot.rest.git.updateRef({ ...repo, ref: 'pilot/leases/issue-1', sha: SHA_B, force: true }),
  );
  const tree = await a('POST /repos/{owner}/{repo}/git/trees', () =>
    bot.rest.git.createTree({
      ...repo,
      tree: [{ path: 'lease', mode: '100644', type: 'blob', content: 'held by run 1' }],
    }),
  );
  const treeSha = (tree.data as { sha: string }).sha;
  const child = await a('POST /repos/{owner}/{repo}/git/commits', () =>
    bot.rest.git.createCommit({ ...repo, message: 'lease', tree: treeSha, parents: [SHA_B] }),
  );
  await a('POST /repos/{owner}/{repo}/git/commits', () =>
    bot.rest.git.createCommit({ ...repo, message: 'x', tree: 'f'.repeat(40), parents: [] }),
  );
  await a('POST /repos/{owner}/{repo}/git/trees', () =>
    bot.rest.git.createTree({ ...repo, tree: [{ path: 'x', mode: '100644' }] as never }),
  );
  await a('PATCH /repos/{owner}/{repo}/git/refs/{ref}', () =>
    bot.rest.git.updateRef({
      ...repo,
      ref: 'pilot/leases/issue-1',
      sha: (child.data as { sha: string }).sha,
    }),
  );
  await a('PATCH /repos/{owner}/{repo}/git/refs/{ref}', () =>
    bot.rest.git.updateRef({ ...repo, ref: 'pilot/leases/issue-1', sha: SHA_A, force: false }),
  );
  await a('DELETE /repos/{owner}/{repo}/git/refs/{ref}', () =>
    bot.rest.git.deleteRef({ ...repo, ref: 'pilot/leases/issue-1' }),
  );
  await a('DELETE /repos/{owner}/{repo}/git/refs/{ref}', () =>
    bot.rest.git.deleteRef({ ...repo, ref: 'pilot/leases/issue-1' }),
  );

  await exerciseGitData(a);
  await exerciseSubIssues(a);

  await a('GET /repos/{owner}/{repo}/actions/caches', () =>
    bot.rest.actions.getActionsCacheList({ ...repo, key: 'pilot-v1' }),
  );
  await a('DELETE /repos/{owner}/{repo}/actions/caches', () =>
    bot.rest.actions.deleteActionsCacheByKey({ ...repo, key: 'pilot-v1-ledger' }),
  );
  await a('DELETE /repos/{owner}/{repo}/actions/caches/{cache_id}', () =>
    bot.rest.actions.deleteActionsCacheById({ ...repo, cache_id: 7 }),
  );
  await a('DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}', () =>
    bot.rest.issues.deleteComment({ ...repo, comment_id }),
  );

  // GitHub App: JWT-authenticated installation lookup and token minting.
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  gh.addApp({ id: 77, slug: 'pilot-app', publicKey: keys.publicKey, installedOn: [O] });
  gh.addRepo({ owner: 'not-installed', repo: R });
  const { token: jwt } = await createAppAuth({ appId: 77, privateKey: keys.privateKey })({ type: 'app' });
  const app = getOctokit(jwt, { baseUrl: gh.url });
  const installation = await a('GET /repos/{owner}/{repo}/installation', () =>
    app.rest.apps.getRepoInstallation(repo),
  );
  await a('GET /repos/{owner}/{repo}/installation', () =>
    app.rest.apps.getRepoInstallation({ owner: 'not-installed', repo: R }),
  );
  await a('POST /app/installations/{installation_id}/access_tokens', () =>
    app.rest.apps.createInstallationAccessToken({
      installation_id: (installation.data as { id: number }).id,
      repositories: [R],
    }),
  );
  await a('POST /app/installations/{installation_id}/access_tokens', () =>
    app.rest.apps.createInstallationAccessToken({ installation_id: 987_654 }),
  );
  return out;
}

describe('the GitHub emulator against GitHub OpenAPI description', () => {
  it('registers only routes that GitHub documents, with the same method', () => {
    const undocumented = gh.routes
      .filter((r) => !validator.hasOperation(r.method, r.path))
      .map((r) => `${r.method} ${r.path}`);
    expect(gh.routes.length).toBeGreaterThan(40);
    expect(undocumented).toEqual([]);
  });

  it('has a validator that rejects a body missing a required property or with a wrong null', () => {
    const comment = gh.json.comment(
      O,
      R,
      gh.addComment(O, R, gh.addIssue(O, R, { title: 't', user: 'alice' }), { body: 'b', user: 'alice' }).id,
    );
    const path = '/repos/{owner}/{repo}/issues/comments/{comment_id}';
    expect(validator.validate('GET', path, 200, comment)).toEqual([]);
    const { node_id: _n, ...withoutNodeId } = comment;
    expect(validator.validate('GET', path, 200, withoutNodeId).join()).toContain(
      "must have required property 'node_id'",
    );
    expect(validator.validate('GET', path, 200, { ...comment, user: null })).toEqual([]);
    expect(validator.validate('GET', path, 200, { ...comment, user: 'alice' })).not.toEqual([]);
  });

  it('answers every route through the real Octokit with bodies that validate against the documented schemas', async () => {
    const answers = await exerciseAllRoutes();
    const problems = answers.flatMap((x) => {
      const [method, path] = x.route.split(' ');
      return validator.validate(method, path, x.status, x.data);
    });
    expect(problems).toEqual([]);

    const exercised = new Set(answers.map((x) => x.route));
    const untested = gh.routes.map((r) => `${r.method} ${r.path}`).filter((r) => !exercised.has(r));
    expect(untested).toEqual([]);

    // The refusals above really were refusals, so their error schemas were checked too.
    const statuses = answers.map((x) => `${x.status} ${x.route}`);
    expect(statuses).toContain('422 POST /repos/{owner}/{repo}/git/refs');
    expect(statuses).toContain('200 PATCH /repos/{owner}/{repo}/git/refs/{ref}');
    expect(statuses).toContain('422 PATCH /repos/{owner}/{repo}/git/refs/{ref}');
    expect(statuses).toContain('201 POST /repos/{owner}/{repo}/git/commits');
    expect(statuses).toContain('422 POST /repos/{owner}/{repo}/git/commits');
    expect(statuses).toContain('404 GET /repos/{owner}/{repo}/git/blobs/{file_sha}');
    expect(statuses).toContain('422 POST /repos/{owner}/{repo}/pulls');
    expect(statuses).toContain('409 POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel');
    expect(statuses).toContain('404 GET /repos/{owner}/{repo}/collaborators/{username}/permission');
    expect(statuses).toContain('302 GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs');
    expect(statuses).toContain('201 POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues');
    expect(statuses).toContain('422 POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues');
    expect(statuses).toContain(
      '201 POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by',
    );
    expect(statuses).toContain(
      '422 POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by',
    );
  });
});
