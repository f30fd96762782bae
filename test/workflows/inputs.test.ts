// Every `with:` in the templates and the reusable workflow names an input that exists, with a value of
// a compatible type, and required inputs are given. Misspelt inputs are silently ignored by GitHub
// (actions) or fail only at run time (reusable workflows); this catches both before a user does.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  asObj,
  jobs,
  load,
  type Obj,
  PILOT_ACTION,
  pilotSteps,
  pilotWorkflows,
  REUSABLE,
  reusableCalls,
  steps,
  type WorkflowFile,
  workflowCall,
} from './load.js';
import {
  actionMetadata,
  checkActionStep,
  checkReusableCall,
  type Declared,
  reusableInputs,
} from './with-checks.js';

/** `steps.<id>.outputs.<name>` references to Pilot steps in one job. */
function pilotOutputRefs(wf: WorkflowFile): Array<{ where: string; output: string }> {
  return jobs(wf.doc).flatMap(([id, job]) => {
    const ids = steps(job)
      .filter((s) => String(s.uses ?? '').startsWith(`${PILOT_ACTION}@`) && typeof s.id === 'string')
      .map((s) => String(s.id));
    const text = JSON.stringify(job);
    return ids.flatMap((stepId) =>
      [...text.matchAll(new RegExp(`steps\\.${stepId}\\.outputs\\.([\\w-]+)`, 'g'))].map((m) => ({
        where: `${wf.path} ${id}`,
        output: m[1],
      })),
    );
  });
}

describe('with: inputs', () => {
  const callee = load(REUSABLE).doc;

  it('names only inputs action.yml declares, with values of a fitting type, for every Pilot step', () => {
    const action = actionMetadata().inputs;
    const problems = pilotWorkflows().flatMap((wf) => {
      const enclosing = wf.path === REUSABLE ? reusableInputs(callee) : {};
      return pilotSteps(wf).flatMap(({ job, step }) =>
        checkActionStep(asObj(step.with), action, enclosing).map((p) => `${wf.path} ${job}: ${p}`),
      );
    });
    expect(problems).toEqual([]);
  });

  it('reads only outputs action.yml declares', () => {
    const outputs = actionMetadata().outputs;
    const refs = pilotWorkflows().flatMap(pilotOutputRefs);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((r) => !outputs.includes(r.output))).toEqual([]);
  });

  it('passes the reusable workflow only inputs and secrets it declares, of the declared type', () => {
    const calls = pilotWorkflows().flatMap((wf) => reusableCalls(wf).map((c) => ({ wf, ...c })));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    const problems = calls.flatMap(({ wf, job, call }) =>
      checkReusableCall(call, callee).map((p) => `${wf.path} ${job}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it('wires the route outputs the run job reads, and the workflow outputs the run job sets', () => {
    const byId = Object.fromEntries(jobs(callee));
    const routeOutputs = Object.keys(asObj(byId.route.outputs));
    const runText = JSON.stringify(byId.run);
    const read = [...runText.matchAll(/needs\.route\.outputs\.([\w-]+)/g)].map((m) => m[1]);
    expect(new Set(read)).toEqual(new Set(['should-run', 'runner', 'timeout-minutes', 'intent']));
    expect(read.filter((o) => !routeOutputs.includes(o))).toEqual([]);
    const runOutputs = Object.keys(asObj(byId.run.outputs));
    for (const [name, raw] of Object.entries(workflowCall(callee).outputs)) {
      const m = /jobs\.run\.outputs\.([\w-]+)/.exec(String(asObj(raw).value));
      expect(m && runOutputs.includes(m[1]), name).toBe(true);
    }
  });

  it('runs each reusable job in its own phase', () => {
    const phases = pilotSteps(load(REUSABLE)).map(({ job, step }) => [job, asObj(step.with).phase]);
    expect(phases).toEqual([
      ['gate', 'gate'],
      ['route', 'route'],
      ['run', 'run'],
      ['sweep', undefined],
    ]);
  });
});

describe('the with-checks themselves', () => {
  const action: Record<string, Declared> = {
    'max-turns': { kind: 'number', required: false },
    'draft-pr': { kind: 'boolean', required: false },
    model: { kind: 'string', required: false },
    token: { kind: 'string', required: true },
  };

  it('report unknown inputs, wrong types and missing required inputs for an action step', () => {
    const problems = checkActionStep(
      { 'max-turn': 3, 'max-turns': 'many', 'draft-pr': 'yes', model: 5 },
      action,
      {},
    );
    expect(problems).toEqual([
      'unknown input max-turn',
      'max-turns: "many" does not fit a number input',
      'draft-pr: "yes" does not fit a boolean input',
      'missing required input token',
    ]);
    expect(checkActionStep({ token: 't', 'max-turns': '30', 'draft-pr': true }, action, {})).toEqual([]);
  });

  it('follow ${{ inputs.x }} to the declared type of the enclosing reusable workflow', () => {
    const enclosing = { label: { kind: 'string' as const, required: false } };
    expect(checkActionStep({ token: 't', 'max-turns': '${{ inputs.label }}' }, action, enclosing)).toEqual([
      'max-turns: "${{ inputs.label }}" does not fit a number input',
    ]);
  });

  it('report a caller passing an unknown input, a wrong literal type or an undeclared secret', () => {
    const callee = parse(
      [
        'on:',
        '  workflow_call:',
        '    inputs:',
        '      max-turns: {type: number, default: 0}',
        '      label: {type: string, required: true}',
        '    secrets:',
        '      key: {required: true}',
        'jobs: {}',
      ].join('\n'),
    ) as Obj;
    const call = { with: { 'max-turns': '10', colour: 'red' }, secrets: { token: 'x' } };
    expect(checkReusableCall(call, callee)).toEqual([
      'max-turns: "10" is not a number',
      'unknown input colour',
      'missing required input label',
      'unknown secret token',
      'missing required secret key',
    ]);
  });
});
