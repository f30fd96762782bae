// Parallel runs with GitHub as the only shared state: many issues at once, and many commands on one
// issue with no concurrency group — the lease and the timeline queue keep them apart and in order.
import { afterEach, describe, expect, it } from 'vitest';
import { concurrentAgents } from '../state/agents.js';
import { OWNER, REPO, startWorld, type World } from '../world/index.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

// PILOT_ACTION_DIR lets a developer run these against a private build while dist/ is being rebuilt.
const action = process.env.PILOT_ACTION_DIR || undefined;
const LONG = { timeout: 120_000 };

function trackingComments(w: World, issue: number) {
  return w.pilotComments(issue).filter((c) => c.body.includes('pilot:task'));
}

function pilotReactions(w: World, commentId: number): string[] {
  return w.gh
    .reactions(OWNER, REPO, { comment: commentId })
    .filter((r) => r.user.login === 'github-actions[bot]')
    .map((r) => r.content);
}

describe('parallel runs', () => {
  it('10 issues labelled at once become 10 pull requests with 10 tracking comments', LONG, async () => {
    const agents = concurrentAgents(10);
    world = await startWorld({ script: agents.script, workspacePerRun: true, action });
    const w = world;
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const issues = Array.from({ length: 10 }, (_, i) =>
      w.gh.addIssue(OWNER, REPO, { title: `Task number ${i + 1}`, body: `Do thing ${i + 1}.`, user: 'mona' }),
    );

    const started = performance.now();
    const results = await Promise.all(issues.map((n) => w.run('issues', w.labelEvent(n, 'pilot', 'mona'))));
    const seconds = (performance.now() - started) / 1000;
    console.log(`10 labelled issues → 10 PRs in ${seconds.toFixed(1)} s of wall-clock time`);

    for (const pair of results) expect(pair.map((r) => r.exitCode)).toEqual([0, 0]);
    const runs = results.flat();
    expect(runs.filter((r) => r.exitCode !== 0).map((r) => r.log)).toEqual([]);
    expect(
      runs
        .filter((r) => r.outputs['task-status'] !== 'pr_open' && r.outputs['task-status'] !== 'queued')
        .map((r) => r.log),
    ).toEqual([]);
    expect(runs.filter((r) => r.outputs['task-status'] === 'pr_open')).toHaveLength(10);
    const pulls = w.gh.pulls(OWNER, REPO);
    expect(pulls).toHaveLength(10);
    for (const n of issues) {
      expect(trackingComments(w, n)).toHaveLength(1);
      expect(pulls.filter((p) => new RegExp(`Closes #${n}\\b`).test(p.body ?? ''))).toHaveLength(1);
    }
    expect(agents.tally.started).toBe(10);
    expect(Object.keys(w.gh.refs(OWNER, REPO)).filter((r) => r.startsWith('refs/pilot/leases/'))).toEqual([]);
  });

  it(
    '3 simultaneous `/pilot run` on one issue: one agent at a time, one PR, each command served in order',
    LONG,
    async () => {
      const agents = concurrentAgents(3, { delayMs: 400 });
      world = await startWorld({ script: agents.script, workspacePerRun: true, action });
      const w = world;
      w.gh.setPermission(OWNER, REPO, 'mona', 'write');
      const issue = w.gh.addIssue(OWNER, REPO, { title: 'Shared task', body: 'Do it.', user: 'mona' });
      const payloads = ['first', 'second', 'third'].map((word) =>
        w.commentEvent(issue, `/pilot run ${word} pass`, 'mona'),
      );

      const results = (await Promise.all(payloads.map((p) => w.run('issue_comment', p)))).flat();

      expect(results.every((r) => r.exitCode === 0)).toBe(true);
      expect(agents.tally.overlaps).toBe(0);
      expect(agents.tally.started).toBe(3);
      expect(w.gh.pulls(OWNER, REPO)).toHaveLength(1);
      expect(trackingComments(w, issue)).toHaveLength(1);
      const ids = payloads.map((p) => p.comment.id as number);
      for (const id of ids) expect(pilotReactions(w, id)).toEqual(expect.arrayContaining(['eyes', 'rocket']));
      // Served in timeline order: the 🚀 reactions were made in the order the comments were written.
      const rockets = ids.map(
        (id) => w.gh.reactions(OWNER, REPO, { comment: id }).find((r) => r.content === 'rocket')?.id ?? 0,
      );
      expect([...rockets].sort((a, b) => a - b)).toEqual(rockets);
      // Each prompt carried its own command's words, in order.
      const prompts = w.model.agentRequests().map((r) => JSON.stringify(r.body));
      const order = ['first pass', 'second pass', 'third pass'].map((t) =>
        prompts.findIndex((p) => p.includes(t)),
      );
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(Object.keys(w.gh.refs(OWNER, REPO)).filter((r) => r.startsWith('refs/pilot/leases/'))).toEqual(
        [],
      );
      // A run that found the lease held said so once, and exited 0.
      const queued = results.filter((r) => /The lease for #\d+ is held/.test(r.log));
      const notes = w.pilotComments(issue).filter((c) => c.body.startsWith('Already running:'));
      expect(notes).toHaveLength(queued.length);
    },
  );
});

describe('requests without a comment of their own', () => {
  it(
    'a label added while another run holds the lease is queued in a note and served after it',
    LONG,
    async () => {
      const agents = concurrentAgents(2, { delayMs: 1500 });
      world = await startWorld({ script: agents.script, workspacePerRun: true, action });
      const w = world;
      w.gh.setPermission(OWNER, REPO, 'mona', 'write');
      const issue = w.gh.addIssue(OWNER, REPO, { title: 'Busy', body: 'Do it.', user: 'mona' });
      const first = w.run('issue_comment', w.commentEvent(issue, '/pilot run', 'mona'));
      for (
        let i = 0;
        i < 300 && !Object.keys(w.gh.refs(OWNER, REPO)).some((r) => r.startsWith('refs/pilot/leases/'));
        i++
      ) {
        await new Promise((r) => setTimeout(r, 50));
      }

      const labelled = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
      await first;

      expect(labelled.at(-1)?.log).toMatch(/The lease for #\d+ is held/);
      const note = w.pilotComments(issue).find((c) => c.body.startsWith('Already running:'));
      expect(note?.body).toContain('pilot:queued');
      expect(w.gh.reactions(OWNER, REPO, { comment: note?.id ?? 0 }).map((r) => r.content)).toContain(
        'rocket',
      );
      expect(agents.tally.started).toBe(2);
      expect(agents.tally.overlaps).toBe(0);
    },
  );
});

describe('duplicate deliveries', () => {
  it('the same comment delivered twice is served once; a re-run attempt serves it again', async () => {
    const agents = concurrentAgents(2);
    world = await startWorld({ script: agents.script, action });
    const w = world;
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const issue = w.gh.addIssue(OWNER, REPO, { title: 'Once', body: 'Do it.', user: 'mona' });
    const payload = w.commentEvent(issue, '/pilot run', 'mona');
    await w.run('issue_comment', payload);

    const again = await w.run('issue_comment', payload);
    expect(again.at(-1)?.exitCode).toBe(0);
    expect(again.at(-1)?.log).toContain(
      `Ignoring a duplicate delivery: comment ${payload.comment.id} was already served`,
    );
    expect(agents.tally.started).toBe(1);

    const retried = await w.run('issue_comment', payload, { runAttempt: 2 });
    expect(retried.at(-1)?.exitCode).toBe(0);
    expect(agents.tally.started).toBe(2);
    expect(w.gh.pulls(OWNER, REPO)).toHaveLength(1);
  });

  it('the same label event delivered twice starts one run', async () => {
    const agents = concurrentAgents(2);
    world = await startWorld({ script: agents.script, action });
    const w = world;
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const issue = w.gh.addIssue(OWNER, REPO, { title: 'Once', body: 'Do it.', user: 'mona' });
    const payload = w.labelEvent(issue, 'pilot', 'mona');
    await w.run('issues', payload);
    const again = await w.run('issues', payload);
    expect(again.at(-1)?.log).toMatch(/Ignoring a duplicate delivery: label event \d+ was already served/);
    expect(agents.tally.started).toBe(1);
  });
});
