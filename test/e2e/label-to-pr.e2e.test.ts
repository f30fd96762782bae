// Issue → PR through the runner harness: real dist/, real Octokit against the GitHub emulator, the
// real claude CLI against the scripted model, real git against a bare origin, real @actions/cache.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecent, readTotals } from '../../src/ledger/index.js';
import { OWNER, REPO, startWorld, type World, type WorldOptions } from '../world/index.js';
import { fail, say, write } from '../world/model/index.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const ADD_FILE = [
  write('src/farewell.js', 'export const farewell = () => "bye";\n'),
  say('Added src/farewell.js.'),
];

async function setup(opts: WorldOptions = {}) {
  world = await startWorld({ script: ADD_FILE, ...opts });
  const { gh } = world;
  gh.setPermission(OWNER, REPO, 'mona', 'write');
  gh.setPermission(OWNER, REPO, 'rita', 'read');
  gh.setPermission(OWNER, REPO, 'tom', 'triage');
  const issue = gh.addIssue(OWNER, REPO, {
    title: 'Add a farewell helper',
    body: 'Please add farewell().',
    user: 'mona',
  });
  return { w: world, gh, issue };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

async function expectPullRequestFlow(w: World, issue: number, runs: Awaited<ReturnType<World['run']>>) {
  const work = runs.at(-1);
  expect(work?.exitCode, work?.log).toBe(0);
  const branch = 'pilot/issue-1-add-a-farewell-helper';
  expect(await w.git.branches()).toContain(branch);
  expect(await w.git.show(branch, 'src/farewell.js')).toContain('farewell');
  const pulls = w.gh.pulls(OWNER, REPO);
  expect(pulls).toHaveLength(1);
  expect(pulls[0].head.ref).toBe(branch);
  expect(pulls[0].body).toContain(`Closes #${issue}`);
  const tracking = w.pilotComments(issue).filter((c) => c.body.includes('pilot:task'));
  expect(tracking).toHaveLength(1);
  expect(tracking[0].body).toMatch(/pull request #\d+ is open/);
  expect(tracking[0].body).toContain(`#${pulls[0].number}`);
  expect(tracking[0].body).toMatch(/\| Cost \| \$0\.\d+ \|/);
  expect(tracking[0].body).toMatch(/\| Turns \| 2 \|/);
  expect(work?.outputs).toMatchObject({
    conclusion: 'success',
    'task-status': 'pr_open',
    'pr-number': String(pulls[0].number),
    branch,
    turns: '2',
  });
  expect(work?.outputs['pr-url']).toContain(`/pull/${pulls[0].number}`);
  expect(Number(work?.outputs['cost-usd'])).toBeGreaterThan(0);
  expect(work?.outputs['session-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(work?.summary).toContain('is open');
  // The summary is an HTML table: code shows as <code>, never as literal backticks.
  expect(work?.summary).toContain(`<code>${branch}</code>`);
  expect(work?.summary).not.toContain('`');
  // The publish log group says what was pushed and where the pull request is.
  const group = /::group::Commit, push and open the pull request\n([\s\S]*?)::endgroup::/.exec(
    work?.log ?? '',
  )?.[1];
  expect(group).toMatch(/Committed 1 changed path\(s\) as [0-9a-f]{12}: src\/farewell\.js/);
  expect(group).toContain(`to ${branch}`);
  expect(group).toContain(`Pull request #${pulls[0].number} opened: ${work?.outputs['pr-url']}`);
  // The tracking comment says where the work ran and why.
  expect(tracking[0].body).toMatch(/\| Runner \| ubuntu-latest: runners\.default for a \w+ task \|/);
}

describe('label an issue → a pull request', () => {
  it('reacts 👀, keeps one tracking comment, dispatches, and the work run opens a PR that closes the issue', async () => {
    const { w, gh, issue } = await setup();
    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));

    expect(runs).toHaveLength(2);
    expect(runs[0].cacheMode).toBe('read');
    expect(runs[1].cacheMode).toBe('write');
    expect(gh.reactions(OWNER, REPO, { issue }).map((r) => r.content)).toContain('eyes');
    const [dispatch] = gh.dispatches();
    expect(dispatch.event_type).toBe('pilot');
    expect(Object.keys(dispatch.client_payload).length).toBeLessThanOrEqual(10);
    expect(dispatch.client_payload).toMatchObject({ issue, command: 'run', sender: { login: 'mona' } });
    expect(runs[0].summary).toContain('dispatched run');
    const tracking = w.pilotComments(issue)[0];
    expect(tracking.body).toContain(`/actions/runs/${runs[0].runId}`);
    expect(tracking.body).toContain(`/actions/runs/${runs[1].runId}`);
    await expectPullRequestFlow(w, issue, runs);
    // The work run recorded itself in the repository ledger (docs/ledger.md) and folded it in.
    const where = { octokit: getOctokit(gh.token, { baseUrl: gh.url }), repo: { owner: OWNER, repo: REPO } };
    const { records } = await readRecent(where, 5);
    expect(records).toEqual([
      expect.objectContaining({ kind: 'run', issue, runId: runs[1].runId, outcome: 'success' }),
    ]);
    expect((await readTotals(where, records[0].at.slice(0, 10))).totals.runs).toEqual({
      total: 1,
      byOutcome: { success: 1 },
    });
  });

  it('does the same for `/pilot run` in a comment', async () => {
    const { w, gh, issue } = await setup();
    const payload = w.commentEvent(issue, '/pilot run keep it small', 'mona');
    const runs = await w.run('issue_comment', payload);
    expect(gh.reactions(OWNER, REPO, { comment: payload.comment.id }).map((r) => r.content)).toContain(
      'eyes',
    );
    expect(w.model.agentRequests()[0] && JSON.stringify(w.model.agentRequests()[0].body)).toContain(
      'keep it small',
    );
    await expectPullRequestFlow(w, issue, runs);
  });

  it('does the same for workflow_dispatch with an issue number', async () => {
    const { w, issue } = await setup();
    const runs = await w.run('workflow_dispatch', w.dispatchEvent({ issue: String(issue) }, 'mona'));
    expect(runs).toHaveLength(1);
    await expectPullRequestFlow(w, issue, runs);
  });

  it('leaves no token on disk after the agent ran, and the push still worked', async () => {
    const { w, gh, issue } = await setup();
    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    await expectPullRequestFlow(w, issue, runs);
    const forms = [gh.token, Buffer.from(`x-access-token:${gh.token}`).toString('base64')];
    for (const file of [...filesUnder(w.git.workspace), ...filesUnder(w.git.runnerTemp)]) {
      const text = readFileSync(file, 'latin1');
      for (const form of forms) expect(text.includes(form), `${file} holds the token`).toBe(false);
    }
  });

  it('re-labelling an issue that already has a PR updates the same PR and the same tracking comment', async () => {
    const { w, gh, issue } = await setup({
      script: [
        ...ADD_FILE,
        write('src/farewell.js', 'export const farewell = () => "goodbye";\n'),
        say('Reworded.'),
      ],
    });
    await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    gh.removeLabel(OWNER, REPO, issue, 'pilot', 'mona');
    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    expect(runs.at(-1)?.exitCode).toBe(0);
    expect(gh.pulls(OWNER, REPO)).toHaveLength(1);
    const tracking = w.pilotComments(issue).filter((c) => c.body.includes('pilot:task'));
    expect(tracking).toHaveLength(1);
    expect(tracking[0].body).toContain('"attempts":2');
    expect(await w.git.show('pilot/issue-1-add-a-farewell-helper', 'src/farewell.js')).toContain('goodbye');
  });
});

describe('refusals: no agent, no dispatch, nothing posted', () => {
  async function expectNothing(w: World, issue: number, runs: Awaited<ReturnType<World['run']>>) {
    expect(runs).toHaveLength(1);
    expect(runs[0].exitCode).toBe(0);
    expect(runs[0].outputs.conclusion).toBe('skipped');
    expect(w.gh.dispatches()).toHaveLength(0);
    expect(w.pilotComments(issue)).toHaveLength(0);
    expect(w.gh.reactions(OWNER, REPO, { issue })).toHaveLength(0);
    expect(w.model.requests).toHaveLength(0);
  }

  it('ignores the label when a read-only user adds it', async () => {
    const { w, issue } = await setup();
    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'rita'));
    await expectNothing(w, issue, runs);
    expect(runs[0].log).toMatch(/rita/);
  });

  it('ignores a label that is not the trigger label', async () => {
    const { w, issue } = await setup();
    const runs = await w.run('issues', w.labelEvent(issue, 'bug', 'mona'));
    await expectNothing(w, issue, runs);
    expect(runs[0].log).toContain("'bug'");
  });

  it('ignores `/pilot run` from a triage user', async () => {
    const { w, gh, issue } = await setup();
    const payload = w.commentEvent(issue, '/pilot run', 'tom');
    const runs = await w.run('issue_comment', payload);
    await expectNothing(w, issue, runs);
    expect(gh.reactions(OWNER, REPO, { comment: payload.comment.id })).toHaveLength(0);
  });

  it("ignores Pilot's own comment that contains `/pilot run`", async () => {
    const { w, issue } = await setup();
    const runs = await w.run('issue_comment', w.commentEvent(issue, '/pilot run', 'github-actions[bot]'));
    expect(runs).toHaveLength(1);
    expect(w.gh.dispatches()).toHaveLength(0);
    expect(w.pilotComments(issue)).toHaveLength(1); // only the comment the test posted as Pilot
    expect(w.model.requests).toHaveLength(0);
  });
});

