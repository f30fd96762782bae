// Budgets and notifications through the whole flow (bundled action, the GitHub emulator's Git Data
// routes for the ledger, the real claude CLI against the scripted model, a signed-webhook receiver on
// loopback): a day's budget nearly spent, its 80% warning once across two runs, the gate's refusal
// with the reset time, the admin-only override, and no secret in any body.
import { getOctokit } from '@actions/github';
import { afterEach, expect, it } from 'vitest';
import { appendRecords } from '../../src/ledger/index.js';
import { verifySignature } from '../../src/notify/index.js';
import { runRecord } from '../ledger/world.js';
import { type Receiver, startReceiver } from '../notify/receiver.js';
import { pullRequestClosed } from '../state/examples.js';
import { OWNER, REPO, startWorld, type World } from '../world/index.js';
import { FAKE_API_KEY } from '../world/model/env.js';
import { say, write } from '../world/model/index.js';

const SECRET = 'whsec-0123456789abcdef0123456789abcdef';
let world: World | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await world?.close();
  await receiver?.close();
  world = undefined;
  receiver = undefined;
});

function events(r: Receiver): Array<{ event: string; issue?: number; summary: string; title?: string }> {
  return r.deliveries.map((d) => {
    const verified = verifySignature(
      SECRET,
      {
        signature: String(d.headers['x-pilot-signature']),
        timestamp: String(d.headers['x-pilot-timestamp']),
      },
      d.body,
      Math.floor(Date.now() / 1000),
    );
    expect(verified).toEqual({ ok: true });
    return JSON.parse(d.body);
  });
}

function tomorrow(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
    .toISOString()
    .slice(0, 10);
}

it('a nearly spent daily budget: one 80% warning over two runs, the gate refuses with the reset time, only an admin overrides', async () => {
  receiver = await startReceiver();
  world = await startWorld({
    inputs: {
      'budget-daily-usd': '1',
      'webhook-url': receiver.url,
      'webhook-secret': SECRET,
      'webhook-events': 'task.started,budget.warning,budget.exceeded',
    },
    script: [say('Nothing to change.'), say('Nothing to change.'), say('Nothing to change.')],
  });
  const w = world;
  w.gh.setPermission(OWNER, REPO, 'mona', 'write');
  w.gh.setPermission(OWNER, REPO, 'boss', 'admin');
  const where = {
    octokit: getOctokit(w.gh.token, { baseUrl: w.gh.url }),
    repo: { owner: OWNER, repo: REPO },
  };
  // Earlier today's runs spent $0.85 of the $1 budget: past the 80% line, not yet over it.
  await appendRecords(where, [runRecord(9001, { at: new Date().toISOString(), costUsd: 0.85 })]);

  // An outsider's text carrying a secret (here the model key Pilot holds) in the title.
  const first = w.gh.addIssue(OWNER, REPO, {
    title: `Tidy ${FAKE_API_KEY} up`,
    body: 'Please.',
    user: 'mona',
  });
  const second = w.gh.addIssue(OWNER, REPO, { title: 'Second task', body: 'Please.', user: 'mona' });
  for (const issue of [first, second]) {
    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    expect(runs, runs.map((r) => r.log).join('\n')).toHaveLength(2);
    expect(runs[1].outputs['task-status'], runs[1].log).not.toBe('budget_exceeded');
  }
  const warnings = events(receiver).filter((e) => e.event === 'budget.warning');
  expect(warnings).toHaveLength(1);
  expect(warnings[0].summary).toMatch(/The daily budget is \$1\.00: \$0\.8\d spent today/);
  expect(
    events(receiver)
      .filter((e) => e.event === 'task.started')
      .map((e) => e.issue),
  ).toEqual([first, second]);
  for (const d of receiver.deliveries) expect(d.body).not.toContain(FAKE_API_KEY);

  // Another task is in flight (its lease is held): with $5 reserved for it, nothing fits today.
  const { data: main } = await where.octokit.rest.git.getRef({ ...where.repo, ref: 'heads/main' });
  await where.octokit.rest.git.createRef({
    ...where.repo,
    ref: 'refs/pilot/leases/issue-99',
    sha: main.object.sha,
  });
  const third = w.gh.addIssue(OWNER, REPO, { title: 'Third task', body: 'Please.', user: 'mona' });
  const refused = await w.run('issues', w.labelEvent(third, 'pilot', 'mona'));
  expect(refused).toHaveLength(1);
  expect(refused[0].outputs['task-status']).toBe('budget_exceeded');
  const tracking = () => w.pilotComments(third).find((c) => c.body.includes('pilot:task'))?.body ?? '';
  expect(tracking()).toContain('not started: the daily budget is spent');
  expect(tracking()).toMatch(/\$0\.8\d spent today .*, plus \$5\.00 reserved for 1 run in flight/);
  expect(tracking()).toContain(`It resets at ${tomorrow()} 00:00 UTC.`);
  expect(tracking()).toContain('`/pilot run --over-budget`');
  expect(events(receiver).filter((e) => e.event === 'budget.exceeded')).toHaveLength(1);

  // A writer's override is refused; nothing is dispatched.
  const byWriter = await w.run('issue_comment', w.commentEvent(third, '/pilot run --over-budget', 'mona'));
  expect(byWriter).toHaveLength(1);
  expect(tracking()).toContain('only a repository admin may (@mona has write permission)');
  expect(w.model.agentRequests().length).toBe(2);

  // An admin's override runs (the work run asks GitHub for the permission again); the flag is not
  // passed to the agent as an instruction.
  const byAdmin = await w.run('issue_comment', w.commentEvent(third, '/pilot run --over-budget', 'boss'));
  expect(byAdmin).toHaveLength(2);
  expect(byAdmin[1].outputs['task-status'], byAdmin[1].log).toBe('needs_human');
  expect(byAdmin[1].log).toContain('@boss (admin) overrides it with --over-budget');
  // (The thread shown to the agent still quotes the comment; only the maintainer's instructions matter.)
  expect(JSON.stringify(w.model.agentRequests().at(-1)?.body)).not.toContain(
    'Extra instructions from the maintainer who started this run',
  );
  // Still one warning in all: the third run was over budget, and warnings are once per day.
  expect(events(receiver).filter((e) => e.event === 'budget.warning')).toHaveLength(1);
}, 240_000);

