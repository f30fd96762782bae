// The lease, the queue and the tracking comment against the GitHub emulator with the real Octokit.
import { getOctokit } from '@actions/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateSeal } from '../../src/security/state-key.js';
import { acquireLease, leaseRef, releaseLease } from '../../src/state/lease.js';
import { pendingCommands } from '../../src/state/queue.js';
import { newTask, renderMarker, type TaskDoc } from '../../src/state/task.js';
import { findTracking, writeTracking } from '../../src/state/tracking.js';

const seal = stateSeal({ current: 'k'.repeat(64) }, 'octo/repo');
const key = (issue: number) => ({ seal, issue });

import { type GitHubEmulator, startGitHub } from '../world/github/index.js';

const repo = { owner: 'acme', repo: 'app' };
const SHA = '1'.repeat(40);
const BOT = 'github-actions[bot]';
let gh: GitHubEmulator;
let octokit: ReturnType<typeof getOctokit>;

beforeEach(async () => {
  gh = await startGitHub();
  gh.addRepo({ ...repo, defaultBranchSha: SHA });
  octokit = getOctokit(gh.token, { baseUrl: gh.url });
});
afterEach(async () => {
  await gh.close();
});

function running(runId: number): TaskDoc {
  return { ...newTask(), status: 'running', runs: [{ id: runId, kind: 'work', at: '2026-01-01T00:00:00Z' }] };
}

function startRun(): number {
  return gh.startRun({ ...repo, event: 'repository_dispatch', headBranch: 'main', headSha: SHA });
}

describe('lease', () => {
  it('is taken by exactly one of two runs and can be taken again after release', async () => {
    const req = { issue: 4, sha: SHA, task: null };
    const [a, b] = await Promise.all([
      acquireLease(octokit, repo, { ...req, runId: 1 }),
      acquireLease(octokit, repo, { ...req, runId: 2 }),
    ]);
    expect([a.acquired, b.acquired].sort()).toEqual([false, true]);
    const held = (a.acquired ? a : b) as { lease: string };
    expect(gh.refs(repo.owner, repo.repo)[leaseRef(4)]).toBe(held.lease);
    expect(await releaseLease(octokit, repo, 4, held.lease)).toBe(true);
    expect(await releaseLease(octokit, repo, 4, held.lease)).toBe(false); // releasing twice is fine
    expect(gh.refs(repo.owner, repo.repo)[leaseRef(4)]).toBeUndefined();
    expect((await acquireLease(octokit, repo, { ...req, runId: 3 })).acquired).toBe(true);
  });

  it('points each holder at a commit of its own', async () => {
    const req = { issue: 4, sha: SHA, task: null };
    const first = await acquireLease(octokit, repo, { ...req, runId: 1 });
    if (!first.acquired) throw new Error('not acquired');
    await releaseLease(octokit, repo, 4, first.lease);
    const again = await acquireLease(octokit, repo, { ...req, runId: 1 });
    if (!again.acquired) throw new Error('not acquired');
    expect(again.lease).not.toBe(first.lease);
    expect(first.lease).not.toBe(SHA);
  });

  it('cannot be released by an earlier holder once another run broke it and holds it', async () => {
    const holder = startRun();
    const first = await acquireLease(octokit, repo, { issue: 4, sha: SHA, runId: holder, task: null });
    gh.finishRun(holder, 'failure');
    const next = startRun();
    const second = await acquireLease(octokit, repo, {
      issue: 4,
      sha: SHA,
      runId: next,
      task: running(holder),
    });
    if (!first.acquired || !second.acquired) throw new Error('not acquired');
    expect(second.broke).toBe(holder);
    // The first holder's late release (its post step, a finally block) must not free the second's lease.
    expect(await releaseLease(octokit, repo, 4, first.lease, holder)).toBe(false);
    expect(gh.refs(repo.owner, repo.repo)[leaseRef(4)]).toBe(second.lease);
    const third = await acquireLease(octokit, repo, { issue: 4, sha: SHA, runId: 100, task: running(next) });
    expect(third).toEqual({ acquired: false, holder: next });
    expect(await releaseLease(octokit, repo, 4, second.lease, next)).toBe(true);
    expect(gh.refs(repo.owner, repo.repo)[leaseRef(4)]).toBeUndefined();
  });

  it('is broken by only one of two runs that find it stale at once', async () => {
    const holder = startRun();
    await acquireLease(octokit, repo, { issue: 4, sha: SHA, runId: holder, task: null });
    gh.finishRun(holder, 'failure');
    const [a, b] = await Promise.all(
      [98, 99].map((runId) =>
        acquireLease(octokit, repo, { issue: 4, sha: SHA, runId, task: running(holder) }),
      ),
    );
    expect([a.acquired, b.acquired].sort()).toEqual([false, true]);
    const winner = (a.acquired ? a : b) as { lease: string };
    expect(gh.refs(repo.owner, repo.repo)[leaseRef(4)]).toBe(winner.lease);
  });

  it('stays held while the run the marker names is in progress', async () => {
    const holder = startRun();
    await acquireLease(octokit, repo, { issue: 4, sha: SHA, runId: holder, task: null });
    const other = await acquireLease(octokit, repo, { issue: 4, sha: SHA, runId: 99, task: running(holder) });
    expect(other).toEqual({ acquired: false, holder });
  });

  it('is broken when the run the marker names has ended', async () => {
    const holder = startRun();
    await acquireLease(octokit, repo, { issue: 4, sha: SHA, runId: holder, task: null });
    gh.finishRun(holder, 'failure');
    const other = await acquireLease(octokit, repo, { issue: 4, sha: SHA, runId: 99, task: running(holder) });
    expect(other).toMatchObject({ acquired: true, broke: holder });
  });

  it('is treated as held when no run claims it (its holder may not have written the marker yet)', async () => {
    await acquireLease(octokit, repo, { issue: 4, sha: SHA, runId: 1, task: null });
    const ended = { ...running(1), status: 'pr_open' as const };
    expect(await acquireLease(octokit, repo, { issue: 4, sha: SHA, runId: 2, task: ended })).toEqual({
      acquired: false,
    });
  });

  it('is taken over by a re-run attempt of the run that holds it', async () => {
    const holder = startRun();
    await acquireLease(octokit, repo, { issue: 4, sha: SHA, runId: holder, task: null });
    expect(
      await acquireLease(octokit, repo, { issue: 4, sha: SHA, runId: holder, task: running(holder) }),
    ).toMatchObject({ acquired: true });
  });
});

