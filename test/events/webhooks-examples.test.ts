// Every real payload of the events Pilot reads, with the decision each must get. Expectations come from
// the rules written out below (DESIGN's event matrix), never from calling decide() again.
import { describe, expect, it } from 'vitest';
import { type DecideOptions, decide } from '../../src/events/decide.js';
import { toDispatchPayload } from '../../src/events/dispatch.js';
import type { Actor, EventDecision, Intent, WorkIntent } from '../../src/events/intent.js';
import { clone, type Example, loadExamples, type Payload, PILOT_EVENTS } from './webhook-examples.js';

const OPTS: DecideOptions = { triggerLabel: 'pilot', botLogin: 'github-actions[bot]' };
const EXAMPLES = loadExamples();

/** What a decision must look like: an intent with these fields, or an ignore whose reason matches. */
type IntentFields = Omit<WorkIntent, 'kind' | 'command'> & Pick<Intent, 'kind' | 'command'>;
type IntentShape = { [K in keyof IntentFields]?: K extends 'sender' ? Partial<Actor> : IntentFields[K] };
type Expected = { intent: IntentShape } | { ignore: RegExp };

function run(event: string, payload: unknown, runAttempt = 1): EventDecision {
  const repository = (payload as Payload)?.repository?.full_name ?? 'Codertocat/Hello-World';
  return decide({ eventName: event, payload, repository, runAttempt }, OPTS);
}

function check(decision: EventDecision, expected: Expected): void {
  if ('ignore' in expected) {
    expect(decision.type).toBe('ignore');
    if (decision.type === 'ignore') expect(decision.reason).toMatch(expected.ignore);
    return;
  }
  expect(decision.type).toBe('intent');
  if (decision.type !== 'intent') return;
  expect(decision.intent).toMatchObject(expected.intent);
  // Intent is exact: the sweep concerns no one issue, so it carries no `issue` at all.
  expect('issue' in decision.intent).toBe(decision.intent.kind !== 'sweep');
}

// ---- The rules, one function per event -------------------------------------------------------------

function expectIssues(p: Payload): Expected {
  const base = { issue: p.issue.number, sender: { login: p.sender.login }, source: 'label' as const };
  const isTrigger = (p.label?.name ?? '').toLowerCase() === 'pilot';
  switch (p.action) {
    case 'labeled':
      return isTrigger
        ? { intent: { ...base, kind: 'work', command: 'run' } }
        : { ignore: /is not the trigger label 'pilot'/ };
    case 'unlabeled':
      return isTrigger
        ? { intent: { ...base, kind: 'reply', command: 'cancel' } }
        : { ignore: /is not the trigger label 'pilot'/ };
    case 'closed':
      return { intent: { ...base, kind: 'reply', command: 'cancel' } };
    case 'opened':
      return { ignore: /issues\.opened is not a trigger/ };
    default:
      return { ignore: new RegExp(`issues\\.${p.action} is not an event Pilot acts on`) };
  }
}

const WORK = ['run', 'plan', 'retry', 'fix'];

function expectComment(p: Payload): Expected {
  if (p.action !== 'created') return { ignore: /only new comments carry commands/ };
  if (p.comment.user.login === OPTS.botLogin) return { ignore: /comment by Pilot itself/ };
  const first = String(p.comment.body).split('\n')[0];
  const m = /^[ \t]*\/pilot(?:[ \t]+(\S+))?/i.exec(first);
  if (!m || /^\/pilot\S/i.test(first.trim())) return { ignore: /first line is not a \/pilot command/ };
  const word = (m[1] ?? 'run').toLowerCase();
  const known = [...WORK, 'help', 'status', 'cancel'].includes(word);
  return {
    intent: {
      kind: WORK.includes(word) ? 'work' : 'reply',
      command: (known ? word : 'unknown') as Intent['command'],
      source: 'comment',
      issue: p.issue.number,
      isPullRequest: p.issue.pull_request !== undefined,
      commentId: p.comment.id,
      sender: { login: p.sender.login },
    },
  };
}

