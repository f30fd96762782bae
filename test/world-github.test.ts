// Behaviour of the GitHub emulator as the real Octokit sees it: authentication, GitHub's refusals,
// injected faults, permissions, and the state tests read back afterwards.
import { getOctokit } from '@actions/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubEmulator, type Role, startGitHub } from './world/github/index.js';

const O = 'acme';
const R = 'app';
const repo = { owner: O, repo: R };
const SHA = '1'.repeat(40);

type Octokit = ReturnType<typeof getOctokit>;
interface HttpFailure {
  status: number;
  message: string;
  response: {
    headers: Record<string, string>;
    data: { message: string; documentation_url: string; errors?: unknown[] };
  };
}

let gh: GitHubEmulator;
let bot: Octokit;

beforeEach(async () => {
  gh = await startGitHub();
  gh.addRepo({ owner: O, repo: R });
  bot = getOctokit(gh.token, { baseUrl: gh.url });
});

afterEach(async () => {
  await gh.close();
});

function as(login: string): Octokit {
  gh.addToken(`${login}-token`, login);
  return getOctokit(`${login}-token`, { baseUrl: gh.url });
}

async function failure(promise: Promise<unknown>): Promise<HttpFailure> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!outcome) throw new Error('expected the request to fail');
  return outcome as HttpFailure;
}

describe('authentication', () => {
  it('answers 401 Bad credentials to a token it does not know', async () => {
    const stranger = getOctokit('ghp_not-a-real-token', { baseUrl: gh.url });
    const e = await failure(stranger.rest.repos.get(repo));
    expect(e.status).toBe(401);
    expect(e.response.data.message).toBe('Bad credentials');
    expect(e.response.data.documentation_url).toMatch(/^https:\/\/docs\.github\.com\//);
  });

  it('records every write under the identity its token maps to', async () => {
    const issue = gh.addIssue(O, R, { title: 'x', user: 'alice' });
    await bot.rest.issues.createComment({ ...repo, issue_number: issue, body: 'from the Actions token' });
    gh.addToken('app-token', { login: 'pilot-app[bot]', type: 'Bot' });
    const app = getOctokit('app-token', { baseUrl: gh.url });
    await app.rest.issues.createComment({ ...repo, issue_number: issue, body: 'from the App' });

    const authors = gh.comments(O, R, issue).map((c) => [c.user.login, c.user.type, c.user.id]);
    expect(authors[0]).toEqual(['github-actions[bot]', 'Bot', 41898282]);
    expect(gh.json.user('github-actions[bot]').node_id).toBe('MDM6Qm90NDE4OTgyODI=');
    expect(authors[1].slice(0, 2)).toEqual(['pilot-app[bot]', 'Bot']);
    expect(
      gh
        .requests()
        .filter((r) => r.method === 'POST')
        .map((r) => r.actor),
    ).toEqual(['github-actions[bot]', 'pilot-app[bot]']);
  });
});

describe('token permissions', () => {
  it('answers 403 Resource not accessible by integration when the run token lacks the scope', async () => {
    const run = gh.startRun({ owner: O, repo: R, event: 'issue_comment', headBranch: 'main', headSha: SHA });
    const limited = getOctokit(gh.tokenForRun(run, { issues: 'write', actions: 'read' }), {
      baseUrl: gh.url,
    });
    const e = await failure(limited.rest.actions.cancelWorkflowRun({ ...repo, run_id: run }));
    expect(e.status).toBe(403);
    expect(e.response.data.message).toBe('Resource not accessible by integration');
    expect(gh.cancelRequested(run)).toBe(false);
    expect((await limited.rest.actions.getWorkflowRun({ ...repo, run_id: run })).data.id).toBe(run);
    expect((await limited.rest.repos.get(repo)).status).toBe(200);
  });

  it('reports primary rate-limit headers, 1,000 an hour for GITHUB_TOKEN', async () => {
    await bot.rest.repos.get(repo);
    const { headers } = await bot.rest.repos.get(repo);
    expect(headers['x-ratelimit-limit']).toBe('1000');
    expect(headers['x-ratelimit-remaining']).toBe('998');
  });
});

describe('collaborator permission', () => {
  const cases: Array<[Role, string, Record<string, boolean>]> = [
    ['admin', 'admin', { admin: true, maintain: true, push: true, triage: true, pull: true }],
    ['maintain', 'write', { admin: false, maintain: true, push: true, triage: true, pull: true }],
    ['write', 'write', { admin: false, maintain: false, push: true, triage: true, pull: true }],
    ['triage', 'read', { admin: false, maintain: false, push: false, triage: true, pull: true }],
    ['read', 'read', { admin: false, maintain: false, push: false, triage: false, pull: true }],
  ];

  it.each(cases)(
    'reports %s as legacy %s with matching user.permissions',
    async (role, legacy, permissions) => {
      gh.setPermission(O, R, 'carol', role);
      const { data } = await bot.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: 'carol' });
      expect(data.permission).toBe(legacy);
      expect(data.role_name).toBe(role);
      expect(data.user?.permissions).toEqual(permissions);
      expect(data.user?.login).toBe('carol');
    },
  );

  it('answers 404 for a user with no role on the repository', async () => {
    const e = await failure(bot.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: 'mallory' }));
    expect(e.status).toBe(404);
  });

  it('keeps the account type of a bot collaborator', async () => {
    gh.setPermission(O, R, 'renovate[bot]', 'write', 'Bot');
    const { data } = await bot.rest.repos.getCollaboratorPermissionLevel({
      ...repo,
      username: 'renovate[bot]',
    });
    expect(data.user?.type).toBe('Bot');
  });
});

