// The gate's `if:` prefilter, run against real webhook payloads (@octokit/webhooks-examples) and
// variants of them: what starts a runner and what does not.
import examples from '@octokit/webhooks-examples' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { evaluateIf } from './expression.js';
import { asObj, jobs, load, type Obj, REUSABLE } from './load.js';

type Payload = Record<string, unknown>;

function payloads(event: string, action?: string): Payload[] {
  const group = (examples as unknown as Array<{ name: string; examples: Payload[] }>).find(
    (e) => e.name === event,
  );
  const all = group?.examples ?? [];
  return action ? all.filter((p) => p.action === action) : all;
}

/** A deep copy with some fields replaced, so each variant starts from a real payload. */
function variant(payload: Payload, edit: (p: Payload) => void): Payload {
  const copy = structuredClone(payload);
  edit(copy);
  return copy;
}

function jobIf(path: string, job: string): string {
  const found = jobs(load(path).doc).find(([id]) => id === job);
  return String(asObj(found?.[1]).if);
}

const reusableGate = jobIf(REUSABLE, 'gate');
const singleJobGate = jobIf('workflows-templates/pilot-single-job.yml', 'gate');
const route = jobIf(REUSABLE, 'route');

/** Both gate forms must decide alike with the default trigger label. */
function gateStarts(event: string, payload: Payload, triggerLabel = 'pilot'): boolean {
  const ctx = (inputs: Obj) => ({ github: { event_name: event, event: payload }, inputs });
  const reusable = evaluateIf(reusableGate, ctx({ 'trigger-label': triggerLabel }));
  if (triggerLabel === 'pilot')
    expect(evaluateIf(singleJobGate, ctx({})), 'single-job gate agrees').toBe(reusable);
  return reusable;
}

describe('gate prefilter', () => {
  it('starts no runner for ordinary comments', () => {
    const comments = payloads('issue_comment', 'created');
    expect(comments.length).toBeGreaterThan(0);
    for (const p of comments) expect(gateStarts('issue_comment', p)).toBe(false);
    const mention = variant(comments[0], (p) => {
      asObj(p.comment).body = 'could someone run /pilot on this?';
    });
    expect(gateStarts('issue_comment', mention)).toBe(false);
  });

  it('starts for comments whose text begins with /pilot, in any case', () => {
    for (const body of ['/pilot', '/pilot run add tests too', '/PILOT status', '/Pilot help\nthanks']) {
      const p = variant(payloads('issue_comment', 'created')[0], (c) => {
        asObj(c.comment).body = body;
      });
      expect(gateStarts('issue_comment', p), body).toBe(true);
    }
  });

  it('starts when the trigger label is added or removed, not for other labels', () => {
    const labeled = payloads('issues', 'labeled');
    expect(labeled.length).toBeGreaterThan(0);
    for (const p of labeled) expect(gateStarts('issues', p)).toBe(false); // real payloads carry "bug"
    for (const p of [...labeled, ...payloads('issues', 'unlabeled')]) {
      const pilot = variant(p, (x) => {
        asObj(x.label).name = 'pilot';
      });
      expect(gateStarts('issues', pilot)).toBe(true);
    }
  });

  it('follows a custom trigger label in the reusable workflow', () => {
    const ai = variant(payloads('issues', 'labeled')[0], (x) => {
      asObj(x.label).name = 'ai-task';
    });
    expect(gateStarts('issues', ai, 'ai-task')).toBe(true);
    expect(gateStarts('issues', ai, 'pilot')).toBe(false);
  });

  it('starts when an issue carrying the trigger label is closed, and not for an issue opened with it', () => {
    const opened = payloads('issues', 'opened')[0];
    const withLabel = (action: string, labels: string[]) =>
      variant(opened, (x) => {
        x.action = action;
        asObj(x.issue).labels = labels.map((name) => ({ name }));
      });
    expect(gateStarts('issues', withLabel('closed', ['bug', 'pilot']))).toBe(true);
    expect(gateStarts('issues', withLabel('closed', ['bug']))).toBe(false);
    expect(gateStarts('issues', withLabel('opened', ['pilot']))).toBe(false);
  });

  it('starts for changes requested on a pilot/ branch only', () => {
    const reviews = payloads('pull_request_review', 'submitted');
    for (const p of reviews) expect(gateStarts('pull_request_review', p)).toBe(false);
    const review = (state: string, ref: string) =>
      variant(reviews[0], (x) => {
        asObj(x.review).state = state;
        asObj(asObj(x.pull_request).head).ref = ref;
      });
    expect(gateStarts('pull_request_review', review('changes_requested', 'pilot/issue-12-fix-typo'))).toBe(
      true,
    );
    expect(gateStarts('pull_request_review', review('changes_requested', 'feature/x'))).toBe(false);
    expect(gateStarts('pull_request_review', review('approved', 'pilot/issue-12-fix-typo'))).toBe(false);
  });

  it('starts for a finished CI run on a pilot/ branch: a failure to fix, a success to merge or settle a flake check', () => {
    const runs = payloads('workflow_run', 'completed');
    for (const p of runs) expect(gateStarts('workflow_run', p)).toBe(false);
    const run = (conclusion: string, branch: string, attempt = 1) =>
      variant(runs[0], (x) => {
        Object.assign(asObj(x.workflow_run), { conclusion, head_branch: branch, run_attempt: attempt });
      });
    expect(gateStarts('workflow_run', run('failure', 'pilot/issue-3-retry'))).toBe(true);
    expect(gateStarts('workflow_run', run('success', 'pilot/issue-3-retry'))).toBe(true);
    expect(gateStarts('workflow_run', run('success', 'pilot/issue-3-retry', 2))).toBe(true);
    expect(gateStarts('workflow_run', run('cancelled', 'pilot/issue-3-retry', 2))).toBe(false);
    expect(gateStarts('workflow_run', run('failure', 'main'))).toBe(false);
    expect(gateStarts('workflow_run', run('success', 'main', 2))).toBe(false);
  });

  it('starts for a closed Pilot PR only', () => {
    const pr = (ref: string) => ({ action: 'closed', pull_request: { head: { ref }, merged: false } });
    expect(gateStarts('pull_request', pr('pilot/issue-7-fix'))).toBe(true);
    expect(gateStarts('pull_request', pr('feature/x'))).toBe(false);
    expect(gateStarts('pull_request', { ...pr('pilot/issue-7-fix'), action: 'opened' })).toBe(false);
  });

  it('leaves trusted events to the route job', () => {
    for (const event of ['repository_dispatch', 'workflow_dispatch', 'schedule']) {
      expect(gateStarts(event, { action: 'pilot' })).toBe(false);
    }
  });
});