function expectReview(p: Payload): Expected {
  if (p.action !== 'submitted') return { ignore: new RegExp(`pull_request_review\\.${p.action} is not`) };
  if (p.review.state.toLowerCase() !== 'changes_requested') return { ignore: /does not request changes/ };
  const head = p.pull_request.head;
  if (!head.ref.startsWith('pilot/')) return { ignore: /is not a Pilot branch/ };
  if (head.repo?.full_name !== p.repository.full_name) return { ignore: /fork heads are ignored/ };
  const fromBranch = /^pilot\/issue-(\d+)/.exec(head.ref);
  return {
    intent: {
      kind: 'work',
      command: 'fix',
      source: 'review',
      issue: fromBranch ? Number(fromBranch[1]) : p.pull_request.number,
      reviewId: p.review.id,
      headSha: head.sha,
    },
  };
}

function expectWorkflowRun(p: Payload): Expected {
  const run = p.workflow_run;
  if (p.action !== 'completed') return { ignore: new RegExp(`workflow_run\\.${p.action} is not`) };
  if (run.conclusion !== 'failure' && run.conclusion !== 'success')
    return { ignore: /neither 'failure' nor 'success'/ };
  const fromBranch = /^pilot\/issue-(\d+)(-|$)/.exec(run.head_branch ?? '');
  if (!fromBranch) return { ignore: /is not a Pilot branch/ };
  if (run.head_repository?.full_name !== p.repository.full_name) return { ignore: /fork heads are ignored/ };
  return {
    intent: {
      kind: 'work',
      command: 'fix',
      source: 'ci',
      issue: Number(fromBranch[1]),
      headSha: run.head_sha,
      ciRun: { id: run.id, attempt: run.run_attempt ?? 1, conclusion: run.conclusion },
    },
  };
}

function expectWorkflowDispatch(p: Payload): Expected {
  const issue = String(p.inputs?.issue ?? '').trim();
  const sender = { login: p.sender.login };
  if (issue === '') {
    return {
      intent: { kind: 'sweep', command: 'sweep', source: 'manual', sender, trustedEvent: true },
    };
  }
  if (!/^\d+$/.test(issue) || Number(issue) < 1) return { ignore: /input 'issue' must be an issue number/ };
  const command = String(p.inputs?.command || 'run').toLowerCase();
  if (!WORK.includes(command)) return { ignore: /input 'command' must be one of/ };
  return {
    intent: {
      kind: 'work',
      command: command as Intent['command'],
      source: 'manual',
      issue: Number(issue),
      sender,
      args: p.inputs?.instructions ?? '',
      trustedEvent: true,
    },
  };
}

function expectRepositoryDispatch(p: Payload): Expected {
  if (p.action !== 'pilot') return { ignore: /event type '.*' is not 'pilot'/ };
  const c = p.client_payload ?? {};
  const valid =
    Number.isInteger(c.issue) &&
    c.issue > 0 &&
    WORK.includes(c.command) &&
    typeof c.sender?.login === 'string';
  if (!valid) return { ignore: /client_payload is not a valid Pilot dispatch/ };
  return {
    intent: { kind: 'work', command: c.command, issue: c.issue, sender: c.sender, trustedEvent: true },
  };
}

const RULES: Record<(typeof PILOT_EVENTS)[number], (p: Payload) => Expected> = {
  issues: expectIssues,
  issue_comment: expectComment,
  pull_request_review: expectReview,
  workflow_run: expectWorkflowRun,
  workflow_dispatch: expectWorkflowDispatch,
  repository_dispatch: expectRepositoryDispatch,
};

/** A fresh copy of the first real payload of an event (and action). */
function example(event: string, action?: string): Payload {
  const found = EXAMPLES.find(
    (e) => e.event === event && (action === undefined || e.payload.action === action),
  );
  if (!found) throw new Error(`webhooks-examples has no ${event}.${action} payload`);
  return clone(found.payload);
}

function name(ex: Example): string {
  return `${ex.event}.${ex.payload.action ?? '(no action)'} ${ex.label}`;
}

// ---- Every example as shipped ------------------------------------------------------------------

