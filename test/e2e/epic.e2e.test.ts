// Epics (issue 20, docs/epics.md): `/pilot plan --split` gives the agent the epic read-only and asks
// for its plan through the CLI's `--json-schema`; Pilot validates it and posts it on the epic as a
// checklist, keeping it in its sealed marker. Real gate → dispatch → work runs, the real claude CLI
// against the scripted model server, the GitHub emulator.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER, REPO, startWorld, type World } from '../world/index.js';
import { type ScriptStep, say, write } from '../world/model/index.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const task = (title: string, dependsOn: number[]) => ({
  title,
  body: `${title}.\n\nAcceptance: tests cover it.`,
  files: [`src/${title.toLowerCase().replace(/\W+/g, '-')}.js`],
  dependsOn,
  size: 'simple',
});

/** B and C depend on A, D on B and C. */
const PLAN = {
  tasks: [task('A store', []), task('B reader', [0]), task('C writer', [0]), task('D report', [1, 2])],
};

const planned = (plan: unknown): ScriptStep[] => [
  // The CLI ends the run with the StructuredOutput call itself: no further turn is asked for.
  { tools: [{ name: 'StructuredOutput', input: plan as Record<string, unknown> }] },
];

async function epicWorld(script: ScriptStep[]) {
  world = await startWorld({ script });
  const w = world;
  w.gh.setPermission(OWNER, REPO, 'mona', 'write');
  const epic = w.gh.addIssue(OWNER, REPO, {
    title: 'Epic: storage',
    body: 'A store, a reader and a writer on it, then a report.',
    user: 'mona',
  });
  return { w, epic };
}

/** GET on the emulator as Pilot's token would (the routes are held to GitHub's OpenAPI description). */
async function api(w: World, route: string): Promise<Array<{ number: number }>> {
  const res = await fetch(`${w.gh.url}/repos/${OWNER}/${REPO}${route}`, {
    headers: { authorization: `token ${w.gh.token}`, accept: 'application/vnd.github+json' },
  });
  return (await res.json()) as Array<{ number: number }>;
}

const trackingOf = (w: World, n: number) =>
  w.pilotComments(n).find((c) => c.body.includes('pilot:task'))?.body ?? '';

