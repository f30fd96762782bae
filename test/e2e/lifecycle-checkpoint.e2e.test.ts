// The checkpoint "when the agent ends" through the whole flow (bundled action, real claude CLI,
// scripted model): however the agent stops short, what it wrote is a `WIP:` commit on the task branch
// in origin. (Checkpoints every `checkpoint-minutes` are unit-tested on a simulated clock in
// test/pipeline/checkpoint.test.ts: a whole-number input of minutes is too slow for an e2e test.)
import { afterEach, expect, it } from 'vitest';
import { OWNER, REPO, startWorld, type World, type WorldOptions } from '../world/index.js';
import { fail, write } from '../world/model/index.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const BRANCH = 'pilot/issue-1-add-a-farewell-helper';

async function runWith(opts: WorldOptions) {
  world = await startWorld(opts);
  world.gh.setPermission(OWNER, REPO, 'mona', 'write');
  const issue = world.gh.addIssue(OWNER, REPO, {
    title: 'Add a farewell helper',
    body: 'Please add farewell() with a test.',
    user: 'mona',
  });
  const runs = await world.run('workflow_dispatch', world.dispatchEvent({ issue: String(issue) }, 'mona'));
  const tracking = world.pilotComments(issue).find((c) => c.body.includes('pilot:task'))?.body ?? '';
  return { w: world, work: runs[runs.length - 1], tracking };
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