describe('every webhooks-examples payload as shipped', () => {
  it('covers all six events', () => {
    expect(new Set(EXAMPLES.map((e) => e.event))).toEqual(new Set(PILOT_EVENTS));
  });

  it.each(EXAMPLES.map((ex) => [name(ex), ex] as const))('%s', (_n, ex) => {
    check(run(ex.event, ex.payload), RULES[ex.event](ex.payload));
  });
});

// ---- Variants: the same real payloads, rewritten into the cases Pilot acts on ------------------

function variants(event: (typeof PILOT_EVENTS)[number], mutate: (p: Payload) => Payload[]) {
  return EXAMPLES.filter((e) => e.event === event).flatMap((ex) =>
    mutate(clone(ex.payload)).map((payload, i) => [`${name(ex)} variant ${i}`, payload] as const),
  );
}

describe('issues variants', () => {
  const cases = variants('issues', (p) => {
    if (!p.label) return [{ ...p, action: 'closed' }];
    return [
      { ...p, label: { ...p.label, name: 'pilot' } },
      { ...p, label: { ...p.label, name: 'PiLoT' } },
      { ...p, label: { ...p.label, name: 'pilot-later' } },
      { ...p, action: 'opened', label: { ...p.label, name: 'pilot' } },
    ];
  });
  it.each(cases)('%s', (_n, payload) => check(run('issues', payload), expectIssues(payload)));

  it('includes cases Pilot acts on and cases it ignores', () => {
    const kinds = new Set(cases.map(([, payload]) => Object.keys(expectIssues(payload))[0]));
    expect(kinds).toEqual(new Set(['intent', 'ignore']));
  });

  it('does not cancel when Pilot itself closes the issue or removes the label', () => {
    const p = example('issues', 'unlabeled');
    const pilot = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
    check(run('issues', { ...p, label: { name: 'pilot' }, sender: pilot }), { ignore: /by Pilot itself/ });
    check(run('issues', { ...p, action: 'closed', sender: pilot }), { ignore: /by Pilot itself/ });
  });

  it('a trigger label sets the sender, not the issue author, as the one who asked', () => {
    const base = example('issues', 'labeled');
    const payload = {
      ...base,
      label: { name: 'pilot' },
      sender: { login: 'maintainer', id: 9, type: 'User' },
    };
    check(run('issues', payload), { intent: { sender: { login: 'maintainer', id: 9, type: 'User' } } });
    expect(base.issue.user.login).not.toBe('maintainer');
  });
});