describe('git refs as a lease', () => {
  it('creates a ref once and answers 422 Reference already exists to the second creator', async () => {
    const ref = 'refs/pilot/leases/issue-7';
    const results = await Promise.allSettled([
      bot.rest.git.createRef({ ...repo, ref, sha: SHA }),
      bot.rest.git.createRef({ ...repo, ref, sha: SHA }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as HttpFailure).status).toBe(422);
    expect((rejected.reason as HttpFailure).response.data.message).toBe('Reference already exists');
    expect(gh.refs(O, R)[ref]).toBe(SHA);
  });

  it('reads, moves and deletes a ref whose name contains slashes', async () => {
    await bot.rest.git.createRef({ ...repo, ref: 'refs/pilot/leases/issue-8', sha: SHA });
    const { data } = await bot.rest.git.getRef({ ...repo, ref: 'pilot/leases/issue-8' });
    expect(data.object.sha).toBe(SHA);
    // Not a descendant of the current commit: GitHub moves it only with force (a fast-forward check).
    const refused = await failure(
      bot.rest.git.updateRef({ ...repo, ref: 'pilot/leases/issue-8', sha: '2'.repeat(40) }),
    );
    expect([refused.status, refused.response.data.message]).toEqual([422, 'Update is not a fast forward']);
    await bot.rest.git.updateRef({ ...repo, ref: 'pilot/leases/issue-8', sha: '2'.repeat(40), force: true });
    expect(gh.refs(O, R)['refs/pilot/leases/issue-8']).toBe('2'.repeat(40));
    await bot.rest.git.deleteRef({ ...repo, ref: 'pilot/leases/issue-8' });
    expect(gh.refs(O, R)['refs/pilot/leases/issue-8']).toBeUndefined();
    expect((await failure(bot.rest.git.getRef({ ...repo, ref: 'pilot/leases/issue-8' }))).status).toBe(404);
    expect(gh.refWrites().map((w) => [w.ref, w.sha === null ? 'deleted' : 'set'])).toEqual([
      ['refs/pilot/leases/issue-8', 'set'],
      ['refs/pilot/leases/issue-8', 'set'],
      ['refs/pilot/leases/issue-8', 'deleted'],
    ]);
  });
});

describe('injected faults', () => {
  it('delivers an injected 502 to Octokit once, then serves normally', async () => {
    const fault = gh.injectFault({ method: 'GET', path: /^\/repos\/acme\/app$/, status: 502 });
    expect((await failure(bot.rest.repos.get(repo))).status).toBe(502);
    const { data } = await bot.rest.repos.get(repo);
    expect(data.full_name).toBe('acme/app');
    expect(fault.hits).toBe(1);
  });

  it('delivers a 403 secondary rate limit with its retry-after header', async () => {
    gh.injectFault({
      method: 'POST',
      path: /\/comments$/,
      status: 403,
      headers: { 'retry-after': '60' },
      times: 2,
    });
    const issue = gh.addIssue(O, R, { title: 'x', user: 'alice' });
    const e = await failure(bot.rest.issues.createComment({ ...repo, issue_number: issue, body: 'hi' }));
    expect(e.status).toBe(403);
    expect(e.response.headers['retry-after']).toBe('60');
    expect(e.response.data.message).toMatch(/secondary rate limit/);
    expect(
      (await failure(bot.rest.issues.createComment({ ...repo, issue_number: issue, body: 'hi' }))).status,
    ).toBe(403);
    await bot.rest.issues.createComment({ ...repo, issue_number: issue, body: 'hi' });
    expect(gh.comments(O, R, issue)).toHaveLength(1);
  });

  it('delivers a 429 with rate-limit headers', async () => {
    gh.injectFault({
      path: /\/issues$/,
      status: 429,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000000' },
    });
    const e = await failure(bot.rest.issues.listForRepo(repo));
    expect(e.status).toBe(429);
    expect(e.response.headers['x-ratelimit-remaining']).toBe('0');
  });
});

describe('pull requests', () => {
  const head = 'pilot/issue-1-fix';

  it('refuses PR creation by the Actions token when the repository does not allow it, quoting GitHub', async () => {
    gh.setRepoSettings(O, R, { allowActionsToCreatePullRequests: false });
    gh.setBranch(O, R, head, SHA);
    const e = await failure(bot.rest.pulls.create({ ...repo, title: 't', head, base: 'main' }));
    expect(e.status).toBe(403);
    expect(e.response.data.message).toBe(
      'GitHub Actions is not permitted to create or approve pull requests.',
    );
    gh.setPermission(O, R, 'alice', 'write');
    const { status } = await as('alice').rest.pulls.create({ ...repo, title: 't', head, base: 'main' });
    expect(status).toBe(201);
  });

  it('answers 422 when the head already has an open PR, and numbers PRs with issues', async () => {
    gh.addIssue(O, R, { title: 'first', user: 'alice' });
    gh.setBranch(O, R, head, SHA);
    const { data } = await bot.rest.pulls.create({
      ...repo,
      title: 'Fix',
      head,
      base: 'main',
      body: 'Closes #1',
    });
    expect(data.number).toBe(2);
    expect(data.head).toMatchObject({ ref: head, sha: SHA, label: `${O}:${head}` });
    const e = await failure(bot.rest.pulls.create({ ...repo, title: 'Fix', head, base: 'main' }));
    expect(e.status).toBe(422);
    expect(e.response.data.errors).toEqual([
      { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${O}:${head}.` },
    ]);
    const listed = await bot.rest.pulls.list({ ...repo, head: `${O}:${head}` });
    expect(listed.data.map((p) => p.number)).toEqual([2]);
    expect((await bot.rest.issues.get({ ...repo, issue_number: 2 })).data.pull_request?.url).toContain(
      '/pulls/2',
    );
  });

  it('asks the ref resolver for branches it was not told about, and refuses an unknown head', async () => {
    const e = await failure(bot.rest.pulls.create({ ...repo, title: 't', head: 'nowhere', base: 'main' }));
    expect(e.status).toBe(422);
    gh.setRefResolver((_o, _r, branch) => (branch === head ? SHA : undefined));
    const { data } = await bot.rest.pulls.create({ ...repo, title: 't', head, base: 'main' });
    expect(data.head.sha).toBe(SHA);
    expect(gh.pulls(O, R)).toMatchObject([
      { number: 1, head: { ref: head, sha: SHA }, base: { ref: 'main' } },
    ]);
  });

  it('records reviews with GitHub states', async () => {
    const n = gh.addPull(O, R, { title: 'p', user: 'github-actions[bot]', head, headSha: SHA });
    gh.setPermission(O, R, 'rita', 'write');
    await as('rita').rest.pulls.createReview({
      ...repo,
      pull_number: n,
      event: 'REQUEST_CHANGES',
      body: 'rename',
    });
    const { data } = await bot.rest.pulls.listReviews({ ...repo, pull_number: n });
    expect(data.map((r) => [r.user?.login, r.state, r.commit_id])).toEqual([
      ['rita', 'CHANGES_REQUESTED', SHA],
    ]);
  });
});

describe('issues, comments and reactions', () => {
  it('keeps a comment edit history and moves updated_at', async () => {
    const issue = gh.addIssue(O, R, { title: 'x', user: 'alice' });
    const { data: created } = await bot.rest.issues.createComment({
      ...repo,
      issue_number: issue,
      body: 'v1',
    });
    const { data: edited } = await bot.rest.issues.updateComment({
      ...repo,
      comment_id: created.id,
      body: 'v2',
    });
    gh.editComment(O, R, created.id, { body: 'v3', user: 'alice' });
    expect(edited.updated_at > created.updated_at).toBe(true);
    const [comment] = gh.comments(O, R, issue);
    expect(comment.body).toBe('v3');
    expect(comment.history.map((h) => [h.body, h.by.login])).toEqual([
      ['v1', 'github-actions[bot]'],
      ['v2', 'alice'],
    ]);
  });

  it('answers 201 to a new reaction and 200 with the same reaction to a repeat', async () => {
    const issue = gh.addIssue(O, R, { title: 'x', user: 'alice' });
    const comment = gh.addComment(O, R, issue, { body: '/pilot run', user: 'alice' });
    const first = await bot.rest.reactions.createForIssueComment({
      ...repo,
      comment_id: comment.id,
      content: 'eyes',
    });
    const again = await bot.rest.reactions.createForIssueComment({
      ...repo,
      comment_id: comment.id,
      content: 'eyes',
    });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.data.id).toBe(first.data.id);
    expect(gh.reactions(O, R, { comment: comment.id }).map((r) => [r.content, r.user.login])).toEqual([
      ['eyes', 'github-actions[bot]'],
    ]);
    const e = await failure(
      bot.rest.reactions.createForIssue({ ...repo, issue_number: issue, content: 'party' as 'eyes' }),
    );
    expect(e.status).toBe(422);
  });

  it('refuses a comment longer than 65,536 characters', async () => {
    const issue = gh.addIssue(O, R, { title: 'x', user: 'alice' });
    const e = await failure(
      bot.rest.issues.createComment({ ...repo, issue_number: issue, body: 'x'.repeat(65_537) }),
    );
    expect(e.status).toBe(422);
    expect(gh.comments(O, R, issue)).toEqual([]);
  });

  it('pages lists with a link header that Octokit follows', async () => {
    const issue = gh.addIssue(O, R, { title: 'x', user: 'alice' });
    for (let i = 0; i < 35; i++) gh.addComment(O, R, issue, { body: `c${i}`, user: 'alice' });
    const first = await bot.rest.issues.listComments({ ...repo, issue_number: issue });
    expect(first.data).toHaveLength(30);
    expect(first.headers.link).toContain('rel="next"');
    const all = await bot.paginate(bot.rest.issues.listComments, {
      ...repo,
      issue_number: issue,
      per_page: 10,
    });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 35 }, (_, i) => `c${i}`));
  });

  it('filters issues by state and labels, and records who labelled', async () => {
    gh.addIssue(O, R, { title: 'a', user: 'alice', labels: ['pilot'] });
    gh.addIssue(O, R, { title: 'b', user: 'alice', labels: ['bug'] });
    gh.addIssue(O, R, { title: 'c', user: 'alice', labels: ['pilot'], state: 'closed' });
    const open = await bot.rest.issues.listForRepo({ ...repo, labels: 'pilot' });
    expect(open.data.map((i) => i.title)).toEqual(['a']);
    const all = await bot.rest.issues.listForRepo({ ...repo, labels: 'pilot', state: 'all' });
    expect(all.data.map((i) => i.title).sort()).toEqual(['a', 'c']);
    await bot.rest.issues.addLabels({ ...repo, issue_number: 2, labels: ['pilot'] });
    await bot.rest.issues.removeLabel({ ...repo, issue_number: 2, name: 'bug' });
    expect(gh.labels(O, R, 2)).toEqual(['pilot']);
    const { data: timeline } = await bot.rest.issues.listEventsForTimeline({ ...repo, issue_number: 2 });
    expect(timeline.map((e) => [e.event, (e as { actor?: { login: string } }).actor?.login])).toEqual([
      ['labeled', 'alice'],
      ['labeled', 'github-actions[bot]'],
      ['unlabeled', 'github-actions[bot]'],
    ]);
  });
});

describe('dispatches and runs (the RunHost side)', () => {
  it('records a dispatch with the run whose token sent it, and refuses more than 10 payload keys', async () => {
    const run = gh.startRun({ owner: O, repo: R, event: 'issues', headBranch: 'main', headSha: SHA });
    const fromRun = getOctokit(gh.tokenForRun(run), { baseUrl: gh.url });
    const { status } = await fromRun.rest.repos.createDispatchEvent({
      ...repo,
      event_type: 'pilot',
      client_payload: { issue: 7, intent: 'run' },
    });
    expect(status).toBe(204);
    const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
    const e = await failure(
      bot.rest.repos.createDispatchEvent({ ...repo, event_type: 'pilot', client_payload: tooMany }),
    );
    expect(e.status).toBe(422);
    expect(e.response.data.message).toContain('No more than 10 properties are allowed; 11 were supplied');

    const taken = gh.takeDispatches();
    expect(taken).toMatchObject([
      { owner: O, repo: R, event_type: 'pilot', client_payload: { issue: 7, intent: 'run' }, fromRunId: run },
    ]);
    expect(taken[0].sender.login).toBe('github-actions[bot]');
    expect(gh.takeDispatches()).toEqual([]);
    expect(gh.dispatches()).toHaveLength(1);
  });

  it('marks a run for cancellation with 202, and answers 409 once it has completed', async () => {
    const run = gh.startRun({
      owner: O,
      repo: R,
      event: 'repository_dispatch',
      headBranch: 'main',
      headSha: SHA,
    });
    expect(gh.cancelRequested(run)).toBe(false);
    expect((await bot.rest.actions.cancelWorkflowRun({ ...repo, run_id: run })).status).toBe(202);
    expect(gh.cancelRequested(run)).toBe(true);
    gh.finishRun(run, 'cancelled');
    const { data } = await bot.rest.actions.getWorkflowRun({ ...repo, run_id: run });
    expect([data.status, data.conclusion]).toEqual(['completed', 'cancelled']);
    expect((await failure(bot.rest.actions.cancelWorkflowRun({ ...repo, run_id: run }))).status).toBe(409);
  });

  it('lists runs by status and serves job logs through a redirect', async () => {
    const a = gh.startRun({ owner: O, repo: R, event: 'issues', headBranch: 'main', headSha: SHA });
    const b = gh.startRun({
      owner: O,
      repo: R,
      event: 'repository_dispatch',
      headBranch: 'main',
      headSha: SHA,
    });
    gh.finishRun(a, 'failure');
    const { data } = await bot.rest.actions.listWorkflowRunsForRepo({ ...repo, status: 'in_progress' });
    expect(data.workflow_runs.map((r) => r.id)).toEqual([b]);
    const job = gh.run(a).jobs[0];
    gh.setJobLog(job.id, 'npm test\n1 failing\n');
    const logs = await bot.rest.actions.downloadJobLogsForWorkflowRun({ ...repo, job_id: job.id });
    expect(logs.data).toBe('npm test\n1 failing\n');
  });
});

describe('caches REST', () => {
  it('lists and deletes through the cache service provider', async () => {
    const entries = [
      {
        id: 1,
        key: 'pilot-v1-a',
        ref: 'refs/heads/main',
        version: 'v',
        size_in_bytes: 10,
        created_at: '2026-01-01T00:00:00Z',
        last_accessed_at: '2026-01-01T00:00:00Z',
      },
      {
        id: 2,
        key: 'other',
        ref: 'refs/heads/main',
        version: 'v',
        size_in_bytes: 10,
        created_at: '2026-01-01T00:00:00Z',
        last_accessed_at: '2026-01-02T00:00:00Z',
      },
    ];
    gh.setCacheEntries({
      listEntries: () => entries,
      deleteEntry: (id) => {
        entries.splice(
          entries.findIndex((e) => e.id === id),
          1,
        );
      },
    });
    const { data } = await bot.rest.actions.getActionsCacheList({ ...repo, key: 'pilot-v1' });
    expect(data.actions_caches.map((c) => c.key)).toEqual(['pilot-v1-a']);
    await bot.rest.actions.deleteActionsCacheByKey({ ...repo, key: 'other' });
    expect(entries.map((e) => e.id)).toEqual([1]);
    expect((await failure(bot.rest.actions.deleteActionsCacheById({ ...repo, cache_id: 99 }))).status).toBe(
      404,
    );
  });
});
