// The scheduled sweep repairs what missed events and lost runners leave behind, from GitHub alone.
import { afterEach, describe, expect, it } from 'vitest';
import { concurrentAgents } from '../state/agents.js';
import { OWNER, REPO, sealedMarker, startWorld, taskIn, type World } from '../world/index.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const action = process.env.PILOT_ACTION_DIR || undefined;
const BOT = 'github-actions[bot]';

function schedulePayload(w: World) {
  return {
    schedule: '*/30 * * * *',
    repository: { full_name: `${OWNER}/${REPO}`, default_branch: w.git.defaultBranch },
  };
}

function markerOf(w: World, issue: number) {
  const comment = w.pilotComments(issue).find((c) => c.body.includes('pilot:task'));
  return { body: comment?.body ?? '', task: taskIn(comment?.body ?? '') };
}

function leases(w: World): string[] {
  return Object.keys(w.gh.refs(OWNER, REPO)).filter((r) => r.startsWith('refs/pilot/leases/'));
}

describe('the sweep', () => {
  it('dispatches a labelled issue whose event was missed, fails a task whose runner was lost, reports PR checks', {
    timeout: 120_000,
  }, async () => {
    const agents = concurrentAgents(2);
    world = await startWorld({ script: agents.script, action });
    const w = world;
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const missed = w.gh.addIssue(OWNER, REPO, { title: 'Missed event', body: 'Do it.', user: 'mona' });
    w.gh.addLabel(OWNER, REPO, missed, 'pilot', 'mona'); // no run ever saw this label

    const lost = w.gh.addIssue(OWNER, REPO, { title: 'Lost runner', body: 'Do it.', user: 'mona' });
    w.gh.addLabel(OWNER, REPO, lost, 'pilot', 'mona');
    const dead = w.gh.startRun({
      owner: OWNER,
      repo: REPO,
      event: 'repository_dispatch',
      headBranch: 'main',
      headSha: await w.git.headSha(),
    });
    w.gh.finishRun(dead, 'failure');
    const running = {
      v: 1,
      rev: 2,
      status: 'running',
      attempts: 1,
      costUsd: 0,
      runs: [{ id: dead, kind: 'work', at: new Date().toISOString() }],
    };
    w.gh.addComment(OWNER, REPO, lost, {
      body: `### Pilot — working\n\n${sealedMarker(running as Parameters<typeof sealedMarker>[0], lost)}`,
      user: BOT,
    });
    w.gh.state.repo(OWNER, REPO)?.refs.set(`refs/pilot/leases/issue-${lost}`, await w.git.headSha());

    const sha = 'b'.repeat(40);
    const pr = w.gh.addPull(OWNER, REPO, {
      title: 'Earlier work',
      user: BOT,
      head: 'pilot/issue-99-earlier',
      headSha: sha,
    });
    w.gh.addCheckRun(OWNER, REPO, { headSha: sha, name: 'unit tests', conclusion: 'failure' });

    const runs = await w.run('schedule', schedulePayload(w));

    expect(runs.map((r) => r.exitCode)).toEqual([0, 0]);
    expect(runs[1].outputs['task-status']).toBe('pr_open');
    expect(markerOf(w, missed).task.status).toBe('pr_open');
    const lostNow = markerOf(w, lost);
    expect(lostNow.task.status).toBe('failed');
    expect(lostNow.body).toContain('the run ended without finishing');
    expect(leases(w)).toEqual([]);
    expect(runs[0].log).toContain(`broke the stale lease of run ${dead}`);
    expect(runs[0].summary).toContain(`PR #${pr}`);
    expect(runs[0].summary).toContain('failing (unit tests)');
    expect(runs[0].summary).toMatch(new RegExp(`#${lost}.*failed`));
    expect(runs[0].annotations.some((a) => a.level === 'warning' && a.message.includes(`PR #${pr}`))).toBe(
      true,
    );
  });

  it('serves a command that was acknowledged but never served', { timeout: 120_000 }, async () => {
    const agents = concurrentAgents(1);
    world = await startWorld({ script: agents.script, action });
    const w = world;
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const issue = w.gh.addIssue(OWNER, REPO, { title: 'Queued', body: 'Do it.', user: 'mona' });
    w.gh.addLabel(OWNER, REPO, issue, 'pilot', 'mona');
    w.gh.addComment(OWNER, REPO, issue, {
      body: `### Pilot — queued\n\n${sealedMarker({ status: 'queued' }, issue)}`,
      user: BOT,
    });
    const command = w.gh.addComment(OWNER, REPO, issue, { body: '/pilot run use a constant', user: 'mona' });
    w.gh.addReaction(OWNER, REPO, { comment: command.id }, { content: 'eyes', user: BOT });

    const runs = await w.run('schedule', schedulePayload(w));

    expect(runs.map((r) => r.exitCode)).toEqual([0, 0]);
    const reactions = w.gh.reactions(OWNER, REPO, { comment: command.id }).map((r) => r.content);
    expect(reactions).toContain('rocket');
    expect(JSON.stringify(w.model.agentRequests()[0]?.body)).toContain('use a constant');
    expect(w.gh.pulls(OWNER, REPO)).toHaveLength(1);
  });
});
