// The checkpoint "when the agent ends" through the whole flow (bundled action, real claude CLI,
// scripted model): however the agent stops short, what it wrote is a `WIP:` commit on the task branch
// in origin. (Checkpoints every `checkpoint-minutes` are unit-tested on a simulated clock in
// test/pipeline/checkpoint.test.ts: a whole-number input of minutes is too slow for an e2e test.)
import { afterEach, expect, it } from 'vitest';
import { OWNER, REPO, type World, type WorldOptions } from '../world/index.js';
import { fail, write } from '../world/model/index.js';
import { BRANCH, cancelledFarewell, farewellWorld, runFarewell } from './farewell.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function runWith(opts: WorldOptions) {
  const { w, issue } = await farewellWorld(opts, 'Please add farewell() with a test.');
  world = w;
  return { w, ...(await runFarewell(w, issue)) };
}

it('an agent stopped at max-turns leaves its work as a WIP commit on the task branch', async () => {
  const { w, work, tracking } = await runWith({
    inputs: { 'max-turns': '2' },
    script: [
      write('src/farewell.js', 'export const farewell = () => "bye";\n'),
      write('test/farewell.test.js', 'import "../src/farewell.js";\n'),
      write('src/never.js', 'never\n'),
    ],
  });

  expect(work.outputs['task-status'], work.log).toBe('failed');
  expect((await w.git.log(BRANCH))[0]).toBe('WIP: Add a farewell helper (#1)');
  expect(await w.git.show(BRANCH, 'src/farewell.js')).toContain('farewell');
  expect(await w.git.show(BRANCH, 'test/farewell.test.js')).toContain('farewell');
  expect(tracking).toContain(`work so far is on branch \`${BRANCH}\``);
  expect(w.gh.pulls(OWNER, REPO)).toHaveLength(0);
});

it('an agent cut off by an upstream error leaves its work as a WIP commit on the task branch', async () => {
  const { w, work, tracking } = await runWith({
    script: [
      write('src/farewell.js', 'export const farewell = () => "bye";\n'),
      fail(500, 'api_error', 'upstream exploded'),
    ],
  });

  expect(work.outputs['task-status'], work.log).toBe('failed');
  expect((await w.git.log(BRANCH))[0]).toBe('WIP: Add a farewell helper (#1)');
  expect(await w.git.show(BRANCH, 'src/farewell.js')).toContain('farewell');
  expect(tracking).toMatch(/the agent failed; work so far is on branch/);
  expect(w.gh.pulls(OWNER, REPO)).toHaveLength(0);
});

it('main killed before it could save: the post step pushes WIP and saves the session for /pilot retry', async () => {
  // A runner that kills the step right after SIGINT: main's SIGINT handler stops the agent's group
  // at once, but main gets no time to save the session or push.
  const { w, issue, run } = await cancelledFarewell({ cancelTiming: { termAfterMs: 20, killAfterMs: 0 } });
  world = w;

  expect(run.cancelled).toBe(true);
  expect(run.main.signal, run.log).toBe('SIGKILL');
  expect(run.state['pilot-session-saved']).toBeUndefined();
  expect(run.log).toMatch(/Saved the agent session [0-9a-f-]+ from the post step/);
  expect(await w.git.show(BRANCH, 'src/farewell.js')).toContain('farewell');
  const tracking = w.pilotComments(issue).find((c) => c.body.includes('pilot:task'))?.body ?? '';
  expect(tracking).toContain('"status":"cancelled"');
  expect(tracking).toMatch(/"sessionHash":"[0-9a-f]{64}"/);
  expect(tracking).toContain(`"sessionId":"${JSON.parse(run.state['pilot-session']).sessionId}"`);
  expect(w.cache.listEntries().map((e) => e.key)).toContainEqual(
    expect.stringMatching(/^pilot-v1-session-1-/),
  );
});
