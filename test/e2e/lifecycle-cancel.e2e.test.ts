// Cancel through the runner's signal sequence (SIGINT, SIGTERM 7.5 s later, tree kill 2.5 s after):
// main stops the agent's group, pushes work in progress and says "cancelled"; nothing survives.
import { afterEach, expect, it } from 'vitest';
import { OWNER, REPO, type World } from '../world/index.js';
import { cancelledFarewell, processesOf } from './farewell.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

it('cancelling mid-run pushes a WIP commit, marks the task cancelled and leaves no process behind', async () => {
  // The user presses "Cancel run" while the model is thinking about its next step.
  const { w, issue, run } = await cancelledFarewell();
  world = w;

  expect(run.cancelled).toBe(true);
  // Main stopped the agent and finished before the runner had to send SIGTERM.
  expect(
    run.signals.map((s) => s.signal),
    run.log,
  ).toEqual(['SIGINT']);
  const branch = 'pilot/issue-1-add-a-farewell-helper';
  expect(await w.git.show(branch, 'src/farewell.js')).toContain('farewell');
  const tracking = w.pilotComments(issue).find((c) => c.body.includes('pilot:task'))?.body ?? '';
  expect(tracking).toContain('cancelled; work so far is on branch');
  expect(tracking).toContain('"status":"cancelled"');
  expect(tracking).toMatch(/"sessionHash":"[0-9a-f]{64}"/);
  expect(w.gh.pulls(OWNER, REPO)).toHaveLength(0);
  expect(processesOf(w.dir)).toEqual([]);
});