describe('commands the gate answers itself', () => {
  it.each(['/pilot help', '/pilot frobnicate'])(
    '%s from a writer gets one reply listing the commands',
    async (body) => {
      const { w, issue } = await setup();
      const runs = await w.run('issue_comment', w.commentEvent(issue, body, 'mona'));
      expect(runs).toHaveLength(1);
      expect(w.gh.dispatches()).toHaveLength(0);
      const replies = w.pilotComments(issue);
      expect(replies).toHaveLength(1);
      for (const command of ['run', 'plan', 'retry', 'cancel', 'status', 'fix', 'help']) {
        expect(replies[0].body).toContain(`/pilot ${command}`);
      }
      expect(replies[0].body.split('\n').some((line) => /^\s*\/pilot/i.test(line))).toBe(false);
      if (body.includes('frobnicate')) expect(replies[0].body).toContain('frobnicate');
    },
  );
});

describe('honest outcomes', () => {
  it('reports "no changes" when the model changes nothing: no PR, exit 0', async () => {
    const { w, issue } = await setup({ script: [say('Nothing needs to change.')] });
    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    const work = runs.at(-1);
    expect(work?.exitCode).toBe(0);
    expect(work?.outputs.conclusion).toBe('no_changes');
    expect(w.gh.pulls(OWNER, REPO)).toHaveLength(0);
    expect(w.pilotComments(issue)[0].body).toContain('no changes');
  });

  it('fails the job with an error annotation and says why when the model run fails', async () => {
    const { w, issue } = await setup({ script: [fail(500, 'api_error', 'upstream exploded')] });
    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    const work = runs.at(-1);
    expect(work?.exitCode).toBe(1);
    expect(work?.outputs.conclusion).toBe('failure');
    expect(work?.outputs['task-status']).toBe('failed');
    expect(work?.annotations.some((a) => a.level === 'error')).toBe(true);
    expect(w.gh.pulls(OWNER, REPO)).toHaveLength(0);
    const tracking = w.pilotComments(issue)[0].body;
    expect(tracking).toContain('the agent failed');
    expect(tracking).toMatch(/Why:.*500/);
  });

  it('quotes the repository setting when GitHub refuses to let Actions open the PR', async () => {
    const { w, gh, issue } = await setup();
    gh.setRepoSettings(OWNER, REPO, { allowActionsToCreatePullRequests: false });
    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    expect(runs.at(-1)?.exitCode).toBe(1);
    expect(await w.git.branches()).toContain('pilot/issue-1-add-a-farewell-helper');
    expect(w.pilotComments(issue)[0].body).toContain(
      'Allow GitHub Actions to create and approve pull requests',
    );
  });
});
