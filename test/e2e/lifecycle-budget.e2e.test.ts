// The cost cap mid-run through the whole flow (bundled action, real claude CLI, scripted model behind
// Pilot's gateway): the first turn's answer crosses `max-cost-usd`, the agent is stopped, what it wrote
// is pushed as work in progress, and the task says `budget_exceeded`.
import { afterEach, expect, it } from 'vitest';
import { OWNER, REPO, startWorld, type World } from '../world/index.js';
import type { RecordedRequest } from '../world/model/index.js';
import { type ScriptStep, say, type Turn, write } from '../world/model/index.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/**
 * A turn that costs at least $0.30 at any model's list price (Haiku's are the lowest). Not a million
 * input tokens: that fills the context window and the CLI starts compacting instead.
 */
const EXPENSIVE = { input_tokens: 150_000, output_tokens: 30_000 };

function costly(step: ScriptStep): ScriptStep {
  return (req: RecordedRequest): Turn => {
    const turn = typeof step === 'function' ? step(req) : step;
    return { ...(turn as Turn), usage: EXPENSIVE };
  };
}

it('budget exceeded mid-run: the agent stops, its work is pushed as WIP, the task says budget_exceeded', async () => {
  world = await startWorld({
    // The gateway admits a turn only if its worst case fits under the cap: for the CLI's default
    // (Opus, $25/MTok out) that is 32000 output tokens, $0.80, plus its input, about $0.90 in all.
    // $1.20 lets the second turn in; its answer ($1.50 at Opus prices) crosses the cap.
    inputs: { 'max-cost-usd': '1.20' },
    script: [
      write('src/farewell.js', 'export const farewell = () => "bye";\n'),
      // This answer crosses the cap: whichever layer notices first (the CLI's --max-budget-usd or
      // the gateway), no turn after it is asked for.
      costly(write('src/greeting.js', 'export const greeting = () => "hi";\n')),
      write('src/never.js', 'must not be written\n'),
      say('Done.'),
    ],
  });
  const w = world;
  w.gh.setPermission(OWNER, REPO, 'mona', 'write');
  const issue = w.gh.addIssue(OWNER, REPO, { title: 'Add a farewell helper', body: 'Please.', user: 'mona' });

  const runs = await w.run('workflow_dispatch', w.dispatchEvent({ issue: String(issue) }, 'mona'));
  const work = runs[runs.length - 1];

  expect(work.outputs['task-status'], work.log).toBe('budget_exceeded');
  expect(work.exitCode).toBe(1);
  expect(work.log).toContain('gateway: cost cap reached');
  // The turn that crossed the cap was the last one the model was asked for.
  expect(w.model.agentRequests()).toHaveLength(2);
  expect(w.model.remaining()).toBe(2);
  const branch = 'pilot/issue-1-add-a-farewell-helper';
  expect(await w.git.show(branch, 'src/farewell.js')).toContain('farewell');
  expect((await w.git.log(branch))[0]).toMatch(/^WIP: /);
  const tracking = w.pilotComments(issue).find((c) => c.body.includes('pilot:task'))?.body ?? '';
  expect(tracking).toContain(`stopped at the cost limit; work so far is on branch \`${branch}\``);
  expect(tracking).toContain('"status":"budget_exceeded"');
  expect(w.gh.pulls(OWNER, REPO)).toHaveLength(0);
}, 30_000);