it('the work run asks again: a writer who skips the gate with --over-budget (workflow_dispatch) is refused', async () => {
  receiver = await startReceiver();
  world = await startWorld({
    inputs: { 'budget-daily-usd': '1', 'webhook-url': receiver.url, 'webhook-secret': SECRET },
    script: [say('must not run')],
  });
  const w = world;
  w.gh.setPermission(OWNER, REPO, 'mona', 'write');
  const where = {
    octokit: getOctokit(w.gh.token, { baseUrl: w.gh.url }),
    repo: { owner: OWNER, repo: REPO },
  };
  await appendRecords(where, [runRecord(9001, { at: new Date().toISOString(), costUsd: 1.25 })]);
  const issue = w.gh.addIssue(OWNER, REPO, { title: 'Sneak past', body: 'Please.', user: 'mona' });

  const runs = await w.run(
    'workflow_dispatch',
    w.dispatchEvent({ issue: String(issue), instructions: '--over-budget do it anyway' }, 'mona'),
  );
  expect(runs).toHaveLength(1);
  expect(runs[0].outputs['task-status'], runs[0].log).toBe('budget_exceeded');
  expect(runs[0].exitCode).toBe(0);
  expect(w.model.agentRequests()).toHaveLength(0);
  const tracking = w.pilotComments(issue).find((c) => c.body.includes('pilot:task'))?.body ?? '';
  expect(tracking).toContain('$1.25 spent today');
  expect(tracking).toContain('only a repository admin may (@mona has write permission)');
  expect(events(receiver).map((e) => e.event)).toEqual(['budget.exceeded']);
}, 120_000);

it('announces a task from start to merge: task.started, pr.created, task.succeeded, pr.merged', async () => {
  receiver = await startReceiver();
  world = await startWorld({
    inputs: { 'webhook-url': receiver.url, 'webhook-secret': SECRET },
    script: [write('src/farewell.js', 'export const farewell = () => "bye";\n'), say('Added it.')],
  });
  const w = world;
  w.gh.setPermission(OWNER, REPO, 'mona', 'write');
  const issue = w.gh.addIssue(OWNER, REPO, { title: 'Add a farewell helper', body: 'Please.', user: 'mona' });
  await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
  const [pr] = w.gh.pulls(OWNER, REPO);
  expect(events(receiver).map((e) => e.event)).toEqual(['task.started', 'pr.created', 'task.succeeded']);
  expect(events(receiver)[1]).toMatchObject({ issue, url: expect.stringContaining(`/pull/${pr.number}`) });

  w.gh.mergePull(OWNER, REPO, pr.number, 'mona');
  const payload = pullRequestClosed();
  const mona = w.gh.addUser('mona');
  payload.pull_request = {
    ...payload.pull_request,
    number: pr.number,
    merged: true,
    head: {
      ...payload.pull_request.head,
      ref: pr.head.ref,
      sha: pr.head.sha,
      repo: { ...payload.pull_request.head.repo, full_name: `${OWNER}/${REPO}` },
    },
  };
  payload.sender = { login: mona.login, id: mona.id, type: mona.type };
  payload.repository = {
    ...payload.repository,
    full_name: `${OWNER}/${REPO}`,
    name: REPO,
    default_branch: 'main',
  };
  const runs = await w.run('pull_request', payload);
  expect(runs[0].outputs['task-status'], runs[0].log).toBe('merged');
  expect(events(receiver).at(-1)).toMatchObject({ event: 'pr.merged', issue, status: 'merged' });
}, 120_000);

it('two runs reaching 80% at the same moment still warn once', async () => {
  receiver = await startReceiver();
  world = await startWorld({
    workspacePerRun: true,
    inputs: {
      'budget-daily-usd': '20',
      // Each run reserves this much for the other while both are in flight: 17 + 1.5 < 20.
      'max-cost-usd': '1.5',
      'webhook-url': receiver.url,
      'webhook-secret': SECRET,
      'webhook-events': 'budget.warning',
    },
    script: [say('Nothing to change.'), say('Nothing to change.')],
  });
  const w = world;
  w.gh.setPermission(OWNER, REPO, 'mona', 'write');
  const where = {
    octokit: getOctokit(w.gh.token, { baseUrl: w.gh.url }),
    repo: { owner: OWNER, repo: REPO },
  };
  await appendRecords(where, [runRecord(9001, { at: new Date().toISOString(), costUsd: 17 })]);
  const issues = [1, 2].map((n) =>
    w.gh.addIssue(OWNER, REPO, { title: `Task ${n}`, body: 'Please.', user: 'mona' }),
  );
  const all = await Promise.all(issues.map((issue) => w.run('issues', w.labelEvent(issue, 'pilot', 'mona'))));
  for (const runs of all) expect(runs.at(-1)?.outputs['task-status'], runs.at(-1)?.log).toBe('needs_human');
  expect(events(receiver).map((e) => e.event)).toEqual(['budget.warning']);
}, 180_000);
