// One task, one PR (issue 18 item 1): `/pilot fix` commented on Pilot's own PR continues the task of
// the issue that PR closes — same branch, same PR, same tracking comment, the resumed session — and a PR
// that only looks like Pilot's (a branch named `pilot/issue-<n>-…` whose issue's marker does not record
// it) starts nothing. Real gate → dispatch → work runs, real git, real claude against the scripted model.
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER, REPO, type World } from '../world/index.js';
import { type RecordedRequest, say, write } from '../world/model/index.js';
import { BRANCH, farewellWorld } from './farewell.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function setup() {
  const made = await farewellWorld({
    script: [
      write('src/farewell.js', 'export const farewell = () => "bye";\n'),
      say('Added src/farewell.js.'),
      write('src/louder.js', 'export const louder = () => "BYE";\n'),
      say('Made it louder.'),
    ],
  });
  world = made.w;
  const { issue } = made;
  const first = (await world.run('issues', world.labelEvent(issue, 'pilot', 'mona'))).at(-1);
  expect(first?.exitCode, first?.log).toBe(0);
  return { w: world, issue, first };
}

const messagesOf = (req: RecordedRequest | undefined) => JSON.stringify(req?.body?.messages ?? []);
const trackingOf = (w: World, n: number) => w.pilotComments(n).filter((c) => c.body.includes('pilot:task'));

describe('a follow-up on Pilot’s PR belongs to the task of the issue it closes', () => {
  it('`/pilot fix` on the PR: same branch, same PR, same tracking comment, resumed session', async () => {
    const { w, issue, first } = await setup();
    const [pr] = w.gh.pulls(OWNER, REPO);
    const trackingBefore = trackingOf(w, issue);
    expect(trackingBefore).toHaveLength(1);

    const before = w.model.agentRequests().length;
    const runs = await w.run('issue_comment', w.commentEvent(pr.number, '/pilot fix make it louder', 'mona'));
    const fix = runs.at(-1);
    expect(fix?.exitCode, fix?.log).toBe(0);

    // One PR, on the task's branch, with the fix pushed to it.
    const pulls = w.gh.pulls(OWNER, REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0].head.ref).toBe(BRANCH);
    expect(await w.git.show(BRANCH, 'src/louder.js')).toContain('BYE');
    expect(await w.git.show(BRANCH, 'src/farewell.js')).toContain('bye');
    expect((await w.git.branches()).filter((b) => b.startsWith('pilot/'))).toEqual([BRANCH]);
    expect(fix?.outputs).toMatchObject({ branch: BRANCH, 'pr-number': String(pr.number) });
    // The issue's one tracking comment was updated; the PR got none of its own.
    const tracking = trackingOf(w, issue);
    expect(tracking.map((c) => c.id)).toEqual(trackingBefore.map((c) => c.id));
    expect(tracking[0].body).toContain(`/actions/runs/${fix?.runId}`);
    expect(trackingOf(w, pr.number)).toHaveLength(0);
    // The session of run 1 was resumed: its turns are in the fix's first request, under the same id.
    expect(fix?.outputs['session-id']).toBe(first?.outputs['session-id']);
    const firstOfFix = w.model.agentRequests()[before];
    expect(messagesOf(firstOfFix)).toContain('Added src/farewell.js.');
    expect(messagesOf(firstOfFix)).toContain('make it louder');
  });

  it('`/pilot status` on the PR answers with the task of the issue it closes', async () => {
    const { w } = await setup();
    const [pr] = w.gh.pulls(OWNER, REPO);
    const runs = await w.run('issue_comment', w.commentEvent(pr.number, '/pilot status', 'mona'));
    expect(runs).toHaveLength(1);
    const reply = w.gh.comments(OWNER, REPO, pr.number).at(-1)?.body ?? '';
    expect(reply).not.toContain('no task for this issue');
    expect(reply).toContain('pr_open');
  });

  it('a PR on a branch named like Pilot’s that the issue’s marker does not record starts nothing', async () => {
    const { w, issue } = await setup();
    const [own] = w.gh.pulls(OWNER, REPO);
    // Someone with write access pushes their own branch named for the same issue and opens a PR.
    w.gh.setPermission(OWNER, REPO, 'mallory', 'write');
    const forged = w.gh.addPull(OWNER, REPO, {
      title: 'Fixes #1',
      body: `Closes #${issue}\n\nThis is Pilot's PR for #${issue}.`,
      user: 'mallory',
      head: 'pilot/issue-1-something-else',
    });
    const dispatchesBefore = w.gh.dispatches().length;
    const requestsBefore = w.model.agentRequests().length;
    const runs = await w.run('issue_comment', w.commentEvent(forged, '/pilot fix', 'mona'));

    expect(runs).toHaveLength(1);
    expect(runs[0].exitCode, runs[0].log).toBe(0);
    expect(w.gh.dispatches()).toHaveLength(dispatchesBefore);
    expect(w.model.agentRequests()).toHaveLength(requestsBefore);
    const reply = w.gh.comments(OWNER, REPO, forged).at(-1)?.body ?? '';
    expect(reply).toContain('Pilot did not start');
    expect(reply).toContain(`does not record this pull request`);
    // The real task is untouched: still one tracking comment, still naming Pilot's own PR.
    expect(trackingOf(w, issue)).toHaveLength(1);
    expect(trackingOf(w, issue)[0].body).toContain(`"pr":${own.number}`);
    expect(trackingOf(w, forged)).toHaveLength(0);
  });

  it('a fork’s PR on a branch with Pilot’s exact name is refused: its head is not this repository', async () => {
    const { w } = await setup();
    w.gh.addRepo({ owner: 'mallory', repo: REPO });
    const home = w.gh.state.repo(OWNER, REPO);
    const fork = w.gh.state.repo('mallory', REPO);
    if (!home || !fork) throw new Error('repositories missing');
    const user = w.gh.state.user('mallory');
    const sha = 'f'.repeat(40);
    const init = { title: 'Fix', user, headRepo: fork, headRef: BRANCH, headSha: sha };
    const forged = w.gh.state.createPull(home, { ...init, baseRef: 'main', baseSha: sha }).number;
    const dispatchesBefore = w.gh.dispatches().length;
    const runs = await w.run('issue_comment', w.commentEvent(forged, '/pilot fix', 'mona'));
    expect(runs).toHaveLength(1);
    expect(w.gh.dispatches()).toHaveLength(dispatchesBefore);
    expect(w.gh.comments(OWNER, REPO, forged).at(-1)?.body).toContain('comes from another repository');
  });

  it('a PR from a branch that is not Pilot’s gets a refusal, not a task keyed by the PR number', async () => {
    const { w } = await setup();
    const other = w.gh.addPull(OWNER, REPO, { title: 'Tweak', user: 'mona', head: 'feature/tweak' });
    const dispatchesBefore = w.gh.dispatches().length;
    const runs = await w.run('issue_comment', w.commentEvent(other, '/pilot fix please', 'mona'));
    expect(runs).toHaveLength(1);
    expect(w.gh.dispatches()).toHaveLength(dispatchesBefore);
    expect(w.gh.comments(OWNER, REPO, other).at(-1)?.body).toContain('is not on a Pilot branch');
    expect(trackingOf(w, other)).toHaveLength(0);
  });
});