describe('route and run conditions', () => {
  const ctx = (event: string, payload: Payload) => ({
    github: { event_name: event, event: payload },
    inputs: {},
  });

  it('routes pilot dispatches and manual runs for an issue, and nothing else', () => {
    expect(
      evaluateIf(route, ctx('repository_dispatch', { action: 'pilot', client_payload: { issue: 1 } })),
    ).toBe(true);
    for (const p of payloads('repository_dispatch'))
      expect(evaluateIf(route, ctx('repository_dispatch', p))).toBe(false);
    expect(evaluateIf(route, ctx('workflow_dispatch', { inputs: { issue: '4' } }))).toBe(true);
    expect(evaluateIf(route, ctx('workflow_dispatch', { inputs: { issue: '' } }))).toBe(false);
    expect(evaluateIf(route, ctx('schedule', {}))).toBe(false);
    for (const p of payloads('issue_comment')) expect(evaluateIf(route, ctx('issue_comment', p))).toBe(false);
  });

  it('sweeps on the schedule and on a manual run without an issue, and nothing else', () => {
    const sweepIf = jobIf(REUSABLE, 'sweep');
    expect(evaluateIf(sweepIf, ctx('schedule', {}))).toBe(true);
    expect(evaluateIf(sweepIf, ctx('workflow_dispatch', { inputs: { issue: '' } }))).toBe(true);
    expect(evaluateIf(sweepIf, ctx('workflow_dispatch', { inputs: { issue: '4' } }))).toBe(false);
    expect(evaluateIf(sweepIf, ctx('repository_dispatch', { action: 'pilot' }))).toBe(false);
    for (const p of payloads('issue_comment'))
      expect(evaluateIf(sweepIf, ctx('issue_comment', p))).toBe(false);
  });

  it('runs the work job only when the route says so', () => {
    const runIf = jobIf(REUSABLE, 'run');
    const needs = (v: string) => ({ needs: { route: { outputs: { 'should-run': v } } } });
    expect(evaluateIf(runIf, needs('true'))).toBe(true);
    expect(evaluateIf(runIf, needs('false'))).toBe(false);
    expect(evaluateIf(runIf, needs(''))).toBe(false);
  });
});
