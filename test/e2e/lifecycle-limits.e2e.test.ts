// Limits through the whole flow (bundled action, real claude CLI, scripted model): each one is
// reported plainly in the tracking comment, and work so far is on the branch.
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER, REPO, type World, type WorldOptions } from '../world/index.js';
import { bash, fail, say, type Turn, toolResults, write } from '../world/model/index.js';
import { BRANCH, farewellWorld, processesOf, runFarewell } from './farewell.js';

/**
 * A command the Bash tool leaves running in the background (the unit test in test/agent/limits.test.ts
 * also covers a daemon in its own session, which allowed-bash patterns would refuse here).
 */
const SLEEPERS: Turn = {
  tools: [
    { name: 'Bash', input: { command: "sh -c 'sleep 600'", description: 'wait', run_in_background: true } },
  ],
};

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function runWith(opts: WorldOptions) {
  const { w, issue } = await farewellWorld(opts);
  world = w;
  return { w, issue, ...(await runFarewell(w, issue)) };
}

describe('limits, reported plainly', () => {
  it('max turns: "stopped after N turns", the work so far pushed to the branch', async () => {
    const { w, work, tracking } = await runWith({
      inputs: { 'max-turns': '2' },
      script: [
        write('src/farewell.js', 'export const farewell = 1;\n'),
        write('src/b.js', 'b\n'),
        write('src/c.js', 'c\n'),
      ],
    });
    expect(work.exitCode).toBe(1);
    expect(work.outputs['task-status']).toBe('failed');
    expect(tracking).toMatch(
      /stopped after \d+ turns \(max-turns\); work so far is on branch `pilot\/issue-1-add-a-farewell-helper`/,
    );
    expect(await w.git.show(BRANCH, 'src/farewell.js')).toContain('farewell');
    expect(w.gh.pulls(OWNER, REPO)).toHaveLength(0);
  });

  it('permission denial: the tool the agent was refused is named in the tracking comment', async () => {
    const { tracking } = await runWith({
      script: [bash('curl -s https://example.com'), say('I could not fetch it.')],
    });
    expect(tracking).toContain('Permission denied for: `Bash`');
  });

  it('upstream 401: a clear failure naming the status, no retries for minutes', async () => {
    const { w, work, tracking } = await runWith({
      script: [fail(401, 'authentication_error', 'invalid x-api-key')],
    });
    expect(work.exitCode).toBe(1);
    expect(tracking).toMatch(/Why:.*401/);
    expect(w.model.agentRequests()).toHaveLength(1);
  });

  it('upstream 500: a clear failure naming the status', async () => {
    const { work, tracking } = await runWith({ script: [fail(500, 'api_error', 'upstream exploded')] });
    expect(work.outputs['task-status']).toBe('failed');
    expect(tracking).toMatch(/Why:.*500/);
  });

  it('timeout: stopped at the deadline, nothing the agent started survives', async () => {
    const { w, work, tracking } = await runWith({
      // 1 minute job → the agent's own deadline is 30 s (half of a job shorter than 10 minutes).
      inputs: { 'timeout-minutes': '1', 'allowed-bash': 'sh' },
      script: [
        write('src/farewell.js', 'export const farewell = 1;\n'),
        SLEEPERS,
        say('Thinking…', { delayMs: 120_000 }),
      ],
    });
    expect(work.outputs['task-status']).toBe('failed');
    const started = toolResults(w.model.agentRequests()[2]).slice(-1);
    expect(
      started.map((r) => r.is_error),
      JSON.stringify(started),
    ).toEqual([false]);
    expect(tracking).toContain('stopped at the time limit; work so far is on branch');
    expect(await w.git.show(BRANCH, 'src/farewell.js')).toContain('farewell');
    expect(processesOf(w.dir)).toEqual([]);
  }, 120_000);
});