describe('tracking comment', () => {
  it('ignores and logs a marker in a comment not written by Pilot', async () => {
    const issue = gh.addIssue(repo.owner, repo.repo, { title: 't', user: 'mona' });
    gh.addComment(repo.owner, repo.repo, issue, {
      body: renderMarker({ ...newTask(), status: 'merged' }, key(issue)),
      user: 'mallory',
    });
    expect(await findTracking(octokit, repo, issue, BOT, key(issue))).toBeNull();
    await writeTracking(octokit, repo, issue, null, 'hello', newTask(), key(issue));
    expect((await findTracking(octokit, repo, issue, BOT, key(issue)))?.task.status).toBe('queued');
  });

  it('never replaces a task a newer Pilot wrote (unknown status) with a fresh one', async () => {
    const issue = gh.addIssue(repo.owner, repo.repo, { title: 't', user: 'mona' });
    const newer = { ...newTask(), status: 'review_fixing_v9', branch: 'pilot/issue-1-t', pr: 2 };
    const json = JSON.stringify(newer);
    const mac = seal.sign({ purpose: 'task', issue }, json);
    gh.addComment(repo.owner, repo.repo, issue, {
      body: `working\n\n<!-- pilot:task ${json} mac:${mac} -->`,
      user: BOT,
    });
    await expect(findTracking(octokit, repo, issue, BOT, key(issue))).rejects.toThrow(
      /written by a newer Pilot: .*review_fixing_v9.*Update the Pilot version/,
    );
    expect(gh.comments(repo.owner, repo.repo, issue)[0].body).toContain('review_fixing_v9');
  });

  it('settles on the oldest when two runs create the tracking comment at once', async () => {
    const issue = gh.addIssue(repo.owner, repo.repo, { title: 't', user: 'mona' });
    const made = await Promise.all(
      [1, 2, 3].map((n) => writeTracking(octokit, repo, issue, null, `run ${n}`, newTask(), key(issue))),
    );
    const left = gh.comments(repo.owner, repo.repo, issue);
    expect(left).toHaveLength(1);
    expect(made.every((m) => m.id === left[0].id)).toBe(true);
  });
});

describe('queue', () => {
  it('lists acknowledged, unserved work commands oldest first; reactions by others do not count', async () => {
    const issue = gh.addIssue(repo.owner, repo.repo, { title: 't', user: 'mona' });
    const say = (body: string, user = 'mona') =>
      gh.addComment(repo.owner, repo.repo, issue, { body, user }).id;
    const react = (id: number, content: 'eyes' | 'rocket', user = BOT) =>
      gh.addReaction(repo.owner, repo.repo, { comment: id }, { content, user });
    const served = say('/pilot run one');
    react(served, 'eyes');
    react(served, 'rocket');
    const waiting = say('/pilot plan');
    react(waiting, 'eyes');
    react(waiting, 'rocket', 'mallory'); // anyone can react 🚀: only Pilot's counts
    const unacknowledged = say('/pilot run never seen');
    const status = say('/pilot status');
    react(status, 'eyes');
    const later = say('/pilot retry');
    react(later, 'eyes');
    expect(unacknowledged).toBeGreaterThan(0);
    const pending = await pendingCommands(octokit, repo, issue, BOT, key(issue));
    expect(pending.map((p) => [p.commentId, p.command])).toEqual([
      [waiting, 'plan'],
      [later, 'retry'],
    ]);
  });
});
