// Every workflow block in the README is a template, checked like one: a user copies these first, and
// GitHub rejects a caller at startup when it grants less than any job of the reusable workflow asks for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asObj, jobs, load, type Obj, REUSABLE, ROOT, steps } from './load.js';
import {
  anyPilotActionJobs,
  anyReusableCalls,
  handledEvents,
  missingTriggers,
  readmeWorkflowBlocks,
  subscribed,
} from './readme-blocks.js';
import { actionMetadata, checkActionStep, checkReusableCall } from './with-checks.js';

const LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };
/** `workflow_run` names the user's own CI workflows, so the templates leave it commented out. */
const OPT_IN_EVENTS = ['workflow_run'];

/** The highest permission any job of the reusable workflow requests, per scope. */
function neededByReusable(): Record<string, string> {
  const needed: Record<string, string> = {};
  for (const [, job] of jobs(load(REUSABLE).doc)) {
    for (const [scope, p] of Object.entries(asObj(job.permissions)))
      if ((LEVEL[String(p)] ?? 0) > (LEVEL[needed[scope]] ?? 0)) needed[scope] = String(p);
  }
  return needed;
}

/** Scopes a caller grants below what the callee needs, as `scope: granted < needed`. */
function shortfall(granted: Obj, needed: Record<string, string>): string[] {
  return Object.entries(needed)
    .filter(([scope, p]) => (LEVEL[String(granted[scope] ?? 'none')] ?? 0) < LEVEL[p])
    .map(([scope, p]) => `${scope}: ${String(granted[scope] ?? 'none')} < ${p}`);
}

const blocks = readmeWorkflowBlocks();
const callee = load(REUSABLE).doc;

describe("the README's workflow blocks", () => {
  it('include the workflow to copy, calling the reusable workflow', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(blocks.flatMap(anyReusableCalls).length).toBeGreaterThanOrEqual(1);
  });

  it('are each a template from workflows-templates/, word for word', () => {
    for (const block of blocks) {
      expect(block.template ?? 'no marker', `${block.path}: no <!-- template: … --> marker`).toMatch(
        /^workflows-templates\/[\w-]+\.yml$/,
      );
      const template = readFileSync(join(ROOT, String(block.template)), 'utf8');
      expect(block.text, `${block.path} differs from ${block.template}`).toBe(template);
    }
  });

  it('grant every permission any job of the reusable workflow requests (GitHub refuses the run otherwise)', () => {
    const needed = neededByReusable();
    expect(needed.checks).toBe('read');
    const problems = blocks.flatMap((block) =>
      anyReusableCalls(block).flatMap(({ job, call }) =>
        shortfall(asObj(call.permissions), needed).map((p) => `${block.path} ${job}: ${p}`),
      ),
    );
    expect(problems).toEqual([]);
  });

  it('subscribe to every event and event type the jobs they run act on', () => {
    const problems = blocks.flatMap((block) => {
      const handled = anyReusableCalls(block).length > 0 ? handledEvents(callee) : handledEvents(block.doc);
      return missingTriggers(handled, subscribed(block.doc), OPT_IN_EVENTS).map((m) => `${block.path}: ${m}`);
    });
    expect(problems).toEqual([]);
  });

  it('pass the reusable workflow and the action only inputs and secrets they declare', () => {
    const action = actionMetadata().inputs;
    const problems = blocks.flatMap((block) => [
      ...anyReusableCalls(block).flatMap(({ job, call }) =>
        checkReusableCall(call, callee).map((p) => `${block.path} ${job}: ${p}`),
      ),
      ...anyPilotActionJobs(block).flatMap((id) =>
        steps(asObj(asObj(block.doc.jobs)[id]))
          .filter((s) => /\/pilot@/.test(String(s.uses ?? '')))
          .flatMap((s) => checkActionStep(asObj(s.with), action, {}).map((p) => `${block.path} ${id}: ${p}`)),
      ),
    ]);
    expect(problems).toEqual([]);
  });
});

describe('the templates a README block may be', () => {
  it('subscribe to what their jobs act on (the sweep-only template aside)', () => {
    for (const path of ['workflows-templates/pilot.yml', 'workflows-templates/pilot-single-job.yml']) {
      const wf = load(path);
      const handled = anyReusableCalls(wf).length > 0 ? handledEvents(callee) : handledEvents(wf.doc);
      expect(missingTriggers(handled, subscribed(wf.doc), OPT_IN_EVENTS), path).toEqual([]);
    }
  });
});

describe('the README checks themselves', () => {
  const old = [
    'Intro',
    '',
    '```yaml',
    'on:',
    '  issues:',
    '    types: [labeled]',
    'permissions: {}',
    'jobs:',
    '  pilot:',
    '    uses: OWNER/pilot/.github/workflows/pilot.yml@v1',
    '    permissions: { actions: write, contents: write, issues: write, pull-requests: write }',
    '    with: { colour: red }',
    '```',
    '',
    '```yaml',
    'max-turns: 40',
    '```',
    '',
  ].join('\n');

  it('find workflow blocks under any owner and leave configuration blocks out', () => {
    const found = readmeWorkflowBlocks(old);
    expect(found.map((b) => [b.path, b.template])).toEqual([['README.md:3', undefined]]);
    expect(anyReusableCalls(found[0]).map((c) => c.job)).toEqual(['pilot']);
  });

  it('report the missing checks permission, the missing triggers and an unknown input of the old README', () => {
    const [block] = readmeWorkflowBlocks(old);
    const [{ call }] = anyReusableCalls(block);
    expect(shortfall(asObj(call.permissions), neededByReusable())).toEqual(['checks: none < read']);
    expect(missingTriggers(handledEvents(callee), subscribed(block.doc), OPT_IN_EVENTS)).toEqual([
      'issues: unlabeled',
      'issues: closed',
      'issue_comment',
      'pull_request_review',
      'pull_request',
      'repository_dispatch',
      'workflow_dispatch',
      'schedule',
    ]);
    expect(checkReusableCall(call, callee)).toEqual(['unknown input colour']);
  });
});