describe('issue_comment variants', () => {
  const bodies = [
    '/pilot',
    '/pilot run add a test',
    '/pilot plan',
    '/pilot retry',
    '/pilot fix the lint errors',
    '/pilot help',
    '/pilot status',
    '/pilot cancel',
    '/pilot deploy',
    '/PILOT RUN',
    '  /pilot status',
    '/pilotx run',
    '> /pilot run',
    'thanks\n/pilot run',
    '```\n/pilot run\n```',
  ];
  const cases = variants('issue_comment', (p) =>
    bodies.map((body) => ({ ...p, comment: { ...p.comment, body } })),
  );
  it.each(cases)('%s', (_n, payload) => check(run('issue_comment', payload), expectComment(payload)));

  it('includes cases Pilot acts on and cases it ignores', () => {
    const kinds = new Set(cases.map(([, payload]) => Object.keys(expectComment(payload))[0]));
    expect(kinds).toEqual(new Set(['intent', 'ignore']));
  });

  it('marks a command on a pull request as such', () => {
    const p = example('issue_comment');
    p.comment.body = '/pilot fix';
    p.issue.pull_request = { url: 'https://api.github.com/repos/x/y/pulls/1' };
    check(run('issue_comment', p), { intent: { command: 'fix', isPullRequest: true } });
  });

  it('ignores its own comments and Pilot-marked comments from bots', () => {
    const p = example('issue_comment');
    const own = {
      ...p,
      comment: {
        ...p.comment,
        body: '/pilot run',
        user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      },
    };
    check(run('issue_comment', own), { ignore: /comment by Pilot itself/ });
    const marked = {
      ...p,
      comment: {
        ...p.comment,
        body: '/pilot run\n<!-- pilot:reply -->',
        user: { login: 'other[bot]', id: 5, type: 'Bot' },
      },
      sender: { login: 'other[bot]', id: 5, type: 'Bot' },
    };
    check(run('issue_comment', marked), { ignore: /carries Pilot's marker/ });
  });

  it('treats a human who pastes the marker as a normal commenter', () => {
    const p = example('issue_comment');
    p.comment.body = '/pilot run\n<!-- pilot:reply -->';
    check(run('issue_comment', p), { intent: { command: 'run', source: 'comment' } });
  });
});

describe('pull_request_review variants', () => {
  const cases = variants('pull_request_review', (p) => {
    const own = p.repository.full_name;
    const changes = { ...p.review, state: 'changes_requested' };
    const head = p.pull_request.head;
    const pr = (h: Payload) => ({ ...p.pull_request, head: { ...head, ...h } });
    return [
      { ...p, review: changes },
      { ...p, review: changes, pull_request: pr({ ref: 'pilot/issue-7-add-login' }) },
      {
        ...p,
        review: { ...changes, state: 'CHANGES_REQUESTED' },
        pull_request: pr({ ref: 'pilot/issue-7' }),
      },
      { ...p, review: changes, pull_request: pr({ ref: 'pilot/experiment' }) },
      {
        ...p,
        review: changes,
        pull_request: pr({
          ref: 'pilot/issue-7-x',
          repo: { ...head.repo, full_name: `fork-owner/${own.split('/')[1]}` },
        }),
      },
      { ...p, review: changes, pull_request: pr({ ref: 'pilot/issue-7-x', repo: null }) },
      { ...p, review: { ...p.review, state: 'approved' }, pull_request: pr({ ref: 'pilot/issue-7-x' }) },
    ];
  });
  it.each(cases)('%s', (_n, payload) => check(run('pull_request_review', payload), expectReview(payload)));

  it('includes cases Pilot acts on and cases it ignores', () => {
    const kinds = new Set(cases.map(([, payload]) => Object.keys(expectReview(payload))[0]));
    expect(kinds).toEqual(new Set(['intent', 'ignore']));
  });
});

describe('workflow_run variants', () => {
  const cases = variants('workflow_run', (p) => {
    const own = { ...p.workflow_run.head_repository, full_name: p.repository.full_name };
    const wr = (w: Payload) => ({ ...p.workflow_run, ...w });
    return [
      { ...p, workflow_run: wr({ conclusion: 'failure' }) },
      {
        ...p,
        workflow_run: wr({
          conclusion: 'failure',
          head_branch: 'pilot/issue-12-fix-x',
          head_repository: own,
        }),
      },
      {
        ...p,
        workflow_run: wr({
          conclusion: 'failure',
          head_branch: 'pilot/issue-12',
          head_repository: own,
          pull_requests: [],
        }),
      },
      // A fork may name its branch like Pilot's: pull_requests[] is empty for forks, so only the head repo tells.
      {
        ...p,
        workflow_run: wr({
          conclusion: 'failure',
          head_branch: 'pilot/issue-12-x',
          head_repository: { full_name: 'evil/fork' },
          pull_requests: [],
        }),
      },
      {
        ...p,
        workflow_run: wr({ conclusion: 'success', head_branch: 'pilot/issue-12-x', head_repository: own }),
      },
      {
        ...p,
        workflow_run: wr({ conclusion: 'failure', head_branch: 'pilot/issue-x', head_repository: own }),
      },
      // A rerun's success (attempt 2) may answer Pilot's flake check: it reaches the gate.
      {
        ...p,
        workflow_run: wr({
          conclusion: 'success',
          run_attempt: 2,
          head_branch: 'pilot/issue-12-x',
          head_repository: own,
        }),
      },
      // …but never from a fork.
      {
        ...p,
        workflow_run: wr({
          conclusion: 'success',
          run_attempt: 2,
          head_branch: 'pilot/issue-12-x',
          head_repository: { full_name: 'evil/fork' },
        }),
      },
    ];
  });
  it.each(cases)('%s', (_n, payload) => check(run('workflow_run', payload), expectWorkflowRun(payload)));

  it('includes cases Pilot acts on and cases it ignores', () => {
    const kinds = new Set(cases.map(([, payload]) => Object.keys(expectWorkflowRun(payload))[0]));
    expect(kinds).toEqual(new Set(['intent', 'ignore']));
  });
});

describe('workflow_dispatch variants', () => {
  const inputs = [
    { issue: '42' },
    { issue: '42', command: 'plan' },
    { issue: '42', command: 'RETRY', instructions: 'try the other API' },
    { issue: '42', command: 'fix' },
    { issue: '42', command: '' },
    { issue: '' },
    { issue: 'abc' },
    { issue: '0' },
    { issue: '42', command: 'deploy' },
    { issue: '42', command: 'cancel' },
  ];
  const cases = variants('workflow_dispatch', (p) => inputs.map((i) => ({ ...p, inputs: i })));
  it.each(cases)('%s', (_n, payload) =>
    check(run('workflow_dispatch', payload), expectWorkflowDispatch(payload)),
  );

  it('includes cases Pilot acts on and cases it ignores', () => {
    const kinds = new Set(cases.map(([, payload]) => Object.keys(expectWorkflowDispatch(payload))[0]));
    expect(kinds).toEqual(new Set(['intent', 'ignore']));
  });
});

describe('repository_dispatch variants', () => {
  const work: Intent = {
    kind: 'work',
    command: 'plan',
    source: 'comment',
    trustedEvent: false,
    issue: 31,
    isPullRequest: false,
    sender: { login: 'octocat', id: 583231, type: 'User' },
    args: '',
    commentId: 1001,
    rerun: false,
  };
  const cases = variants('repository_dispatch', (p) => [
    { ...p, action: 'pilot', client_payload: toDispatchPayload(work, 555) },
    { ...p, action: 'pilot' },
    { ...p, action: 'pilot', client_payload: { issue: '31', command: 'run' } },
    { ...p, action: 'Pilot', client_payload: toDispatchPayload(work, 555) },
  ]);
  it.each(cases)('%s', (_n, payload) =>
    check(run('repository_dispatch', payload), expectRepositoryDispatch(payload)),
  );

  it('includes cases Pilot acts on and cases it ignores', () => {
    const kinds = new Set(cases.map(([, payload]) => Object.keys(expectRepositoryDispatch(payload))[0]));
    expect(kinds).toEqual(new Set(['intent', 'ignore']));
  });

  it('carries the original sender and the gate run, and is a trusted event', () => {
    const p = example('repository_dispatch');
    const decision = run('repository_dispatch', {
      ...p,
      action: 'pilot',
      client_payload: toDispatchPayload(work, 555),
    });
    check(decision, {
      intent: {
        ...work,
        trustedEvent: true,
        gateRunId: 555,
        sender: { login: 'octocat', id: 583231, type: 'User' },
      },
    });
    // The dispatch's own sender (the gate's token) is not the one who asked.
    expect(p.sender.login).not.toBe('octocat');
  });
});

describe('events beyond the payloads', () => {
  it('starts the sweep on a schedule, acting as Pilot itself', () => {
    const decision = decide(
      { eventName: 'schedule', payload: { schedule: '*/15 * * * *' }, repository: 'o/r', runAttempt: 1 },
      OPTS,
    );
    check(decision, {
      intent: { kind: 'sweep', command: 'sweep', source: 'schedule', trustedEvent: true },
    });
  });

  it('marks a re-run attempt as a rerun', () => {
    const p = example('issues', 'labeled');
    p.label.name = 'pilot';
    check(run('issues', p, 2), { intent: { rerun: true, trustedEvent: false } });
    check(run('issues', p, 1), { intent: { rerun: false } });
  });

  it.each(['push', 'pull_request', 'pull_request_target', 'constructor', '__proto__', ''])(
    'ignores the %s event with a reason',
    (eventName) => {
      const decision = decide({ eventName, payload: {}, repository: 'o/r', runAttempt: 1 }, OPTS);
      check(decision, { ignore: /is not one Pilot acts on/ });
    },
  );
});