describe('an epic is planned as sub-tasks', () => {
  it('`/pilot plan --split`: a read-only planning run whose plan is posted as a checklist', {
    timeout: 120_000,
  }, async () => {
    const { w, epic } = await epicWorld(planned(PLAN));
    const runs = await w.run('issue_comment', w.commentEvent(epic, '/pilot plan --split', 'mona'));
    const work = runs.at(-1);
    expect(work?.exitCode, work?.log).toBe(0);

    const tracking = trackingOf(w, epic);
    expect(tracking).toContain('epic plan: 4 sub-tasks, waiting for approval');
    expect(tracking).toContain('- [ ] 1. **A store** (simple; can start at once)');
    expect(tracking).toContain('- [ ] 4. **D report** (simple; after 2, 3)');
    expect(tracking).toContain('`/pilot approve`');
    // The planner was asked for the plan's shape and kept read-only: no branch, no pull request.
    const [first] = w.model.agentRequests();
    const tools = (first.body as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(tools).toContain('StructuredOutput');
    expect(w.gh.pulls(OWNER, REPO)).toHaveLength(0);
    expect((await w.git.branches()).filter((b) => b.startsWith('pilot/'))).toEqual([]);
  });

  it('refuses a plan with a cycle, saying which sub-tasks and what to do', { timeout: 120_000 }, async () => {
    const cyclic = { tasks: [task('A store', [2]), task('B reader', [0]), task('C writer', [1])] };
    const { w, epic } = await epicWorld(planned(cyclic));
    const runs = await w.run('issue_comment', w.commentEvent(epic, '/pilot plan --split', 'mona'));
    expect(runs.at(-1)?.exitCode).toBe(1);

    const tracking = trackingOf(w, epic);
    expect(tracking).toContain('epic plan refused');
    expect(tracking).toContain(
      'sub-tasks 1, 2, 3 depend on each other in a cycle, so none of them could ever start. Nothing was created.',
    );
    expect(tracking).toContain('then comment `/pilot plan --split` again');
    expect(tracking).not.toContain('/pilot approve');
  });

  it('refuses a plan larger than max-sub-issues', { timeout: 120_000 }, async () => {
    const big = { tasks: Array.from({ length: 11 }, (_, i) => task(`T${i}`, [])) };
    const { w, epic } = await epicWorld(planned(big));
    await w.run('issue_comment', w.commentEvent(epic, '/pilot plan --split', 'mona'));
    expect(trackingOf(w, epic)).toContain(
      'the plan has 11 sub-tasks; at most 10 are allowed (max-sub-issues). Nothing was created.',
    );
  });

  it('refuses a non-maintainer’s `/pilot approve`: nothing is created', { timeout: 120_000 }, async () => {
    const { w, epic } = await epicWorld(planned(PLAN));
    await w.run('issue_comment', w.commentEvent(epic, '/pilot plan --split', 'mona'));
    await w.run('issue_comment', w.commentEvent(epic, '/pilot approve', 'mona'));
    const reply = w.gh.comments(OWNER, REPO, epic).at(-1)?.body ?? '';
    expect(reply).toContain("@mona cannot approve an epic's plan: it takes the maintain or admin role");
    expect(() => w.gh.issue(OWNER, REPO, epic + 1)).toThrow();
    expect(trackingOf(w, epic)).toContain('waiting for approval');
  });

  it('the planner cannot change the checkout: plan mode refuses its write', {
    timeout: 120_000,
  }, async () => {
    const { w, epic } = await epicWorld([write('src/planted.js', 'pwned\n'), ...planned(PLAN)]);
    const runs = await w.run('issue_comment', w.commentEvent(epic, '/pilot plan --split', 'mona'));
    const work = runs.at(-1);
    expect(work?.exitCode, work?.log).toBe(0);
    expect(existsSync(path.join(work?.env.GITHUB_WORKSPACE ?? w.git.workspace, 'src/planted.js'))).toBe(
      false,
    );
    expect(trackingOf(w, epic)).toContain('epic plan: 4 sub-tasks');
  });
});

describe('an approved epic becomes sub-issues run in dependency order', () => {
  it('a maintainer’s `/pilot approve`: 4 linked sub-issues, blocked-by links, only A starts', {
    timeout: 180_000,
  }, async () => {
    const { w, epic } = await epicWorld([
      ...planned(PLAN),
      write('src/a-store.js', 'export const store = new Map();\n'),
      say('Added the store.'),
    ]);
    w.gh.setPermission(OWNER, REPO, 'maya', 'maintain');
    await w.run('issue_comment', w.commentEvent(epic, '/pilot plan --split', 'maya'));
    const runs = await w.run('issue_comment', w.commentEvent(epic, '/pilot approve', 'maya'));
    for (const r of runs) expect(r.exitCode, r.log).toBe(0);

    const [a, b, c, d] = [2, 3, 4, 5].map((n) => w.gh.issue(OWNER, REPO, n));
    expect([a, b, c, d].map((i) => i.title)).toEqual(['A store', 'B reader', 'C writer', 'D report']);
    for (const sub of [a, b, c, d])
      expect(sub.body).toMatch(/Part of epic #1\.\n\n<!-- pilot:epic 1 [0-9a-f]{64} -->$/);
    expect((await api(w, `/issues/${epic}/sub_issues`)).map((i) => i.number)).toEqual([2, 3, 4, 5]);
    const blockers = async (n: number) =>
      (await api(w, `/issues/${n}/dependencies/blocked_by`)).map((i) => i.number);
    expect(await blockers(2)).toEqual([]);
    expect(await blockers(3)).toEqual([2]);
    expect(await blockers(4)).toEqual([2]);
    expect((await blockers(5)).sort()).toEqual([3, 4]);
    // Only A had nothing to wait for: it ran (Pilot's own dispatch) and has a PR; B, C and D wait.
    const pulls = w.gh.pulls(OWNER, REPO);
    expect(pulls.map((p) => p.head.ref)).toEqual(['pilot/issue-2-a-store']);
    expect(trackingOf(w, 2)).toContain('pilot:task');
    for (const n of [3, 4, 5]) expect(trackingOf(w, n)).toBe('');
    const tracking = trackingOf(w, epic);
    expect(tracking).toContain('epic approved: 4 sub-issues, running in dependency order');
    expect(tracking).toContain('- [ ] #5 **D report** (simple; after 2, 3)');
    expect(tracking).toContain('Started: #2.');
  });
});
